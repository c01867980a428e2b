package io.cleanroom.sql;

import io.cleanroom.core.model.ColumnFilter;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDateLiteral;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.fun.SqlBetweenOperator;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The conditions a validated query places on the columns of its tables, which a reader may use to
 * skip what cannot count (an S3 table's partitions and objects, a PostgreSQL table's rows).
 *
 * <p>Conservative by construction: a table gets filters only when the query reads it exactly once;
 * they are the conjuncts (at the top of an AND) of the WHERE clause of the SELECT whose FROM holds
 * that one reference, each of the form {@code alias.column OP literal} (or flipped), {@code IN} a
 * list of literals, or {@code BETWEEN} two (not NOT BETWEEN, not SYMMETRIC). Such a conjunct is never
 * true for a NULL column, so it holds of every row of the table that reaches anything, whatever
 * joins (inner or outer) surround the table. ORs, NOTs, expressions on the column, subqueries and
 * join conditions are left alone, and so is a cast that changes a value (a column cast to fewer
 * decimal digits, a literal cast to another value: CAST(7.6 AS BIGINT) is 8 to the engines), an
 * approximate number literal and a timestamp finer than microseconds: the filter holds the value
 * the engine compares, or there is none. Skipping by a filter never changes the answer: the engine
 * applies the query's own conditions to what it reads.
 */
final class Filters {
    private Filters() {
    }

    /** The filters of each collaboration table (by lower-cased name) the query reads once; others none. */
    static Map<String, List<ColumnFilter>> of(SqlNode query, List<TableSpec> tables) {
        Map<String, Integer> references = new HashMap<>();
        Map<String, SqlSelect> readIn = new HashMap<>();
        Map<String, String> aliases = new HashMap<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        Map<String, Map<String, String>> types = new HashMap<>();
        for (TableSpec t : tables) {
            names.add(t.key());
            Map<String, String> columns = new HashMap<>();
            t.columns().forEach(c -> columns.put(c.name().toLowerCase(Locale.ROOT), c.type().toLowerCase(Locale.ROOT)));
            types.put(t.key(), columns);
        }
        Deque<SqlNode> stack = new ArrayDeque<>();
        stack.push(query);
        while (!stack.isEmpty()) {
            SqlNode node = stack.pop();
            if (node == null) {
                continue;
            }
            if (node instanceof SqlSelect select) {
                from(select, select.getFrom(), names, references, readIn, aliases, stack);
                for (SqlNode operand : select.getOperandList()) {
                    if (operand != null && operand != select.getFrom()) {
                        stack.push(operand);
                    }
                }
            } else if (node instanceof SqlCall call) {
                call.getOperandList().stream().filter(o -> o != null).forEach(stack::push);
            } else if (node instanceof SqlNodeList list) {
                list.getList().stream().filter(o -> o != null).forEach(stack::push);
            }
        }
        Map<String, List<ColumnFilter>> out = new LinkedHashMap<>();
        for (String table : names) {
            if (references.getOrDefault(table, 0) != 1) {
                continue;
            }
            List<ColumnFilter> filters = new ArrayList<>();
            SqlNode where = readIn.get(table).getWhere();
            for (SqlNode conjunct : conjuncts(where)) {
                filter(conjunct, aliases.get(table), types.get(table)).ifPresent(filters::add);
            }
            if (!filters.isEmpty()) {
                out.put(table, List.copyOf(filters));
            }
        }
        return out;
    }

