package io.cleanroom.engine.spark;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The driver's last line: before a query runs, Spark's own parser reads it and every node of the
 * parsed plan must be on an allow-list. Query control renders only such queries; this holds even
 * for SQL that never went through it. A plan is a read-only query (no command: SET, ADD JAR, LOAD
 * DATA, CREATE FUNCTION, CACHE ... are plan nodes not on the list); every relation it reads is a
 * single-part name of one of the query's bound tables (so no {@code json.`/path`} file table, no
 * other catalog or database, no global temporary view); no table-valued function; and every
 * function it calls is on the list of functions query control renders (so no {@code reflect},
 * {@code java_method}, {@code raise_error}, {@code input_file_name} ...). Unknown means refused.
 */
final class SqlGate {
    /** Logical plan nodes of a read-only query, as Spark's parser produces them. */
    private static final Set<String> PLANS = Set.of("Project", "Filter", "Aggregate", "Join", "Sort", "GlobalLimit",
            "LocalLimit", "Offset", "Distinct", "Union", "Intersect", "Except", "SubqueryAlias", "OneRowRelation",
            "UnresolvedWith", "UnresolvedRelation", "UnresolvedSubqueryColumnAliases", "UnresolvedHaving", "Generate",
            // VALUES: rows of literals written in the query
            "LocalRelation", "UnresolvedInlineTable",
            // LATERAL (SELECT explode(...)): how query control renders UNNEST
            "LateralJoin");

    /** Expression nodes of the parser: syntax only; functions are checked by name. */
    private static final Set<String> EXPRESSIONS = Set.of("UnresolvedAttribute", "UnresolvedStar", "UnresolvedAlias",
            "Alias", "Literal", "UnresolvedFunction", "Cast", "TryCast", "And", "Or", "Not", "EqualTo",
            "EqualNullSafe", "LessThan", "LessThanOrEqual", "GreaterThan", "GreaterThanOrEqual", "IsNull", "IsNotNull",
            "In", "InSubquery", "ListQuery", "Exists", "ScalarSubquery", "Like", "ILike", "LikeAll", "LikeAny",
            "NotLikeAll", "NotLikeAny", "RLike", "CaseWhen", "Add", "Subtract", "Multiply", "Divide", "Remainder",
            "IntegralDivide", "UnaryMinus", "UnaryPositive", "Concat", "SortOrder", "WindowExpression",
            "WindowSpecDefinition", "SpecifiedWindowFrame", "UnspecifiedFrame", "UnresolvedWindowExpression",
            "WindowSpecReference", "UnboundedPreceding$", "UnboundedFollowing$", "CurrentRow$", "CurrentDate",
            "CurrentTimestamp", "Now", "UnresolvedOrdinal", "Cube", "Rollup", "GroupingSets", "BaseGroupingSets",
            "UnresolvedExtractValue", "CreateNamedStruct", "Extract", "DatePart", "StringTrim", "StringTrimLeft",
            "StringTrimRight", "StringTrimBoth", "Substring", "StringLocate", "Overlay", "TimestampAdd",
            "TimestampDiff", "Ascending$", "Descending$", "NullsFirst$", "NullsLast$", "Coalesce", "NullIf", "If",
            "MultiAlias", "Interval", "UnresolvedGenerator", "InSubqueryExec", "OuterReference",
            "CurrentTimeZone", "Collate", "LateralColumnAliasReference", "Explode", "PosExplode", "UnspecifiedFrame$",
            "LateralSubquery", "RowFrame$", "RangeFrame$", "AttributeReference");

