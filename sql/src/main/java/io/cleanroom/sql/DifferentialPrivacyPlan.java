package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import io.cleanroom.privacy.Aggregation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * How to release the answer of a differentially private query from what its rewritten SQL returns.
 * Query control makes it with the rewrite ({@link QueryChecker}); the query stage adds the noise.
 *
 * <p>The engine returns one row per group: first the {@link #keys()} group keys, then exact
 * statistics over the rows that survived contribution bounding (each user contributes at most
 * {@link #contributionLimit()} = L rows over the whole query, so to at most L groups): counts, sums
 * of values clamped to their declared bounds on a grid of whole units, sums of their squares, and
 * (grouped queries) the number of distinct users. Each {@link Aggregate} says which of these columns
 * it reads and the L1 sensitivity of each noisy statistic it releases, over all groups together,
 * to adding or removing one user with everything that user contributes. The query stage adds
 * discrete Laplace noise of scale usersNoisePerQuery × sensitivity to each statistic, so each costs
 * 1/usersNoisePerQuery of epsilon ({@link #statistics()} of them in all).
 *
 * @param keys the number of group key columns the engine returns first
 * @param grouped whether the query has GROUP BY (its groups are then selected by a noisy user count)
 * @param contributionLimit L: the most rows of one user any statistic counts
 * @param aggregates the distinct aggregations of the final SELECT
 * @param users the engine column of the number of distinct users of a group (grouped queries), else -1
 * @param usersAggregate the aggregate whose noisy count is that number (a COUNT(DISTINCT user
 *     identifier) of the query, released once and used for both), or -1 when the user count is a
 *     statistic of its own
 * @param outputs the result's columns, in order
 * @param order the final ORDER BY, applied to the released rows
 * @param offset rows of the released, ordered result to skip
 * @param limit the most rows to return after the offset, or -1
 * @param canonical the checked, normalised query with everything the answer depends on but the data
 *     and the policy (for the answer cache)
 */
public record DifferentialPrivacyPlan(int keys, boolean grouped, long contributionLimit, List<Aggregate> aggregates,
        int users, int usersAggregate, List<Output> outputs, List<Order> order, long offset, long limit,
        String canonical) {

    public DifferentialPrivacyPlan {
        aggregates = List.copyOf(aggregates);
        outputs = List.copyOf(outputs);
        order = List.copyOf(order);
        requireNonNull(canonical, "canonical is null");
        if (contributionLimit < 1) {
            throw new IllegalArgumentException("a user contributes at least one row");
        }
        if (grouped != (users >= 0)) {
            throw new IllegalArgumentException("a grouped query, and only one, selects its groups by their users");
        }
    }

    /**
     * Values of a SUM, AVG or STDDEV on a grid: a value v counts as the whole number of units
     * round(v / step), clamped to [low, high] (the declared bounds, in units, widened to whole
     * units). A noisy sum of units is released as units × step.
     */
    public record Grid(BigDecimal step, long low, long high) {
        public Grid {
            requireNonNull(step, "step is null");
            if (step.signum() <= 0 || low >= high) {
                throw new IllegalArgumentException("a grid has a positive step and low < high");
            }
        }

        /** The largest magnitude of a unit value: max(|low|, |high|). */
        public BigInteger magnitude() {
            return BigInteger.valueOf(Math.max(Math.abs(low), Math.abs(high)));
        }

        /** The width of the clamped range in units: high - low. */
        public BigInteger width() {
            return BigInteger.valueOf(high).subtract(BigInteger.valueOf(low));
        }

        /** low + high, twice the centre of the range. */
        public BigInteger centreTwice() {
            return BigInteger.valueOf(low).add(BigInteger.valueOf(high));
        }
    }

    /**
     * One aggregation of the final SELECT and its noisy statistics.
     *
     * <ul>
     *   <li>COUNT, COUNT_DISTINCT: the engine's {@code count} column, sensitivity
     *       {@code countSensitivity} (L; 1 for the number of distinct users of an ungrouped query).</li>
     *   <li>SUM: the engine's {@code sum} of units, sensitivity {@code sumSensitivity} = L · max(|low|, |high|).</li>
     *   <li>AVG: the count of values (L) and their centred sum Σ(2u − low − high), sensitivity
     *       {@code sumSensitivity} = L · (high − low); the average is low/2 + high/2 plus the noisy centred
     *       sum over twice the noisy count.</li>
     *   <li>STDDEV: as AVG, and the centred sum of squares Σ(2u − low − high)², computed from the engine's
     *       {@code squares} (Σu²), sensitivity {@code squaresSensitivity} = L · (high − low)².</li>
     * </ul>
     *
     * @param type which aggregation
     * @param expression the aggregation as written in the query (for sensitivityParameters)
     * @param count engine column of the count, or -1
     * @param sum engine column of the sum of units, or -1
     * @param squares engine column of the sum of squared units, or -1
     * @param grid the grid of the values (SUM, AVG, STDDEV)
     * @param min the declared lower bound of the values (SUM, AVG, STDDEV)
     * @param max the declared upper bound
     */
    public record Aggregate(Aggregation type, String expression, int count, int sum, int squares, Optional<Grid> grid,
            BigInteger countSensitivity, BigInteger sumSensitivity, BigInteger squaresSensitivity,
            Optional<BigDecimal> min, Optional<BigDecimal> max) {
        public Aggregate {
            requireNonNull(type, "type is null");
            requireNonNull(expression, "expression is null");
            requireNonNull(grid, "grid is null");
            requireNonNull(min, "min is null");
            requireNonNull(max, "max is null");
            boolean bounded = type == Aggregation.SUM || type == Aggregation.AVG || type == Aggregation.STDDEV;
            if (bounded != grid.isPresent()) {
                throw new IllegalArgumentException("SUM, AVG and STDDEV, and only they, have a grid");
            }
        }
    }

    /** A column of the result: a group key (index among the keys) or an aggregate (index among them). */
    public record Output(String name, boolean key, int index) {
        public Output {
            requireNonNull(name, "name is null");
        }
    }

    /** One ORDER BY item over the released rows: an output column, its direction and where NULLs go. */
    public record Order(int output, boolean descending, boolean nullsFirst) {
    }

    /** AWS's sensitivityParameters entry of one aggregation (GetProtectedQuery). */
    public record SensitivityParameter(Aggregation aggregationType, String aggregationExpression,
            long userContributionLimit, Optional<BigDecimal> minColumnValue, Optional<BigDecimal> maxColumnValue) {
    }

    /**
     * How many noisy statistics the query releases, each costing epsilon 1/usersNoisePerQuery: those
     * of its aggregations, and for a grouped query the user count that selects groups unless it is
     * one of them.
     */
    public int statistics() {
        int n = aggregates.stream().mapToInt(a -> a.type().statistics()).sum();
        return grouped && usersAggregate < 0 ? n + 1 : n;
    }

    public List<SensitivityParameter> sensitivityParameters() {
        return aggregates.stream().map(a -> new SensitivityParameter(a.type(), a.expression(), contributionLimit,
                a.min(), a.max())).toList();
    }
}
