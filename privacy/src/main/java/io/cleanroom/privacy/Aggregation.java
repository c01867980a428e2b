package io.cleanroom.privacy;

/**
 * The aggregations a differentially private query may release (AWS's aggregationType), with the
 * number of noisy statistics each releases per group: AVG is a noisy sum over a noisy count, and
 * STDDEV a noisy count, sum and sum of squares.
 */
public enum Aggregation {
    COUNT(1),
    COUNT_DISTINCT(1),
    SUM(1),
    AVG(2),
    STDDEV(3);

    private final int statistics;

    Aggregation(int statistics) {
        this.statistics = statistics;
    }

    /** How many noisy statistics one use of this aggregation releases. */
    public int statistics() {
        return statistics;
    }
}
