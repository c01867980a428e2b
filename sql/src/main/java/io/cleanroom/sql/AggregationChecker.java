package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.JoinRequired;
import io.cleanroom.core.model.ScalarFunction;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Enforces aggregation analysis rules on a validated single SELECT: aggregate columns only inside
 * their allowed functions with plain column arguments, dimension columns only in SELECT, WHERE,
 * GROUP BY, HAVING and ORDER BY, join columns only in INNER JOIN ON equalities, the allowed
 * scalar functions (not nested), the join-to-query-runner requirement, and at least one
 * aggregate. Then adds every output constraint of every referenced table to HAVING.
 */
final class AggregationChecker {
    enum Clause {
        SELECT("SELECT"), WHERE("WHERE"), GROUP_BY("GROUP BY"), HAVING("HAVING"), ORDER_BY("ORDER BY");

        final String sql;

        Clause(String sql) {
            this.sql = sql;
        }
    }

    private final Relations relations;
    private final AccountId runner;
    private final Set<ScalarFunction> allowedFunctions;
    private final List<String> selectAliases = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Trace trace;

    private AggregationChecker(Relations relations, AccountId runner, Trace trace) {
        this.relations = relations;
        this.runner = runner;
        this.trace = trace;
        Set<ScalarFunction> functions = EnumSet.allOf(ScalarFunction.class);
        for (Relations.Relation r : relations.all()) {
            functions.retainAll(rule(r.table()).scalarFunctions());
        }
        this.allowedFunctions = functions;
    }

    private static Aggregation rule(TableSpec table) {
        return (Aggregation) table.rule().orElseThrow();
    }

    static final Relations.JoinPolicy JOINS = new Relations.JoinPolicy("aggregation", t -> rule(t).joinColumns(),
            t -> rule(t).allowedJoinOperators());

