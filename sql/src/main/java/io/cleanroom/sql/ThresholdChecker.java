package io.cleanroom.sql;

import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputColumnThreshold;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * Aggregation thresholds of custom rules: every output row must cover at least the minimum
 * number of distinct identities. The final SELECT must aggregate, keep the identity column
 * readable (directly, or renamed through CTEs and subqueries), use plain columns in its aggregates
 * under COLUMNS_ONLY, and combine MIN/MAX-like functions with COUNT, SUM or AVG. The rewrite adds
 * HAVING COUNT(DISTINCT identity) >= minimum, the minimum being the largest threshold of the
 * output columns (outputColumnThresholds override the table's minimum; 0 exempts a column).
 */
final class ThresholdChecker {
    private static final Set<String> QUALIFYING = Set.of("COUNT", "SUM", "AVG", "$SUM0");

    private final Map<String, SqlWithItem> ctes = new HashMap<>();
    private final Map<String, TableSpec> tables;

    private ThresholdChecker(Map<String, TableSpec> tables) {
        this.tables = tables;
    }

    private static Custom rule(TableSpec table) {
        return (Custom) table.rule().orElseThrow();
    }

    /** Applies every threshold of every referenced table to the validated query; returns what it added. */
    static List<String> apply(SqlNode validated, Map<String, TableSpec> tables, List<String> outputNames) {
        boolean any = tables.values().stream().anyMatch(t -> !rule(t).aggregationThresholds().isEmpty());
        if (!any) {
            return List.of();
        }
        ThresholdChecker checker = new ThresholdChecker(tables);
        SqlNode node = validated;
        while (true) {
            if (node instanceof SqlWith with) {
                for (SqlNode item : with.withList) {
                    SqlWithItem withItem = (SqlWithItem) item;
                    checker.ctes.put(withItem.name.getSimple().toLowerCase(Locale.ROOT), withItem);
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
        return checker.enforce(select, outputNames);
    }

    private List<String> enforce(SqlSelect select, List<String> outputNames) {
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
        List<String> notes = new ArrayList<>();
        List<SqlNode> conditions = new ArrayList<>();
        List<String> dimensionOutputs = dimensionOutputs(select, outputNames);
        for (TableSpec table : tables.values()) {
            for (AggregationThreshold threshold : rule(table).aggregationThresholds()) {
                if (threshold.allowedAggregateExpressionType().equals("COLUMNS_ONLY")) {
                    for (SqlCall aggregate : aggregates) {
                        for (SqlNode operand : aggregate.getOperandList()) {
                            if (!(operand instanceof SqlIdentifier)) {
                                throw Rejection.of("The aggregation threshold of table " + table.name()
                                        + " allows only columns as aggregate arguments (COLUMNS_ONLY); "
                                        + aggregate.getOperator().getName() + " has an expression");
                            }
                        }
                    }
                }
                String identity = threshold.identityColumns().get(0);
                int minimum = minimum(threshold, dimensionOutputs);
                if (minimum == 0) {
                    notes.add("no threshold for " + table.name() + "." + identity + " (exempt output columns)");
                    continue;
                }
                SqlIdentifier ref = identityReference(select.getFrom(), table, identity).orElseThrow(() ->
                        Rejection.of("Table " + table.name() + " has an aggregation threshold on " + identity
                                + ": the final SELECT must read it (directly or through CTEs and subqueries) so "
                                + "that rows with too few distinct identities can be removed"));
                conditions.add(Rewrites.atLeastDistinct(ref, minimum));
                notes.add("COUNT(DISTINCT " + table.name() + "." + identity + ") >= " + minimum);
            }
        }
        Rewrites.addToHaving(select, conditions);
        return notes;
    }

    /** Output names of the select items that are not aggregates. */
    private static List<String> dimensionOutputs(SqlSelect select, List<String> outputNames) {
        List<String> out = new ArrayList<>();
        SqlNodeList items = select.getSelectList();
        for (int i = 0; i < items.size() && i < outputNames.size(); i++) {
            List<SqlCall> found = new ArrayList<>();
            collectAggregates(items.get(i), found);
            if (found.isEmpty()) {
                out.add(outputNames.get(i).toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static int minimum(AggregationThreshold threshold, List<String> dimensionOutputs) {
        if (dimensionOutputs.isEmpty()) {
            return threshold.minimumIdentityCount();
        }
        int max = 0;
        for (String output : dimensionOutputs) {
            int value = threshold.minimumIdentityCount();
            for (OutputColumnThreshold o : threshold.outputColumnThresholds()) {
                if (o.outputColumnName().equalsIgnoreCase(output)) {
                    value = o.minimumIdentityCount();
                }
            }
            max = Math.max(max, value);
        }
        return max;
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

    /**
     * A reference, in the final SELECT's scope, to a column that is the identity column itself
     * (possibly renamed through CTEs and subqueries, never transformed).
     */
    private Optional<SqlIdentifier> identityReference(SqlNode from, TableSpec table, String identity) {
        if (from instanceof SqlJoin join) {
            Optional<SqlIdentifier> left = identityReference(join.getLeft(), table, identity);
            return left.isPresent() ? left : identityReference(join.getRight(), table, identity);
        }
        String alias;
        SqlNode source = from;
        if (from.getKind() == SqlKind.AS) {
            if (((SqlCall) from).operandCount() > 2) {
                return Optional.empty();
            }
            source = ((SqlCall) from).operand(0);
            alias = ((SqlIdentifier) ((SqlCall) from).operand(1)).getSimple();
        } else if (from instanceof SqlIdentifier id) {
            alias = id.names.get(id.names.size() - 1);
        } else {
            return Optional.empty();
        }
        return fieldCarrying(source, table, identity)
                .map(field -> new SqlIdentifier(List.of(alias, field), SqlParserPos.ZERO));
    }

    /** The name of a field of a FROM source that carries the identity column unchanged, if any. */
    private Optional<String> fieldCarrying(SqlNode source, TableSpec table, String identity) {
        if (source instanceof SqlIdentifier id) {
            String name = id.names.get(id.names.size() - 1).toLowerCase(Locale.ROOT);
            SqlWithItem cte = ctes.get(name);
            if (cte != null) {
                Optional<String> inner = fieldCarrying(cte.query, table, identity);
                if (inner.isPresent() && cte.columnList != null) {
                    return Optional.empty();
                }
                return inner;
            }
            return name.equals(table.key()) ? Optional.of(identity) : Optional.empty();
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
            return fieldCarrying(with.body, table, identity);
        }
        if (!(query instanceof SqlSelect select)) {
            return Optional.empty();
        }
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
            if (name == null) {
                name = ref.names.get(1);
            }
            Optional<SqlIdentifier> inner = identityReference(select.getFrom(), table, identity);
            if (inner.isPresent() && inner.get().names.get(0).equalsIgnoreCase(ref.names.get(0))
                    && inner.get().names.get(1).equalsIgnoreCase(ref.names.get(1))) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }
}
