package io.cleanroom.core.service;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRulePolicy.ListRule;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputColumnThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.Arns;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whole-policy checks of configured table analysis rules, beyond each field's shape: columns must
 * be allowed columns of the table, a column has one role, and the combinations the reference
 * forbids are refused with INVALID_CONFIGURATION-style field errors.
 */
final class AnalysisRules {
    private AnalysisRules() {
    }

    static void checkTypeMatches(AnalysisRuleType type, AnalysisRulePolicy policy) {
        if (type != policy.type()) {
            throw CleanroomException.validation("analysisRulePolicy.v1",
                    "analysisRuleType is " + type + " but the policy is a " + policy.type() + " policy");
        }
    }

    static void checkColumnsAllowed(AnalysisRulePolicy policy, List<String> allowedColumns) {
        Set<String> allowed = lower(allowedColumns);
        for (String column : policy.referencedColumns()) {
            if (!allowed.contains(column.toLowerCase(Locale.ROOT))) {
                throw CleanroomException.validation("allowedColumns",
                        "Column " + column + " is used by the table's " + policy.type()
                                + " analysis rule and must stay allowed");
            }
        }
    }

    private static Set<String> lower(List<String> columns) {
        Set<String> out = new HashSet<>();
        columns.forEach(c -> out.add(c.toLowerCase(Locale.ROOT)));
        return out;
    }

    static void validate(AnalysisRulePolicy policy, List<String> allowedColumns) {
        List<CleanroomException.FieldError> errors = new ArrayList<>();
        Set<String> allowed = lower(allowedColumns);
        String base = "analysisRulePolicy.v1." + switch (policy.type()) {
            case AGGREGATION -> "aggregation";
            case LIST -> "list";
            case CUSTOM -> "custom";
        };
        if (policy instanceof Aggregation a) {
            validateAggregation(a, allowed, base, errors);
        } else if (policy instanceof ListRule l) {
            validateList(l, allowed, base, errors);
        } else if (policy instanceof Custom c) {
            validateCustom(c, allowed, base, errors);
        }
        if (!errors.isEmpty()) {
            throw CleanroomException.validation(errors);
        }
    }

