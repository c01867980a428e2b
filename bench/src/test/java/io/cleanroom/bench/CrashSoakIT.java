package io.cleanroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash soak ({@link CrashSoak}), short: the packaged server under mixed load from three
 * accounts, SIGKILLed five times at random moments. Nothing acknowledged is lost, nothing refused
 * is applied, nothing cut off is half-applied, the audit trail verifies, no query is stuck and no
 * orphan result remains. The long soak is a program (README, "Benchmarks").
 */
class CrashSoakIT {
    @TempDir
    Path dir;

    @Test
    void killingTheServerLosesNothing() throws Exception {
        Path jar = Path.of("..", "app", "target", "cleanroom.jar").toAbsolutePath().normalize();
        assertThat(jar).exists();
        long seed = Long.getLong("cleanroom.soak.seed", System.nanoTime());
        CrashSoak.Report report = CrashSoak.run(new CrashSoak.Settings(jar, dir, 5, seed, 1500, 4000, 3),
                System.out);
        assertThat(report.kills).isEqualTo(5);
        assertThat(report.acknowledged.get()).isPositive();
        assertThat(report.queries.get()).isPositive();
        assertThat(report.violations).as("seed " + seed).isEmpty();
    }
}
