package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.privacy.Aggregation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Query control of differentially private queries: the DP SQL shape by allow-list (each refused
 * construct named), the bounds and rows per user from the owners' catalogs, the plan's sensitivities
 * and cost, and the rewrite in both dialects (rows per user bounded over the whole query by a keyed
 * hash, values clamped, NULL users dropped, distinct users counted per group).
 */
class DifferentialPrivacyTest {
    private static final String SALT = "00112233445566778899aabbccddeeff";
    private static final Custom DP = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null,
            List.of(), "user_id", List.of(), null);
    private static final Custom PLAIN = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null,
            List.of(), null, List.of(), null);

    private static Map<String, String> bounds(String min, String max) {
        return Map.of("cleanroom.dp.min", min, "cleanroom.dp.max", max);
    }

    /**
     * members (the publisher's, DP on user_id): salary bounded [0, 1000] with 5 rows per user, bonus
     * bounded [-2.5, 2.5], age without bounds, city text. purchases (the publisher's too, DP): amount
     * bounded [0, 10^12]. visits (the advertiser's, no DP): weight bounded by its own owner [0, 2^20].
     */
    private static List<TableSpec> tables(boolean membersReady, List<String> reasons, Map<String, String> membersTable) {
        Map<String, Map<String, String>> members = Map.of(
                "salary", with(bounds("0", "1000"), "cleanroom.dp.rows-per-user", "5"),
                "bonus", bounds("-2.5", "2.5"),
                "label", bounds("0", "10"));
        List<TableSpec> out = new ArrayList<>();
        out.add(new TableSpec("members", Fixtures.PUBLISHER, Fixtures.columns("user_id", "salary:bigint",
                "bonus:double", "age:bigint", "city", "label:bigint"), Optional.of(DP), membersReady, Optional.empty(),
                reasons, new TableSpec.CatalogParameters(membersTable, members)));
        out.add(new TableSpec("purchases", Fixtures.PUBLISHER, Fixtures.columns("user_id", "amount:decimal(20,2)",
                "item"), Optional.of(DP), true, Optional.empty(), List.of(), new TableSpec.CatalogParameters(Map.of(),
                Map.of("amount", bounds("0", "1000000000000")))));
        out.add(new TableSpec("visits", Fixtures.ADVERTISER, Fixtures.columns("user_id", "page", "weight:bigint"),
                Optional.of(PLAIN), true, Optional.empty(), List.of(), new TableSpec.CatalogParameters(Map.of(),
                Map.of("weight", bounds("0", "1048576")))));
        return out;
    }

    private static Map<String, String> with(Map<String, String> map, String key, String value) {
        Map<String, String> out = new java.util.HashMap<>(map);
        out.put(key, value);
        return out;
    }

    private static List<TableSpec> tables() {
        return tables(true, List.of(), Map.of());
    }

    private static CheckedQuery check(String sql, List<TableSpec> tables, Dialect dialect) {
        return new QueryChecker(() -> SALT).check(new QueryRequest(sql, Fixtures.ADVERTISER, tables, Optional.empty(),
                List.of(Fixtures.ADVERTISER), dialect));
    }

    private static DifferentialPrivacyPlan plan(String sql) {
        return check(sql, tables(), Dialect.DUCKDB).differentialPrivacy().orElseThrow();
    }

    private static String refused(String sql) {
        return refused(sql, tables());
    }

    private static String refused(String sql, List<TableSpec> tables) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> check(sql, tables, Dialect.DUCKDB));
        assertThat(e).as(sql).isNotNull();
        assertThat(e.code()).as(sql).isEqualTo(ErrorCode.INVALID_QUERY);
        return e.getMessage();
    }

    @Test
    void countsOfRowsAndOfUsersHaveTheSensitivityTheRewriteEnforces() {
        // nobody declares rows per user on purchases: L = 1
        DifferentialPrivacyPlan count = plan("SELECT COUNT(*) FROM purchases");
        assertThat(count.contributionLimit()).isEqualTo(1);
        assertThat(count.grouped()).isFalse();
        assertThat(count.aggregates()).singleElement().satisfies(a -> {
            assertThat(a.type()).isEqualTo(Aggregation.COUNT);
            assertThat(a.countSensitivity()).isEqualTo(BigInteger.ONE);
        });
        assertThat(count.statistics()).isEqualTo(1);

        // members declares 5 rows per user on salary, 3 on the table: the least applies
        List<TableSpec> threeRows = tables(true, List.of(), Map.of("cleanroom.dp.rows-per-user", "3"));
        DifferentialPrivacyPlan users = check("SELECT COUNT(DISTINCT user_id), COUNT(city) FROM members", threeRows,
                Dialect.DUCKDB).differentialPrivacy().orElseThrow();
        assertThat(users.contributionLimit()).isEqualTo(3);
        // one user is one more distinct user of an ungrouped query, whatever L is; its rows count L
        assertThat(users.aggregates()).extracting(DifferentialPrivacyPlan.Aggregate::countSensitivity)
                .containsExactly(BigInteger.ONE, BigInteger.valueOf(3));
        assertThat(users.statistics()).isEqualTo(2);
    }

    @Test
    void aGroupedQueryBoundsTheRowsOfAUserOverAllItsGroups() {
        List<TableSpec> threeRows = tables(true, List.of(), Map.of("cleanroom.dp.rows-per-user", "3"));
        DifferentialPrivacyPlan plan = check("SELECT city, COUNT(DISTINCT user_id) AS users FROM members GROUP BY city",
                threeRows, Dialect.DUCKDB).differentialPrivacy().orElseThrow();
        // a user's 3 rows may lie in 3 groups: the vector of counts moves by up to 3
        assertThat(plan.aggregates()).singleElement().satisfies(a -> assertThat(a.countSensitivity())
                .isEqualTo(BigInteger.valueOf(3)));
        // the count of users is the one that selects the groups: released once, paid once
        assertThat(plan.usersAggregate()).isZero();
        assertThat(plan.users()).isEqualTo(plan.keys() + plan.aggregates().get(0).count());
        assertThat(plan.statistics()).isEqualTo(1);

        DifferentialPrivacyPlan rows = check("SELECT city, COUNT(*) FROM members GROUP BY city", threeRows,
                Dialect.DUCKDB).differentialPrivacy().orElseThrow();
        assertThat(rows.usersAggregate()).isEqualTo(-1);
        assertThat(rows.statistics()).isEqualTo(2); // the count, and the user count that selects groups
        assertThat(rows.outputs()).extracting(DifferentialPrivacyPlan.Output::name).containsExactly("city", "count");
    }

    @Test
    void sumsAveragesAndDeviationsAreBoundedByTheOwnersDeclarations() {
        DifferentialPrivacyPlan plan = plan("SELECT SUM(salary) AS total, AVG(salary), STDDEV(bonus), "
                + "SUM(salary) AS again FROM members");
        assertThat(plan.contributionLimit()).isEqualTo(5);
        assertThat(plan.aggregates()).hasSize(3); // SUM(salary) twice is one statistic
        DifferentialPrivacyPlan.Aggregate sum = plan.aggregates().get(0);
        assertThat(sum.grid()).hasValue(new DifferentialPrivacyPlan.Grid(BigDecimal.ONE, 0, 1000));
        assertThat(sum.sumSensitivity()).isEqualTo(BigInteger.valueOf(5 * 1000));
        DifferentialPrivacyPlan.Aggregate avg = plan.aggregates().get(1);
        assertThat(avg.countSensitivity()).isEqualTo(BigInteger.valueOf(5));
        // the centred sum Σ(2u - low - high) moves by at most L·(high - low)
        assertThat(avg.sumSensitivity()).isEqualTo(BigInteger.valueOf(5 * 1000));
        DifferentialPrivacyPlan.Aggregate stddev = plan.aggregates().get(2);
        // bonus in [-2.5, 2.5] as a double: a grid of 10^-8, so ±2.5·10^8 units
        assertThat(stddev.grid().orElseThrow().step()).isEqualByComparingTo("1E-8");
        assertThat(stddev.grid().orElseThrow().low()).isEqualTo(-250_000_000L);
        BigInteger width = BigInteger.valueOf(500_000_000L);
        assertThat(stddev.squaresSensitivity()).isEqualTo(width.pow(2).multiply(BigInteger.valueOf(5)));
        assertThat(plan.statistics()).isEqualTo(1 + 2 + 3);
        assertThat(plan.outputs()).extracting(DifferentialPrivacyPlan.Output::index).containsExactly(0, 1, 2, 0);
        assertThat(plan.sensitivityParameters()).extracting(DifferentialPrivacyPlan.SensitivityParameter::minColumnValue)
                .containsExactly(Optional.of(new BigDecimal("0")), Optional.of(new BigDecimal("0")),
                        Optional.of(new BigDecimal("-2.5")));

        // the querier's own column, bounded by its own declarations (the planted-sums attack meets these)
        DifferentialPrivacyPlan planted = plan("SELECT SUM(v.weight) FROM members m JOIN visits v "
                + "ON m.user_id = v.user_id");
        assertThat(planted.aggregates().get(0).sumSensitivity()).isEqualTo(BigInteger.valueOf(1_048_576));
    }

    @Test
    void theGridKeepsUnitsWithinTenToTheNine() {
        assertThat(DifferentialPrivacy.grid(new BigDecimal("0"), new BigDecimal("1000"), true))
                .isEqualTo(new DifferentialPrivacyPlan.Grid(BigDecimal.ONE, 0, 1000));
        DifferentialPrivacyPlan.Grid big = DifferentialPrivacy.grid(new BigDecimal("-1E12"), new BigDecimal("1E12"),
                true);
        assertThat(big.step()).isEqualByComparingTo("1000");
        assertThat(big.high()).isEqualTo(1_000_000_000L);
        DifferentialPrivacyPlan.Grid fraction = DifferentialPrivacy.grid(new BigDecimal("0.3"), new BigDecimal("0.7"),
                false);
        assertThat(fraction.step()).isEqualByComparingTo("1E-9");
        assertThat(fraction.low()).isEqualTo(300_000_000L);
        // bounds between grid points widen outwards
        DifferentialPrivacyPlan.Grid widened = DifferentialPrivacy.grid(new BigDecimal("0.5"),
                new BigDecimal("1234567890123.4"), false);
        assertThat(widened.step()).isEqualByComparingTo("10000");
        assertThat(widened.low()).isZero();
        assertThat(widened.high()).isEqualTo(123_456_790L);
        for (DifferentialPrivacyPlan.Grid g : List.of(big, fraction, widened)) {
            assertThat(g.magnitude()).isLessThanOrEqualTo(BigInteger.TEN.pow(9));
        }
    }

    @Test
    void theRewriteBoundsEachUsersRowsBeforeAggregatingOnBothEngines() {
        String sql = "SELECT v.page, COUNT(*) AS n, SUM(m.salary) AS s FROM members m JOIN visits v "
                + "ON m.user_id = v.user_id WHERE m.city = 'paris' GROUP BY v.page ORDER BY n DESC LIMIT 3";
        String duck = check(sql, tables(), Dialect.DUCKDB).sql();
        assertThat(duck)
                // the user, the group key and the argument, from the query's own FROM and WHERE
                .contains("SELECT \"m\".\"user_id\" AS \"dp_user\", \"v\".\"page\" AS \"dp_key_0\", "
                        + "\"m\".\"salary\" AS \"dp_argument_0\"")
                .contains("WHERE \"m\".\"city\" = 'paris'")
                // values clamped to the declared bounds
                .contains("CASE WHEN \"dp_rows\".\"dp_argument_0\" < CAST(0 AS BIGINT) THEN 0 WHEN "
                        + "\"dp_rows\".\"dp_argument_0\" > CAST(1000 AS BIGINT) THEN 1000")
                // rows without a user count for nothing
                .contains("WHERE \"dp_values\".\"dp_user\" IS NOT NULL")
                // each user's rows ranked by a hash keyed with the query's secret, over the whole query
                .contains("ROW_NUMBER() OVER (PARTITION BY \"dp_values\".\"dp_user\" ORDER BY HASH('" + SALT + "', "
                        + "\"dp_values\".\"dp_key_0\", \"dp_values\".\"dp_value_0\"), \"dp_values\".\"dp_key_0\"")
                .contains("WHERE \"dp_sample\".\"dp_rank\" <= CAST(5 AS BIGINT)")
                .contains("COUNT(DISTINCT \"dp_sample\".\"dp_user\")")
                .contains("GROUP BY \"dp_sample\".\"dp_key_0\"")
                // ORDER BY and LIMIT apply to the noisy answer, not in the engine
                .doesNotContain("FETCH").doesNotContain("LIMIT").doesNotContain("ORDER BY \"n\"");
        String spark = check(sql, tables(), Dialect.SPARK).sql();
        assertThat(spark)
                .contains("ROW_NUMBER() OVER (PARTITION BY `dp_values`.`dp_user` ORDER BY XXHASH64('" + SALT + "', "
                        + "`dp_values`.`dp_key_0`, `dp_values`.`dp_value_0`) NULLS LAST")
                .contains("WHERE `dp_sample`.`dp_rank` <= CAST(5 AS BIGINT)")
                .contains("COUNT(DISTINCT `dp_sample`.`dp_user`)")
                .doesNotContain("\"");
        DifferentialPrivacyPlan plan = check(sql, tables(), Dialect.SPARK).differentialPrivacy().orElseThrow();
        assertThat(plan.order()).containsExactly(new DifferentialPrivacyPlan.Order(1, true, false));
        assertThat(plan.limit()).isEqualTo(3);
    }

    @Test
    void eachCheckDrawsItsOwnSecretSalt() {
        String sql = "SELECT COUNT(*) FROM members";
        QueryRequest request = new QueryRequest(sql, Fixtures.ADVERTISER, tables(), Optional.empty(),
                List.of(Fixtures.ADVERTISER));
        CheckedQuery a = new QueryChecker().check(request);
        CheckedQuery b = new QueryChecker().check(request);
        assertThat(a.sql()).isNotEqualTo(b.sql()).doesNotContain(SALT);
        // the same query all the same: the answer cache knows it by its canonical form
        assertThat(a.differentialPrivacy().orElseThrow().canonical())
                .isEqualTo(b.differentialPrivacy().orElseThrow().canonical());
    }

    @Test
    void cteAndJoinShapesOfAwsDpSqlAreAllowed() {
        for (String sql : List.of(
                "WITH m AS (SELECT user_id, city FROM members WHERE age > 30) SELECT city, COUNT(DISTINCT user_id) "
                        + "FROM m GROUP BY city",
                "WITH t AS (SELECT user_id, COUNT(*) AS n FROM purchases GROUP BY user_id) "
                        + "SELECT COUNT(*) FROM t WHERE n > 2",
                "WITH r AS (SELECT user_id, item, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY item) AS k "
                        + "FROM purchases) SELECT item, COUNT(*) FROM r WHERE k = 1 GROUP BY item",
                "WITH u AS (SELECT user_id FROM members UNION ALL SELECT user_id FROM purchases) "
                        + "SELECT COUNT(DISTINCT user_id) FROM u",
                "SELECT p.item, AVG(m.salary) FROM members m JOIN purchases p ON m.user_id = p.user_id GROUP BY p.item",
                "SELECT v.page, COUNT(*) FROM visits v JOIN members m ON v.page = m.city GROUP BY v.page",
                "SELECT COUNT(*) FROM members m LEFT JOIN visits v ON m.user_id = v.user_id",
                "SELECT COUNT(*) FROM (SELECT user_id, city FROM members) s",
                "SELECT UPPER(city) AS c, COUNT(*) FROM members GROUP BY c",
                "SELECT city, COUNT(*) FROM members GROUP BY 1 ORDER BY 2 DESC, city LIMIT 1 OFFSET 1")) {
            assertThat(check(sql, tables(), Dialect.DUCKDB).differentialPrivacy()).as(sql).isPresent();
            assertThat(check(sql, tables(), Dialect.SPARK).differentialPrivacy()).as(sql).isPresent();
        }
        // a query of the other member's table alone is not differentially private
        assertThat(check("SELECT page, COUNT(*) FROM visits GROUP BY page", tables(), Dialect.DUCKDB)
                .differentialPrivacy()).isEmpty();
    }

    @Test
    void everythingElseIsRefusedNamingTheConstruct() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("SELECT city FROM members UNION SELECT city FROM members", "ends with one SELECT");
        cases.put("SELECT DISTINCT city, COUNT(*) FROM members GROUP BY city", "SELECT DISTINCT");
        cases.put("SELECT city, COUNT(*) FROM members GROUP BY city HAVING COUNT(*) > 5", "HAVING");
        cases.put("SELECT COUNT(*) FROM members WHERE user_id IN (SELECT user_id FROM visits)", "subquery");
        cases.put("SELECT COUNT(*) FROM members m WHERE EXISTS (SELECT 1 FROM visits v WHERE v.user_id = m.user_id)",
                "subquery");
        cases.put("SELECT (SELECT COUNT(*) FROM visits), COUNT(*) FROM members", "subquery");
        cases.put("SELECT MIN(salary) FROM members", "Aggregation MIN is not allowed");
        cases.put("SELECT SUM(DISTINCT salary) FROM members", "SUM(DISTINCT");
        cases.put("SELECT COUNT(*) FILTER (WHERE age > 3) FROM members", "FILTER");
        cases.put("SELECT COUNT(*) OVER (PARTITION BY user_id) FROM members", "Window functions");
        cases.put("SELECT COUNT(*) + 1 FROM members", "computes on aggregations");
        cases.put("SELECT city, age, COUNT(*) FROM members GROUP BY city", "");
        cases.put("SELECT city FROM members GROUP BY city", "at least one aggregation");
        cases.put("WITH c AS (SELECT city FROM members) SELECT city, COUNT(*) FROM c GROUP BY city",
                "must keep its user identifier column");
        cases.put("WITH c AS (SELECT city, COUNT(*) AS n FROM members GROUP BY city) SELECT COUNT(*) FROM c",
                "GROUP BY it when it aggregates");
        cases.put("WITH c AS (SELECT user_id, ROW_NUMBER() OVER (ORDER BY age) AS k FROM members) "
                + "SELECT COUNT(*) FROM c WHERE k < 10", "must PARTITION BY its user identifier column");
        cases.put("SELECT COUNT(*) FROM members m JOIN purchases p ON m.city = p.item",
                "only be joined with each other on their user identifier");
        cases.put("SELECT COUNT(*) FROM members m FULL JOIN visits v ON m.user_id = v.user_id", "FULL joins");
        cases.put("SELECT COUNT(*) FROM members m RIGHT JOIN visits v ON m.user_id = v.user_id",
                "may not keep the unmatched rows");
        cases.put("WITH c AS (SELECT user_id FROM members LIMIT 10) SELECT COUNT(*) FROM c", "LIMIT and OFFSET");
        cases.put("WITH u AS (SELECT user_id FROM members UNION ALL SELECT user_id FROM visits) "
                + "SELECT COUNT(*) FROM u", "set operation");
        cases.put("SELECT SUM(age) FROM members", "needs bounds");
        cases.put("SELECT SUM(salary * 2) FROM members", "takes a column of a table as it is");
        cases.put("SELECT AVG(city) FROM members", "");
        cases.put("SELECT city, COUNT(*) FROM members GROUP BY ROLLUP(city)", "ROLLUP");
        cases.put("WITH c AS (SELECT user_id FROM members) SELECT COUNT(*) FROM visits", "must read that table");
        cases.put("SELECT city, COUNT(*) FROM members GROUP BY city ORDER BY age", "");
        cases.put("SELECT COUNT(*) FROM members CROSS JOIN UNNEST(ARRAY[1, 2]) AS t(x)", "UNNEST");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertThat(refused(c.getKey())).as(c.getKey()).contains(c.getValue());
        }
    }

    @Test
    void noErrorTellsADeclaredBound() {
        Map<String, Map<String, String>> wrong = Map.of("salary", bounds("913", "77"),
                "bonus", bounds("minus seven", "77"), "label", with(bounds("0", "77"), "cleanroom.dp.rows-per-user",
                        "7777777"));
        List<TableSpec> tables = new ArrayList<>(tables());
        TableSpec members = tables.get(0);
        tables.set(0, new TableSpec(members.name(), members.owner(), members.columns(), members.rule(), true,
                Optional.empty(), List.of(), new TableSpec.CatalogParameters(Map.of(), wrong)));
        for (String sql : List.of("SELECT SUM(salary) FROM members", "SELECT AVG(bonus) FROM members",
                "SELECT SUM(label) FROM members")) {
            String message = refused(sql, tables);
            assertThat(message).as(sql).contains("its owner must correct").doesNotContain("913").doesNotContain("77")
                    .doesNotContain("seven");
        }
    }

    @Test
    void tablesWithDifferentialPrivacyOfTwoMembersOrWithThresholdsAreRefused() {
        List<TableSpec> tables = new ArrayList<>(tables());
        tables.set(2, new TableSpec("visits", Fixtures.ADVERTISER, Fixtures.columns("user_id", "page"),
                Optional.of(DP), true));
        assertThat(refused("SELECT COUNT(*) FROM members m JOIN visits v ON m.user_id = v.user_id", tables))
                .contains("may not read tables with differential privacy of two members");

        Custom thresholds = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null, List.of(),
                null, List.of(new AnalysisRulePolicy.AggregationThreshold(List.of("user_id"), 2, "COLUMNS_ONLY",
                        List.of())), null);
        List<TableSpec> withThresholds = new ArrayList<>(tables());
        withThresholds.set(2, new TableSpec("visits", Fixtures.ADVERTISER, Fixtures.columns("user_id", "page"),
                Optional.of(thresholds), true));
        assertThat(refused("SELECT COUNT(*) FROM members m JOIN visits v ON m.user_id = v.user_id", withThresholds))
                .contains("aggregation thresholds, which do not combine with differential privacy");
    }

    @Test
    void aTableThatIsNotReadyIsRefusedWithTheReasonsOfItsStatus() {
        String reason = "The table uses differential privacy, and the collaboration has no differential privacy "
                + "policy (privacy budget template) yet";
        assertThat(refused("SELECT COUNT(*) FROM members", tables(false, List.of(reason), Map.of())))
                .isEqualTo("Table members is not ready to be queried (its schema is NOT_READY: " + reason + ")");
    }

    @Test
    void explainShowsTheBoundingAndTheRefusals() {
        Explanation allowed = new QueryChecker().explain(new QueryRequest("SELECT city, COUNT(*) FROM members "
                + "GROUP BY city", Fixtures.ADVERTISER, tables(), Optional.empty(), List.of()));
        assertThat(allowed.allowed()).isTrue();
        assertThat(allowed.addedConstraints()).anySatisfy(c -> assertThat(c).contains("contributes at most 1 row"))
                .anySatisfy(c -> assertThat(c).contains("noisy number of users reaches the release threshold"));
        assertThat(allowed.decisions()).anySatisfy(d -> assertThat(d.clause()).isEqualTo("DIFFERENTIAL PRIVACY"));
        assertThat(allowed.rewrittenSql()).hasValueSatisfying(s -> assertThat(s).contains("ROW_NUMBER()"));
        // the hash the rewrite ranks rows with is query control's own: no query may call it
        assertThat(refused("SELECT HASH(city), COUNT(*) FROM members GROUP BY 1")).contains("HASH");

        Explanation refused = new QueryChecker().explain(new QueryRequest("SELECT MAX(salary) FROM members",
                Fixtures.ADVERTISER, tables(), Optional.empty(), List.of()));
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.rejection()).hasValueSatisfying(r -> assertThat(r).contains("Aggregation MAX is not "
                + "allowed in a query that reads a table with differential privacy"));
    }
}
