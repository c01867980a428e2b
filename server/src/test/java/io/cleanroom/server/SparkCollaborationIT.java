package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.CollaborationQueryLogStatus;
import software.amazon.awssdk.services.cleanrooms.model.MemberAbility;
import software.amazon.awssdk.services.cleanrooms.model.MemberSpecification;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryMemberOutputConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryOutputConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryResultConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;

/**
 * The seed tutorial's collaboration pinned to Spark (tag cleanroom:engine = spark), end to end
 * through the SDK, on a server whose default engine is DuckDB and which runs Spark in local mode:
 * the guide's data gives no rows (every row is below the output constraints), generated data gives
 * the overlap, and the same collaboration unpinned (DuckDB) gives the same answers. Only the
 * creator pins, and only an engine the server runs. On a server whose Spark cannot start, a
 * collaboration pinned to Spark fails its queries while DuckDB collaborations are served, and
 * unpinning it brings it back: the tag is what routes queries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkCollaborationIT {
    private TestCluster cluster;

    private static ServerConfig withSpark(ServerConfig c, Map<String, String> spark) {
        return c.withEngine(new ServerConfig.Engine("512MB", 2, 2, Duration.ofMinutes(5), 100_000,
                new ServerConfig.Backends("duckdb", List.of("spark"), Map.of("spark", spark))));
    }

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> withSpark(c, Map.of("master", "local[2]",
                "driver-memory", "768m")));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The tutorial's two parties, tables and rules, in a collaboration created with the given tags. */
    final class Tutorial {
        final TestCluster.Keys publisher;
        final TestCluster.Keys advertiser;
        final CleanRoomsClient pub;
        final CleanRoomsClient adv;
        final String collaborationId;
        final String collaborationArn;
        final String advertiserMembership;

        Tutorial(TestCluster cluster, String name, Map<String, String> tags) throws Exception {
            publisher = Fixtures.account(cluster, "publisher");
            advertiser = Fixtures.account(cluster, "advertiser");
            pub = cluster.cleanRooms(publisher);
            adv = cluster.cleanRooms(advertiser);
            Fixtures.catalogTable(cluster, publisher, "lab", "publisher_audience", Fixtures.PUBLISHER, false);
            Fixtures.catalogTable(cluster, advertiser, "lab", "advertiser_audience", Fixtures.ADVERTISER, false);
            var created = pub.createCollaboration(r -> r.name(name).description("tutorial collaboration")
                    .members(MemberSpecification.builder().accountId(advertiser.accountId()).displayName("advertiser")
                            .memberAbilities(MemberAbility.CAN_QUERY, MemberAbility.CAN_RECEIVE_RESULTS).build())
                    .creatorMemberAbilities(List.of()).creatorDisplayName("publisher")
                    .queryLogStatus(CollaborationQueryLogStatus.DISABLED).tags(tags)).collaboration();
            collaborationId = created.id();
            collaborationArn = created.arn();
            String publisherMembership = Fixtures.join(pub, collaborationId);
            advertiserMembership = Fixtures.join(adv, collaborationId);
            String publisherTable = Fixtures.configuredTable(pub, "publisher_audience", "lab", "publisher_audience",
                    "user_id_hash", "segment");
            String advertiserTable = Fixtures.configuredTable(adv, "advertiser_audience", "lab",
                    "advertiser_audience", "user_id_hash", "campaign");
            Fixtures.aggregationRule(pub, publisherTable, "user_id_hash", "segment");
            Fixtures.aggregationRule(adv, advertiserTable, "user_id_hash", "campaign");
            Fixtures.associate(pub, publisherMembership, publisherTable, "publisher_audience");
            Fixtures.associate(adv, advertiserMembership, advertiserTable, "advertiser_audience");
        }

        /** The member who queries in an existing collaboration (for run and rows only). */
        Tutorial(TestCluster cluster, TestCluster.Keys advertiser, CleanRoomsClient adv, String advertiserMembership) {
            this.publisher = null;
            this.advertiser = advertiser;
            this.pub = null;
            this.adv = adv;
            this.collaborationId = null;
            this.collaborationArn = null;
            this.advertiserMembership = advertiserMembership;
        }

        /** Rewrites both parties' files in place with generated data: every third publisher user is the advertiser's. */
        void generate(TestCluster cluster, int users) throws Exception {
            List<String> p = new ArrayList<>(List.of("user_id_hash,segment"));
            List<String> a = new ArrayList<>(List.of("user_id_hash,campaign"));
            for (int i = 0; i < users; i++) {
                p.add("u" + i + "," + (i % 2 == 0 ? "news" : "sports"));
                if (i % 3 == 0) {
                    a.add("u" + i + "," + (i % 4 < 2 ? "spring" : "brand"));
                }
            }
            cluster.csv(publisher, "publisher_audience.csv", p);
            cluster.csv(advertiser, "advertiser_audience.csv", a);
        }

        ProtectedQuery run(String sql) throws InterruptedException {
            String id = adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(s -> s.queryString(sql))
                    .resultConfiguration(ProtectedQueryResultConfiguration.builder()
                            .outputConfiguration(ProtectedQueryOutputConfiguration.fromMember(
                                    ProtectedQueryMemberOutputConfiguration.builder()
                                            .accountId(advertiser.accountId()).build())).build()))
                    .protectedQuery().id();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (true) {
                ProtectedQuery q = adv.getProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                        .protectedQueryIdentifier(id)).protectedQuery();
                if (q.status() == ProtectedQueryStatus.SUCCESS || q.status() == ProtectedQueryStatus.FAILED
                        || q.status() == ProtectedQueryStatus.CANCELLED || q.status() == ProtectedQueryStatus.TIMED_OUT
                        || System.nanoTime() > deadline) {
                    return q;
                }
                Thread.sleep(50);
            }
        }

        /** The result's rows, sorted, as text. */
        List<String> rows(TestCluster cluster, ProtectedQuery q) throws Exception {
            assertThat(q.status()).as(String.valueOf(q.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
            SignedHttpClient.Response result = new SignedHttpClient(cluster.endpoint(), advertiser.accessKeyId(),
                    advertiser.secretAccessKey(), "us-east-1", Clock.systemUTC()).send("GET", "/memberships/"
                            + advertiserMembership + "/protectedQueries/" + q.id() + "/result", Map.of(), Map.of(),
                            null, "cleanrooms");
            assertThat(result.status()).as(result.body()).isEqualTo(200);
            List<String> rows = new ArrayList<>();
            for (JsonNode row : Json.MAPPER.readTree(result.body()).get("rows")) {
                rows.add(row.toString());
            }
            rows.sort(null);
            return rows;
        }
    }

    static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count FROM advertiser_audience a "
            + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2 ORDER BY overlap_count DESC";

    @Test
    void theTutorialPinnedToSparkSuppressesTheGuidesRowsAndCountsTheOverlap() throws Exception {
        Tutorial spark = new Tutorial(cluster, "pinned to spark", Map.of("cleanroom:engine", "spark"));
        Tutorial duckdb = new Tutorial(cluster, "on the default engine", Map.of());
        assertThat(spark.pub.listTagsForResource(r -> r.resourceArn(spark.collaborationArn)).tags())
                .containsEntry("cleanroom:engine", "spark");
        // analyticsEngine keeps its AWS meaning: reported as AWS reports it, whatever runs the queries
        assertThat(spark.pub.getCollaboration(r -> r.collaborationIdentifier(spark.collaborationId)).collaboration()
                .analyticsEngineAsString()).isEqualTo("SPARK");

        // the guide's data: bbb222 and ccc333 overlap, one user per (campaign, segment), below every constraint
        assertThat(spark.rows(cluster, spark.run(OVERLAP))).isEmpty();
        assertThat(duckdb.rows(cluster, duckdb.run(OVERLAP))).isEmpty();

        // generated data: 1200 publisher users, every third (400) known to the advertiser, 100 per group
        spark.generate(cluster, 1200);
        duckdb.generate(cluster, 1200);
        List<String> onSpark = spark.rows(cluster, spark.run(OVERLAP));
        assertThat(onSpark).containsExactly("[\"brand\",\"news\",100]", "[\"brand\",\"sports\",100]",
                "[\"spring\",\"news\",100]", "[\"spring\",\"sports\",100]");
        assertThat(duckdb.rows(cluster, duckdb.run(OVERLAP))).isEqualTo(onSpark);
        // a refusal is query control's, before any engine
        ValidationException raw = catchThrowableOfType(ValidationException.class, () -> spark.run(
                "SELECT a.user_id_hash, COUNT(*) FROM advertiser_audience a JOIN publisher_audience p "
                        + "ON a.user_id_hash = p.user_id_hash GROUP BY a.user_id_hash"));
        assertThat(raw).isNotNull();
    }

    @Test
    void onlyTheCreatorPinsAndOnlyAnEngineTheServerRuns() throws Exception {
        Tutorial t = new Tutorial(cluster, "tags", Map.of());
        // the creator may pin either engine the server runs, and unpin
        t.pub.tagResource(r -> r.resourceArn(t.collaborationArn).tags(Map.of("cleanroom:engine", "spark")));
        t.pub.tagResource(r -> r.resourceArn(t.collaborationArn).tags(Map.of("cleanroom:engine", "duckdb")));
        t.pub.untagResource(r -> r.resourceArn(t.collaborationArn).tagKeys("cleanroom:engine"));
        // an engine the server does not run, at creation and later
        ValidationException unknown = catchThrowableOfType(ValidationException.class, () -> t.pub.tagResource(
                r -> r.resourceArn(t.collaborationArn).tags(Map.of("cleanroom:engine", "presto"))));
        assertThat(unknown.getMessage()).contains("cleanroom:engine").contains("duckdb or spark").contains("presto");
        assertThatThrownBy(() -> t.pub.createCollaboration(r -> r.name("x").description("d").members(List.of())
                .creatorMemberAbilities(List.of()).creatorDisplayName("p")
                .queryLogStatus(CollaborationQueryLogStatus.DISABLED).tags(Map.of("cleanroom:engine", "trino"))))
                .isInstanceOf(ValidationException.class).hasMessageContaining("trino");
        // a member who did not create the collaboration cannot tag it at all
        assertThatThrownBy(() -> t.adv.tagResource(r -> r.resourceArn(t.collaborationArn)
                .tags(Map.of("cleanroom:engine", "spark")))).isInstanceOf(ResourceNotFoundException.class);
        // the tag means something only on a collaboration, and the prefix is Cleanroom's
        String membershipArn = t.adv.getMembership(r -> r.membershipIdentifier(t.advertiserMembership)).membership()
                .arn();
        assertThatThrownBy(() -> t.adv.tagResource(r -> r.resourceArn(membershipArn)
                .tags(Map.of("cleanroom:engine", "spark")))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("set it on the collaboration");
        assertThatThrownBy(() -> t.pub.tagResource(r -> r.resourceArn(t.collaborationArn)
                .tags(Map.of("cleanroom:color", "red")))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("cleanroom:color");
        assertThat(t.pub.listTagsForResource(r -> r.resourceArn(t.collaborationArn)).tags()).isEmpty();
    }

    @Test
    void theTagRoutesQueriesAndDuckDbServesWhenSparkCannotStart() throws Exception {
        // Spark is not on the server's class path: the engine half talks to a driver process, which
        // here cannot find Spark's jars and ends
        assertThatThrownBy(() -> Class.forName("org.apache.spark.sql.SparkSession"))
                .isInstanceOf(ClassNotFoundException.class);
        java.nio.file.Path empty = java.nio.file.Files.createTempDirectory("no-spark");
        try (TestCluster broken = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> withSpark(c, Map.of(
                "master", "local[1]", "classpath", empty.toString())))) {
            Tutorial pinned = new Tutorial(broken, "pinned", Map.of("cleanroom:engine", "spark"));
            Tutorial plain = new Tutorial(broken, "plain", Map.of());
            ProtectedQuery failed = pinned.run(OVERLAP);
            assertThat(failed.status()).isEqualTo(ProtectedQueryStatus.FAILED);
            assertThat(failed.error().message()).isEqualTo("The Spark engine is not available; the operator's log "
                    + "says why");
            assertThat(plain.rows(broken, plain.run(OVERLAP))).isEmpty();
            // unpinned, the same collaboration runs on the default engine
            pinned.pub.untagResource(r -> r.resourceArn(pinned.collaborationArn).tagKeys("cleanroom:engine"));
            assertThat(pinned.rows(broken, pinned.run(OVERLAP))).isEmpty();
        }
    }

    /**
     * A differentially private collaboration pinned to Spark: the rewrite's bounding (the keyed hash,
     * ROW_NUMBER over each user, clamping) runs in Spark's dialect, the noisy stage releases the answers,
     * GetProtectedQuery reports the sensitivity parameters, and the budget is spent as on DuckDB.
     */
    @Test
    void aDifferentiallyPrivateQueryRunsOnSpark() throws Exception {
        TestCluster.Keys publisher = Fixtures.account(cluster, "publisher");
        TestCluster.Keys advertiser = Fixtures.account(cluster, "advertiser");
        CleanRoomsClient pub = cluster.cleanRooms(publisher);
        CleanRoomsClient adv = cluster.cleanRooms(advertiser);
        DifferentialPrivacyQuerySuite.catalog(cluster, publisher, "members", DifferentialPrivacyQuerySuite.members(0),
                List.of(DifferentialPrivacyQuerySuite.column("user_id", "string", Map.of()),
                        DifferentialPrivacyQuerySuite.column("salary", "bigint", Map.of("cleanroom.dp.min", "0",
                                "cleanroom.dp.max", "1000", "cleanroom.dp.rows-per-user", "2")),
                        DifferentialPrivacyQuerySuite.column("city", "string", Map.of())));
        List<String> visits = new ArrayList<>(List.of("user_id,page"));
        for (int i = 0; i < DifferentialPrivacyQuerySuite.USERS; i += 2) {
            visits.add("u" + i + "," + (i % 4 == 0 ? "home" : "cart"));
        }
        DifferentialPrivacyQuerySuite.catalog(cluster, advertiser, "visits", visits, List.of(
                DifferentialPrivacyQuerySuite.column("user_id", "string", Map.of()),
                DifferentialPrivacyQuerySuite.column("page", "string", Map.of())));
        String collaborationId = pub.createCollaboration(r -> r.name("dp on spark").description("dp")
                .members(MemberSpecification.builder().accountId(advertiser.accountId()).displayName("advertiser")
                        .memberAbilities(MemberAbility.CAN_QUERY, MemberAbility.CAN_RECEIVE_RESULTS).build())
                .creatorMemberAbilities(List.of()).creatorDisplayName("publisher")
                .queryLogStatus(CollaborationQueryLogStatus.DISABLED).tags(Map.of("cleanroom:engine", "spark")))
                .collaboration().id();
        String publisherMembership = Fixtures.join(pub, collaborationId);
        String advertiserMembership = Fixtures.join(adv, collaborationId);
        String members = Fixtures.configuredTable(pub, "members", "lab", "members", "user_id", "salary", "city");
        pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(members)
                .analysisRuleType(software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType
                        .CUSTOM).analysisRulePolicy(DifferentialPrivacyQuerySuite.custom(advertiser.accountId(),
                                "user_id")));
        Fixtures.associate(pub, publisherMembership, members, "members");
        String visitsTable = Fixtures.configuredTable(adv, "visits", "lab", "visits", "user_id", "page");
        adv.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(visitsTable)
                .analysisRuleType(software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType
                        .CUSTOM).analysisRulePolicy(DifferentialPrivacyQuerySuite.custom(advertiser.accountId(),
                                null)));
        Fixtures.associate(adv, advertiserMembership, visitsTable, "visits");
        pub.createPrivacyBudgetTemplate(r -> r.membershipIdentifier(publisherMembership)
                .privacyBudgetType(software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetType
                        .DIFFERENTIAL_PRIVACY)
                .autoRefresh(software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateAutoRefresh.NONE)
                .parameters(PrivacyBudgetSuite.parameters(2, 10)));

        Tutorial runner = new Tutorial(cluster, advertiser, adv, advertiserMembership);
        ProtectedQuery byCity = runner.run("SELECT city, COUNT(DISTINCT user_id) AS users, AVG(salary) AS average, "
                + "STDDEV(salary) AS spread FROM members GROUP BY city ORDER BY city");
        List<String> rows = runner.rows(cluster, byCity);
        assertThat(rows).hasSize(2);
        for (String row : rows) {
            JsonNode values = Json.MAPPER.readTree(row);
            String city = values.get(0).asText();
            assertThat(city).isIn("lyon", "paris");
            assertThat(values.get(1).asLong()).isBetween(300L, 700L);
            double exact = DifferentialPrivacyQuerySuite.exactAverage(0, city);
            assertThat(values.get(2).asDouble()).isBetween(exact - 250, exact + 250);
            // salaries (37 i) mod 1001 spread evenly over [0, 1000]: a deviation near 289
            assertThat(values.get(3).asDouble()).isBetween(150.0, 450.0);
        }
        assertThat(byCity.differentialPrivacy().sensitivityParameters()).extracting(
                p -> p.aggregationTypeAsString() + " " + p.aggregationExpression() + " " + p.userContributionLimit())
                .containsExactly("COUNT_DISTINCT COUNT(DISTINCT members.user_id) 2", "AVG AVG(members.salary) 2",
                        "STDDEV STDDEV(members.salary) 2");
        // joined with the querier's own table: 250 users on each page
        List<String> pages = runner.rows(cluster, runner.run("SELECT v.page, COUNT(*) AS n FROM visits v "
                + "JOIN members m ON v.user_id = m.user_id GROUP BY v.page ORDER BY v.page"));
        assertThat(pages).extracting(r -> Json.MAPPER.readTree(r).get(0).asText()).containsExactly("cart", "home");
        for (String row : pages) {
            assertThat(Json.MAPPER.readTree(row).get(1).asLong()).isBetween(50L, 450L);
        }
        // 1 + 2 + 3 statistics, then the count and the user count that chose its groups: 8 of 20
        int remaining = adv.listPrivacyBudgets(r -> r.membershipIdentifier(advertiserMembership)
                .privacyBudgetType(software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetType
                        .DIFFERENTIAL_PRIVACY)).privacyBudgetSummaries().get(0).budget().differentialPrivacy()
                .aggregations().stream().filter(a -> a.typeAsString().equals("COUNT")).findFirst().orElseThrow()
                .remainingCount();
        assertThat(remaining).isEqualTo(12);
    }
}
