package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.Column;
import io.cleanroom.privacy.Calibration;
import io.cleanroom.privacy.ExactSampler;
import io.cleanroom.privacy.PrivacyAudit;
import io.cleanroom.privacy.SeededBits;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.TableSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An empirical privacy audit of differentially private queries as they run: query control's
 * rewrite on DuckDB, then the noisy stage, with fresh noise for every release and no budget or
 * answer cache. Two neighbouring datasets differ by one user who contributes as much as anyone can
 * (more rows than the contribution limit, values far above the declared maximum). Each query is
 * released TRIALS times on each, a fixed test guesses which dataset produced each output, and the
 * method of Jagielski, Ullman and Oprea (NeurIPS 2020; {@link PrivacyAudit}) bounds the privacy
 * loss from below with Clopper–Pearson intervals at 99.9% confidence. The bound must not pass the
 * configured epsilon of one statistic (1/usersNoisePerQuery), and comes close to it: the audit has
 * the power to see a mechanism whose noise is too small for the contribution it lets through. A
 * group of the added user alone is never released (its chance is at most the documented delta).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DifferentialPrivacyAuditIT {
    private static final int TRIALS = 100_000;
    private static final double CONFIDENCE = 0.999;
    private static final Calibration POLICY = new Calibration(10, 10);
    private static final double EPSILON = POLICY.epsilonPerStatistic().toDouble();
    /** The contribution limit the owner declares: each user's rows count at most three times. */
    private static final int L = 3;
    private static final long MAX = 1000;

    private final PrivateEngine engine = new PrivateEngine();

    private static final List<TableSpec> TABLES = List.of(PrivateEngine.table("members", PrivateEngine.PUBLISHER,
            PrivateEngine.DP, List.of(new Column("user_id", "string"), new Column("salary", "bigint"),
                    new Column("city", "string")),
            Map.of("cleanroom.dp.rows-per-user", String.valueOf(L)),
            Map.of("salary", Map.of("cleanroom.dp.min", "0", "cleanroom.dp.max", String.valueOf(MAX)))));

    @AfterAll
    void close() {
        engine.close();
    }

    /** 3,000 users with one to three rows each (within the limit), 2,000 in city a and 1,000 in b. */
    private static List<List<Object>> dataset() {
        SplittableRandom random = new SplittableRandom(20260101);
        List<List<Object>> rows = new ArrayList<>();
        for (int u = 0; u < 3000; u++) {
            int n = 1 + random.nextInt(L);
            for (int r = 0; r < n; r++) {
                rows.add(List.of("u" + u, (long) random.nextInt((int) MAX + 1), u < 2000 ? "a" : "b"));
            }
        }
        return rows;
    }

    /** The dataset and one user more, with fifty rows of a salary a thousand times the maximum. */
    private static List<List<Object>> withOneMore(String city) {
        List<List<Object>> rows = new ArrayList<>(dataset());
        for (int r = 0; r < 50; r++) {
            rows.add(List.of("intruder", 1_000_000L, city));
        }
        return rows;
    }

    private PrivateEngine.Output exact(CheckedQuery query, List<List<Object>> rows) {
        return engine.run(query, TABLES, Map.of("members", rows));
    }

    private static double audit(long falsePositives, long falseNegatives) {
        return PrivacyAudit.epsilonLowerBound(falsePositives, falseNegatives, TRIALS, 0, CONFIDENCE);
    }

    private static long number(Object value) {
        return value instanceof BigDecimal d ? d.longValueExact() : ((Number) value).longValue();
    }

    @Test
    void aCountAndASumLoseNoMoreThanTheirEpsilon() {
        CheckedQuery query = engine.check("SELECT COUNT(*) AS n, SUM(salary) AS total FROM members", TABLES);
        PrivateEngine.Output without = exact(query, dataset());
        PrivateEngine.Output with = exact(query, withOneMore("a"));
        // the rewrite lets the added user count L rows of at most MAX, and no more
        long count = number(without.rows().get(0).get(0));
        long sum = number(without.rows().get(0).get(1));
        assertThat(number(with.rows().get(0).get(0))).isEqualTo(count + L);
        assertThat(number(with.rows().get(0).get(1))).isEqualTo(sum + L * MAX);

        ExactSampler sampler = new ExactSampler(new SeededBits(7));
        long[] countErrors = new long[2];
        long[] sumErrors = new long[2];
        for (int i = 0; i < TRIALS; i++) {
            List<Object> a = PrivateEngine.release(query, without, POLICY, sampler).rows().get(0);
            List<Object> b = PrivateEngine.release(query, with, POLICY, sampler).rows().get(0);
            // guess "the added user is there" when the answer exceeds the exact answer without it
            countErrors[0] += number(a.get(0)) > count ? 1 : 0;
            countErrors[1] += number(b.get(0)) > count ? 0 : 1;
            sumErrors[0] += number(a.get(1)) > sum ? 1 : 0;
            sumErrors[1] += number(b.get(1)) > sum ? 0 : 1;
        }
        double countLoss = audit(countErrors[0], countErrors[1]);
        double sumLoss = audit(sumErrors[0], sumErrors[1]);
        assertThat(countLoss).isLessThanOrEqualTo(EPSILON).isGreaterThan(0.6 * EPSILON);
        assertThat(sumLoss).isLessThanOrEqualTo(EPSILON).isGreaterThan(0.6 * EPSILON);
    }

    @Test
    void aGroupedCountLosesNoMoreThanItsEpsilonAndAGroupOfOneUserNeverAppears() {
        CheckedQuery query = engine.check("SELECT city, COUNT(*) AS n FROM members GROUP BY city", TABLES);
        PrivateEngine.Output without = exact(query, dataset());
        PrivateEngine.Output with = exact(query, withOneMore("a"));
        long count = countOf(without, "a");
        assertThat(countOf(with, "a")).isEqualTo(count + L);

        ExactSampler sampler = new ExactSampler(new SeededBits(11));
        long falsePositives = 0;
        long falseNegatives = 0;
        for (int i = 0; i < TRIALS; i++) {
            PrivateEngine.Output a = PrivateEngine.release(query, without, POLICY, sampler);
            PrivateEngine.Output b = PrivateEngine.release(query, with, POLICY, sampler);
            falsePositives += countOf(a, "a") > count ? 1 : 0;
            falseNegatives += countOf(b, "a") > count ? 0 : 1;
        }
        assertThat(audit(falsePositives, falseNegatives)).isLessThanOrEqualTo(EPSILON).isGreaterThan(0.6 * EPSILON);

        // a user alone in a city of its own: the engine returns the group, the release never shows it
        PrivateEngine.Output alone = exact(query, withOneMore("nowhere"));
        assertThat(alone.rows()).extracting(r -> r.get(0)).contains("nowhere");
        long shown = 0;
        for (int i = 0; i < TRIALS / 5; i++) {
            PrivateEngine.Output released = PrivateEngine.release(query, alone, POLICY, sampler);
            shown += released.rows().stream().filter(r -> "nowhere".equals(r.get(0))).count();
            assertThat(released.rows()).extracting(r -> r.get(0)).contains("a", "b");
        }
        assertThat(shown).isZero();
    }

    private static long countOf(PrivateEngine.Output output, String city) {
        return output.rows().stream().filter(r -> city.equals(r.get(0))).mapToLong(r -> number(r.get(1)))
                .findFirst().orElseThrow(() -> new AssertionError("no group " + city));
    }
}
