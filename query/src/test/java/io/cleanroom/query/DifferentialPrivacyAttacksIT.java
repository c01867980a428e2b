package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.Column;
import io.cleanroom.privacy.Calibration;
import io.cleanroom.privacy.ExactSampler;
import io.cleanroom.privacy.SeededBits;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.TableSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two attacks that aggregation rules cannot stop, as an attacker runs them: on tables under an
 * aggregation rule (with its output constraint: at least 3 distinct users per row) they recover
 * exactly what they aim at; on the same data under differential privacy (the noisy stage with fresh
 * noise each time) the attacker's estimates are no better than the guarantee allows.
 *
 * <ul>
 *   <li>Differencing: two allowed queries whose groups differ by one known person; the difference of
 *       their sums is that person's salary.</li>
 *   <li>Planted sums: the querier gives each of 20 known users a distinct power of two in its own
 *       table; one SUM per city, joined on the user, decodes which of them live in each city.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DifferentialPrivacyAttacksIT {
    private static final Calibration POLICY = new Calibration(10, 10);
    private static final int TRIALS = 2_000;
    private static final int KNOWN = 20;

    private final PrivateEngine engine = new PrivateEngine();

    @AfterAll
    void close() {
        engine.close();
    }

    private static final List<Column> MEMBERS = List.of(new Column("user_id", "string"),
            new Column("salary", "bigint"), new Column("city", "string"), new Column("band", "string"));
    private static final List<Column> PLANTED = List.of(new Column("user_id", "string"),
            new Column("weight", "bigint"));

    /** The publisher's members under an aggregation rule: SUM of salary, COUNT DISTINCT users, by city and band. */
    private static TableSpec membersByRule() {
        AnalysisRulePolicy.Aggregation rule = new AnalysisRulePolicy.Aggregation(List.of(
                new AggregateColumn(List.of("salary"), AggregateFunction.SUM),
                new AggregateColumn(List.of("user_id"), AggregateFunction.COUNT_DISTINCT)),
                List.of("user_id"), null, List.of(), List.of("city", "band"), List.of(),
                List.of(new OutputConstraint("user_id", 3)), null);
        return PrivateEngine.table("members", PrivateEngine.PUBLISHER, rule, MEMBERS, Map.of(), Map.of());
    }

    /** The same table with differential privacy on user_id, its salary bounded in [0, 1000]. */
    private static TableSpec membersPrivately() {
        return PrivateEngine.table("members", PrivateEngine.PUBLISHER, PrivateEngine.DP, MEMBERS, Map.of(),
                Map.of("salary", Map.of("cleanroom.dp.min", "0", "cleanroom.dp.max", "1000")));
    }

    /** The querier's own table: a weight per known user, SUM allowed by its own aggregation rule. */
    private static TableSpec plantedByRule() {
        AnalysisRulePolicy.Aggregation rule = new AnalysisRulePolicy.Aggregation(List.of(
                new AggregateColumn(List.of("weight"), AggregateFunction.SUM)), List.of("user_id"), null, List.of(),
                List.of(), List.of(), List.of(new OutputConstraint("user_id", 3)), null);
        return PrivateEngine.table("planted", PrivateEngine.ADVERTISER, rule, PLANTED, Map.of(), Map.of());
    }

    /** The querier's table under a custom rule, with the bounds the querier itself declares on its weights. */
    private static TableSpec plantedPrivately() {
        return PrivateEngine.table("planted", PrivateEngine.ADVERTISER, PrivateEngine.PLAIN, PLANTED, Map.of(),
                Map.of("weight", Map.of("cleanroom.dp.min", "0", "cleanroom.dp.max", String.valueOf(1 << KNOWN))));
    }

    /**
     * 1,200 users in paris and lyon. The target is the only senior of paris; its salary is the
     * secret. Users k0..k19 are the querier's known users, spread over both cities.
     */
    private static List<List<Object>> members(long targetSalary) {
        List<List<Object>> rows = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(99);
        for (int u = 0; u < 1200; u++) {
            String id = u < KNOWN ? "k" + u : "u" + u;
            rows.add(List.of(id, (long) random.nextInt(1001), city(u), "junior"));
        }
        rows.add(List.of("target", targetSalary, "paris", "senior"));
        return rows;
    }

    private static String city(int user) {
        return (user * 7 + user / 3) % 2 == 0 ? "paris" : "lyon";
    }

    /** The querier's customers: the known users with their codes, everyone else with 0 (so groups are large). */
    private static List<List<Object>> planted() {
        List<List<Object>> rows = new ArrayList<>();
        for (int u = 0; u < 1200; u++) {
            rows.add(u < KNOWN ? List.of("k" + u, 1L << u) : List.of("u" + u, 0L));
        }
        return rows;
    }

    private static BigDecimal number(Object value) {
        return value instanceof BigDecimal d ? d : new BigDecimal(value.toString());
    }

    private static final String EVERYONE = "SELECT SUM(salary) FROM members WHERE city = 'paris'";
    private static final String BUT_THE_TARGET = "SELECT SUM(salary) FROM members WHERE city = 'paris' "
            + "AND band = 'junior'";

    @Test
    void differencingRevealsOnePersonUnderAnAggregationRuleAndNotUnderDifferentialPrivacy() {
        // under the aggregation rule: both sums cover hundreds of users, and their difference is exact
        List<TableSpec> ruled = List.of(membersByRule());
        CheckedQuery everyone = engine.check(EVERYONE, ruled);
        CheckedQuery butTheTarget = engine.check(BUT_THE_TARGET, ruled);
        for (long secret : new long[] {137, 912}) {
            Map<String, List<List<Object>>> data = Map.of("members", members(secret));
            BigDecimal estimate = number(engine.run(everyone, ruled, data).rows().get(0).get(0))
                    .subtract(number(engine.run(butTheTarget, ruled, data).rows().get(0).get(0)));
            assertThat(estimate).isEqualByComparingTo(BigDecimal.valueOf(secret));
        }

        // under differential privacy: the same two queries, released with fresh noise each time
        List<TableSpec> protectedTables = List.of(membersPrivately());
        CheckedQuery noisyEveryone = engine.check(EVERYONE, protectedTables);
        CheckedQuery noisyButTheTarget = engine.check(BUT_THE_TARGET, protectedTables);
        ExactSampler sampler = new ExactSampler(new SeededBits(2026));
        // the attacker tells a low secret (137) from a high one (912) by its estimate
        long right = 0;
        double absoluteError = 0;
        for (long secret : new long[] {137, 912}) {
            Map<String, List<List<Object>>> data = Map.of("members", members(secret));
            PrivateEngine.Output a = engine.run(noisyEveryone, protectedTables, data);
            PrivateEngine.Output b = engine.run(noisyButTheTarget, protectedTables, data);
            for (int i = 0; i < TRIALS; i++) {
                BigDecimal estimate = number(PrivateEngine.release(noisyEveryone, a, POLICY, sampler).rows().get(0)
                        .get(0)).subtract(number(PrivateEngine.release(noisyButTheTarget, b, POLICY, sampler).rows()
                        .get(0).get(0)));
                absoluteError += estimate.subtract(BigDecimal.valueOf(secret)).abs().doubleValue();
                right += (estimate.doubleValue() > 524.5) == (secret > 524.5) ? 1 : 0;
            }
        }
        // each sum has noise of scale 10 × 1000: the estimate is off by thousands on average
        assertThat(absoluteError / (2 * TRIALS)).isGreaterThan(5_000);
        // two releases of epsilon 0.1 each: no test tells the two secrets apart more than
        // e^0.2 / (1 + e^0.2) = 55% of the time; the attacker's rate stays under it
        double bound = Math.exp(0.2) / (1 + Math.exp(0.2));
        assertThat(right / (2.0 * TRIALS)).isLessThan(bound);
    }

    @Test
    void plantedSumsDecodeEveryKnownUserUnderAnAggregationRuleAndNothingUnderDifferentialPrivacy() {
        String sql = "SELECT m.city, SUM(p.weight) AS code FROM members m JOIN planted p ON m.user_id = p.user_id "
                + "GROUP BY m.city";
        Map<String, List<List<Object>>> data = Map.of("members", members(500), "planted", planted());

        List<TableSpec> ruled = List.of(membersByRule(), plantedByRule());
        PrivateEngine.Output exact = engine.run(engine.check(sql, ruled), ruled, data);
        assertThat(decodedRightly(exact.rows())).isEqualTo(1.0);

        List<TableSpec> protectedTables = List.of(membersPrivately(), plantedPrivately());
        CheckedQuery query = engine.check(sql, protectedTables);
        ExactSampler sampler = new ExactSampler(new SeededBits(314));
        double right = 0;
        int released = 0;
        PrivateEngine.Output bounded = engine.run(query, protectedTables, data);
        // every group has the known users' weights in it: the sums the noise hides are the planted codes
        assertThat(decodedRightly(bounded.rows().stream().map(r -> List.<Object>of(r.get(0), r.get(1))).toList()))
                .isEqualTo(1.0);
        for (int i = 0; i < TRIALS; i++) {
            PrivateEngine.Output noisy = PrivateEngine.release(query, bounded, POLICY, sampler);
            if (!noisy.rows().isEmpty()) {
                released++;
                right += decodedRightly(noisy.rows());
            }
        }
        assertThat(released).isGreaterThan(TRIALS * 9 / 10);
        // a sum's noise has scale 10 × 2^20: its bits are coin flips, so is the decoding
        assertThat(right / released).isLessThan(0.6);
    }

    /**
     * The attacker's decoding: for each city released, bit i of its sum says known user i lives
     * there. The share of (known user, released city) pairs it decides rightly.
     */
    private static double decodedRightly(List<List<Object>> rows) {
        Map<String, BigInteger> codes = new HashMap<>();
        for (List<Object> row : rows) {
            BigInteger code = number(row.get(1)).setScale(0, java.math.RoundingMode.HALF_EVEN).toBigInteger();
            BigInteger limit = BigInteger.ONE.shiftLeft(KNOWN).subtract(BigInteger.ONE);
            codes.put((String) row.get(0), code.max(BigInteger.ZERO).min(limit));
        }
        int right = 0;
        int decided = 0;
        for (Map.Entry<String, BigInteger> city : codes.entrySet()) {
            for (int i = 0; i < KNOWN; i++) {
                decided++;
                right += city.getValue().testBit(i) == city(i).equals(city.getKey()) ? 1 : 0;
            }
        }
        return decided == 0 ? 0 : (double) right / decided;
    }
}
