package io.cleanroom.sql;

import io.cleanroom.core.model.ScalarFunction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelectOperator;
import org.apache.calcite.sql.SqlSyntax;
import org.apache.calcite.sql.fun.SqlLibrary;
import org.apache.calcite.sql.fun.SqlLibraryOperatorTableFactory;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlNameMatcher;

/**
 * The allow-list of query control: every operator and function a query may use, with what it
 * means for the rules. An operator that is not here is refused wherever it appears, in the parsed
 * tree or in the relational plan; the validator resolves function names against this list only,
 * so an unlisted function does not even validate.
 *
 * <p>Each entry says how the operator takes part in the rules (its {@link Role}), whether its
 * evaluation can fail on some values (then the renderer evaluates it so that a failure yields
 * NULL instead of an error whose occurrence would depend on hidden rows), and which aggregation-
 * rule scalar function it is, if any.
 */
final class Operators {
    /** How an operator takes part in the rules. */
    enum Role {
        /** Syntax, not a computation: AS, DESC, OVER, FILTER, SELECT, JOIN, set operations, VALUES. */
        STRUCTURE,
        /** AND, OR, NOT, IS [NOT] TRUE/FALSE: combine conditions. */
        LOGICAL,
        /** = <> < <= > >= IS [NOT] DISTINCT FROM: between two plain columns, a column comparison. */
        COMPARISON,
        /** IS [NOT] NULL. */
        NULL_TEST,
        /** Any other operator answering true or false about values: LIKE, IN, BETWEEN, STARTS_WITH ... */
        PREDICATE,
        /** + - * / % and unary minus, on numbers, dates and intervals. */
        ARITHMETIC,
        /** CASE, COALESCE, NULLIF: choose between values. */
        CONDITIONAL,
        /** CAST, ::, TRY_CAST. */
        CAST,
        /** A scalar transformation of its arguments. */
        FUNCTION,
        /** An aggregate whose result reveals values of its argument (SUM, MIN, ...). */
        AGGREGATE,
        /** An aggregate whose result depends only on how many (distinct) values there are. */
        COUNT,
        /** Ranking and offset window functions. */
        WINDOW
    }

    /** One allowed operator. */
    record Entry(SqlOperator operator, Role role, boolean fallible, Optional<ScalarFunction> scalar) {
    }

    private static final Map<SqlOperator, Entry> ENTRIES = new IdentityHashMap<>();

    /** Operators the parser makes per node for WITH, its items and WINDOW specifications. */
    private static final java.util.Set<String> SYNTAX_CLASSES = java.util.Set.of(
            "org.apache.calcite.sql.SqlWith$SqlWithOperator",
            "org.apache.calcite.sql.SqlWithItem$SqlWithItemOperator",
            "org.apache.calcite.sql.SqlWindow$SqlWindowOperator",
            "org.apache.calcite.sql.SqlJoin$SqlJoinOperator");

