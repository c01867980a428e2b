package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The policy of a configured table analysis rule: exactly one of aggregation, list or custom. */
public sealed interface AnalysisRulePolicy {
    AnalysisRuleType type();

    /** Every column the policy names, for checking against the configured table's allowed columns. */
    List<String> referencedColumns();

    record AggregateColumn(List<String> columnNames, AggregateFunction function) {
        public AggregateColumn {
            columnNames = List.copyOf(columnNames);
            requireNonNull(function, "function is null");
        }
    }

    record OutputConstraint(String columnName, int minimum) {
        public OutputConstraint {
            requireNonNull(columnName, "columnName is null");
        }
    }

    /** Aggregation rule; joinRequired and additionalAnalyses may be null. */
    record Aggregation(
            List<AggregateColumn> aggregateColumns,
            List<String> joinColumns,
            JoinRequired joinRequired,
            List<JoinOperator> allowedJoinOperators,
            List<String> dimensionColumns,
            List<ScalarFunction> scalarFunctions,
            List<OutputConstraint> outputConstraints,
            AdditionalAnalyses additionalAnalyses) implements AnalysisRulePolicy {
        public Aggregation {
            aggregateColumns = List.copyOf(aggregateColumns);
            joinColumns = List.copyOf(joinColumns);
            allowedJoinOperators = List.copyOf(allowedJoinOperators == null ? List.of() : allowedJoinOperators);
            dimensionColumns = List.copyOf(dimensionColumns);
            scalarFunctions = List.copyOf(scalarFunctions);
            outputConstraints = List.copyOf(outputConstraints);
        }

        @Override
        public AnalysisRuleType type() {
            return AnalysisRuleType.AGGREGATION;
        }

        @Override
        public List<String> referencedColumns() {
            List<String> all = new java.util.ArrayList<>();
            aggregateColumns.forEach(c -> all.addAll(c.columnNames()));
            all.addAll(joinColumns);
            all.addAll(dimensionColumns);
            outputConstraints.forEach(c -> all.add(c.columnName()));
            return all;
        }
    }

    /** List rule; additionalAnalyses may be null. */
    record ListRule(
            List<String> joinColumns,
            List<JoinOperator> allowedJoinOperators,
            List<String> listColumns,
            AdditionalAnalyses additionalAnalyses) implements AnalysisRulePolicy {
        public ListRule {
            joinColumns = List.copyOf(joinColumns);
            allowedJoinOperators = List.copyOf(allowedJoinOperators == null ? List.of() : allowedJoinOperators);
            listColumns = List.copyOf(listColumns);
        }

        @Override
        public AnalysisRuleType type() {
            return AnalysisRuleType.LIST;
        }

        @Override
        public List<String> referencedColumns() {
            List<String> all = new java.util.ArrayList<>(joinColumns);
            all.addAll(listColumns);
            return all;
        }
    }

    record OutputColumnThreshold(String outputColumnName, int minimumIdentityCount) {
        public OutputColumnThreshold {
            requireNonNull(outputColumnName, "outputColumnName is null");
        }
    }

    /** Minimum number of distinct identities per output row (custom rules). */
    record AggregationThreshold(
            List<String> identityColumns,
            int minimumIdentityCount,
            String allowedAggregateExpressionType,
            List<OutputColumnThreshold> outputColumnThresholds) {
        public AggregationThreshold {
            identityColumns = List.copyOf(identityColumns);
            requireNonNull(allowedAggregateExpressionType, "allowedAggregateExpressionType is null");
            outputColumnThresholds = List.copyOf(outputColumnThresholds == null ? List.of() : outputColumnThresholds);
        }
    }

    record ComparisonControls(List<String> allowedLiteralComparisonColumns, List<String> allowedColumnComparisonColumns) {
        public ComparisonControls {
            allowedLiteralComparisonColumns = List.copyOf(allowedLiteralComparisonColumns);
            allowedColumnComparisonColumns = List.copyOf(allowedColumnComparisonColumns);
        }
    }

    /**
     * Custom rule. allowedAnalyses holds ANY_QUERY, ANY_JOB or analysis template ARNs. Nullable:
     * additionalAnalyses, differentialPrivacyColumn, comparisonControls.
     */
    record Custom(
            List<String> allowedAnalyses,
            List<AccountId> allowedAnalysisProviders,
            AdditionalAnalyses additionalAnalyses,
            List<String> disallowedOutputColumns,
            String differentialPrivacyColumn,
            List<AggregationThreshold> aggregationThresholds,
            ComparisonControls comparisonControls) implements AnalysisRulePolicy {
        public static final String ANY_QUERY = "ANY_QUERY";
        public static final String ANY_JOB = "ANY_JOB";

        public Custom {
            allowedAnalyses = List.copyOf(allowedAnalyses);
            allowedAnalysisProviders = List.copyOf(allowedAnalysisProviders == null ? List.of() : allowedAnalysisProviders);
            disallowedOutputColumns = List.copyOf(disallowedOutputColumns == null ? List.of() : disallowedOutputColumns);
            aggregationThresholds = List.copyOf(aggregationThresholds == null ? List.of() : aggregationThresholds);
        }

        @Override
        public AnalysisRuleType type() {
            return AnalysisRuleType.CUSTOM;
        }

        @Override
        public List<String> referencedColumns() {
            List<String> all = new java.util.ArrayList<>(disallowedOutputColumns);
            if (differentialPrivacyColumn != null) {
                all.add(differentialPrivacyColumn);
            }
            aggregationThresholds.forEach(t -> all.addAll(t.identityColumns()));
            if (comparisonControls != null) {
                all.addAll(comparisonControls.allowedLiteralComparisonColumns());
                all.addAll(comparisonControls.allowedColumnComparisonColumns());
            }
            return all;
        }
    }
}
