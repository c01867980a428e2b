package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;

/**
 * The FROM clause of an aggregation or list query: each relation (alias and table) and the
 * equalities of the INNER JOIN ON conditions, checked against the tables' join columns and
 * allowed operators. Anything but tables and INNER JOIN ... ON is refused.
 */
final class Relations {
    /** A table in FROM under its alias (the table name when it has none). */
    record Relation(String alias, TableSpec table) {
    }

    /** A column of a relation. */
    record ColumnRef(Relation relation, String column) {
        String describe() {
            return relation.table().name() + "." + column;
        }
    }

    /** One equality of a join condition. */
    record Equality(ColumnRef left, ColumnRef right) {
    }

    /**
     * Which columns of a table may be joined on, and with which logical operators (AND when the
     * rule lists none), read from a rule of one type.
     */
    record JoinPolicy(String ruleName, java.util.function.Function<TableSpec, List<String>> joinColumns,
            java.util.function.Function<TableSpec, List<io.cleanroom.core.model.JoinOperator>> operators) {
        boolean isJoinColumn(TableSpec table, String column) {
            return joinColumns.apply(table).stream().anyMatch(c -> c.equalsIgnoreCase(column));
        }

        boolean allowsOperator(TableSpec table, String operator) {
            List<io.cleanroom.core.model.JoinOperator> allowed = operators.apply(table);
            return (allowed.isEmpty() ? List.of(io.cleanroom.core.model.JoinOperator.AND) : allowed)
                    .contains(io.cleanroom.core.model.JoinOperator.valueOf(operator));
        }
    }

    private final Map<String, Relation> byAlias = new LinkedHashMap<>();
    private final List<Equality> equalities = new ArrayList<>();
    private final Trace trace;
    private int joins;
    private boolean disjunctions;

    private Relations(Trace trace) {
        this.trace = trace;
    }

    List<Relation> all() {
        return List.copyOf(byAlias.values());
    }

    List<Equality> equalities() {
        return List.copyOf(equalities);
    }

    int joins() {
        return joins;
    }

    /** Whether every join condition is a conjunction of equalities (no OR anywhere). */
    boolean onlyConjunctions() {
        return !disjunctions;
    }

    /**
     * A representative of the columns that every joined row holds equal: with AND-only equalities,
     * a.x = b.y puts a.x and b.y in one class. Columns in no equality represent themselves.
     */
    String equalityClass(ColumnRef column) {
        Map<String, String> parent = new java.util.HashMap<>();
        for (Equality e : equalities) {
            union(parent, key(e.left()), key(e.right()));
        }
        return find(parent, key(column));
    }

    private static String key(ColumnRef c) {
        return c.relation().alias() + "." + c.column();
    }

