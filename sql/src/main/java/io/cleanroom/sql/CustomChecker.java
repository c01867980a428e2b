package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.metadata.RelMetadataQuery;

/**
 * Enforces custom analysis rules: the analysis must be allowed by every referenced table (the
 * template's ARN, or ANY_QUERY with the runner among the analysis providers), and no column of the
 * final projection may derive, through any alias, expression, CTE or subquery, from a disallowed
 * output column. Lineage comes from Calcite's column-origin metadata on the relational plan; an
 * output whose origin cannot be established is refused when a disallowed column is in play.
 */
final class CustomChecker {
    private CustomChecker() {
    }

    private static Custom rule(TableSpec table) {
        return (Custom) table.rule().orElseThrow();
    }

    static void checkAnalysisAllowed(List<TableSpec> tables, AccountId runner, Optional<String> templateArn) {
        for (TableSpec table : tables) {
            Custom rule = rule(table);
            if (templateArn.isPresent()) {
                if (!rule.allowedAnalyses().contains(templateArn.get())) {
                    throw Rejection.of("The custom analysis rule of table " + table.name()
                            + " does not allow analysis template " + templateArn.get());
                }
            } else if (!rule.allowedAnalyses().contains(Custom.ANY_QUERY)) {
                throw Rejection.of("The custom analysis rule of table " + table.name() + " allows only reviewed "
                        + "analysis templates; run one of them instead of ad hoc SQL");
            } else if (!rule.allowedAnalysisProviders().contains(runner)) {
                throw Rejection.of("The custom analysis rule of table " + table.name() + " does not list account "
                        + runner + " among its analysis providers");
            }
        }
    }

    /** Refuses any output column that derives from a disallowed output column. */
    static void checkOutputs(RelRoot root, Map<String, TableSpec> tables) {
        boolean anyDisallowed = tables.values().stream().anyMatch(t -> !rule(t).disallowedOutputColumns().isEmpty());
        if (!anyDisallowed) {
            return;
        }
        RelMetadataQuery mq = root.rel.getCluster().getMetadataQuery();
        for (Map.Entry<Integer, String> field : root.fields) {
            List<Lineage.Origin> origins = Lineage.origins(mq, root.rel, field.getKey(), tables).orElseThrow(() ->
                    Rejection.of("Cannot establish which columns output column " + field.getValue()
                            + " derives from, and a referenced table has disallowed output columns; simplify the "
                            + "expression"));
            for (Lineage.Origin origin : origins) {
                if (rule(origin.table()).disallowedOutputColumns().stream()
                        .anyMatch(c -> c.equalsIgnoreCase(origin.column()))) {
                    throw Rejection.of("Output column " + field.getValue() + " derives from " + origin.describe()
                            + ", a disallowed output column of the custom analysis rule");
                }
            }
        }
    }

    static List<String> outputNames(RelRoot root) {
        List<String> names = new ArrayList<>();
        root.fields.forEach(f -> names.add(f.getValue()));
        return names;
    }
}