    /** The functions query control renders for Spark (lower case), and nothing that reads or escapes. */
    private static final Set<String> FUNCTIONS = Set.of("count", "sum", "avg", "min", "max", "stddev_pop",
            "stddev_samp", "stddev", "var_pop", "var_samp", "variance", "row_number", "rank", "dense_rank",
            "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "lower", "upper", "trim",
            "ltrim", "rtrim", "btrim", "substring", "substr", "position", "locate", "char_length", "character_length",
            "length", "concat", "replace", "reverse", "md5", "sha2", "left", "right", "abs", "ceil", "ceiling", "floor",
            "round", "sqrt", "ln", "log10", "exp", "power", "pow", "sign", "signum", "greatest", "least", "pi",
            "extract", "date_part", "current_date", "current_timestamp", "year", "quarter", "month", "dayofmonth",
            "day", "hour", "minute", "second", "coalesce", "nullif", "startswith", "endswith", "ilike", "like", "if",
            "try_cast", "try_add", "try_subtract", "try_multiply", "try_divide", "try_mod", "try_sum", "try_avg",
            "date_add", "date_sub", "dateadd", "add_months", "make_interval", "trunc", "date_trunc", "mod", "pmod",
            "isnull", "isnotnull", "nvl", "ifnull", "any_value", "first", "explode", "array", "count_if", "bool_and",
            "bool_or", "every", "some", "any", "nanvl", "rlike", "regexp", "regexp_like", "sha256", "timestampadd",
            "concat_ws", "bround", "weekofyear", "dayofweek", "dayofyear",
            // the keyed hash that ranks a user's rows in the rewrite of a differentially private query
            "xxhash64",
            "weekday", "between");

    private SqlGate() {
    }

    /** A query the gate refuses; its message names the node or function (from the query's text, never data). */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Refuses the SQL unless every node of its parsed plan is allowed and it reads only the given tables. */
    static void check(SparkSession session, String sql, List<String> tables) {
        LogicalPlan plan;
        try {
            plan = ((org.apache.spark.sql.classic.SparkSession) session).sessionState().sqlParser().parsePlan(sql);
        } catch (org.apache.spark.sql.catalyst.parser.ParseException | RuntimeException e) {
            throw new Refused("the query does not parse");
        }
        plan(plan, Set.copyOf(tables));
    }

    /** Checks a plan whose relations may name the given tables (bound tables and common table expressions). */
    private static void plan(LogicalPlan plan, Set<String> visible) {
        String kind = plan.getClass().getSimpleName();
        if (!PLANS.contains(kind)) {
            throw new Refused("plan node " + kind);
        }
        Set<String> names = visible;
        if (plan instanceof UnresolvedWith with) {
            // WITH x AS (...): x is a relation of the query, defined in it
            Set<String> withNames = new java.util.HashSet<>(visible);
            for (scala.Tuple3<String, ?, ?> cte : CollectionConverters.asJava(with.cteRelations())) {
                withNames.add(cte._1().toLowerCase(Locale.ROOT));
            }
            names = Set.copyOf(withNames);
        }
        if (plan instanceof UnresolvedRelation relation) {
            List<String> parts = CollectionConverters.asJava(relation.multipartIdentifier());
            if (parts.size() != 1 || !names.contains(parts.get(0).toLowerCase(Locale.ROOT))) {
                throw new Refused("a relation that is not one of the query's tables");
            }
        }
        for (Expression e : CollectionConverters.asJava(plan.expressions())) {
            expression(e, names);
        }
        for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
            plan(child, names);
        }
        // the definitions of common table expressions
        for (Object inner : CollectionConverters.asJava(plan.innerChildren())) {
            if (!(inner instanceof LogicalPlan innerPlan)) {
                throw new Refused("inner node " + inner.getClass().getSimpleName());
            }
            plan(innerPlan, names);
        }
    }

    private static void expression(Expression e, Set<String> names) {
        String kind = e.getClass().getSimpleName();
        if (!EXPRESSIONS.contains(kind)) {
            throw new Refused("expression " + kind);
        }
        if (e instanceof UnresolvedFunction function) {
            List<String> parts = CollectionConverters.asJava(function.nameParts());
            if (parts.size() != 1 || !FUNCTIONS.contains(parts.get(0).toLowerCase(Locale.ROOT))) {
                throw new Refused("function " + String.join(".", parts));
            }
        }
        if (e instanceof org.apache.spark.sql.catalyst.analysis.UnresolvedGenerator generator
                && !FUNCTIONS.contains(generator.name().funcName().toLowerCase(Locale.ROOT))) {
            throw new Refused("generator " + generator.name().funcName());
        }
        if (e instanceof SubqueryExpression subquery) {
            plan(subquery.plan(), names);
        }
        for (Expression child : CollectionConverters.asJava(e.children())) {
            expression(child, names);
        }
    }
}
