package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A short fuzz run ({@link Fuzzer}) against a server in its own JVM with a small heap, on each
 * store: every operation is driven with random and malformed input, and no input may get a 5xx, a
 * stack trace, an error outside AWS's shape, an error in the server's log, or take the server down.
 * The long run is a program (README, "Fuzzing").
 */
class FuzzIT {
    private static final int INPUTS = Integer.getInteger("cleanroom.fuzz.inputs", 1200);

    @Test
    void noInputMakesTheSqliteServerFallOver() throws Exception {
        Fuzzer.Report report = Fuzzer.run(1, INPUTS, 4, 192, null, System.out);
        assertThat(report.inputs.get()).isEqualTo(INPUTS);
        assertThat(report.oversizedRefused.get()).isPositive();
        assertThat(report.findings).isEmpty();
    }

    @Test
    void noInputMakesThePostgresServerFallOver() throws Exception {
        Fuzzer.Report report = Fuzzer.run(2, INPUTS, 4, 192, TestCluster.postgresUrl(), System.out);
        assertThat(report.inputs.get()).isEqualTo(INPUTS);
        assertThat(report.oversizedRefused.get()).isPositive();
        assertThat(report.findings).isEmpty();
    }
}
