package io.cleanroom.sql;

import io.cleanroom.core.model.ScalarFunction;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlKind;

/** Names of functions and operators as the analysis rules see them. */
final class Functions {
    private static final Map<String, ScalarFunction> SCALAR = Map.ofEntries(
            Map.entry("ABS", ScalarFunction.ABS),
            Map.entry("CAST", ScalarFunction.CAST),
            Map.entry("CEIL", ScalarFunction.CEILING),
            Map.entry("CEILING", ScalarFunction.CEILING),
            Map.entry("COALESCE", ScalarFunction.COALESCE),
            Map.entry("CONVERT", ScalarFunction.CONVERT),
            Map.entry("CURRENT_DATE", ScalarFunction.CURRENT_DATE),
            Map.entry("DATEADD", ScalarFunction.DATEADD),
            Map.entry("EXTRACT", ScalarFunction.EXTRACT),
            Map.entry("FLOOR", ScalarFunction.FLOOR),
            Map.entry("GETDATE", ScalarFunction.GETDATE),
            Map.entry("LN", ScalarFunction.LN),
            Map.entry("LOG", ScalarFunction.LOG),
            Map.entry("LOG10", ScalarFunction.LOG),
            Map.entry("LOWER", ScalarFunction.LOWER),
            Map.entry("ROUND", ScalarFunction.ROUND),
            Map.entry("RTRIM", ScalarFunction.RTRIM),
            Map.entry("SQRT", ScalarFunction.SQRT),
            Map.entry("SUBSTRING", ScalarFunction.SUBSTRING),
            Map.entry("TO_CHAR", ScalarFunction.TO_CHAR),
            Map.entry("TO_DATE", ScalarFunction.TO_DATE),
            Map.entry("TO_NUMBER", ScalarFunction.TO_NUMBER),
            Map.entry("TO_TIMESTAMP", ScalarFunction.TO_TIMESTAMP),
            Map.entry("TRIM", ScalarFunction.TRIM),
            Map.entry("TRUNC", ScalarFunction.TRUNC),
            Map.entry("TRUNCATE", ScalarFunction.TRUNC),
            Map.entry("UPPER", ScalarFunction.UPPER));

    /** Operators that are not functions: comparison, logic and arithmetic. */
    private static final Set<SqlKind> OPERATORS = Set.of(SqlKind.AND, SqlKind.OR, SqlKind.NOT, SqlKind.EQUALS,
            SqlKind.NOT_EQUALS, SqlKind.LESS_THAN, SqlKind.LESS_THAN_OR_EQUAL, SqlKind.GREATER_THAN,
            SqlKind.GREATER_THAN_OR_EQUAL, SqlKind.PLUS, SqlKind.MINUS, SqlKind.TIMES, SqlKind.DIVIDE,
            SqlKind.MINUS_PREFIX, SqlKind.PLUS_PREFIX, SqlKind.IN, SqlKind.NOT_IN, SqlKind.LIKE, SqlKind.IS_NULL,
            SqlKind.IS_NOT_NULL, SqlKind.BETWEEN);

    private Functions() {
    }

    /**
     * Whether a node is a constant as far as the rules go: a literal, or a CAST of a literal (the
     * validator's implicit type coercion inserts these).
     */
    static boolean isConstant(org.apache.calcite.sql.SqlNode node) {
        if (node instanceof org.apache.calcite.sql.SqlLiteral) {
            return true;
        }
        if (node instanceof SqlCall call && call.getKind() == SqlKind.CAST) {
            return isConstant(call.operand(0));
        }
        if (node instanceof SqlCall call && (call.getKind() == SqlKind.MINUS_PREFIX
                || call.getKind() == SqlKind.PLUS_PREFIX)) {
            return isConstant(call.operand(0));
        }
        return false;
    }

    /** Parts of a call that are not expressions: type names, interval qualifiers, symbols. */
    static boolean isSyntax(org.apache.calcite.sql.SqlNode node) {
        return node instanceof org.apache.calcite.sql.SqlDataTypeSpec
                || node instanceof org.apache.calcite.sql.SqlIntervalQualifier;
    }

    static Optional<ScalarFunction> scalar(SqlCall call) {
        if (call.getKind() == SqlKind.CAST) {
            return Optional.of(ScalarFunction.CAST);
        }
        return Optional.ofNullable(SCALAR.get(call.getOperator().getName().toUpperCase(Locale.ROOT)));
    }

    static boolean isOperator(SqlCall call) {
        return OPERATORS.contains(call.getKind());
    }
}