    private static String find(Map<String, String> parent, String x) {
        String root = x;
        while (parent.containsKey(root) && !parent.get(root).equals(root)) {
            root = parent.get(root);
        }
        return root;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            parent.put(ra.compareTo(rb) < 0 ? rb : ra, ra.compareTo(rb) < 0 ? ra : rb);
            parent.putIfAbsent(ra.compareTo(rb) < 0 ? ra : rb, ra.compareTo(rb) < 0 ? ra : rb);
        }
    }

    Optional<Relation> byAlias(String alias) {
        return Optional.ofNullable(byAlias.get(alias.toLowerCase(Locale.ROOT)));
    }

    /** Resolves a validated (fully qualified) column identifier, or empty if it is not alias.column. */
    Optional<ColumnRef> column(SqlNode node) {
        if (!(node instanceof SqlIdentifier id) || id.isStar() || id.names.size() != 2) {
            return Optional.empty();
        }
        return byAlias(id.names.get(0)).map(r -> new ColumnRef(r, id.names.get(1).toLowerCase(Locale.ROOT)));
    }

    static Relations of(SqlNode from, Map<String, TableSpec> tables, JoinPolicy policy, Trace trace) {
        Relations relations = new Relations(trace);
        relations.add(from, tables, policy);
        return relations;
    }

    private void add(SqlNode node, Map<String, TableSpec> tables, JoinPolicy policy) {
        if (node instanceof SqlJoin join) {
            if (join.isNatural()) {
                throw Rejection.of("NATURAL JOIN is not allowed by the " + policy.ruleName()
                        + " analysis rule; write INNER JOIN ... ON with the join columns");
            }
            JoinType type = join.getJoinType();
            if (type == JoinType.COMMA || type == JoinType.CROSS) {
                throw Rejection.of("Cross joins (including comma-separated tables in FROM) are not allowed by the "
                        + policy.ruleName() + " analysis rule; use INNER JOIN ... ON join columns");
            }
            if (type != JoinType.INNER) {
                throw Rejection.of(type + " JOIN is not allowed by the " + policy.ruleName()
                        + " analysis rule; only INNER JOIN is supported");
            }
            if (join.getConditionType() != JoinConditionType.ON) {
                throw Rejection.of("Joins must use an ON condition (" + join.getConditionType()
                        + " is not allowed by the " + policy.ruleName() + " analysis rule)");
            }
            add(join.getLeft(), tables, policy);
            add(join.getRight(), tables, policy);
            joins++;
            condition(join.getCondition(), policy);
            return;
        }
        String alias;
        SqlNode target = node;
        if (node.getKind() == SqlKind.AS) {
            SqlCall as = (SqlCall) node;
            if (as.operandCount() > 2) {
                throw Rejection.of("Column aliases on a table in FROM (alias(c1, c2, ...)) are not allowed by the "
                        + policy.ruleName() + " analysis rule: they would rename the table's columns");
            }
            target = as.operand(0);
            alias = ((SqlIdentifier) as.operand(1)).getSimple();
        } else {
            alias = null;
        }
        if (!(target instanceof SqlIdentifier id) || id.names.size() != 1) {
            throw Rejection.of("Only tables of the collaboration may appear in FROM under the " + policy.ruleName()
                    + " analysis rule (subqueries, table functions and VALUES are not allowed)");
        }
        TableSpec table = tables.get(id.getSimple().toLowerCase(Locale.ROOT));
        if (table == null) {
            throw Rejection.of("Table " + id.getSimple() + " is not associated with this collaboration");
        }
        String key = (alias == null ? id.getSimple() : alias).toLowerCase(Locale.ROOT);
        if (byAlias.containsKey(key)) {
            throw Rejection.of("The name " + key + " is used twice in FROM");
        }
        byAlias.put(key, new Relation(key, table));
    }

    private void condition(SqlNode node, JoinPolicy policy) {
        if (node == null) {
            throw Rejection.of("A join needs an ON condition");
        }
        if (node.getKind() == SqlKind.AND || node.getKind() == SqlKind.OR) {
            String operator = node.getKind().name();
            if (node.getKind() == SqlKind.OR) {
                disjunctions = true;
            }
            for (SqlNode operand : ((SqlCall) node).getOperandList()) {
                for (TableSpec table : tablesIn(operand)) {
                    if (!policy.allowsOperator(table, operator)) {
                        throw Rejection.of("The " + policy.ruleName() + " analysis rule of table " + table.name()
                                + " does not allow " + operator + " between join conditions");
                    }
                }
                condition(operand, policy);
            }
            return;
        }
        if (node.getKind() != SqlKind.EQUALS) {
            throw Rejection.of("INNER JOIN ON conditions may only be equalities (=) between join columns of two "
                    + "tables, combined with AND/OR; found " + describe(node));
        }
        SqlCall call = (SqlCall) node;
        Optional<ColumnRef> left = column(call.operand(0));
        Optional<ColumnRef> right = column(call.operand(1));
        if (left.isEmpty() || right.isEmpty()) {
            throw Rejection.of("INNER JOIN ON conditions may only compare plain join columns (no functions, casts "
                    + "or literals); found " + describe(node));
        }
        for (ColumnRef ref : List.of(left.get(), right.get())) {
            if (!policy.isJoinColumn(ref.relation().table(), ref.column())) {
                throw Rejection.of("Column " + ref.describe() + " is not a join column of the " + policy.ruleName()
                        + " analysis rule and cannot be used in INNER JOIN ON conditions");
            }
        }
        if (left.get().relation().table().key().equals(right.get().relation().table().key())) {
            throw Rejection.of("A join condition must compare join columns of two different tables; "
                    + left.get().describe() + " and " + right.get().describe() + " are of the same table");
        }
        equalities.add(new Equality(left.get(), right.get()));
        trace.allow("ON", left.get().describe() + " = " + right.get().describe(), "equality of join columns of the "
                + policy.ruleName() + " rules of both tables");
    }

    private Set<TableSpec> tablesIn(SqlNode node) {
        Set<TableSpec> out = new HashSet<>();
        Deque<SqlNode> stack = new ArrayDeque<>();
        stack.push(node);
        while (!stack.isEmpty()) {
            SqlNode n = stack.pop();
            column(n).ifPresent(ref -> out.add(ref.relation().table()));
            if (n instanceof SqlCall c) {
                c.getOperandList().stream().filter(o -> o != null).forEach(stack::push);
            }
        }
        return out;
    }

    private static String describe(SqlNode node) {
        return node.getKind() == SqlKind.OTHER_FUNCTION || node.getKind() == SqlKind.OTHER
                ? "a " + ((SqlCall) node).getOperator().getName() + " call"
                : "a " + node.getKind().sql.toLowerCase(Locale.ROOT).replace('_', ' ') + " expression";
    }

    /**
     * Tables that no chain of join equalities connects to a table of the runner. A runner's own
     * table is connected by definition.
     */
    List<Relation> unconnectedToRunner(AccountId runner) {
        Set<String> reached = new HashSet<>();
        Deque<String> queue = new ArrayDeque<>();
        for (Relation r : byAlias.values()) {
            if (r.table().owner().equals(runner)) {
                reached.add(r.alias());
                queue.add(r.alias());
            }
        }
        while (!queue.isEmpty()) {
            String alias = queue.poll();
            for (Equality e : equalities) {
                String other = e.left().relation().alias().equals(alias) ? e.right().relation().alias()
                        : e.right().relation().alias().equals(alias) ? e.left().relation().alias() : null;
                if (other != null && reached.add(other)) {
                    queue.add(other);
                }
            }
        }
        return byAlias.values().stream().filter(r -> !reached.contains(r.alias())).toList();
    }
}