    /** Checks the query and returns the output constraints it added to HAVING, described. */
    static List<String> check(SqlSelect select, Map<String, TableSpec> tables, AccountId runner, Trace trace) {
        if (select.isDistinct()) {
            throw Rejection.of("SELECT DISTINCT is not allowed by the aggregation analysis rule");
        }
        if (select.getFetch() != null || select.getOffset() != null) {
            throw Rejection.of("LIMIT, OFFSET and FETCH are not allowed by the aggregation analysis rule");
        }
        if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
            throw Rejection.of("Window functions are not allowed by the aggregation analysis rule");
        }
        if (select.getQualify() != null) {
            throw Rejection.of("QUALIFY is not allowed by the aggregation analysis rule");
        }
        Relations relations = Relations.of(select.getFrom(), tables, JOINS, trace);
        AggregationChecker checker = new AggregationChecker(relations, runner, trace);
        checker.joinRequirement();
        checker.selectList(select.getSelectList());
        if (select.getWhere() != null) {
            checker.expression(select.getWhere(), Clause.WHERE, false);
        }
        if (select.getGroup() != null) {
            for (SqlNode group : select.getGroup()) {
                checker.groupItem(group, select.getSelectList());
            }
        }
        if (select.getHaving() != null) {
            checker.expression(select.getHaving(), Clause.HAVING, false);
        }
        if (select.getOrderList() != null) {
            for (SqlNode order : select.getOrderList()) {
                checker.orderItem(order, select.getSelectList());
            }
        }
        checker.addOutputConstraints(select);
        return List.copyOf(checker.notes);
    }

    private void joinRequirement() {
        List<Relations.Relation> unconnected = relations.unconnectedToRunner(runner);
        for (Relations.Relation r : relations.all()) {
            boolean required = rule(r.table()).joinRequired() == JoinRequired.QUERY_RUNNER;
            if (unconnected.contains(r)) {
                if (required) {
                    throw Rejection.of("Inner join to query runner table required for table " + r.table().name());
                }
                trace.allow("FROM", r.table().name(), "the aggregation rule of " + r.table().name()
                        + " does not require a join to the query runner's table");
            } else if (required) {
                trace.allow("FROM", r.table().name(), "joined (directly or transitively) to a table of the query "
                        + "runner, as its aggregation rule requires");
            }
        }
    }

    private void selectList(SqlNodeList items) {
        boolean anyAggregate = false;
        for (SqlNode item : items) {
            SqlNode expression = item;
            if (item.getKind() == SqlKind.AS) {
                expression = ((SqlCall) item).operand(0);
                selectAliases.add(((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple().toLowerCase(Locale.ROOT));
            }
            if (expression instanceof SqlIdentifier id && id.isStar()) {
                throw Rejection.of("SELECT * is not allowed by the aggregation analysis rule");
            }
            anyAggregate |= containsAggregate(expression);
            expression(expression, Clause.SELECT, false);
        }
        if (!anyAggregate) {
            throw Rejection.of("The aggregation analysis rule requires at least one aggregate function "
                    + "(COUNT, SUM or AVG) in SELECT");
        }
    }

    private static boolean containsAggregate(SqlNode node) {
        if (node instanceof SqlCall call) {
            if (call.getOperator().isAggregator()) {
                return true;
            }
            for (SqlNode operand : call.getOperandList()) {
                if (operand != null && containsAggregate(operand)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void groupItem(SqlNode group, SqlNodeList selectList) {
        SqlNode target = ordinalTarget(group, selectList).orElse(group);
        if (containsAggregate(target)) {
            throw Rejection.of("GROUP BY may not contain aggregate functions");
        }
        expression(target, Clause.GROUP_BY, false);
    }

    private void orderItem(SqlNode order, SqlNodeList selectList) {
        SqlNode expression = order;
        while (expression.getKind() == SqlKind.DESCENDING || expression.getKind() == SqlKind.NULLS_FIRST
                || expression.getKind() == SqlKind.NULLS_LAST) {
            expression = ((SqlCall) expression).operand(0);
        }
        if (ordinalTarget(expression, selectList).isPresent()) {
            return;
        }
        expression(expression, Clause.ORDER_BY, false);
    }

    /** The select item an ordinal (GROUP BY 1) refers to. */
    private static Optional<SqlNode> ordinalTarget(SqlNode node, SqlNodeList selectList) {
        if (node instanceof SqlLiteral literal && literal.getTypeName().getFamily()
                == org.apache.calcite.sql.type.SqlTypeFamily.NUMERIC) {
            int ordinal = literal.intValue(true);
            if (ordinal < 1 || ordinal > selectList.size()) {
                throw Rejection.of("Ordinal " + ordinal + " is out of range of the select list");
            }
            SqlNode item = selectList.get(ordinal - 1);
            return Optional.of(item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item);
        }
        return Optional.empty();
    }

    private void expression(SqlNode node, Clause clause, boolean underFunction) {
        if (node == null || Functions.isConstant(node) || Functions.isSyntax(node)) {
            return;
        }
        if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                expression(item, clause, underFunction);
            }
            return;
        }
        if (node instanceof SqlIdentifier id) {
            column(id, clause);
            return;
        }
        if (node instanceof SqlSelect || node.getKind() == SqlKind.WITH || node.getKind() == SqlKind.UNION
                || node.getKind() == SqlKind.INTERSECT || node.getKind() == SqlKind.EXCEPT) {
            throw Rejection.of("Subqueries are not allowed by the aggregation analysis rule (found one in "
                    + clause.sql + ")");
        }
        if (!(node instanceof SqlCall call)) {
            throw Rejection.of("Unsupported expression in " + clause.sql + " under the aggregation analysis rule");
        }
        SqlKind kind = call.getKind();
        if (kind == SqlKind.OVER || kind == SqlKind.WINDOW) {
            throw Rejection.of("Window functions are not allowed by the aggregation analysis rule");
        }
        if (kind == SqlKind.FILTER || kind == SqlKind.WITHIN_GROUP || kind == SqlKind.WITHIN_DISTINCT) {
            throw Rejection.of("FILTER and WITHIN GROUP are not allowed by the aggregation analysis rule");
        }
        if (call.getOperator().isAggregator()) {
            aggregate(call, clause);
            return;
        }
        if (kind == SqlKind.CASE) {
            throw Rejection.of("CASE expressions are not allowed by the aggregation analysis rule (found in "
                    + clause.sql + ")");
        }
        if (kind == SqlKind.EXISTS || kind == SqlKind.SCALAR_QUERY || kind == SqlKind.ARRAY_QUERY_CONSTRUCTOR) {
            throw Rejection.of("Subqueries are not allowed by the aggregation analysis rule (found one in "
                    + clause.sql + ")");
        }
        Optional<ScalarFunction> function = Functions.scalar(call);
        if (function.isPresent()) {
            if (!allowedFunctions.contains(function.get())) {
                throw Rejection.of("Scalar function " + function.get() + " is not allowed by the aggregation "
                        + "analysis rule of " + tablesNotAllowing(function.get()) + " (found in " + clause.sql + ")");
            }
            if (underFunction) {
                throw Rejection.of("Scalar functions cannot be nested under the aggregation analysis rule ("
                        + function.get() + " in " + clause.sql + ")");
            }
            trace.allow(clause.sql, function.get().name(), "scalar function allowed by the aggregation rules of "
                    + "every referenced table");
            for (SqlNode operand : call.getOperandList()) {
                expression(operand, clause, true);
            }
            return;
        }
        if (Functions.isOperator(call)) {
            for (SqlNode operand : call.getOperandList()) {
                expression(operand, clause, underFunction);
            }
            return;
        }
        throw Rejection.of("Function " + call.getOperator().getName() + " is not allowed by the aggregation "
                + "analysis rule (found in " + clause.sql + ")");
    }

    private String tablesNotAllowing(ScalarFunction function) {
        List<String> names = new ArrayList<>();
        for (Relations.Relation r : relations.all()) {
            if (!rule(r.table()).scalarFunctions().contains(function)) {
                names.add(r.table().name());
            }
        }
        return "table " + String.join(", ", names);
    }

    private void column(SqlIdentifier id, Clause clause) {
        if (id.names.size() == 1 && (clause == Clause.ORDER_BY || clause == Clause.HAVING)
                && selectAliases.contains(id.getSimple().toLowerCase(Locale.ROOT))) {
            return;
        }
        Relations.ColumnRef ref = relations.column(id).orElseThrow(() ->
                Rejection.of("Unsupported reference " + id + " in " + clause.sql));
        Aggregation rule = rule(ref.relation().table());
        if (rule.dimensionColumns().stream().anyMatch(c -> c.equalsIgnoreCase(ref.column()))) {
            trace.allow(clause.sql, ref.describe(), "dimension column of the aggregation rule of "
                    + ref.relation().table().name());
            return;
        }
        if (rule.joinColumns().stream().anyMatch(c -> c.equalsIgnoreCase(ref.column()))) {
            throw Rejection.of("Join column " + ref.describe() + " can only be used in INNER JOIN ON conditions"
                    + (isAggregateColumn(rule, ref.column()) ? " or inside its allowed aggregate functions" : "")
                    + " (found in " + clause.sql + ")");
        }
        if (isAggregateColumn(rule, ref.column())) {
            throw Rejection.of("Aggregate column " + ref.describe() + " can only be used inside "
                    + allowedFunctions(rule, ref.column()) + " (found in " + clause.sql + ")");
        }
        throw Rejection.of("Column " + ref.describe() + " is not a dimension, join or aggregate column of the "
                + "aggregation analysis rule and cannot be used");
    }

    private static boolean isAggregateColumn(Aggregation rule, String column) {
        return rule.aggregateColumns().stream()
                .anyMatch(a -> a.columnNames().stream().anyMatch(c -> c.equalsIgnoreCase(column)));
    }

    private static String allowedFunctions(Aggregation rule, String column) {
        List<String> names = new ArrayList<>();
        for (AggregateColumn a : rule.aggregateColumns()) {
            if (a.columnNames().stream().anyMatch(c -> c.equalsIgnoreCase(column))) {
                names.add(a.function().name());
            }
        }
        return String.join(", ", names);
    }

    private void aggregate(SqlCall call, Clause clause) {
        if (clause == Clause.WHERE || clause == Clause.GROUP_BY) {
            throw Rejection.of("Aggregate functions are not allowed in " + clause.sql);
        }
        boolean distinct = call.getFunctionQuantifier() != null
                && "DISTINCT".equalsIgnoreCase(call.getFunctionQuantifier().toValue());
        String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
        AggregateFunction function = switch (name) {
            case "COUNT" -> distinct ? AggregateFunction.COUNT_DISTINCT : AggregateFunction.COUNT;
            case "SUM", "$SUM0" -> distinct ? AggregateFunction.SUM_DISTINCT : AggregateFunction.SUM;
            case "AVG" -> distinct ? null : AggregateFunction.AVG;
            default -> null;
        };
        if (function == null) {
            throw Rejection.of("Aggregate function " + name + (distinct ? " DISTINCT" : "") + " is not allowed by "
                    + "the aggregation analysis rule (allowed: COUNT, COUNT DISTINCT, SUM, SUM DISTINCT, AVG)");
        }
        List<SqlNode> operands = call.getOperandList();
        if (function == AggregateFunction.COUNT && operands.size() == 1 && operands.get(0) instanceof SqlIdentifier id
                && id.isStar()) {
            trace.allow(clause.sql, "COUNT(*)", "counts rows without revealing a column; output constraints apply");
            return;
        }
        if (operands.size() != 1) {
            throw Rejection.of(name + " takes exactly one column under the aggregation analysis rule");
        }
        Relations.ColumnRef ref = relations.column(operands.get(0)).orElseThrow(() -> Rejection.of(
                "Only columns are allowed as arguments of aggregate functions (found another expression in " + name
                        + ")"));
        Aggregation rule = rule(ref.relation().table());
        boolean allowed = rule.aggregateColumns().stream().anyMatch(a -> a.function() == function
                && a.columnNames().stream().anyMatch(c -> c.equalsIgnoreCase(ref.column())));
        if (!allowed) {
            throw Rejection.of("Column " + ref.describe() + " cannot be used in " + function.name().replace('_', ' ')
                    + " by the aggregation analysis rule"
                    + (isAggregateColumn(rule, ref.column()) ? " (allowed: " + allowedFunctions(rule, ref.column())
                            + ")" : ""));
        }
        trace.allow(clause.sql, function.name().replace('_', ' ') + "(" + ref.describe() + ")",
                "aggregate column allowed with " + function.name() + " by the aggregation rule of "
                        + ref.relation().table().name());
    }

    /**
     * Adds HAVING COUNT(DISTINCT alias.column) >= minimum for every constraint of every relation.
     * When the joins are conjunctions of equalities, columns they equate hold the same value in
     * every joined row, so their distinct counts are equal: one count per class of equal columns,
     * with the largest minimum of the class, enforces them all.
     */
    private void addOutputConstraints(SqlSelect select) {
        List<SqlNode> conditions = new ArrayList<>();
        Map<String, Relations.ColumnRef> representative = new java.util.LinkedHashMap<>();
        Map<String, Integer> minimum = new java.util.LinkedHashMap<>();
        for (Relations.Relation r : relations.all()) {
            for (OutputConstraint constraint : rule(r.table()).outputConstraints()) {
                Relations.ColumnRef column = new Relations.ColumnRef(r, constraint.columnName().toLowerCase(
                        Locale.ROOT));
                String key = relations.onlyConjunctions() ? relations.equalityClass(column)
                        : r.alias() + "." + column.column();
                representative.putIfAbsent(key, column);
                minimum.merge(key, constraint.minimum(), Math::max);
                String note = "COUNT(DISTINCT " + r.table().name() + "." + constraint.columnName() + ") >= "
                        + constraint.minimum();
                notes.add(note);
                trace.allow("HAVING", note, "output constraint of the aggregation rule of " + r.table().name()
                        + ", added by the rewrite: rows below it are removed");
            }
        }
        for (Map.Entry<String, Relations.ColumnRef> entry : representative.entrySet()) {
            Relations.ColumnRef column = entry.getValue();
            conditions.add(Rewrites.atLeastDistinct(new SqlIdentifier(List.of(column.relation().alias(),
                    column.column()), SqlParserPos.ZERO), minimum.get(entry.getKey())));
        }
        Rewrites.addToHaving(select, conditions);
    }
}
