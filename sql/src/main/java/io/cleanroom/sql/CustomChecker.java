package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.calcite.rel.RelRoot;

/**
 * Who may run custom-rule analyses: the analysis must be allowed by every referenced table (the
 * template's ARN, or ANY_QUERY with the runner among the analysis providers). What the analysis
 * may read and output is checked on its plan by {@link PlanCheck}.
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

    static List<String> outputNames(RelRoot root) {
        List<String> names = new ArrayList<>();
        root.fields.forEach(f -> names.add(f.getValue()));
        return names;
    }
}