    static {
        structure(SqlStdOperatorTable.AS, SqlStdOperatorTable.DESC, SqlStdOperatorTable.NULLS_FIRST,
                SqlStdOperatorTable.NULLS_LAST, SqlStdOperatorTable.OVER, SqlStdOperatorTable.FILTER,
                SqlStdOperatorTable.IGNORE_NULLS, SqlStdOperatorTable.RESPECT_NULLS, SqlStdOperatorTable.UNION,
                SqlStdOperatorTable.UNION_ALL, SqlStdOperatorTable.EXCEPT, SqlStdOperatorTable.EXCEPT_ALL,
                SqlStdOperatorTable.INTERSECT, SqlStdOperatorTable.INTERSECT_ALL, SqlStdOperatorTable.VALUES,
                SqlStdOperatorTable.ROW, SqlStdOperatorTable.LATERAL, SqlStdOperatorTable.UNNEST,
                SqlStdOperatorTable.UNNEST_WITH_ORDINALITY, SqlStdOperatorTable.SCALAR_QUERY,
                SqlStdOperatorTable.CUBE, SqlStdOperatorTable.ROLLUP, SqlStdOperatorTable.GROUPING_SETS,
                SqlStdOperatorTable.ESCAPE, SqlStdOperatorTable.LITERAL_CHAIN, SqlSelectOperator.INSTANCE,
                SqlJoin.OPERATOR, SqlOrderBy.OPERATOR);
        add(Role.LOGICAL, false, SqlStdOperatorTable.AND, SqlStdOperatorTable.OR, SqlStdOperatorTable.NOT,
                SqlStdOperatorTable.IS_TRUE, SqlStdOperatorTable.IS_NOT_TRUE, SqlStdOperatorTable.IS_FALSE,
                SqlStdOperatorTable.IS_NOT_FALSE);
        add(Role.COMPARISON, false, SqlStdOperatorTable.EQUALS, SqlStdOperatorTable.NOT_EQUALS,
                SqlStdOperatorTable.LESS_THAN, SqlStdOperatorTable.LESS_THAN_OR_EQUAL,
                SqlStdOperatorTable.GREATER_THAN, SqlStdOperatorTable.GREATER_THAN_OR_EQUAL,
                SqlStdOperatorTable.IS_DISTINCT_FROM, SqlStdOperatorTable.IS_NOT_DISTINCT_FROM);
        add(Role.NULL_TEST, false, SqlStdOperatorTable.IS_NULL, SqlStdOperatorTable.IS_NOT_NULL,
                SqlStdOperatorTable.IS_UNKNOWN, SqlStdOperatorTable.IS_NOT_UNKNOWN);
        add(Role.PREDICATE, false, SqlStdOperatorTable.IN, SqlStdOperatorTable.NOT_IN,
                SqlStdOperatorTable.SEARCH, SqlStdOperatorTable.BETWEEN, SqlStdOperatorTable.NOT_BETWEEN,
                SqlStdOperatorTable.EXISTS, SqlStdOperatorTable.LIKE, SqlStdOperatorTable.NOT_LIKE,
                SqlLibraryOperators.ILIKE, SqlLibraryOperators.NOT_ILIKE, SqlLibraryOperators.STARTS_WITH,
                SqlLibraryOperators.ENDS_WITH);
        add(Role.PREDICATE, true, SqlStdOperatorTable.SIMILAR_TO, SqlStdOperatorTable.NOT_SIMILAR_TO);
        add(Role.ARITHMETIC, true, SqlStdOperatorTable.PLUS, SqlStdOperatorTable.MINUS,
                SqlStdOperatorTable.MULTIPLY, SqlStdOperatorTable.DIVIDE, SqlStdOperatorTable.PERCENT_REMAINDER,
                SqlStdOperatorTable.UNARY_MINUS, SqlStdOperatorTable.DATETIME_PLUS, SqlStdOperatorTable.MINUS_DATE);
        add(Role.ARITHMETIC, false, SqlStdOperatorTable.UNARY_PLUS);
        add(Role.CONDITIONAL, false, SqlStdOperatorTable.CASE, SqlStdOperatorTable.NULLIF);
        scalar(Role.CONDITIONAL, false, ScalarFunction.COALESCE, SqlStdOperatorTable.COALESCE);
        scalar(Role.CAST, true, ScalarFunction.CAST, SqlStdOperatorTable.CAST);
        // string functions
        scalar(Role.FUNCTION, false, ScalarFunction.LOWER, SqlStdOperatorTable.LOWER);
        scalar(Role.FUNCTION, false, ScalarFunction.UPPER, SqlStdOperatorTable.UPPER);
        scalar(Role.FUNCTION, false, ScalarFunction.TRIM, SqlStdOperatorTable.TRIM);
        scalar(Role.FUNCTION, false, ScalarFunction.RTRIM, SqlLibraryOperators.RTRIM);
        scalar(Role.FUNCTION, true, ScalarFunction.SUBSTRING, SqlStdOperatorTable.SUBSTRING);
        add(Role.FUNCTION, false, SqlLibraryOperators.LTRIM, SqlStdOperatorTable.CHAR_LENGTH,
                SqlStdOperatorTable.CHARACTER_LENGTH, SqlLibraryOperators.LENGTH, SqlStdOperatorTable.CONCAT,
                SqlLibraryOperators.CONCAT_FUNCTION, SqlStdOperatorTable.REPLACE, SqlLibraryOperators.REVERSE,
                SqlLibraryOperators.MD5, SqlLibraryOperators.SHA256);
        add(Role.FUNCTION, false, SqlStdOperatorTable.POSITION);
        add(Role.FUNCTION, true, SqlLibraryOperators.LEFT, SqlLibraryOperators.RIGHT);
        // numeric functions
        scalar(Role.FUNCTION, true, ScalarFunction.ABS, SqlStdOperatorTable.ABS);
        scalar(Role.FUNCTION, true, ScalarFunction.CEILING, SqlStdOperatorTable.CEIL);
        scalar(Role.FUNCTION, true, ScalarFunction.FLOOR, SqlStdOperatorTable.FLOOR);
        scalar(Role.FUNCTION, true, ScalarFunction.ROUND, SqlStdOperatorTable.ROUND);
        // out of their domain these answer NaN or infinity, never an error
        scalar(Role.FUNCTION, false, ScalarFunction.SQRT, SqlStdOperatorTable.SQRT);
        scalar(Role.FUNCTION, false, ScalarFunction.LN, SqlStdOperatorTable.LN);
        scalar(Role.FUNCTION, false, ScalarFunction.LOG, SqlStdOperatorTable.LOG10);
        add(Role.FUNCTION, false, SqlStdOperatorTable.EXP, SqlStdOperatorTable.POWER, SqlStdOperatorTable.SIGN,
                SqlLibraryOperators.GREATEST, SqlLibraryOperators.LEAST);
        add(Role.FUNCTION, true, SqlStdOperatorTable.MOD);
        add(Role.FUNCTION, false, SqlStdOperatorTable.PI);
        // dates
        scalar(Role.FUNCTION, false, ScalarFunction.EXTRACT, SqlStdOperatorTable.EXTRACT);
        scalar(Role.FUNCTION, false, ScalarFunction.CURRENT_DATE, SqlStdOperatorTable.CURRENT_DATE);
        add(Role.FUNCTION, false, SqlStdOperatorTable.YEAR, SqlStdOperatorTable.QUARTER, SqlStdOperatorTable.MONTH,
                SqlStdOperatorTable.DAYOFMONTH, SqlStdOperatorTable.HOUR, SqlStdOperatorTable.MINUTE,
                SqlStdOperatorTable.SECOND);
        add(Role.FUNCTION, false, SqlStdOperatorTable.CURRENT_TIMESTAMP);
        // arrays, for UNNEST
        add(Role.FUNCTION, false, SqlStdOperatorTable.ARRAY_VALUE_CONSTRUCTOR, SqlStdOperatorTable.ITEM);
        // aggregates
        add(Role.COUNT, false, SqlStdOperatorTable.COUNT);
        add(Role.AGGREGATE, false, SqlStdOperatorTable.SUM, SqlStdOperatorTable.SUM0, SqlStdOperatorTable.AVG,
                SqlStdOperatorTable.MIN, SqlStdOperatorTable.MAX, SqlStdOperatorTable.STDDEV_POP,
                SqlStdOperatorTable.STDDEV_SAMP, SqlStdOperatorTable.STDDEV, SqlStdOperatorTable.VAR_POP,
                SqlStdOperatorTable.VAR_SAMP, SqlStdOperatorTable.VARIANCE, SqlStdOperatorTable.SINGLE_VALUE,
                SqlStdOperatorTable.GROUPING);
        add(Role.WINDOW, false, SqlStdOperatorTable.ROW_NUMBER, SqlStdOperatorTable.RANK,
                SqlStdOperatorTable.DENSE_RANK, SqlStdOperatorTable.PERCENT_RANK, SqlStdOperatorTable.CUME_DIST,
                SqlStdOperatorTable.NTILE, SqlStdOperatorTable.LAG, SqlStdOperatorTable.LEAD,
                SqlStdOperatorTable.FIRST_VALUE, SqlStdOperatorTable.LAST_VALUE);
    }

