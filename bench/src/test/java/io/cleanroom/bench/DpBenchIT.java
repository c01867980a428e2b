package io.cleanroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The differential privacy benchmark, run small as CI runs it: both queries with and without
 * differential privacy, the cached answer and the accounting all run, and every figure is measured.
 * It times nothing: the figures are for the README, measured by hand.
 */
class DpBenchIT {
    @Test
    void measuresBothQueriesTheCacheAndTheAccounting() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<DpBench.Result> results = DpBench.run(List.of(20_000L), 1, 20,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(results).extracting(DpBench.Result::query).containsExactly("COUNT DISTINCT", "SUM");
        for (DpBench.Result r : results) {
            assertThat(r.plainMillis()).isPositive();
            assertThat(r.privateMillis()).isPositive();
            assertThat(r.cachedMillis()).isPositive();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("with DP").contains("from the cache")
                .contains("budget accounting per query");
    }
}
