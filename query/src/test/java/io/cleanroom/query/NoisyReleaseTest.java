package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.privacy.Aggregation;
import io.cleanroom.privacy.Calibration;
import io.cleanroom.privacy.ExactSampler;
import io.cleanroom.privacy.SeededBits;
import io.cleanroom.sql.DifferentialPrivacyPlan;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the noisy stage releases depends on the noisy statistics alone, not on how the engine answered. */
class NoisyReleaseTest {
    /** SELECT city, COUNT(*) FROM t GROUP BY city, age [ORDER BY count]: keys city, age; statistics count, users. */
    private static DifferentialPrivacyPlan plan(List<DifferentialPrivacyPlan.Order> order) {
        DifferentialPrivacyPlan.Aggregate count = new DifferentialPrivacyPlan.Aggregate(Aggregation.COUNT, "COUNT(*)",
                0, -1, -1, Optional.empty(), BigInteger.ONE, BigInteger.ZERO, BigInteger.ZERO, Optional.empty(),
                Optional.empty());
        return new DifferentialPrivacyPlan(2, true, 1, List.of(count), 3, -1, List.of(
                new DifferentialPrivacyPlan.Output("city", true, 0),
                new DifferentialPrivacyPlan.Output("count", false, 0)), order, 0, -1, "test");
    }

    private static List<List<Object>> release(DifferentialPrivacyPlan plan, List<List<Object>> engineRows) {
        NoisyRelease release = new NoisyRelease(plan, new Calibration(10, 10), new ExactSampler(new SeededBits(5)),
                1000);
        engineRows.forEach(release::row);
        return release.resultRows();
    }

    /**
     * Attack pass 2: the engine returns groups in the order of its hash tables, which groups that
     * were not released (one user's) can change; released in that order (without an ORDER BY, or
     * among ties of one), the order told of them. The released rows are ordered by their keys first.
     */
    @Test
    void theReleasedOrderDoesNotDependOnTheEnginesOrder() {
        List<List<Object>> engine = new ArrayList<>();
        for (String city : List.of("oslo", "lima", "rome", "kyiv")) {
            for (long age : List.of(30L, 20L)) {
                // a million rows and users: every group is released, each count far from the others' noise
                engine.add(List.of(city, age, 1_000_000L, 1_000_000L));
            }
        }
        List<List<Object>> reversed = new ArrayList<>(engine);
        Collections.reverse(reversed);
        List<Object> forward = release(plan(List.of()), engine).stream().map(r -> r.get(0)).toList();
        List<Object> backward = release(plan(List.of()), reversed).stream().map(r -> r.get(0)).toList();
        assertThat(forward).hasSize(8).isEqualTo(backward);
        assertThat(release(plan(List.of()), reversed).stream().map(r -> r.get(0)).toList()).containsExactly(
                "kyiv", "kyiv", "lima", "lima", "oslo", "oslo", "rome", "rome");
    }
}