    /** Notes each collaboration table a FROM names (through joins and aliases); queues what else it holds. */
    private static void from(SqlSelect select, SqlNode from, java.util.Set<String> names, Map<String, Integer> references,
            Map<String, SqlSelect> readIn, Map<String, String> aliases, Deque<SqlNode> stack) {
        if (from == null) {
            return;
        }
        if (from instanceof SqlJoin join) {
            from(select, join.getLeft(), names, references, readIn, aliases, stack);
            from(select, join.getRight(), names, references, readIn, aliases, stack);
            if (join.getCondition() != null) {
                stack.push(join.getCondition());
            }
            return;
        }
        SqlNode item = from;
        String alias = null;
        if (from.getKind() == SqlKind.AS) {
            SqlCall as = (SqlCall) from;
            item = as.operand(0);
            alias = ((SqlIdentifier) as.operand(1)).getSimple();
            if (as.operandCount() > 2) {
                // AS with column aliases: the columns are renamed; no filter can be tied to the table's own
                stack.push(item);
                if (item instanceof SqlIdentifier id) {
                    references.merge(id.names.get(id.names.size() - 1).toLowerCase(Locale.ROOT), 2, Integer::sum);
                }
                return;
            }
        }
        if (item instanceof SqlIdentifier id) {
            String name = id.names.get(id.names.size() - 1).toLowerCase(Locale.ROOT);
            if (names.contains(name)) {
                references.merge(name, 1, Integer::sum);
                readIn.put(name, select);
                aliases.put(name, (alias == null ? name : alias).toLowerCase(Locale.ROOT));
            }
            return;
        }
        stack.push(item);
    }

    private static List<SqlNode> conjuncts(SqlNode where) {
        List<SqlNode> out = new ArrayList<>();
        Deque<SqlNode> stack = new ArrayDeque<>();
        if (where != null) {
            stack.push(where);
        }
        while (!stack.isEmpty()) {
            SqlNode node = stack.pop();
            if (node.getKind() == SqlKind.AND) {
                ((SqlCall) node).getOperandList().forEach(stack::push);
            } else {
                out.add(node);
            }
        }
        return out;
    }

    /** The filter a conjunct is, if it is one of the forms above on a column of the table with the alias. */
    private static Optional<ColumnFilter> filter(SqlNode conjunct, String alias, Map<String, String> types) {
        if (!(conjunct instanceof SqlBasicCall call)) {
            return Optional.empty();
        }
        ColumnFilter.Operator operator = switch (call.getKind()) {
            case EQUALS -> ColumnFilter.Operator.EQ;
            case LESS_THAN -> ColumnFilter.Operator.LT;
            case LESS_THAN_OR_EQUAL -> ColumnFilter.Operator.LE;
            case GREATER_THAN -> ColumnFilter.Operator.GT;
            case GREATER_THAN_OR_EQUAL -> ColumnFilter.Operator.GE;
            case IN -> ColumnFilter.Operator.IN;
            case BETWEEN -> ColumnFilter.Operator.BETWEEN;
            default -> null;
        };
        if (operator == null) {
            return Optional.empty();
        }
        if (operator == ColumnFilter.Operator.BETWEEN) {
            if (!(call.getOperator() instanceof SqlBetweenOperator between) || between.isNegated()
                    || between.flag != SqlBetweenOperator.Flag.ASYMMETRIC) {
                return Optional.empty();
            }
            Optional<String> column = column(call.operand(0), alias, types);
            Optional<ColumnFilter.Literal> low = literal(call.operand(1));
            Optional<ColumnFilter.Literal> high = literal(call.operand(2));
            return column.isPresent() && low.isPresent() && high.isPresent()
                    ? Optional.of(new ColumnFilter(column.get(), operator, List.of(low.get(), high.get())))
                    : Optional.empty();
        }
        if (operator == ColumnFilter.Operator.IN) {
            Optional<String> column = column(call.operand(0), alias, types);
            if (column.isEmpty() || !(call.operand(1) instanceof SqlNodeList list) || list.isEmpty()) {
                return Optional.empty();
            }
            List<ColumnFilter.Literal> values = new ArrayList<>();
            for (SqlNode value : list) {
                Optional<ColumnFilter.Literal> literal = literal(value);
                if (literal.isEmpty()) {
                    return Optional.empty();
                }
                values.add(literal.get());
            }
            return Optional.of(new ColumnFilter(column.get(), operator, values));
        }
        Optional<String> left = column(call.operand(0), alias, types);
        Optional<ColumnFilter.Literal> right = literal(call.operand(1));
        if (left.isPresent() && right.isPresent()) {
            return Optional.of(new ColumnFilter(left.get(), operator, List.of(right.get())));
        }
        Optional<String> rightColumn = column(call.operand(1), alias, types);
        Optional<ColumnFilter.Literal> leftLiteral = literal(call.operand(0));
        if (rightColumn.isPresent() && leftLiteral.isPresent()) {
            ColumnFilter.Operator flipped = switch (operator) {
                case LT -> ColumnFilter.Operator.GT;
                case LE -> ColumnFilter.Operator.GE;
                case GT -> ColumnFilter.Operator.LT;
                case GE -> ColumnFilter.Operator.LE;
                default -> operator;
            };
            return Optional.of(new ColumnFilter(rightColumn.get(), flipped, List.of(leftLiteral.get())));
        }
        return Optional.empty();
    }

