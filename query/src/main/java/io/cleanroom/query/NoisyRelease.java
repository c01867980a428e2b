package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.privacy.Calibration;
import io.cleanroom.privacy.ExactSampler;
import io.cleanroom.privacy.Rational;
import io.cleanroom.sql.DifferentialPrivacyPlan;
import io.cleanroom.sql.DifferentialPrivacyPlan.Aggregate;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The noisy stage of a differentially private query: it reads the exact statistics the rewritten
 * query returns, one engine row per group, adds discrete Laplace noise of scale usersNoisePerQuery ×
 * sensitivity to each statistic (exact sampler, integer arithmetic, see {@link ExactSampler}), keeps
 * a group only when its noisy number of users reaches the release threshold, and computes the
 * released values from the noisy statistics alone: counts (never below zero), sums (in units of
 * their grid), averages and standard deviations (from the noisy count, centred sum and centred sum
 * of squares, clamped to what the bounds allow). ORDER BY, OFFSET and LIMIT apply to the released
 * rows. Nothing exact leaves this class: every value it returns is computed from noisy statistics
 * or is the key of a released group.
 *
 * <p>Groups stream through: only released rows are kept, at most maxRows of them (more fails the
 * query, which is itself a function of the noisy answer).
 */
final class NoisyRelease implements ResultSink {
    private final DifferentialPrivacyPlan plan;
    private final Calibration calibration;
    private final ExactSampler sampler;
    private final long maxRows;
    private final long threshold;
    private final List<ResultSink.Column> engineColumns = new ArrayList<>();
    private final List<List<Object>> released = new ArrayList<>();
    /** The group keys of each released row, in the engine's order. */
    private final List<List<Object>> releasedKeys = new ArrayList<>();
    private boolean noiseDrawn;
    private long engineRows;