    /**
     * The operator table the validator resolves names and operators against: the allow-list,
     * nothing else.
     */
    static final SqlOperatorTable TABLE = new AllowedTable();

    /**
     * Resolves like Calcite's standard and library tables (same overloads, names matched without
     * case), keeping only operators of the allow-list.
     */
    private static final class AllowedTable implements SqlOperatorTable {
        private static final SqlOperatorTable CALCITE = SqlOperatorTables.chain(SqlStdOperatorTable.instance(),
                SqlLibraryOperatorTableFactory.INSTANCE.getOperatorTable(SqlLibrary.POSTGRESQL,
                        SqlLibrary.BIG_QUERY, SqlLibrary.ORACLE, SqlLibrary.MSSQL, SqlLibrary.MYSQL));

        @Override
        public void lookupOperatorOverloads(SqlIdentifier name, SqlFunctionCategory category, SqlSyntax syntax,
                List<SqlOperator> operators, SqlNameMatcher matcher) {
            List<SqlOperator> found = new ArrayList<>();
            CALCITE.lookupOperatorOverloads(name, category, syntax, found, matcher);
            for (SqlOperator op : found) {
                if (ENTRIES.containsKey(op) && !operators.contains(op)) {
                    operators.add(op);
                }
            }
        }

        @Override
        public List<SqlOperator> getOperatorList() {
            return List.copyOf(ENTRIES.keySet());
        }
    }

    private Operators() {
    }

    private static void structure(SqlOperator... operators) {
        add(Role.STRUCTURE, false, operators);
    }

    private static void add(Role role, boolean fallible, SqlOperator... operators) {
        for (SqlOperator op : operators) {
            ENTRIES.put(op, new Entry(op, role, fallible, Optional.empty()));
        }
    }

    private static void scalar(Role role, boolean fallible, ScalarFunction function, SqlOperator... operators) {
        for (SqlOperator op : operators) {
            ENTRIES.put(op, new Entry(op, role, fallible, Optional.of(function)));
        }
    }

    /** The entry of an operator, or empty if query control does not know it. */
    static Optional<Entry> of(SqlOperator operator) {
        Entry entry = ENTRIES.get(operator);
        if (entry != null) {
            return Optional.of(entry);
        }
        // the parser and the validator build a few operators of their own for syntax they own
        if (SYNTAX_CLASSES.contains(operator.getClass().getName())) {
            return Optional.of(new Entry(operator, Role.STRUCTURE, false, Optional.empty()));
        }
        return Optional.empty();
    }

    /** Every operator of the allow-list. */
    static Map<SqlOperator, Entry> all() {
        return Collections.unmodifiableMap(ENTRIES);
    }
}