    /**
     * The column an operand names, if it is alias.column of the table, or a CAST of it that keeps
     * every value as it is (validation casts a decimal(10,2) column to DECIMAL(12, 2) to compare it
     * with 2.5): an integer or decimal column to an exact number type, a date to DATE, a timestamp to
     * TIMESTAMP, a string to VARCHAR without a length. Any other cast changes what is compared.
     */
    private static Optional<String> column(SqlNode node, String alias, Map<String, String> types) {
        if (node instanceof SqlCall call && call.getKind() == SqlKind.CAST && call.operandCount() == 2
                && call.operand(1) instanceof SqlDataTypeSpec spec) {
            Optional<String> column = column(call.operand(0), alias, types);
            if (column.isEmpty() || !keepsValues(types.get(column.get()), spec)) {
                return Optional.empty();
            }
            return column;
        }
        if (node instanceof SqlIdentifier id && id.names.size() == 2 && !id.isStar()
                && id.names.get(0).equalsIgnoreCase(alias)) {
            return Optional.of(id.names.get(1).toLowerCase(Locale.ROOT));
        }
        return Optional.empty();
    }

    private static boolean keepsValues(String columnType, SqlDataTypeSpec spec) {
        if (columnType == null || !(spec.getTypeNameSpec() instanceof org.apache.calcite.sql.SqlBasicTypeNameSpec basic)) {
            return false;
        }
        String target = spec.getTypeName().getSimple().toUpperCase(Locale.ROOT);
        boolean integerColumn = columnType.matches("(bigint|int|integer|smallint|tinyint)");
        // a decimal column keeps its values only in a type with at least its scale: a cast to fewer
        // digits rounds (CAST(2.46 AS DECIMAL(10,1)) is 2.5, CAST(2.4 AS INTEGER) is 2), and a
        // filter on the column would then drop rows the rounded comparison keeps. Overflow is NULL
        // in both engines, which no comparison keeps.
        int columnScale = integerColumn ? 0 : decimalScale(columnType);
        return switch (target) {
            case "BIGINT", "INTEGER", "SMALLINT", "TINYINT" -> columnScale == 0;
            case "DECIMAL" -> columnScale >= 0 && basic.getScale() >= columnScale
                    && (basic.getPrecision() >= 0 || columnScale == 0);
            case "DATE" -> columnType.equals("date");
            case "TIMESTAMP" -> columnType.equals("timestamp");
            case "VARCHAR" -> columnType.equals("string") && spec.getTypeNameSpec().toString().equals("VARCHAR");
            default -> false;
        };
    }

