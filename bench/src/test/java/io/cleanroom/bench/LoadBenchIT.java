package io.cleanroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The load generator, run short as CI runs it: it starts its server, signs, replays and measures
 * both operations, over HTTP and HTTPS, with no failed call. It times nothing: the figures are for
 * the README, measured by hand.
 */
class LoadBenchIT {
    private static List<LoadBench.Result> run(String... extra) throws Exception {
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--clients", "2", "--seconds", "1",
                "--warmup", "0", "--jit-warmup", "0"), java.util.Arrays.stream(extra)).toArray(String[]::new);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<LoadBench.Result> results = LoadBench.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("GetCollaboration").contains("TagResource")
                .contains("calls/s").contains("server µs");
        return results;
    }

    private static void assertMeasured(List<LoadBench.Result> results) {
        assertThat(results).extracting(LoadBench.Result::operation)
                .containsExactly("GetCollaboration", "TagResource");
        for (LoadBench.Result r : results) {
            assertThat(r.calls()).as(r.operation()).isPositive();
            assertThat(r.errors()).as(r.operation()).isZero();
            assertThat(r.p99Millis()).as(r.operation()).isGreaterThanOrEqualTo(r.p50Millis());
            assertThat(r.serverCpuMicrosPerCall()).as("the server's CPU is read").isPositive();
            assertThat(r.generatorCpuMicrosPerCall()).as("the generator's CPU is read").isPositive();
        }
    }

    @Test
    void measuresBothOperationsWithoutAFailedCall() throws Exception {
        assertMeasured(run());
    }

    @Test
    void measuresOverHttpsToo() throws Exception {
        assertMeasured(run("--tls"));
    }
}