    /** Thrown when more rows are released than the server returns; its message is safe to show. */
    static final class TooManyRows extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyRows(String message) {
            super(message, null, false, false);
        }
    }

    NoisyRelease(DifferentialPrivacyPlan plan, Calibration calibration, ExactSampler sampler, long maxRows) {
        this.plan = requireNonNull(plan, "plan is null");
        this.calibration = requireNonNull(calibration, "calibration is null");
        this.sampler = requireNonNull(sampler, "sampler is null");
        this.maxRows = maxRows;
        this.threshold = plan.grouped()
                ? calibration.releaseThreshold(Calibration.PARTITION_DELTA, plan.contributionLimit()) : 0;
    }

    /** The noisy user count a group needs to be released (0 for an ungrouped query). */
    long threshold() {
        return threshold;
    }

    /** Whether any noise was drawn (from then on, what the query shows depends on its noisy answer). */
    boolean noiseDrawn() {
        return noiseDrawn;
    }

    @Override
    public void columns(List<ResultSink.Column> columns) {
        engineColumns.addAll(columns);
    }

    @Override
    public void row(List<Object> values) {
        engineRows++;
        release(values);
    }

    /** Discrete Laplace noise of scale usersNoisePerQuery × sensitivity. */
    private BigInteger noise(BigInteger sensitivity) {
        noiseDrawn = true;
        return sampler.discreteLaplace(calibration.scale(new Rational(sensitivity, BigInteger.ONE)));
    }

    private static BigInteger exact(Object value) {
        if (value == null) {
            return BigInteger.ZERO; // SUM over no rows
        }
        if (value instanceof BigInteger b) {
            return b;
        }
        if (value instanceof BigDecimal d) {
            return d.toBigIntegerExact();
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigInteger.valueOf(((Number) value).longValue());
        }
        throw new IllegalStateException("a statistic of the rewritten query is not a whole number: "
                + value.getClass().getSimpleName());
    }

    private void release(List<Object> values) {
        BigInteger[] noisyCounts = new BigInteger[plan.aggregates().size()];
        if (plan.grouped()) {
            BigInteger users;
            if (plan.usersAggregate() >= 0) {
                Aggregate shared = plan.aggregates().get(plan.usersAggregate());
                users = exact(values.get(plan.keys() + shared.count())).add(noise(shared.countSensitivity()));
                noisyCounts[plan.usersAggregate()] = users;
            } else {
                users = exact(values.get(plan.users())).add(noise(BigInteger.valueOf(plan.contributionLimit())));
            }
            if (users.compareTo(BigInteger.valueOf(threshold)) < 0) {
                return;
            }
        }
        List<Object> answers = new ArrayList<>();
        for (int a = 0; a < plan.aggregates().size(); a++) {
            answers.add(answer(plan.aggregates().get(a), values, noisyCounts[a]));
        }
        List<Object> row = new ArrayList<>();
        for (DifferentialPrivacyPlan.Output output : plan.outputs()) {
            row.add(output.key() ? values.get(output.index()) : answers.get(output.index()));
        }
        if (released.size() >= maxRows) {
            throw new TooManyRows("The query releases more than " + maxRows + " rows; narrow it (the server's limit "
                    + "is --max-result-rows)");
        }
        released.add(row);
        releasedKeys.add(new ArrayList<>(values.subList(0, plan.keys())));
    }

    private Object answer(Aggregate a, List<Object> values, BigInteger noisyCount) {
        int k = plan.keys();
        switch (a.type()) {
            case COUNT, COUNT_DISTINCT -> {
                BigInteger count = noisyCount != null ? noisyCount
                        : exact(values.get(k + a.count())).add(noise(a.countSensitivity()));
                return count.max(BigInteger.ZERO).longValueExact();
            }
            case SUM -> {
                DifferentialPrivacyPlan.Grid grid = a.grid().orElseThrow();
                BigInteger sum = exact(values.get(k + a.sum())).add(noise(a.sumSensitivity()));
                return new BigDecimal(sum).multiply(grid.step()).stripTrailingZeros();
            }
            default -> {
                DifferentialPrivacyPlan.Grid grid = a.grid().orElseThrow();
                BigInteger n = exact(values.get(k + a.count()));
                BigInteger sum = exact(values.get(k + a.sum()));
                BigInteger c = grid.centreTwice();
                // Σ(2u - low - high) = 2Σu - (low + high)·n
                BigInteger centred = sum.shiftLeft(1).subtract(c.multiply(n));
                BigInteger noisyN = n.add(noise(a.countSensitivity())).max(BigInteger.ONE);
                BigInteger noisyCentred = centred.add(noise(a.sumSensitivity()));
                double count = noisyN.doubleValue();
                double meanTwice = noisyCentred.doubleValue() / count; // mean of 2u - low - high
                // 2u - low - high lies in [-(high - low), high - low]
                double spread = grid.width().doubleValue();
                if (a.type() == io.cleanroom.privacy.Aggregation.AVG) {
                    double units = (c.doubleValue() + clamp(meanTwice, -spread, spread)) / 2;
                    return grid.step().multiply(BigDecimal.valueOf(units), MathContext.DECIMAL64).doubleValue();
                }
                // Σ(2u - c)² = 4Σu² - 4cΣu + c²n
                BigInteger squares = exact(values.get(k + a.squares()));
                BigInteger centredSquares = squares.shiftLeft(2).subtract(c.multiply(sum).shiftLeft(2))
                        .add(c.multiply(c).multiply(n));
                BigInteger noisySquares = centredSquares.add(noise(a.squaresSensitivity()));
                double varianceTwice = noisySquares.doubleValue() / count - meanTwice * meanTwice;
                double variance = Math.max(0, varianceTwice) / 4 * (count > 1 ? count / (count - 1) : 1);
                double deviation = clamp(Math.sqrt(variance), 0, grid.width().doubleValue());
                return grid.step().multiply(BigDecimal.valueOf(deviation), MathContext.DECIMAL64).doubleValue();
            }
        }
    }

    private static double clamp(double value, double low, double high) {
        return Math.max(low, Math.min(high, value));
    }

    /** The released result's columns: the engine's types for keys, and the aggregations' own. */
    List<ResultSink.Column> resultColumns() {
        List<ResultSink.Column> out = new ArrayList<>();
        for (DifferentialPrivacyPlan.Output output : plan.outputs()) {
            String type;
            if (output.key()) {
                type = output.index() < engineColumns.size() ? engineColumns.get(output.index()).type() : "VARCHAR";
            } else {
                type = switch (plan.aggregates().get(output.index()).type()) {
                    case COUNT, COUNT_DISTINCT -> "BIGINT";
                    case SUM -> "DECIMAL";
                    case AVG, STDDEV -> "DOUBLE";
                };
            }
            out.add(new ResultSink.Column(output.name(), type));
        }
        return out;
    }

    /**
     * The released rows, ordered, offset and limited as the query asks. An ungrouped query that the
     * engine answered with no row (it always answers one) is released from zero statistics.
     */
    List<List<Object>> resultRows() {
        if (!plan.grouped() && engineRows == 0) {
            int columns = plan.keys();
            for (Aggregate a : plan.aggregates()) {
                columns = Math.max(columns, plan.keys() + 1 + Math.max(a.count(), Math.max(a.sum(), a.squares())));
            }
            List<Object> zeros = new ArrayList<>();
            for (int i = 0; i < columns; i++) {
                zeros.add(null);
            }
            release(zeros);
        }
        List<List<Object>> rows = new ArrayList<>(released);
        // first in the order of their keys (all of them, selected or not): the order the engine
        // returns groups in (its hash tables) can depend on groups that were not released, so it must
        // not show through ties of the ORDER BY or the lack of one
        if (plan.keys() > 0) {
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                positions.add(i);
            }
            DifferentialPrivacyPlan.Order ascending = new DifferentialPrivacyPlan.Order(0, false, false);
            positions.sort((x, y) -> {
                for (int k = 0; k < plan.keys(); k++) {
                    int c = compare(releasedKeys.get(x).get(k), releasedKeys.get(y).get(k), ascending);
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            });
            List<List<Object>> sorted = new ArrayList<>();
            for (int i : positions) {
                sorted.add(rows.get(i));
            }
            rows = sorted;
        }
        if (!plan.order().isEmpty()) {
            Comparator<List<Object>> order = null;
            for (DifferentialPrivacyPlan.Order o : plan.order()) {
                Comparator<List<Object>> next = (x, y) -> compare(x.get(o.output()), y.get(o.output()), o);
                order = order == null ? next : order.thenComparing(next);
            }
            rows.sort(order);
        }
        int from = (int) Math.min(rows.size(), plan.offset());
        int to = plan.limit() < 0 ? rows.size() : (int) Math.min(rows.size(), from + plan.limit());
        return List.copyOf(rows.subList(from, to));
    }

    private static int compare(Object x, Object y, DifferentialPrivacyPlan.Order order) {
        if (x == null || y == null) {
            if (x == y) {
                return 0;
            }
            return (x == null) == order.nullsFirst() ? -1 : 1;
        }
        int c;
        if (x instanceof Number a && y instanceof Number b) {
            c = a instanceof Double || a instanceof Float || b instanceof Double || b instanceof Float
                    ? Double.compare(a.doubleValue(), b.doubleValue())
                    : new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString()));
        } else if (x instanceof Boolean a && y instanceof Boolean b) {
            c = a.compareTo(b);
        } else {
            c = String.valueOf(x).compareTo(String.valueOf(y));
        }
        return order.descending() ? -c : c;
    }
}
