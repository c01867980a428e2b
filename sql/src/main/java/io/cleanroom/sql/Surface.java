package io.cleanroom.sql;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.util.NlsString;

/**
 * The first gate of the allow-list, on the validated tree of every query: each node is a kind
 * query control knows and each operator is in {@link Operators}; anything else is refused by
 * name. Also refuses what no rule can analyse or what could fail on hidden rows: recursive CTEs,
 * hints, and pattern predicates (LIKE, SIMILAR TO, REGEXP_LIKE) whose pattern is not a well-formed
 * literal.
 */
final class Surface {
    private Surface() {
    }

    static void check(SqlNode validated) {
        Deque<SqlNode> stack = new ArrayDeque<>();
        stack.push(validated);
        while (!stack.isEmpty()) {
            SqlNode node = stack.pop();
            if (node instanceof SqlNodeList list) {
                list.forEach(n -> push(stack, n));
            } else if (node instanceof SqlCall call) {
                call(call);
                call.getOperandList().forEach(n -> push(stack, n));
            } else if (node instanceof SqlDynamicParam) {
                throw Rejection.of("Dynamic parameters (?) are not allowed; analysis templates use :name parameters");
            } else if (!(node instanceof SqlIdentifier || node instanceof SqlLiteral || node instanceof SqlDataTypeSpec
                    || node instanceof SqlIntervalQualifier)) {
                throw Rejection.of("The query uses a construct query control does not support ("
                        + node.getKind().sql.toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
            }
        }
    }

    private static void push(Deque<SqlNode> stack, SqlNode node) {
        if (node != null) {
            stack.push(node);
        }
    }

    private static void call(SqlCall call) {
        if (Operators.of(call.getOperator()).isEmpty()) {
            throw Rejection.of(describe(call) + " is not supported by query control");
        }
        if (call instanceof SqlSelect select && select.getHints() != null && !select.getHints().isEmpty()) {
            throw Rejection.of("Query hints are not allowed");
        }
        if (call instanceof SqlWithItem item && item.recursive != null && item.recursive.booleanValue()) {
            throw Rejection.of("Recursive queries (WITH RECURSIVE) are not supported by query control");
        }
        SqlKind kind = call.getKind();
        if (kind == SqlKind.LIKE || kind == SqlKind.SIMILAR || call.getOperator().getName()
                .equalsIgnoreCase("REGEXP_LIKE")) {
            pattern(call);
        }
    }

    /**
     * A pattern must be a string literal, and with LIKE ... ESCAPE every escape character must
     * escape something: a malformed pattern fails only when a row reaches it, which would tell
     * whether any did.
     */
    private static void pattern(SqlCall call) {
        String name = call.getOperator().getName();
        if (call.operandCount() < 2 || !(call.operand(1) instanceof SqlLiteral literal)
                || !(literal.getValue() instanceof NlsString pattern)) {
            throw Rejection.of("The pattern of " + name + " must be a string literal");
        }
        if (call.operandCount() > 3 || call.operandCount() == 3 && call.getKind() != SqlKind.LIKE) {
            throw Rejection.of(name + " with flags is not supported");
        }
        if (call.operandCount() == 3) {
            if (!(call.operand(2) instanceof SqlLiteral escapeLiteral)
                    || !(escapeLiteral.getValue() instanceof NlsString escape) || escape.getValue().length() != 1) {
                throw Rejection.of("The ESCAPE of " + name + " must be a single-character string literal");
            }
            char e = escape.getValue().charAt(0);
            String p = pattern.getValue();
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) == e) {
                    if (i + 1 >= p.length() || (p.charAt(i + 1) != '%' && p.charAt(i + 1) != '_'
                            && p.charAt(i + 1) != e)) {
                        throw Rejection.of("In the pattern of " + name + ", the escape character must be followed "
                                + "by %, _ or itself");
                    }
                    i++;
                }
            }
        }
    }

    static String describe(SqlCall call) {
        String name = call.getOperator().getName();
        if (name == null || name.isBlank() || name.startsWith("$")) {
            name = call.getKind().sql;
        }
        return switch (call.getOperator().getSyntax()) {
            case FUNCTION, FUNCTION_STAR, FUNCTION_ID, ORDERED_FUNCTION, FUNCTION_ID_CONSTANT ->
                    "Function " + name.toUpperCase(Locale.ROOT);
            default -> "The " + name.toUpperCase(Locale.ROOT) + " construct";
        };
    }
}
