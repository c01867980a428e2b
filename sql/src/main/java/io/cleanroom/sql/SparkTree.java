package io.cleanroom.sql;

import java.util.List;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWindow;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * The rewrites of a checked tree that Spark needs to mean what DuckDB means, and that need no
 * types (see {@link SafeEvaluation} for those that do):
 * <ul>
 *   <li>every sort key without NULLS FIRST or LAST gets NULLS LAST (DuckDB's order, in ORDER BY
 *       and in windows; Spark puts NULLs first in ascending order);</li>
 *   <li>a subquery used as a value reads at most one row ({@code LIMIT 1}), unless it aggregates
 *       without GROUP BY: Spark fails a query whose scalar subquery has several rows, and whether
 *       a query fails must not depend on the data (DuckDB is set to take the first row).</li>
 * </ul>
 */
final class SparkTree {
    private static final SqlParserPos POS = SqlParserPos.ZERO;

    private SparkTree() {
    }

    static SqlNode rewrite(SqlNode tree) {
        return node(tree, false);
    }

    /** Rewrites a node; {@code value} says whether a query here would be used as a value. */
    private static SqlNode node(SqlNode node, boolean value) {
        if (node instanceof SqlNodeList list) {
            for (int i = 0; i < list.size(); i++) {
                SqlNode item = list.get(i);
                if (item != null) {
                    SqlNode rewritten = node(item, value);
                    if (rewritten != item) {
                        list.set(i, rewritten);
                    }
                }
            }
            return list;
        }
        if (!(node instanceof SqlCall call)) {
            return node;
        }
        if (call instanceof SqlSelect select) {
            SqlSelect rewritten = select(select);
            return value ? oneRow(rewritten) : rewritten;
        }
        if (call instanceof SqlOrderBy order) {
            node(order.query, false);
            nullsLast(order.orderList);
            node(order.orderList, true);
            return value ? oneRow(order) : order;
        }
        if (call instanceof SqlWith with) {
            for (SqlNode item : with.withList) {
                node(((SqlWithItem) item).query, false);
            }
            node(with.body, false);
            return value ? oneRow(with) : with;
        }
        if (call instanceof SqlJoin join) {
            join.setLeft(node(join.getLeft(), false));
            join.setRight(node(join.getRight(), false));
            if (join.getCondition() != null) {
                join.setOperand(5, node(join.getCondition(), true));
            }
            return join;
        }
        if (call instanceof SqlWindow window) {
            nullsLast(window.getOrderList());
            node(window.getPartitionList(), true);
            node(window.getOrderList(), true);
            return window;
        }
        SqlKind kind = call.getKind();
        if (SqlKind.SET_QUERY.contains(kind)) {
            operands(call, false);
            return value ? oneRow(call) : call;
        }
        switch (kind) {
            case AS -> {
                // a select item or a FROM item: the aliased node is where the AS is
                call.setOperand(0, node(call.operand(0), value));
                return call;
            }
            case IN, NOT_IN, SOME, ALL -> {
                call.setOperand(0, node(call.operand(0), true));
                SqlNode right = call.operand(1);
                call.setOperand(1, node(right, !(right instanceof SqlCall rc && isQuery(rc))));
                return call;
            }
            case EXISTS, UNIQUE, LATERAL, COLLECTION_TABLE, UNNEST -> {
                operands(call, false);
                return call;
            }
            default -> {
                operands(call, true);
                return call;
            }
        }
    }

    private static void operands(SqlCall call, boolean value) {
        List<SqlNode> operands = call.getOperandList();
        for (int i = 0; i < operands.size(); i++) {
            SqlNode operand = operands.get(i);
            if (operand != null) {
                SqlNode rewritten = node(operand, value);
                if (rewritten != operand) {
                    call.setOperand(i, rewritten);
                }
            }
        }
    }

    private static SqlSelect select(SqlSelect select) {
        node(select.getSelectList(), true);
        if (select.getFrom() != null) {
            select.setFrom(node(select.getFrom(), false));
        }
        if (select.getWhere() != null) {
            select.setWhere(node(select.getWhere(), true));
        }
        if (select.getGroup() != null) {
            node(select.getGroup(), true);
        }
        if (select.getHaving() != null) {
            select.setHaving(node(select.getHaving(), true));
        }
        node(select.getWindowList(), true);
        if (select.getOrderList() != null) {
            nullsLast(select.getOrderList());
            node(select.getOrderList(), true);
            if (select.getHaving() != null) {
                return orderAfterHaving(select);
            }
        }
        return select;
    }