    /** The scale of a decimal column's catalog type, or -1 when it is not a decimal. */
    private static int decimalScale(String columnType) {
        if (!columnType.startsWith("decimal")) {
            return -1;
        }
        try {
            return io.cleanroom.core.model.ColumnType.parse(columnType).scale();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** A literal as SQL types it: a string, number, date, timestamp or boolean; a CAST of one to such a type. */
    static Optional<ColumnFilter.Literal> literal(SqlNode node) {
        if (node instanceof SqlCall call && call.getKind() == SqlKind.CAST && call.operandCount() == 2
                && call.operand(1) instanceof SqlDataTypeSpec spec) {
            Optional<ColumnFilter.Literal> inner = literal(call.operand(0));
            if (inner.isEmpty()) {
                return Optional.empty();
            }
            // only a cast that keeps the literal's text as the engine's value: a string read as a date,
            // timestamp or string, a whole number as an integer, a number as a decimal of at least its
            // scale. Others change the value (CAST(7.6 AS BIGINT) is 8, CAST(TIMESTAMP '... .500' AS
            // VARCHAR) is '... .5') and a filter with the literal as written would drop rows.
            String type = spec.getTypeName().getSimple().toUpperCase(Locale.ROOT);
            ColumnFilter.Literal.Kind from = inner.get().kind();
            ColumnFilter.Literal.Kind kind = switch (type) {
                case "DATE" -> from == ColumnFilter.Literal.Kind.STRING || from == ColumnFilter.Literal.Kind.DATE
                        ? ColumnFilter.Literal.Kind.DATE : null;
                case "TIMESTAMP" -> (from == ColumnFilter.Literal.Kind.STRING
                        || from == ColumnFilter.Literal.Kind.TIMESTAMP) && microseconds(inner.get().text())
                        ? ColumnFilter.Literal.Kind.TIMESTAMP : null;
                case "VARCHAR", "CHAR" -> from == ColumnFilter.Literal.Kind.STRING
                        && spec.getTypeNameSpec() instanceof org.apache.calcite.sql.SqlBasicTypeNameSpec basic
                        && basic.getPrecision() < 0 ? ColumnFilter.Literal.Kind.STRING : null;
                case "INTEGER", "BIGINT", "SMALLINT", "TINYINT" -> from == ColumnFilter.Literal.Kind.NUMBER
                        && new BigDecimal(inner.get().text()).stripTrailingZeros().scale() <= 0
                        ? ColumnFilter.Literal.Kind.NUMBER : null;
                case "DECIMAL" -> from == ColumnFilter.Literal.Kind.NUMBER
                        && spec.getTypeNameSpec() instanceof org.apache.calcite.sql.SqlBasicTypeNameSpec basic
                        && basic.getPrecision() >= 0
                        && new BigDecimal(inner.get().text()).stripTrailingZeros().scale() <= Math.max(0,
                                basic.getScale()) ? ColumnFilter.Literal.Kind.NUMBER : null;
                default -> null;
            };
            return kind == null ? Optional.empty() : Optional.of(new ColumnFilter.Literal(kind, inner.get().text()));
        }
        if (node instanceof SqlCall call && call.getKind() == SqlKind.MINUS_PREFIX && call.operandCount() == 1
                && call.operand(0) instanceof SqlNumericLiteral number && number.isExact()) {
            return Optional.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.NUMBER,
                    number.getValueAs(BigDecimal.class).negate().toPlainString()));
        }
        if (node instanceof SqlCharStringLiteral string) {
            return Optional.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.STRING, string.getValueAs(String.class)));
        }
        if (node instanceof SqlNumericLiteral number && number.isExact()) {
            // an approximate literal (1e1) is a DOUBLE to the engines, with another text and value
            return Optional.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.NUMBER,
                    number.getValueAs(BigDecimal.class).toPlainString()));
        }
        if (node instanceof SqlDateLiteral date) {
            return Optional.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.DATE, date.toFormattedString()));
        }
        if (node instanceof SqlTimestampLiteral timestamp) {
            // the engines keep microseconds: a literal with finer digits is not the value they compare
            String text = timestamp.toFormattedString();
            return microseconds(text) ? Optional.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.TIMESTAMP,
                    text)) : Optional.empty();
        }
        if (node instanceof SqlLiteral literal && literal.getTypeName() == SqlTypeName.BOOLEAN
                && literal.getValue() != null) {
            return Optional.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.BOOLEAN,
                    String.valueOf(literal.booleanValue())));
        }
        return Optional.empty();
    }

    /** Whether a timestamp's text has at most microseconds, the engines' precision. */
    private static boolean microseconds(String text) {
        int dot = text.indexOf('.');
        return dot < 0 || text.length() - dot - 1 <= 6;
    }
}
