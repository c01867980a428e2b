package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import io.cleanroom.privacy.Rational;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * What a protected query that reads a table with differential privacy released, and at what cost:
 * the policy's noise it ran with, its cost in epsilon, AWS's sensitivityParameters (one per
 * aggregation), and the keys of the answer cache. queryKey names the checked, normalised query
 * (with its parameters, runner, collaboration and noise); answerKey adds the identity of every data
 * file it read, and is set once an answer was released (null before, and when the data changed
 * while the query read it). answeredFrom is the query whose released answer this one returned
 * again without spending (null when it computed its own).
 */
public record DifferentialPrivacyQuery(
        ProtectedQueryId queryId,
        CollaborationId collaborationId,
        int usersNoisePerQuery,
        BigInteger costNumerator,
        BigInteger costDenominator,
        String queryKey,
        String answerKey,
        ProtectedQueryId answeredFrom,
        List<SensitivityParameter> sensitivityParameters,
        Instant createTime) {
    public DifferentialPrivacyQuery {
        requireNonNull(queryId, "queryId is null");
        requireNonNull(collaborationId, "collaborationId is null");
        Rational cost = new Rational(costNumerator, costDenominator);
        costNumerator = cost.numerator();
        costDenominator = cost.denominator();
        requireNonNull(queryKey, "queryKey is null");
        sensitivityParameters = List.copyOf(sensitivityParameters);
        requireNonNull(createTime, "createTime is null");
    }

    /**
     * One aggregation (AWS's DifferentialPrivacySensitivityParameters): its type (COUNT,
     * COUNT_DISTINCT, SUM, AVG, STDDEV), the expression as written, the most rows of a user it
     * counts, and the bounds its values were clamped to (null for counts).
     */
    public record SensitivityParameter(String aggregationType, String aggregationExpression,
            long userContributionLimit, BigDecimal minColumnValue, BigDecimal maxColumnValue) {
        public SensitivityParameter {
            requireNonNull(aggregationType, "aggregationType is null");
            requireNonNull(aggregationExpression, "aggregationExpression is null");
        }
    }

    public Rational cost() {
        return new Rational(costNumerator, costDenominator);
    }

    /** This record once the query released an answer (answerKey null: not reusable). */
    public DifferentialPrivacyQuery released(String key, ProtectedQueryId from) {
        return new DifferentialPrivacyQuery(queryId, collaborationId, usersNoisePerQuery, costNumerator,
                costDenominator, queryKey, key, from, sensitivityParameters, createTime);
    }
}
