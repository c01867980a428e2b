package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy.ListRule;
import java.util.Map;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;

/**
 * Enforces list analysis rules on a validated single SELECT: SELECT DISTINCT of list columns
 * only, at least one INNER JOIN on join columns, every table joined (directly or transitively) to
 * a table of the query runner, WHERE with list columns, literals and operators only, an optional
 * LIMIT, and nothing else.
 */
final class ListChecker {
    private final Relations relations;
    private final Trace trace;

    private ListChecker(Relations relations, Trace trace) {
        this.relations = relations;
        this.trace = trace;
    }

    private static ListRule rule(TableSpec table) {
        return (ListRule) table.rule().orElseThrow();
    }

    static final Relations.JoinPolicy JOINS = new Relations.JoinPolicy("list", t -> rule(t).joinColumns(),
            t -> rule(t).allowedJoinOperators());

    static void check(SqlSelect select, Map<String, TableSpec> tables, AccountId runner, Trace trace) {
        if (!select.isDistinct()) {
            throw Rejection.of("The list analysis rule requires SELECT DISTINCT");
        }
        if (select.getGroup() != null && !select.getGroup().isEmpty() || select.getHaving() != null) {
            throw Rejection.of("GROUP BY and HAVING are not allowed by the list analysis rule");
        }
        if (select.getOrderList() != null && !select.getOrderList().isEmpty()) {
            throw Rejection.of("ORDER BY is not allowed by the list analysis rule");
        }
        if (select.getOffset() != null) {
            throw Rejection.of("OFFSET is not allowed by the list analysis rule");
        }
        if (select.getWindowList() != null && !select.getWindowList().isEmpty() || select.getQualify() != null) {
            throw Rejection.of("Window functions are not allowed by the list analysis rule");
        }
        if (select.getFetch() != null && !(select.getFetch() instanceof SqlLiteral)) {
            throw Rejection.of("LIMIT must be a positive integer under the list analysis rule");
        }
        Relations relations = Relations.of(select.getFrom(), tables, JOINS, trace);
        ListChecker checker = new ListChecker(relations, trace);
        for (Relations.Relation r : relations.unconnectedToRunner(runner)) {
            throw Rejection.of("Inner join to query runner table required for table " + r.table().name());
        }
        if (relations.joins() == 0) {
            throw Rejection.of("The list analysis rule requires at least one INNER JOIN with a table of the "
                    + "member who can query");
        }
        for (SqlNode item : select.getSelectList()) {
            SqlNode expression = item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
            if (expression instanceof SqlIdentifier id && id.isStar()) {
                throw Rejection.of("SELECT * is not allowed by the list analysis rule");
            }
            if (!(expression instanceof SqlIdentifier)) {
                throw Rejection.of("The list analysis rule allows only list columns in SELECT, without functions or "
                        + "expressions");
            }
            checker.listColumn((SqlIdentifier) expression, "SELECT");
        }
        if (select.getWhere() != null) {
            checker.where(select.getWhere());
        }
    }

    private void listColumn(SqlIdentifier id, String clause) {
        Relations.ColumnRef ref = relations.column(id).orElseThrow(() ->
                Rejection.of("Unsupported reference " + id + " in " + clause));
        ListRule rule = rule(ref.relation().table());
        if (rule.listColumns().stream().anyMatch(c -> c.equalsIgnoreCase(ref.column()))) {
            trace.allow(clause, ref.describe(), "list column of the list rule of " + ref.relation().table().name());
            return;
        }
        if (rule.joinColumns().stream().anyMatch(c -> c.equalsIgnoreCase(ref.column()))) {
            throw Rejection.of("Join column " + ref.describe() + " can only be used in INNER JOIN ON conditions "
                    + "(found in " + clause + ")");
        }
        throw Rejection.of("Column " + ref.describe() + " is not a list column of the list analysis rule (found in "
                + clause + ")");
    }

    private void where(SqlNode node) {
        if (node == null || Functions.isConstant(node)) {
            return;
        }
        if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                where(item);
            }
            return;
        }
        if (node instanceof SqlIdentifier id) {
            listColumn(id, "WHERE");
            return;
        }
        if (node instanceof SqlCall call && Functions.isOperator(call)) {
            for (SqlNode operand : call.getOperandList()) {
                if (operand instanceof SqlSelect) {
                    throw Rejection.of("Subqueries are not allowed by the list analysis rule");
                }
                where(operand);
            }
            return;
        }
        if (node instanceof SqlSelect || node.getKind() == SqlKind.EXISTS || node.getKind() == SqlKind.SCALAR_QUERY) {
            throw Rejection.of("Subqueries are not allowed by the list analysis rule");
        }
        String name = node instanceof SqlCall c ? c.getOperator().getName() : node.getKind().toString();
        throw Rejection.of("The list analysis rule allows no functions (found " + name + " in WHERE)");
    }
}
