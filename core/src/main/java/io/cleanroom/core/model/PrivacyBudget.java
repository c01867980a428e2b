package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import io.cleanroom.privacy.Rational;
import java.math.BigInteger;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The privacy budget of a collaboration: how much epsilon its queries have spent since periodStart,
 * and how much queries still running hold in reservation, as exact rationals (numerator and
 * denominator, never a floating-point number). Kept per collaboration, apart from the template
 * that sets its limit, so deleting and creating the template again gives back nothing that was
 * spent. charged says whether any query ever spent from it: from then on epsilon may only grow.
 */
public record PrivacyBudget(
        CollaborationId collaborationId,
        PrivacyBudgetId id,
        BigInteger spentNumerator,
        BigInteger spentDenominator,
        BigInteger reservedNumerator,
        BigInteger reservedDenominator,
        Instant periodStart,
        boolean charged,
        Instant createTime,
        Instant updateTime) {
    public PrivacyBudget {
        requireNonNull(collaborationId, "collaborationId is null");
        requireNonNull(id, "id is null");
        Rational spent = new Rational(spentNumerator, spentDenominator);
        Rational reserved = new Rational(reservedNumerator, reservedDenominator);
        spentNumerator = spent.numerator();
        spentDenominator = spent.denominator();
        reservedNumerator = reserved.numerator();
        reservedDenominator = reserved.denominator();
        requireNonNull(periodStart, "periodStart is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    /** A budget nothing has been spent from, counting from now. */
    public static PrivacyBudget fresh(CollaborationId collaborationId, Instant now) {
        return new PrivacyBudget(collaborationId, PrivacyBudgetId.random(), BigInteger.ZERO, BigInteger.ONE,
                BigInteger.ZERO, BigInteger.ONE, now, false, now, now);
    }

    /** Epsilon spent since periodStart by queries that released results. */
    public Rational spent() {
        return new Rational(spentNumerator, spentDenominator);
    }

    /** Epsilon held by queries that have not ended yet. */
    public Rational reserved() {
        return new Rational(reservedNumerator, reservedDenominator);
    }

    /** What the budget's limit must still cover: spent and reserved. */
    public Rational committedOrHeld() {
        return spent().plus(reserved());
    }

    /**
     * The budget as it stands at a time: with CALENDAR_MONTH, what was spent before the start of
     * that time's UTC month no longer counts (reservations carry over: their queries release their
     * results in the new month). NONE never forgets.
     */
    public PrivacyBudget asOf(AutoRefresh refresh, Instant now) {
        Instant month = monthStart(now);
        if (refresh != AutoRefresh.CALENDAR_MONTH || !periodStart.isBefore(month)) {
            return this;
        }
        return new PrivacyBudget(collaborationId, id, BigInteger.ZERO, BigInteger.ONE, reservedNumerator,
                reservedDenominator, month, charged, createTime, updateTime);
    }

    public PrivacyBudget withReserved(Rational reserved, Instant now) {
        return new PrivacyBudget(collaborationId, id, spentNumerator, spentDenominator, reserved.numerator(),
                reserved.denominator(), periodStart, charged, createTime, now);
    }

    /** cost moves from reserved to spent. */
    public PrivacyBudget withCommitted(Rational cost, Instant now) {
        Rational spent = spent().plus(cost);
        Rational reserved = reserved().minus(cost);
        return new PrivacyBudget(collaborationId, id, spent.numerator(), spent.denominator(), reserved.numerator(),
                reserved.denominator(), periodStart, true, createTime, now);
    }

    /** The first instant of the UTC calendar month of a time. */
    public static Instant monthStart(Instant time) {
        return YearMonth.from(time.atOffset(ZoneOffset.UTC)).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The first instant of the UTC calendar month after the one of a time. */
    public static Instant nextMonthStart(Instant time) {
        return YearMonth.from(time.atOffset(ZoneOffset.UTC)).plusMonths(1).atDay(1).atStartOfDay()
                .toInstant(ZoneOffset.UTC);
    }
}
