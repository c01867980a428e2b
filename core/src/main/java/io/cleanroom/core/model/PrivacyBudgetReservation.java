package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import io.cleanroom.privacy.Rational;
import java.math.BigInteger;
import java.time.Instant;

/**
 * Epsilon a query holds from its collaboration's privacy budget while it runs, kept under the
 * holder's key (the query's id) until it is committed (results were released) or refunded (the
 * query failed or was cancelled before any result existed).
 */
public record PrivacyBudgetReservation(
        String holder,
        CollaborationId collaborationId,
        BigInteger costNumerator,
        BigInteger costDenominator,
        Instant createTime) {
    public PrivacyBudgetReservation {
        requireNonNull(holder, "holder is null");
        requireNonNull(collaborationId, "collaborationId is null");
        Rational cost = new Rational(costNumerator, costDenominator);
        if (cost.isZero()) {
            throw new IllegalArgumentException("a reservation holds a positive cost");
        }
        costNumerator = cost.numerator();
        costDenominator = cost.denominator();
        requireNonNull(createTime, "createTime is null");
    }

    public PrivacyBudgetReservation(String holder, CollaborationId collaborationId, Rational cost, Instant createTime) {
        this(holder, collaborationId, cost.numerator(), cost.denominator(), createTime);
    }

    public Rational cost() {
        return new Rational(costNumerator, costDenominator);
    }
}
