package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.Column;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.DifferentialPrivacyPlan;
import io.cleanroom.sql.TableSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the rewrite of a differentially private query computes on DuckDB, before any noise: the
 * exact statistics must hold each user to the contribution the plan's sensitivities assume. At most
 * L rows of a user count, over all groups together; which ones depends on the user's rows and the
 * query's secret only (the same query gives the same statistics however often it runs); values are
 * clamped to the declared bounds, NaN and infinities included; rows without a user count for nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DifferentialPrivacyRewriteIT {
    private final PrivateEngine engine = new PrivateEngine();

    @AfterAll
    void close() {
        engine.close();
    }

    private static final List<Column> COLUMNS = List.of(new Column("user_id", "string"), new Column("x", "double"),
            new Column("g", "string"));

    private static List<TableSpec> tables(int rowsPerUser) {
        return List.of(PrivateEngine.table("t", PrivateEngine.PUBLISHER, PrivateEngine.DP, COLUMNS,
                Map.of("cleanroom.dp.rows-per-user", String.valueOf(rowsPerUser)),
                Map.of("x", Map.of("cleanroom.dp.min", "-10", "cleanroom.dp.max", "10"))));
    }

    private static List<Object> row(String user, Double x, String g) {
        return Arrays.asList(user, x, g);
    }

    private static BigInteger whole(Object value) {
        return value instanceof BigDecimal d ? d.toBigIntegerExact() : new BigInteger(value.toString());
    }

    @Test
    void valuesAreClampedToTheDeclaredBoundsWhateverTheyAre() {
        List<TableSpec> tables = tables(1);
        CheckedQuery query = engine.check("SELECT SUM(x), AVG(x) FROM t", tables);
        DifferentialPrivacyPlan plan = query.differentialPrivacy().orElseThrow();
        DifferentialPrivacyPlan.Grid grid = plan.aggregates().get(0).grid().orElseThrow();
        assertThat(grid.step()).isEqualByComparingTo("1E-8");
        List<List<Object>> rows = List.of(row("a", Double.NaN, "p"), row("b", Double.POSITIVE_INFINITY, "p"),
                row("c", Double.NEGATIVE_INFINITY, "p"), row("d", null, "p"), row("e", 3.7, "p"),
                row("f", 25.0, "p"), row("h", -25.0, "p"), row(null, 9.0, "p"));
        List<Object> out = engine.run(query, tables, Map.of("t", rows)).rows().get(0);
        long high = 1_000_000_000L;
        // NaN and +∞ count as the maximum, -∞ as the minimum, NULL not at all, the user-less row not at all
        BigInteger sum = whole(out.get(plan.aggregates().get(0).sum()));
        assertThat(sum).isEqualTo(BigInteger.valueOf(high + high - high + 370_000_000L + high - high));
        assertThat(whole(out.get(plan.aggregates().get(1).count()))).isEqualTo(BigInteger.valueOf(6));
    }

    @Test
    void eachUserCountsAtMostLRowsOverTheWholeQueryChosenByTheRowsAndTheSecretAlone() {
        List<TableSpec> tables = tables(3);
        // one user with 10 rows spread over 5 groups; 40 users with one row in group g0
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(row("heavy", (double) i, "g" + (i % 5)));
        }
        for (int u = 0; u < 40; u++) {
            rows.add(row("u" + u, 1.0, "g0"));
        }
        CheckedQuery grouped = engine.check("SELECT g, COUNT(*), COUNT(DISTINCT user_id), SUM(x) FROM t GROUP BY g",
                tables);
        DifferentialPrivacyPlan plan = grouped.differentialPrivacy().orElseThrow();
        PrivateEngine.Output first = engine.run(grouped, tables, Map.of("t", rows));
        long heavyRows = 0;
        long heavyGroups = 0;
        for (List<Object> group : first.rows()) {
            long count = whole(group.get(plan.keys() + plan.aggregates().get(0).count())).longValueExact();
            long users = whole(group.get(plan.keys() + plan.aggregates().get(1).count())).longValueExact();
            long light = "g0".equals(group.get(0)) ? 40 : 0;
            heavyRows += count - light;
            heavyGroups += users - light;
        }
        assertThat(heavyRows).isEqualTo(3);
        assertThat(heavyGroups).isBetween(1L, 3L);

        // the same query (the same secret) on the rows in another order: the same statistics
        List<List<Object>> shuffled = new ArrayList<>(rows);
        java.util.Collections.reverse(shuffled);
        PrivateEngine.Output again = engine.run(grouped, tables, Map.of("t", shuffled));
        assertThat(sorted(again.rows())).isEqualTo(sorted(first.rows()));

        // another check draws another secret: the heavy user's three rows may differ, never their number
        Map<String, Long> sums = new HashMap<>();
        for (int i = 0; i < 8; i++) {
            CheckedQuery ungrouped = engine.check("SELECT COUNT(*), SUM(x) FROM t", tables);
            DifferentialPrivacyPlan p = ungrouped.differentialPrivacy().orElseThrow();
            List<Object> out = engine.run(ungrouped, tables, Map.of("t", rows)).rows().get(0);
            assertThat(whole(out.get(p.aggregates().get(0).count()))).isEqualTo(BigInteger.valueOf(43));
            sums.merge(whole(out.get(p.aggregates().get(1).sum())).toString(), 1L, Long::sum);
        }
        // 40 light users' 1.0 plus three of the heavy user's 0..9: more than one choice shows up
        assertThat(sums).hasSizeGreaterThan(1);
    }

    private static List<String> sorted(List<List<Object>> rows) {
        return rows.stream().map(Object::toString).sorted().toList();
    }
}
