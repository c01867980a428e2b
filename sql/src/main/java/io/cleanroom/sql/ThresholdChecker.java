package io.cleanroom.sql;

import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Aggregation thresholds of custom rules on the validated tree: the structure they need (the
 * final query is one SELECT that aggregates with COUNT, SUM or AVG) and the rewrite: for every
 * read of a thresholded table that the final SELECT can see (directly, or renamed unchanged
 * through CTEs and subqueries in FROM), HAVING COUNT(DISTINCT identity) >= minimum. Whether every
 * read whose values reach the output is counted this way is then verified on the plan of the
 * rewritten query ({@link PlanCheck#verifyThresholds}), which refuses the query otherwise.
 */
final class ThresholdChecker {
    private static final Set<String> QUALIFYING = Set.of("COUNT", "SUM", "AVG", "$SUM0");

    /** A column of a FROM item of the final SELECT that carries a thresholded table's identity column. */
    record Carrier(String alias, String field, TableSpec table, String identity) {
    }

    private final Map<String, SqlWithItem> ctes = new HashMap<>();

    private ThresholdChecker() {
    }

    private static Custom rule(TableSpec table) {
        return (Custom) table.rule().orElseThrow();
    }

    static boolean applies(Map<String, TableSpec> tables) {
        return tables.values().stream().anyMatch(t -> !rule(t).aggregationThresholds().isEmpty());
    }

    /** The final SELECT of a query, with the CTEs of the WITH around it registered. */
    private SqlSelect finalSelect(SqlNode validated) {
        SqlNode node = validated;
        while (true) {
            if (node instanceof SqlWith with) {
                for (SqlNode item : with.withList) {
                    SqlWithItem withItem = (SqlWithItem) item;
                    ctes.put(withItem.name.getSimple().toLowerCase(Locale.ROOT), withItem);
                }
                node = with.body;
            } else if (node instanceof SqlOrderBy order) {
                node = order.query;
            } else {
                break;
            }
        }
        if (!(node instanceof SqlSelect select)) {
            throw Rejection.of("A table with an aggregation threshold is referenced: the final query must be one "
                    + "aggregating SELECT (set operations are not allowed there)");
        }
        return select;
    }

    /** Refuses a query whose final SELECT does not aggregate as thresholds require. */
    static void checkStructure(SqlNode validated) {
        SqlSelect select = new ThresholdChecker().finalSelect(validated);
        List<SqlCall> aggregates = new ArrayList<>();
        for (SqlNode item : select.getSelectList()) {
            collectAggregates(item, aggregates);
        }
        boolean grouped = select.getGroup() != null && !select.getGroup().isEmpty();
        if (aggregates.isEmpty()) {
            throw Rejection.of("A table with an aggregation threshold is referenced: the final SELECT must "
                    + "aggregate with COUNT, SUM or AVG" + (grouped ? "" : " (and usually GROUP BY)"));
        }
        if (aggregates.stream().noneMatch(a -> QUALIFYING.contains(a.getOperator().getName()
                .toUpperCase(Locale.ROOT)))) {
            throw Rejection.of("Under an aggregation threshold, " + aggregates.get(0).getOperator().getName()
                    + " must be combined with a qualifying aggregation (AVG, COUNT, SUM)");
        }
    }

    /** Indexes of the final SELECT's items that are not aggregates (its dimensions). */
    static List<Integer> dimensionItems(SqlNode validated) {
        SqlSelect select = new ThresholdChecker().finalSelect(validated);
        List<Integer> out = new ArrayList<>();
        SqlNodeList items = select.getSelectList();
        for (int i = 0; i < items.size(); i++) {
            List<SqlCall> found = new ArrayList<>();
            collectAggregates(items.get(i), found);
            if (found.isEmpty()) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Adds HAVING COUNT(DISTINCT carrier) >= minimum for every carrier of every threshold of every
     * table, with the minimum of each threshold ({@link PlanCheck#key}); returns what it added.
     */
    static List<String> rewrite(SqlNode validated, Map<String, TableSpec> tables, Map<String, Integer> minimums) {
        ThresholdChecker checker = new ThresholdChecker();
        SqlSelect select = checker.finalSelect(validated);
        List<String> notes = new ArrayList<>();
        List<SqlNode> conditions = new ArrayList<>();
        for (TableSpec table : tables.values()) {
            for (AggregationThreshold threshold : rule(table).aggregationThresholds()) {
                int minimum = minimums.getOrDefault(PlanCheck.key(table, threshold), 0);
                String identity = threshold.identityColumns().get(0);
                if (minimum == 0) {
                    notes.add("no threshold for " + table.name() + "." + identity + " (exempt output columns)");
                    continue;
                }
                for (Carrier carrier : checker.carriers(select.getFrom(), table, identity)) {
                    conditions.add(Rewrites.atLeastDistinct(new SqlIdentifier(List.of(carrier.alias(),
                            carrier.field()), SqlParserPos.ZERO), minimum));
                    notes.add("COUNT(DISTINCT " + table.name() + "." + identity + ") >= " + minimum);
                }
            }
        }
        Rewrites.addToHaving(select, conditions);
        return notes.stream().distinct().toList();
    }

    private static void collectAggregates(SqlNode node, List<SqlCall> out) {
        if (node instanceof SqlCall call) {
            if (call.getKind() == SqlKind.OVER) {
                return;
            }
            if (call.getOperator().isAggregator()) {
                out.add(call);
                return;
            }
            for (SqlNode operand : call.getOperandList()) {
                if (operand != null && !(operand instanceof SqlSelect)) {
                    collectAggregates(operand, out);
                }
            }
        }
    }

    /** Every column of the FROM items that carries the identity column of a read of the table unchanged. */
    private List<Carrier> carriers(SqlNode from, TableSpec table, String identity) {
        List<Carrier> out = new ArrayList<>();
        if (from == null) {
            return out;
        }
        if (from instanceof SqlJoin join) {
            out.addAll(carriers(join.getLeft(), table, identity));
            out.addAll(carriers(join.getRight(), table, identity));
            return out;
        }
        String alias;
        SqlNode source = from;
        if (from.getKind() == SqlKind.AS) {
            if (((SqlCall) from).operandCount() > 2) {
                return out;
            }
            source = ((SqlCall) from).operand(0);
            alias = ((SqlIdentifier) ((SqlCall) from).operand(1)).getSimple();
        } else if (from instanceof SqlIdentifier id) {
            alias = id.names.get(id.names.size() - 1);
        } else {
            return out;
        }
        if (source.getKind() == SqlKind.LATERAL) {
            source = ((SqlCall) source).operand(0);
        }
        for (String field : fieldsCarrying(source, table, identity)) {
            out.add(new Carrier(alias, field, table, identity));
        }
        return out;
    }

    /** The names of the fields of a FROM source that carry the identity column of a read unchanged. */
    private List<String> fieldsCarrying(SqlNode source, TableSpec table, String identity) {
        if (source instanceof SqlIdentifier id) {
            String name = id.names.get(id.names.size() - 1).toLowerCase(Locale.ROOT);
            SqlWithItem cte = ctes.get(name);
            if (cte != null) {
                return cte.columnList != null ? List.of() : fieldsCarrying(cte.query, table, identity);
            }
            return name.equals(table.key()) ? List.of(identity) : List.of();
        }
        SqlNode query = source;
        if (query instanceof SqlOrderBy order) {
            query = order.query;
        }
        if (query instanceof SqlWith with) {
            for (SqlNode item : with.withList) {
                SqlWithItem withItem = (SqlWithItem) item;
                ctes.put(withItem.name.getSimple().toLowerCase(Locale.ROOT), withItem);
            }
            return fieldsCarrying(with.body, table, identity);
        }
        if (!(query instanceof SqlSelect select)) {
            return List.of();
        }
        List<Carrier> inner = carriers(select.getFrom(), table, identity);
        List<String> out = new ArrayList<>();
        for (SqlNode item : select.getSelectList()) {
            SqlNode expression = item;
            String name = null;
            if (item.getKind() == SqlKind.AS) {
                expression = ((SqlCall) item).operand(0);
                name = ((SqlIdentifier) ((SqlCall) item).operand(1)).getSimple();
            }
            if (!(expression instanceof SqlIdentifier ref) || ref.isStar() || ref.names.size() != 2) {
                continue;
            }
            String field = name == null ? ref.names.get(1) : name;
            for (Carrier carrier : inner) {
                if (carrier.alias().equalsIgnoreCase(ref.names.get(0))
                        && carrier.field().equalsIgnoreCase(ref.names.get(1)) && !out.contains(field)) {
                    out.add(field);
                }
            }
        }
        return out;
    }
}