    private static void columns(List<String> columns, Set<String> allowed, String field,
            List<CleanroomException.FieldError> errors) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i).toLowerCase(Locale.ROOT);
            if (!allowed.contains(column)) {
                errors.add(new CleanroomException.FieldError(field + "[" + i + "]",
                        "Column " + columns.get(i) + " is not an allowed column of the configured table"));
            } else if (!seen.add(column)) {
                errors.add(new CleanroomException.FieldError(field + "[" + i + "]",
                        "Column " + columns.get(i) + " is listed twice"));
            }
        }
    }

    private static void validateAggregation(Aggregation a, Set<String> allowed, String base,
            List<CleanroomException.FieldError> errors) {
        if (a.aggregateColumns().isEmpty()) {
            errors.add(new CleanroomException.FieldError(base + ".aggregateColumns",
                    "At least one aggregate column is required"));
        }
        Set<String> aggregate = new HashSet<>();
        for (int i = 0; i < a.aggregateColumns().size(); i++) {
            AggregateColumn column = a.aggregateColumns().get(i);
            String field = base + ".aggregateColumns[" + i + "].columnNames";
            if (column.columnNames().isEmpty()) {
                errors.add(new CleanroomException.FieldError(field, "At least one column is required"));
            }
            columns(column.columnNames(), allowed, field, errors);
            column.columnNames().forEach(c -> aggregate.add(c.toLowerCase(Locale.ROOT)));
        }
        columns(a.joinColumns(), allowed, base + ".joinColumns", errors);
        columns(a.dimensionColumns(), allowed, base + ".dimensionColumns", errors);
        Set<String> join = lower(a.joinColumns());
        for (int i = 0; i < a.dimensionColumns().size(); i++) {
            String column = a.dimensionColumns().get(i).toLowerCase(Locale.ROOT);
            if (join.contains(column) || aggregate.contains(column)) {
                errors.add(new CleanroomException.FieldError(base + ".dimensionColumns[" + i + "]",
                        "Column " + column + " cannot be both a dimension column and a join or aggregate column"));
            }
        }
        if (a.joinRequired() != null && a.joinColumns().isEmpty()) {
            errors.add(new CleanroomException.FieldError(base + ".joinRequired",
                    "joinRequired needs at least one join column"));
        }
        if (new HashSet<>(a.allowedJoinOperators()).size() != a.allowedJoinOperators().size()) {
            errors.add(new CleanroomException.FieldError(base + ".allowedJoinOperators", "Operators must be unique"));
        }
        if (new HashSet<>(a.scalarFunctions()).size() != a.scalarFunctions().size()) {
            errors.add(new CleanroomException.FieldError(base + ".scalarFunctions", "Functions must be unique"));
        }
        if (a.outputConstraints().isEmpty()) {
            errors.add(new CleanroomException.FieldError(base + ".outputConstraints",
                    "At least one output constraint is required"));
        }
        for (int i = 0; i < a.outputConstraints().size(); i++) {
            OutputConstraint constraint = a.outputConstraints().get(i);
            String field = base + ".outputConstraints[" + i + "]";
            if (!allowed.contains(constraint.columnName().toLowerCase(Locale.ROOT))) {
                errors.add(new CleanroomException.FieldError(field + ".columnName",
                        "Column " + constraint.columnName() + " is not an allowed column of the configured table"));
            }
            if (constraint.minimum() < 2 || constraint.minimum() > 100000) {
                errors.add(new CleanroomException.FieldError(field + ".minimum",
                        "Minimum must be between 2 and 100000"));
            }
        }
    }

    private static void validateList(ListRule l, Set<String> allowed, String base,
            List<CleanroomException.FieldError> errors) {
        if (l.joinColumns().isEmpty()) {
            errors.add(new CleanroomException.FieldError(base + ".joinColumns",
                    "At least one join column is required"));
        }
        if (l.listColumns().isEmpty()) {
            errors.add(new CleanroomException.FieldError(base + ".listColumns",
                    "At least one list column is required"));
        }
        columns(l.joinColumns(), allowed, base + ".joinColumns", errors);
        columns(l.listColumns(), allowed, base + ".listColumns", errors);
        Set<String> join = lower(l.joinColumns());
        for (int i = 0; i < l.listColumns().size(); i++) {
            if (join.contains(l.listColumns().get(i).toLowerCase(Locale.ROOT))) {
                errors.add(new CleanroomException.FieldError(base + ".listColumns[" + i + "]",
                        "Column " + l.listColumns().get(i) + " cannot be both a join column and a list column"));
            }
        }
        if (new HashSet<>(l.allowedJoinOperators()).size() != l.allowedJoinOperators().size()) {
            errors.add(new CleanroomException.FieldError(base + ".allowedJoinOperators", "Operators must be unique"));
        }
    }

    private static void validateCustom(Custom c, Set<String> allowed, String base,
            List<CleanroomException.FieldError> errors) {
        boolean anyQuery = c.allowedAnalyses().contains(Custom.ANY_QUERY);
        boolean anyJob = c.allowedAnalyses().contains(Custom.ANY_JOB);
        long templates = c.allowedAnalyses().stream()
                .filter(a -> !a.equals(Custom.ANY_QUERY) && !a.equals(Custom.ANY_JOB)).count();
        for (int i = 0; i < c.allowedAnalyses().size(); i++) {
            String analysis = c.allowedAnalyses().get(i);
            if (!analysis.equals(Custom.ANY_QUERY) && !analysis.equals(Custom.ANY_JOB)
                    && Arns.parse(analysis).filter(p -> p.resource().matches(
                            "membership/[0-9a-f-]{36}/analysistemplate/[0-9a-f-]{36}")).isEmpty()) {
                errors.add(new CleanroomException.FieldError(base + ".allowedAnalyses[" + i + "]",
                        "Must be ANY_QUERY, ANY_JOB or an analysis template ARN"));
            }
        }
        if ((anyQuery || anyJob) && templates > 0) {
            errors.add(new CleanroomException.FieldError(base + ".allowedAnalyses",
                    "Allow either analysis templates or ANY_QUERY/ANY_JOB with analysis providers, not both"));
        }
        if ((anyQuery || anyJob) && c.allowedAnalysisProviders().isEmpty()) {
            errors.add(new CleanroomException.FieldError(base + ".allowedAnalysisProviders",
                    "allowedAnalysisProviders is required when allowedAnalyses is ANY_QUERY or ANY_JOB"));
        }
        if (!anyQuery && !anyJob && !c.allowedAnalysisProviders().isEmpty()) {
            errors.add(new CleanroomException.FieldError(base + ".allowedAnalysisProviders",
                    "allowedAnalysisProviders applies only with ANY_QUERY or ANY_JOB"));
        }
        columns(c.disallowedOutputColumns(), allowed, base + ".disallowedOutputColumns", errors);
        if (c.differentialPrivacyColumn() != null
                && !allowed.contains(c.differentialPrivacyColumn().toLowerCase(Locale.ROOT))) {
            errors.add(new CleanroomException.FieldError(base + ".differentialPrivacy.columns[0].name",
                    "Column " + c.differentialPrivacyColumn() + " is not an allowed column of the configured table"));
        }
        for (int i = 0; i < c.aggregationThresholds().size(); i++) {
            AggregationThreshold t = c.aggregationThresholds().get(i);
            String field = base + ".aggregationThresholds[" + i + "]";
            if (t.identityColumns().size() != 1) {
                errors.add(new CleanroomException.FieldError(field + ".identityColumns",
                        "Exactly one identity column is required"));
            }
            columns(t.identityColumns(), allowed, field + ".identityColumns", errors);
            if (t.minimumIdentityCount() < 2 || t.minimumIdentityCount() > 100000) {
                errors.add(new CleanroomException.FieldError(field + ".minimumIdentityCount",
                        "Must be between 2 and 100000"));
            }
            for (int j = 0; j < t.outputColumnThresholds().size(); j++) {
                OutputColumnThreshold o = t.outputColumnThresholds().get(j);
                if (o.minimumIdentityCount() != 0
                        && (o.minimumIdentityCount() < 2 || o.minimumIdentityCount() > 100000)) {
                    errors.add(new CleanroomException.FieldError(
                            field + ".outputColumnThresholds[" + j + "].minimumIdentityCount",
                            "Must be 0 (exempt) or between 2 and 100000"));
                }
            }
        }
        if (c.comparisonControls() != null) {
            columns(c.comparisonControls().allowedLiteralComparisonColumns(), allowed,
                    base + ".comparisonControls.allowedLiteralComparisonColumns", errors);
            columns(c.comparisonControls().allowedColumnComparisonColumns(), allowed,
                    base + ".comparisonControls.allowedColumnComparisonColumns", errors);
        }
    }
}
