package io.cleanroom.privacy;

import java.math.BigInteger;
import java.util.EnumMap;
import java.util.Map;

/**
 * How a collaboration's differential privacy policy (AWS's privacy budget template parameters)
 * turns into noise and cost.
 *
 * <p>usersNoisePerQuery = N sets the discrete Laplace scale of every noisy statistic to the
 * contribution of N users: a statistic whose one-user sensitivity is Δ gets noise of scale N·Δ
 * (standard deviation about 1.41·N·Δ), and so costs exactly ε = Δ / (N·Δ) = 1/N. A query costs
 * 1/N for each statistic it releases ({@link Aggregation#statistics()}), whatever the data, and the
 * budget (epsilon) allows floor(epsilon · N / statistics) uses of an aggregation alone.
 */
public record Calibration(int epsilon, int usersNoisePerQuery) {

    public static final int MIN_EPSILON = 1;
    public static final int MAX_EPSILON = 20;
    public static final int MIN_NOISE = 10;
    public static final int MAX_NOISE = 100;

    public Calibration {
        if (epsilon < MIN_EPSILON || epsilon > MAX_EPSILON) {
            throw new IllegalArgumentException("epsilon must be between " + MIN_EPSILON + " and " + MAX_EPSILON);
        }
        if (usersNoisePerQuery < MIN_NOISE || usersNoisePerQuery > MAX_NOISE) {
            throw new IllegalArgumentException("usersNoisePerQuery must be between " + MIN_NOISE + " and " + MAX_NOISE);
        }
    }

    /** The privacy loss of one noisy statistic: 1/N. */
    public Rational epsilonPerStatistic() {
        return Rational.of(1, usersNoisePerQuery);
    }

    /** The privacy loss of one use of the aggregation. */
    public Rational cost(Aggregation aggregation) {
        return Rational.of(aggregation.statistics(), usersNoisePerQuery);
    }

    /** The discrete Laplace scale of a statistic whose one-user sensitivity is the given value. */
    public Rational scale(Rational sensitivity) {
        if (sensitivity.isZero()) {
            throw new IllegalArgumentException("a sensitivity is positive");
        }
        return sensitivity.times(Rational.of(usersNoisePerQuery));
    }

    /** How many uses of each aggregation alone a whole budget allows (PreviewPrivacyImpact). */
    public Map<Aggregation, Long> maxCounts() {
        return counts(Rational.of(epsilon));
    }

    /** How many uses of each aggregation alone the part of the budget not yet spent allows. */
    public Map<Aggregation, Long> remainingCounts(Rational spent) {
        Rational total = Rational.of(epsilon);
        return counts(spent.compareTo(total) >= 0 ? Rational.ZERO : total.minus(spent));
    }

    private Map<Aggregation, Long> counts(Rational available) {
        Map<Aggregation, Long> counts = new EnumMap<>(Aggregation.class);
        for (Aggregation aggregation : Aggregation.values()) {
            BigInteger n = available.dividedBy(cost(aggregation)).floor();
            counts.put(aggregation, n.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact());
        }
        return counts;
    }

    /**
     * The δ of one grouped query: the largest chance that a group only one user's rows create is
     * released (partition selection, see {@link #releaseThreshold(double, long)}).
     */
    public static final double PARTITION_DELTA = 1e-8;

    /**
     * The threshold a group's noisy count of users must reach to be released, for noise of scale N
     * on a count of users (sensitivity 1, each user in at most one group): the least τ such that a
     * group of a single user is released with probability at most delta. With discrete Laplace
     * noise Z of parameter q = exp(-1/N), P(1 + Z &gt;= τ) = q^(τ-1) / (1 + q) for τ &gt;= 2.
     */
    public long releaseThreshold(double delta) {
        return releaseThreshold(delta, 1);
    }

    /**
     * The threshold for counts of users of which each user may be in up to groupsPerUser groups:
     * the vector of counts then has L1 sensitivity groupsPerUser = G, so each count gets noise of
     * scale N·G (parameter q = exp(-1/(N·G))), and a user alone in G groups could make each of
     * them appear. τ is the least threshold with G · q^(τ-1) / (1 + q) &lt;= delta, so that any
     * of them is released with probability at most delta.
     */
    public long releaseThreshold(double delta, long groupsPerUser) {
        if (!(delta > 0 && delta < 0.5)) {
            throw new IllegalArgumentException("delta must be in (0, 0.5)");
        }
        if (groupsPerUser < 1) {
            throw new IllegalArgumentException("a user is in at least one group");
        }
        double q = Math.exp(-1.0 / ((double) usersNoisePerQuery * groupsPerUser));
        // smallest k = τ - 1 >= 1 with G q^k / (1 + q) <= delta; a margin of one step covers rounding
        double k = Math.log(delta * (1 + q) / groupsPerUser) / Math.log(q);
        return Math.max(2, (long) Math.ceil(k) + 2);
    }
}
