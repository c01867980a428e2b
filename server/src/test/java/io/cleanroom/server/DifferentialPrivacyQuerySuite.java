package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.service.PrivacyBudgetLedger;
import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.privacy.Rational;
import io.cleanroom.query.ProtectedQueries;
import io.cleanroom.server.wire.Json;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicyV1;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyAggregationType;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyColumn;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyPrivacyBudgetAggregation;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacySensitivityParameters;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateAutoRefresh;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetType;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;

/**
 * Differentially private queries end to end through the AWS SDK for Java, on DuckDB: noisy
 * answers with AWS's sensitivityParameters, the budget they spend, the answer given again without
 * spending for the same query on the same data, exhaustion saying when the budget refreshes, the
 * budget given back by queries that fail or are cancelled before any result exists and by the
 * reservations a stopped server left, no overspend when queries race, and ExplainProtectedQuery on
 * a refusal. Each store runs it (SqliteDifferentialPrivacyQueryIT, PostgresDifferentialPrivacyQueryIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DifferentialPrivacyQuerySuite {
    TestCluster cluster;

    abstract TestCluster.StoreKind kind();

    @BeforeAll
    void startCluster() throws Exception {
        // room for the queries the race below leaves running at once
        cluster = TestCluster.start(kind(), c -> c.withQuotas(Quotas.DEFAULTS
                .with(Quota.CONCURRENT_QUERIES_PER_ACCOUNT, 100).with(Quota.CONCURRENT_QUERIES_PER_MEMBERSHIP, 100)));
    }

    @AfterAll
    void stopCluster() {
        cluster.close();
    }

    static final int USERS = 1000;

    /** 1000 users: salary (i · 37) mod 1001, half of them in paris and half in lyon; seed varies the salaries. */
    static List<String> members(int seed) {
        List<String> lines = new ArrayList<>(List.of("user_id,salary,city"));
        for (int i = 0; i < USERS; i++) {
            lines.add("u" + i + "," + ((i * 37L + seed) % 1001) + "," + (i % 2 == 0 ? "paris" : "lyon"));
        }
        return lines;
    }

    static double exactAverage(int seed, String city) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < USERS; i++) {
            if ((i % 2 == 0 ? "paris" : "lyon").equals(city)) {
                sum += (i * 37L + seed) % 1001;
                n++;
            }
        }
        return sum / n;
    }

    /**
     * The publisher's members table with differential privacy on user_id (salary bounded [0, 1000] in
     * its catalog), and the advertiser, who can query and receive results, with a visits table of
     * its own; the policy epsilon and noise.
     */
    final class Setup {
        final TestCluster.Keys publisher = Fixtures.account(cluster, "publisher");
        final TestCluster.Keys advertiser = Fixtures.account(cluster, "advertiser");
        final CleanRoomsClient pub = cluster.cleanRooms(publisher);
        final CleanRoomsClient adv = cluster.cleanRooms(advertiser);
        final String collaborationId;
        final String publisherMembership;
        final String advertiserMembership;

        Setup(int epsilon, PrivacyBudgetTemplateAutoRefresh refresh) throws Exception {
            catalog(cluster, publisher, "members", members(0), List.of(column("user_id", "string", Map.of()),
                    column("salary", "bigint", Map.of("cleanroom.dp.min", "0", "cleanroom.dp.max", "1000")),
                    column("city", "string", Map.of())));
            List<String> visits = new ArrayList<>(List.of("user_id,page"));
            for (int i = 0; i < USERS; i += 2) {
                visits.add("u" + i + "," + (i % 4 == 0 ? "home" : "cart"));
            }
            catalog(cluster, advertiser, "visits", visits, List.of(column("user_id", "string", Map.of()),
                    column("page", "string", Map.of())));
            collaborationId = Fixtures.createCollaboration(pub, "dp queries", advertiser);
            publisherMembership = Fixtures.join(pub, collaborationId);
            advertiserMembership = Fixtures.join(adv, collaborationId);
            String members = Fixtures.configuredTable(pub, "members", "lab", "members", "user_id", "salary", "city");
            pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(members)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(custom(advertiser.accountId(), "user_id")));
            Fixtures.associate(pub, publisherMembership, members, "members");
            String visitsTable = Fixtures.configuredTable(adv, "visits", "lab", "visits", "user_id", "page");
            adv.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(visitsTable)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(custom(advertiser.accountId(), null)));
            Fixtures.associate(adv, advertiserMembership, visitsTable, "visits");
            pub.createPrivacyBudgetTemplate(r -> r.membershipIdentifier(publisherMembership)
                    .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).autoRefresh(refresh)
                    .parameters(PrivacyBudgetSuite.parameters(epsilon, 10)));
        }

        String start(String sql) {
            return adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(sql))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                            advertiser.accountId()))))).protectedQuery().id();
        }

        ProtectedQuery get(String id) {
            return adv.getProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .protectedQueryIdentifier(id)).protectedQuery();
        }

        ProtectedQuery await(String id) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (true) {
                ProtectedQuery q = get(id);
                if (q.status() == ProtectedQueryStatus.SUCCESS || q.status() == ProtectedQueryStatus.FAILED
                        || q.status() == ProtectedQueryStatus.CANCELLED || q.status() == ProtectedQueryStatus.TIMED_OUT
                        || System.nanoTime() > deadline) {
                    return q;
                }
                Thread.sleep(25);
            }
        }

        ProtectedQuery run(String sql) throws InterruptedException {
            return await(start(sql));
        }

        /** The result's rows, as JSON. */
        List<JsonNode> rows(ProtectedQuery q) throws Exception {
            assertThat(q.status()).as(String.valueOf(q.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
            SignedHttpClient.Response result = new SignedHttpClient(cluster.endpoint(), advertiser.accessKeyId(),
                    advertiser.secretAccessKey(), "us-east-1", Clock.systemUTC()).send("GET", "/memberships/"
                            + advertiserMembership + "/protectedQueries/" + q.id() + "/result", Map.of(), Map.of(),
                            null, "cleanrooms");
            assertThat(result.status()).as(result.body()).isEqualTo(200);
            List<JsonNode> rows = new ArrayList<>();
            Json.MAPPER.readTree(result.body()).get("rows").forEach(rows::add);
            return rows;
        }

        /** How many uses of each aggregation alone the rest of the budget allows. */
        Map<String, Integer> remaining() {
            Map<String, Integer> out = new java.util.TreeMap<>();
            for (DifferentialPrivacyPrivacyBudgetAggregation a : adv.listPrivacyBudgets(r -> r
                    .membershipIdentifier(advertiserMembership).privacyBudgetType(PrivacyBudgetType
                            .DIFFERENTIAL_PRIVACY)).privacyBudgetSummaries().get(0).budget().differentialPrivacy()
                    .aggregations()) {
                out.put(a.typeAsString(), a.remainingCount());
            }
            return out;
        }

        PrivacyBudgetLedger.Balance balance() {
            return new PrivacyBudgetLedger(new io.cleanroom.core.service.ServiceContext(cluster.server.store(),
                    Clock.systemUTC(), new io.cleanroom.core.model.Arns("us-east-1"), Quotas.DEFAULTS,
                    io.cleanroom.core.service.PageTokens.random())).balance(new CollaborationId(collaborationId))
                    .orElseThrow();
        }
    }

    /** A Glue table of the owner's, over a CSV file of the lines, with typed columns and their Parameters. */
    static void catalog(TestCluster cluster, TestCluster.Keys owner, String table, List<String> lines,
            List<Column> columns) throws Exception {
        java.nio.file.Path file = cluster.csv(owner, table + ".csv", lines);
        try (GlueClient glue = cluster.glue(owner)) {
            try {
                glue.createDatabase(r -> r.databaseInput(d -> d.name("lab")));
            } catch (software.amazon.awssdk.services.glue.model.AlreadyExistsException ignored) {
                // shared database
            }
            glue.createTable(r -> r.databaseName("lab").tableInput(t -> t.name(table)
                    .parameters(Map.of("classification", "csv"))
                    .storageDescriptor(sd -> sd.location(file.toString()).columns(columns))));
        }
    }

    static Column column(String name, String type, Map<String, String> parameters) {
        return Column.builder().name(name).type(type).parameters(parameters).build();
    }

    static ConfiguredTableAnalysisRulePolicy custom(String providerAccount, String dpColumn) {
        AnalysisRuleCustom.Builder rule = AnalysisRuleCustom.builder().allowedAnalyses("ANY_QUERY")
                .allowedAnalysisProviders(providerAccount);
        if (dpColumn != null) {
            rule.differentialPrivacy(DifferentialPrivacyConfiguration.builder()
                    .columns(DifferentialPrivacyColumn.builder().name(dpColumn).build()).build());
        }
        return ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1.fromCustom(rule.build()));
    }

    static final String BY_CITY = "SELECT city, COUNT(DISTINCT user_id) AS users, AVG(salary) AS average "
            + "FROM members GROUP BY city ORDER BY city";

    @Test
    void aNoisyAnswerWithItsSensitivityParametersAndTheBudgetItSpent() throws Exception {
        Setup s = new Setup(1, PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH);
        assertThat(s.remaining()).containsEntry("COUNT", 10).containsEntry("AVG", 5);
        ProtectedQuery q = s.run(BY_CITY);
        List<JsonNode> rows = s.rows(q);
        assertThat(rows).extracting(r -> r.get(0).asText()).containsExactly("lyon", "paris");
        for (JsonNode row : rows) {
            // 500 users each; noise of scale 10 on the count, 10 × 1000 on the centred sum of 500 salaries
            assertThat(row.get(1).asLong()).isBetween(300L, 700L);
            double exact = exactAverage(0, row.get(0).asText());
            assertThat(row.get(2).asDouble()).isBetween(exact - 250, exact + 250).isNotEqualTo(exact);
        }
        assertThat(q.differentialPrivacy().sensitivityParameters()).extracting(
                DifferentialPrivacySensitivityParameters::aggregationType,
                DifferentialPrivacySensitivityParameters::aggregationExpression,
                DifferentialPrivacySensitivityParameters::userContributionLimit,
                DifferentialPrivacySensitivityParameters::minColumnValue,
                DifferentialPrivacySensitivityParameters::maxColumnValue).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(DifferentialPrivacyAggregationType.COUNT_DISTINCT,
                                "COUNT(DISTINCT members.user_id)", 1, null, null),
                        org.assertj.core.groups.Tuple.tuple(DifferentialPrivacyAggregationType.AVG,
                                "AVG(members.salary)", 1, 0f, 1000f));
        // COUNT(DISTINCT user_id), which also chooses the groups, and AVG's count and sum: 3 × 1/10
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(3, 10));
        assertThat(s.remaining()).containsEntry("COUNT", 7).containsEntry("AVG", 3).containsEntry("STDDEV", 2);
        // a plain table of the collaboration is queried as before, and spends nothing
        List<JsonNode> pages = s.rows(s.run("SELECT page, COUNT(*) AS n FROM visits GROUP BY page ORDER BY page"));
        assertThat(pages).extracting(JsonNode::toString).containsExactly("[\"cart\",250]", "[\"home\",250]");
        assertThat(s.get(q.id()).differentialPrivacy()).isNotNull();
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(3, 10));
    }

    @Test
    void theSameQueryOnTheSameDataIsAnsweredAgainWithoutSpending() throws Exception {
        Setup s = new Setup(1, PrivacyBudgetTemplateAutoRefresh.NONE);
        List<JsonNode> first = s.rows(s.run(BY_CITY));
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(3, 10));
        // the same query, written otherwise: the checked, normalised query is the same
        ProtectedQuery again = s.run("select CITY, count(distinct USER_ID) as users, avg(SALARY) as average\n"
                + "from MEMBERS group by CITY order by CITY");
        assertThat(s.rows(again)).isEqualTo(first);
        assertThat(again.differentialPrivacy().sensitivityParameters()).hasSize(2);
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(3, 10));

        // the owner rewrites its data: another file content, another answer, spent again
        cluster.csv(s.publisher, "members.csv", members(5));
        List<JsonNode> changed = s.rows(s.run(BY_CITY));
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(6, 10));
        assertThat(changed).isNotEqualTo(first);
        double exact = exactAverage(5, "lyon");
        assertThat(changed.get(0).get(2).asDouble()).isBetween(exact - 250, exact + 250);
        // and that answer in turn is given again
        assertThat(s.rows(s.run(BY_CITY))).isEqualTo(changed);
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(6, 10));
    }

    @Test
    void aSpentBudgetRefusesQueriesSayingWhenItRefreshes() throws Exception {
        Setup s = new Setup(1, PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH);
        for (int k = 0; k < 10; k++) {
            int threshold = k * 50;
            assertThat(s.run("SELECT COUNT(*) FROM members WHERE salary > " + threshold).status())
                    .isEqualTo(ProtectedQueryStatus.SUCCESS);
        }
        assertThat(s.remaining()).containsEntry("COUNT", 0).containsEntry("SUM", 0);
        ValidationException spent = catchThrowableOfType(ValidationException.class,
                () -> s.start("SELECT COUNT(*) FROM members WHERE salary > 999"));
        assertThat(spent.reasonAsString()).isEqualTo("INVALID_QUERY");
        Instant next = YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        assertThat(spent.getMessage()).contains("privacy budget is spent", "costs epsilon 1/10",
                "It refreshes at " + next);
        // a query already answered is answered again, spending nothing
        assertThat(s.run("SELECT COUNT(*) FROM members WHERE salary > 0").status())
                .isEqualTo(ProtectedQueryStatus.SUCCESS);

        Setup never = new Setup(1, PrivacyBudgetTemplateAutoRefresh.NONE);
        for (int k = 0; k < 3; k++) {
            never.run("SELECT STDDEV(salary) FROM members WHERE salary > " + k);
        }
        ValidationException over = catchThrowableOfType(ValidationException.class,
                () -> never.start("SELECT AVG(salary) FROM members"));
        assertThat(over.getMessage()).contains("privacy budget is spent", "It does not refresh");
    }

    @Test
    void queriesThatFailOrAreCancelledBeforeAnyResultGiveTheBudgetBack() throws Exception {
        Setup s = new Setup(1, PrivacyBudgetTemplateAutoRefresh.NONE);
        ProtectedQueries queries = cluster.server.queries();
        // the data disappears while the query waits for its worker: it fails, and what it held returns
        ProtectedQuery failed = held(s, queries, "SELECT COUNT(*) FROM members", () -> {
            assertThat(s.balance().budget().reserved()).isEqualTo(Rational.of(1, 10));
            Files.delete(cluster.csv(s.publisher, "members.csv", members(0)));
        });
        assertThat(failed.status()).isEqualTo(ProtectedQueryStatus.FAILED);
        assertThat(failed.error().code()).isEqualTo("INVALID_CONFIGURATION");
        assertThat(s.balance().budget().reserved()).isEqualTo(Rational.ZERO);
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.ZERO);
        cluster.csv(s.publisher, "members.csv", members(0));

        // cancelled before it started
        String[] id = new String[1];
        ProtectedQuery cancelled = held(s, queries, "SELECT SUM(salary) FROM members", () -> {
            id[0] = s.adv.listProtectedQueries(r -> r.membershipIdentifier(s.advertiserMembership))
                    .protectedQueries().get(0).id();
            s.adv.updateProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                    .protectedQueryIdentifier(id[0]).targetStatus("CANCELLED"));
        });
        assertThat(cancelled.status()).isEqualTo(ProtectedQueryStatus.CANCELLED);
        assertThat(s.balance().budget().reserved()).isEqualTo(Rational.ZERO);
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.ZERO);
        assertThat(s.remaining()).containsEntry("COUNT", 10);

        // a query whose answer is released spends
        assertThat(s.run("SELECT COUNT(*) FROM members").status()).isEqualTo(ProtectedQueryStatus.SUCCESS);
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(1, 10));
    }

    /**
     * Attack pass 2: a querier who could cancel a query while the engine ran, and get its budget
     * back, could time for free a query made slow only by one user's rows (or failing for lack of
     * memory only then). Once the engine runs on the protected rows, a cancellation spends.
     */
    @Test
    void aQueryCancelledWhileTheEngineRunsSpends() throws Exception {
        Setup s = new Setup(1, PrivacyBudgetTemplateAutoRefresh.NONE);
        ProtectedQueries queries = cluster.server.queries();
        String[] id = new String[1];
        CountDownLatch cancelled = new CountDownLatch(1);
        queries.beforeEngine(q -> {
            s.adv.updateProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                    .protectedQueryIdentifier(q.value()).targetStatus("CANCELLED"));
            cancelled.countDown();
        });
        try {
            id[0] = s.start("SELECT SUM(salary) FROM members");
            assertThat(cancelled.await(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            queries.beforeEngine(q -> {
            });
        }
        ProtectedQuery ended = s.await(id[0]);
        assertThat(ended.status()).isEqualTo(ProtectedQueryStatus.CANCELLED);
        assertThat(s.balance().budget().reserved()).isEqualTo(Rational.ZERO);
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(1, 10));
    }

    /** Starts a query, holds its worker until the change is made, then waits for the query to end. */
    private ProtectedQuery held(Setup s, ProtectedQueries queries, String sql, ThrowingRunnable change)
            throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        queries.beforeStart(q -> {
            taken.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String id;
        try {
            id = s.start(sql);
            assertThat(taken.await(60, TimeUnit.SECONDS)).isTrue();
            queries.beforeStart(q -> {
            });
            change.run();
        } finally {
            queries.beforeStart(q -> {
            });
            release.countDown();
        }
        return s.await(id);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aRestartGivesBackWhatQueriesLeftReserved() throws Exception {
        Setup s = new Setup(1, PrivacyBudgetTemplateAutoRefresh.NONE);
        assertThat(s.run("SELECT COUNT(*) FROM members").status()).isEqualTo(ProtectedQueryStatus.SUCCESS);
        ProtectedQueries queries = cluster.server.queries();
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        queries.beforeStart(q -> {
            taken.countDown();
            // the worker stays here while the server stops (as if it had been killed), until the end
            boolean interrupted = false;
            while (never.getCount() > 0) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        String id;
        try {
            id = s.start("SELECT STDDEV(salary) FROM members");
            assertThat(taken.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(s.balance().budget().reserved()).isEqualTo(Rational.of(3, 10));
        } finally {
            queries.beforeStart(q -> {
            });
        }
        try {
            cluster.restart(c -> c);
            // the query that never ran ended FAILED, and its reservation is given back; what was spent stays
            assertThat(s.get(id).status()).isEqualTo(ProtectedQueryStatus.FAILED);
            assertThat(s.balance().budget().reserved()).isEqualTo(Rational.ZERO);
            assertThat(s.balance().budget().spent()).isEqualTo(Rational.of(1, 10));
            assertThat(s.remaining()).containsEntry("COUNT", 9);
        } finally {
            // the stopped server's worker goes on, against a closed store
            never.countDown();
        }
    }

    @Test
    void racingQueriesNeverSpendMoreThanTheBudget() throws Exception {
        Setup s = new Setup(1, PrivacyBudgetTemplateAutoRefresh.NONE);
        int racers = 24;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                // AVG costs 2/10 and COUNT 1/10: distinct queries, none answered before
                String sql = i % 2 == 0 ? "SELECT AVG(salary) FROM members WHERE salary > " + i
                        : "SELECT COUNT(*) FROM members WHERE salary > " + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    try {
                        accepted.add(s.start(sql));
                    } catch (ValidationException e) {
                        assertThat(e.getMessage()).contains("privacy budget is spent");
                        refused.add(sql);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(refused).isNotEmpty();
        Rational held = Rational.ZERO;
        for (String id : accepted) {
            ProtectedQuery q = s.await(id);
            assertThat(q.status()).as(String.valueOf(q.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
            held = held.plus(q.differentialPrivacy().sensitivityParameters().get(0).aggregationType()
                    == DifferentialPrivacyAggregationType.AVG ? Rational.of(2, 10) : Rational.of(1, 10));
        }
        // what was accepted is exactly what was spent, never more than epsilon, and nothing more fits
        assertThat(s.balance().budget().spent()).isEqualTo(held);
        assertThat(held.compareTo(Rational.ONE)).isLessThanOrEqualTo(0);
        assertThat(Rational.ONE.minus(held).compareTo(Rational.of(1, 10))).isLessThan(0);
        assertThat(s.remaining()).containsEntry("COUNT", 0);
    }

    @Test
    void explainNamesWhatADifferentiallyPrivateQueryMayNotDo() throws Exception {
        Setup s = new Setup(1, PrivacyBudgetTemplateAutoRefresh.NONE);
        SignedHttpClient client = new SignedHttpClient(cluster.endpoint(), s.advertiser.accessKeyId(),
                s.advertiser.secretAccessKey(), "us-east-1", Clock.systemUTC());
        SignedHttpClient.Response response = client.send("POST", "/memberships/" + s.advertiserMembership
                + "/protectedQueries/explain", Map.of(), Map.of(), Json.MAPPER.writeValueAsString(Map.of("type",
                        "SQL", "sqlParameters", Map.of("queryString", "SELECT city, MAX(salary) FROM members "
                                + "GROUP BY city"))), "cleanrooms");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode explanation = Json.MAPPER.readTree(response.body()).get("explanation");
        assertThat(explanation.get("allowed").asBoolean()).isFalse();
        assertThat(explanation.get("rejection").asText()).contains("Aggregation MAX is not allowed",
                "differential privacy");
        // and SUM over a column without declared bounds, without saying any bound
        ValidationException unbounded = catchThrowableOfType(ValidationException.class,
                () -> s.start("SELECT SUM(v.page) FROM members m JOIN visits v ON m.user_id = v.user_id"));
        assertThat(unbounded.getMessage()).doesNotContain("1000");
        assertThat(s.balance().budget().spent()).isEqualTo(Rational.ZERO);
    }
}