    /**
     * Spark cannot sort a grouped query with HAVING by an aggregate (its analyzer fails to resolve
     * it; sorting by an output alias or ordinal works). A sort key that is a select item becomes
     * its ordinal; any other aggregate key is computed in a derived table:
     * SELECT c1 AS name1, ... FROM (SELECT e1 AS c1, ..., k1 AS o1 ... HAVING ...) ORDER BY o1.
     */
    private static SqlSelect orderAfterHaving(SqlSelect select) {
        SqlNodeList items = select.getSelectList();
        List<SqlNode> keys = new java.util.ArrayList<>();
        for (SqlNode key : select.getOrderList()) {
            SqlCall parent = (SqlCall) key;
            while (parent.operand(0) instanceof SqlCall inner && (inner.getKind() == SqlKind.DESCENDING
                    || inner.getKind() == SqlKind.NULLS_FIRST || inner.getKind() == SqlKind.NULLS_LAST)) {
                parent = inner;
            }
            SqlNode core = parent.operand(0);
            if (!aggregates(core)) {
                continue;
            }
            for (int i = 0; i < items.size(); i++) {
                if (core.equalsDeep(expression(items.get(i)), org.apache.calcite.util.Litmus.IGNORE)) {
                    parent.setOperand(0, SqlLiteral.createExactNumeric(Integer.toString(i + 1), POS));
                    core = null;
                    break;
                }
            }
            if (core != null) {
                keys.add(parent);
            }
        }
        if (keys.isEmpty()) {
            return select;
        }
        SqlNodeList inner = new SqlNodeList(POS);
        SqlNodeList outer = new SqlNodeList(POS);
        for (int i = 0; i < items.size(); i++) {
            SqlNode item = items.get(i);
            inner.add(SqlStdOperatorTable.AS.createCall(POS, expression(item), new SqlIdentifier("cleanroom_c" + i,
                    POS)));
            outer.add(SqlStdOperatorTable.AS.createCall(POS, new SqlIdentifier("cleanroom_c" + i, POS),
                    new SqlIdentifier(name(item, i), POS)));
        }
        for (int k = 0; k < keys.size(); k++) {
            SqlCall parent = (SqlCall) keys.get(k);
            inner.add(SqlStdOperatorTable.AS.createCall(POS, parent.operand(0), new SqlIdentifier("cleanroom_o" + k,
                    POS)));
            parent.setOperand(0, new SqlIdentifier("cleanroom_o" + k, POS));
        }
        SqlNodeList order = select.getOrderList();
        SqlNode offset = select.getOffset();
        SqlNode fetch = select.getFetch();
        select.setSelectList(inner);
        select.setOrderBy(null);
        select.setOffset(null);
        select.setFetch(null);
        SqlNode from = SqlStdOperatorTable.AS.createCall(POS, select, new SqlIdentifier("cleanroom_q", POS));
        return new SqlSelect(POS, null, outer, from, null, null, null, null, null, order, offset, fetch, null);
    }

    private static SqlNode expression(SqlNode item) {
        return item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
    }

    /** The name a select item's column has: its alias, its column's name, or EXPR$i as Calcite names it. */
    private static String name(SqlNode item, int i) {
        if (item.getKind() == SqlKind.AS) {
            return ((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple();
        }
        if (item instanceof SqlIdentifier identifier && !identifier.isStar()) {
            return identifier.names.get(identifier.names.size() - 1);
        }
        return "EXPR$" + i;
    }

    private static boolean isQuery(SqlCall call) {
        return call instanceof SqlSelect || call instanceof SqlOrderBy || call instanceof SqlWith
                || SqlKind.SET_QUERY.contains(call.getKind()) || call.getKind() == SqlKind.VALUES;
    }

    /** Sort keys without a NULLs order get NULLS LAST. */
    private static void nullsLast(SqlNodeList keys) {
        if (keys == null) {
            return;
        }
        for (int i = 0; i < keys.size(); i++) {
            SqlNode key = keys.get(i);
            if (key.getKind() != SqlKind.NULLS_FIRST && key.getKind() != SqlKind.NULLS_LAST) {
                keys.set(i, SqlStdOperatorTable.NULLS_LAST.createCall(POS, key));
            }
        }
    }

    /** A query used as a value, reading at most one row. */
    private static SqlNode oneRow(SqlCall query) {
        if (query instanceof SqlSelect select) {
            if (select.getFetch() != null && select.getFetch() instanceof SqlLiteral fetch
                    && fetch.getValueAs(Long.class) <= 1) {
                return select;
            }
            if (select.getFetch() == null && aggregatesToOneRow(select)) {
                return select;
            }
            if (select.getFetch() == null) {
                select.setFetch(SqlLiteral.createExactNumeric("1", POS));
                return select;
            }
        }
        if (query instanceof SqlOrderBy order && order.fetch == null) {
            return new SqlOrderBy(POS, order.query, order.orderList, order.offset,
                    SqlLiteral.createExactNumeric("1", POS));
        }
        // SELECT * FROM (query) AS cleanroom_one LIMIT 1
        SqlNode from = SqlStdOperatorTable.AS.createCall(POS, query, new SqlIdentifier("cleanroom_one", POS));
        return new SqlSelect(POS, null, SqlNodeList.of(SqlIdentifier.star(POS)), from, null, null, null, null,
                null, null, SqlLiteral.createExactNumeric("1", POS), null);
    }

    /** A SELECT without GROUP BY whose every item aggregates: one row whatever the data. */
    private static boolean aggregatesToOneRow(SqlSelect select) {
        if (select.getGroup() != null && !select.getGroup().isEmpty()) {
            return false;
        }
        for (SqlNode item : select.getSelectList()) {
            if (!aggregates(item)) {
                return false;
            }
        }
        return !select.getSelectList().isEmpty();
    }

    private static boolean aggregates(SqlNode node) {
        if (!(node instanceof SqlCall call) || call instanceof SqlSelect) {
            return false;
        }
        if (call.getKind() == SqlKind.OVER) {
            return false;
        }
        if (call.getOperator().isAggregator()) {
            return true;
        }
        if (call.getKind() == SqlKind.AS) {
            return aggregates(call.operand(0));
        }
        return call instanceof SqlBasicCall && call.getOperandList().stream().anyMatch(SparkTree::aggregates);
    }
}
