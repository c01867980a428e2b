package io.cleanroom.bench;

import java.util.Arrays;

/** Summaries of measured times shared by the benchmarks. */
final class Stats {
    private Stats() {
    }

    /** The middle value (the upper one of an even count). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
