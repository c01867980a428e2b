package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.query.ProtectedQueries;
import io.cleanroom.server.wire.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AccessDeniedException;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicyV1;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryMemberOutputConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryOutputConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryResultConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cleanrooms.model.ServiceQuotaExceededException;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;

/** Protected queries through the SDK: lifecycle, results and who may read them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtectedQueryIT {
    TestCluster cluster;
    java.nio.file.Path bucket;

    @BeforeAll
    void start() throws Exception {
        bucket = java.nio.file.Files.createTempDirectory("cleanroom-bucket");
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withEngine(
                new ServerConfig.Engine("512MB", 2, 2, Duration.ofSeconds(5), 100_000))
                .withS3Buckets(Map.of("results", bucket)));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    /** The tutorial on generated data: users 0..n-1 at the publisher, every third at the advertiser. */
    final class Setup {
        final TestCluster.Keys publisher = Fixtures.account(cluster, "publisher");
        final TestCluster.Keys advertiser = Fixtures.account(cluster, "advertiser");
        final CleanRoomsClient pub = cluster.cleanRooms(publisher);
        final CleanRoomsClient adv = cluster.cleanRooms(advertiser);
        final String collaborationId;
        final String publisherMembership;
        final String advertiserMembership;
        /** The configured tables publisher_audience and advertiser_audience, and the publisher's association. */
        final String publisherTable;
        final String advertiserTable;
        final String publisherAssociation;
        /** The advertiser's configured table "big" of slowSetup. */
        String bigTable;

        Setup(int users) throws Exception {
            this(users, false);
        }

        /** With logging, the collaboration and the publisher's membership log queries; the advertiser's not. */
        Setup(int users, boolean logging) throws Exception {
            List<String> p = new ArrayList<>(List.of("user_id_hash,segment"));
            List<String> a = new ArrayList<>(List.of("user_id_hash,campaign"));
            for (int i = 0; i < users; i++) {
                p.add("u" + i + "," + (i % 2 == 0 ? "news" : "sports"));
                if (i % 3 == 0) {
                    a.add("u" + i + "," + (i % 4 < 2 ? "spring" : "brand"));
                }
            }
            Fixtures.catalogTable(cluster, publisher, "lab", "publisher_audience", p, false);
            Fixtures.catalogTable(cluster, advertiser, "lab", "advertiser_audience", a, false);
            if (logging) {
                collaborationId = pub.createCollaboration(r -> r.name("logged").description("d")
                        .creatorDisplayName("p").creatorMemberAbilities(List.of())
                        .members(software.amazon.awssdk.services.cleanrooms.model.MemberSpecification.builder()
                                .accountId(advertiser.accountId()).displayName("a")
                                .memberAbilitiesWithStrings("CAN_QUERY", "CAN_RECEIVE_RESULTS").build())
                        .queryLogStatus("ENABLED")).collaboration().id();
                publisherMembership = pub.createMembership(r -> r.collaborationIdentifier(collaborationId)
                        .queryLogStatus("ENABLED")).membership().id();
            } else {
                collaborationId = Fixtures.createCollaboration(pub, "overlap", advertiser);
                publisherMembership = Fixtures.join(pub, collaborationId);
            }
            advertiserMembership = Fixtures.join(adv, collaborationId);
            publisherTable = Fixtures.configuredTable(pub, "publisher_audience", "lab", "publisher_audience",
                    "user_id_hash", "segment");
            advertiserTable = Fixtures.configuredTable(adv, "advertiser_audience", "lab", "advertiser_audience",
                    "user_id_hash", "campaign");
            Fixtures.aggregationRule(pub, publisherTable, "user_id_hash", "segment");
            Fixtures.aggregationRule(adv, advertiserTable, "user_id_hash", "campaign");
            publisherAssociation = Fixtures.associate(pub, publisherMembership, publisherTable, "publisher_audience");
            Fixtures.associate(adv, advertiserMembership, advertiserTable, "advertiser_audience");
        }

        ProtectedQuery start(String sql) {
            return adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(s -> s.queryString(sql))
                    .resultConfiguration(ProtectedQueryResultConfiguration.builder()
                            .outputConfiguration(ProtectedQueryOutputConfiguration.fromMember(
                                    ProtectedQueryMemberOutputConfiguration.builder()
                                            .accountId(advertiser.accountId()).build())).build()))
                    .protectedQuery();
        }

        ProtectedQuery await(String id) throws InterruptedException {
            return await(id, advertiserMembership);
        }

        ProtectedQuery await(String id, String membership) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                ProtectedQuery q = adv.getProtectedQuery(r -> r.membershipIdentifier(membership)
                        .protectedQueryIdentifier(id)).protectedQuery();
                if (q.status() == ProtectedQueryStatus.SUCCESS || q.status() == ProtectedQueryStatus.FAILED
                        || q.status() == ProtectedQueryStatus.CANCELLED
                        || q.status() == ProtectedQueryStatus.TIMED_OUT || System.nanoTime() > deadline) {
                    return q;
                }
                Thread.sleep(20);
            }
        }

        SignedHttpClient.Response result(TestCluster.Keys keys, String membership, String id) throws Exception {
            return new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(), "us-east-1",
                    Clock.systemUTC()).send("GET", "/memberships/" + membership + "/protectedQueries/" + id
                            + "/result", Map.of(), Map.of(), null, "cleanrooms");
        }
    }

    static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count FROM advertiser_audience a "
            + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2 ORDER BY overlap_count DESC";

    @Test
    void overlapQueryRunsAndOnlyTheReceiverReadsTheResult() throws Exception {
        Setup s = new Setup(1200);
        ProtectedQuery submitted = s.start(OVERLAP);
        assertThat(submitted.status()).isEqualTo(ProtectedQueryStatus.SUBMITTED);
        ProtectedQuery done = s.await(submitted.id());
        assertThat(done.status()).as(String.valueOf(done.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
        assertThat(done.statistics().totalDurationInMillis()).isNotNull().isGreaterThanOrEqualTo(0);
        assertThat(done.result().output().memberList()).extracting(m -> m.accountId())
                .containsExactly(s.advertiser.accountId());
        SignedHttpClient.Response result = s.result(s.advertiser, s.advertiserMembership, submitted.id());
        assertThat(result.status()).as(result.body()).isEqualTo(200);
        JsonNode json = Json.MAPPER.readTree(result.body());
        assertThat(json.get("columns").toString()).contains("campaign").contains("segment").contains("overlap_count");
        long total = 0;
        for (JsonNode row : json.get("rows")) {
            total += row.get(2).asLong();
        }
        assertThat(total).isEqualTo(400);
        // a member who is not a receiver is refused; a stranger learns nothing
        SignedHttpClient.Response publisher = s.result(s.publisher, s.publisherMembership, submitted.id());
        assertThat(publisher.status()).isEqualTo(403);
        TestCluster.Keys stranger = Fixtures.account(cluster, "stranger");
        SignedHttpClient.Response outsider = s.result(stranger, s.advertiserMembership, submitted.id());
        assertThat(outsider.status()).isEqualTo(404);
        // the runner sees its queries, newest first, filterable by status
        ProtectedQuery second = s.start(OVERLAP);
        s.await(second.id());
        var listed = s.adv.listProtectedQueries(r -> r.membershipIdentifier(s.advertiserMembership))
                .protectedQueries();
        assertThat(listed).extracting(q -> q.id()).containsExactly(second.id(), submitted.id());
        assertThat(s.adv.listProtectedQueries(r -> r.membershipIdentifier(s.advertiserMembership)
                .status(ProtectedQueryStatus.FAILED)).protectedQueries()).isEmpty();
        assertThatThrownBy(() -> s.pub.getProtectedQuery(r -> r.membershipIdentifier(s.publisherMembership)
                .protectedQueryIdentifier(submitted.id()))).isInstanceOf(ResourceNotFoundException.class);
    }

    /**
     * GetProtectedQuery on a query that runs on this server waits for it to end: a poll made while
     * the worker is held answers SUCCESS when the worker is let go during the poll (answering at once,
     * it would say SUBMITTED). Only a caller who may see the query waits, and an ended query is
     * answered at once.
     */
    @Test
    void pollOfARunningQueryWaitsForItsEnd() throws Exception {
        Setup s = new Setup(30);
        CountDownLatch release = new CountDownLatch(1);
        List<String> waited = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProtectedQueries queries = cluster.server.queries();
        queries.beforeStart(id -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        queries.polling(id -> {
            waited.add(id.value());
            release.countDown();
        });
        // long enough for the query to end on a loaded machine: the poll ends when the query does
        queries.pollWait(Duration.ofMinutes(2));
        try {
            ProtectedQuery submitted = s.start(OVERLAP);
            assertThatThrownBy(() -> s.pub.getProtectedQuery(r -> r.membershipIdentifier(s.publisherMembership)
                    .protectedQueryIdentifier(submitted.id()))).isInstanceOf(ResourceNotFoundException.class);
            assertThat(waited).as("a caller who may not see the query does not wait").isEmpty();
            ProtectedQuery polled = s.adv.getProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                    .protectedQueryIdentifier(submitted.id())).protectedQuery();
            assertThat(polled.status()).as(String.valueOf(polled.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
            assertThat(polled.statistics().totalDurationInMillis()).isNotNull();
            assertThat(waited).containsExactly(submitted.id());
            assertThat(s.adv.getProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                    .protectedQueryIdentifier(submitted.id())).protectedQuery().status())
                    .isEqualTo(ProtectedQueryStatus.SUCCESS);
            assertThat(waited).as("an ended query is answered at once").hasSize(1);
        } finally {
            queries.beforeStart(id -> {
            });
            queries.polling(id -> {
            });
            queries.pollWait(ProtectedQueries.POLL_WAIT);
            release.countDown();
        }
    }

    @Test
    void queryLogsGoToContributingMembersWhoEnabledThem() throws Exception {
        Setup s = new Setup(1200, true);
        ProtectedQuery q = s.await(s.start(OVERLAP).id());
        assertThat(q.status()).isEqualTo(ProtectedQueryStatus.SUCCESS);
        SignedHttpClient publisher = new SignedHttpClient(cluster.endpoint(), s.publisher.accessKeyId(),
                s.publisher.secretAccessKey(), "us-east-1", Clock.systemUTC());
        JsonNode logs = Json.MAPPER.readTree(publisher.send("GET", "/memberships/" + s.publisherMembership
                + "/queryLogs", Map.of(), Map.of(), null, "cleanrooms").body()).get("queryLogs");
        assertThat(logs).hasSize(1);
        JsonNode entry = logs.get(0);
        assertThat(entry.get("protectedQueryId").asText()).isEqualTo(q.id());
        assertThat(entry.get("runnerAccountId").asText()).isEqualTo(s.advertiser.accountId());
        assertThat(entry.get("queryString").asText()).isEqualTo(OVERLAP);
        assertThat(entry.get("status").asText()).isEqualTo("SUCCESS");
        assertThat(entry.get("tables").toString()).contains("publisher_audience").doesNotContain("advertiser");
        assertThat(entry.toString()).doesNotContain("overlap_count\":").doesNotContain("rows");
        // the advertiser's membership did not enable logging; others cannot read the publisher's log
        SignedHttpClient advertiser = new SignedHttpClient(cluster.endpoint(), s.advertiser.accessKeyId(),
                s.advertiser.secretAccessKey(), "us-east-1", Clock.systemUTC());
        assertThat(Json.MAPPER.readTree(advertiser.send("GET", "/memberships/" + s.advertiserMembership
                + "/queryLogs", Map.of(), Map.of(), null, "cleanrooms").body()).get("queryLogs")).isEmpty();
        assertThat(advertiser.send("GET", "/memberships/" + s.publisherMembership + "/queryLogs", Map.of(), Map.of(),
                null, "cleanrooms").status()).isEqualTo(404);
    }

    @Test
    void outputConstraintsSuppressEveryRowOfTheTutorialData() throws Exception {
        Setup s = new Setup(5);
        ProtectedQuery done = s.await(s.start(OVERLAP).id());
        assertThat(done.status()).isEqualTo(ProtectedQueryStatus.SUCCESS);
        JsonNode json = Json.MAPPER.readTree(s.result(s.advertiser, s.advertiserMembership, done.id()).body());
        assertThat(json.get("rows")).isEmpty();
    }

    @Test
    void rejectedQueryIsAValidationErrorAtStart() throws Exception {
        Setup s = new Setup(30);
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> s.start(
                "SELECT a.user_id_hash, COUNT(*) FROM advertiser_audience a JOIN publisher_audience p "
                        + "ON a.user_id_hash = p.user_id_hash GROUP BY a.user_id_hash"));
        assertThat(e.reasonAsString()).isEqualTo("INVALID_QUERY");
        assertThat(e.getMessage()).contains("Join column advertiser_audience.user_id_hash");
        ValidationException noJoin = catchThrowableOfType(ValidationException.class, () -> s.start(
                "SELECT p.segment, COUNT(DISTINCT p.user_id_hash) FROM publisher_audience p GROUP BY p.segment"));
        assertThat(noJoin.getMessage()).contains("Inner join to query runner table required for table "
                + "publisher_audience");
        // only the member who can query starts queries
        assertThatThrownBy(() -> s.pub.startProtectedQuery(r -> r.membershipIdentifier(s.publisherMembership)
                .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP))))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("CAN_QUERY");
        // results go only to a member who can receive them
        assertThatThrownBy(() -> s.adv.startProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP))
                .resultConfiguration(c -> c.outputConfiguration(ProtectedQueryOutputConfiguration.fromMember(
                        ProtectedQueryMemberOutputConfiguration.builder().accountId(s.publisher.accountId())
                                .build()))))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("can receive results");
    }

    /** A change to the collaboration made while a submitted query waits for its worker. */
    interface Change {
        void make() throws Exception;
    }

    /**
     * Starts a query and holds the worker that takes it up (before the query leaves SUBMITTED) until
     * the change is made; then waits for the query to end.
     */
    private ProtectedQuery startThenChange(Setup s, String membership,
            java.util.function.Supplier<ProtectedQuery> start, Change change) throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ProtectedQueries queries = cluster.server.queries();
        queries.beforeStart(id -> {
            taken.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ProtectedQuery submitted;
        try {
            submitted = start.get();
            assertThat(taken.await(60, TimeUnit.SECONDS)).as("a worker takes the query up").isTrue();
            queries.beforeStart(id -> {
            });
            assertThat(s.adv.getProtectedQuery(r -> r.membershipIdentifier(membership)
                    .protectedQueryIdentifier(submitted.id())).protectedQuery().status())
                    .isEqualTo(ProtectedQueryStatus.SUBMITTED);
            change.make();
        } finally {
            queries.beforeStart(id -> {
            });
            release.countDown();
        }
        return s.await(submitted.id(), membership);
    }

    /**
     * The query ended FAILED with the error a submission gets now: the refusal's reason (or, for a
     * ResourceNotFoundException, RESOURCE_NOT_FOUND) as the code, and its message.
     */
    private static void assertFailedAs(ProtectedQuery q, AwsServiceException refusal, String code) {
        assertThat(refusal).as("StartProtectedQuery refuses the query now").isNotNull();
        assertThat(q.status()).as(String.valueOf(q.error())).isEqualTo(ProtectedQueryStatus.FAILED);
        assertThat(q.error().code()).isEqualTo(code);
        assertThat(q.error().message()).isEqualTo(refusal.awsErrorDetails().errorMessage());
        assertThat(q.result()).isNull();
    }

    private static AwsServiceException refusal(java.util.function.Supplier<ProtectedQuery> start) {
        return catchThrowableOfType(AwsServiceException.class, start::get);
    }

    /** The publisher's table "scores" (k, v) with a custom rule letting the advertiser run any query. */
    private String customScores(Setup s, String... disallowed) throws Exception {
        List<String> rows = new ArrayList<>(List.of("k,v"));
        for (int i = 0; i < 100; i++) {
            rows.add(i + "," + (i % 10));
        }
        Fixtures.catalogTable(cluster, s.publisher, "lab", "scores", rows, false);
        String table = Fixtures.configuredTable(s.pub, "scores", "lab", "scores", "k", "v");
        s.pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(anyQueryBy(s.advertiser.accountId(), disallowed)));
        Fixtures.associate(s.pub, s.publisherMembership, table, "scores");
        return table;
    }

    private static ConfiguredTableAnalysisRulePolicy anyQueryBy(String provider, String... disallowed) {
        return ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1.fromCustom(
                AnalysisRuleCustom.builder().allowedAnalyses("ANY_QUERY").allowedAnalysisProviders(provider)
                        .disallowedOutputColumns(disallowed).build()));
    }

    @Test
    void queuedQueryIsCheckedAgainstTheRulesOfWhenItStarts() throws Exception {
        Setup s = new Setup(10);
        String table = customScores(s);
        String sql = "SELECT v, COUNT(*) AS n FROM scores GROUP BY v";
        // held and released without a change, the query runs
        ProtectedQuery unchanged = startThenChange(s, s.advertiserMembership, () -> s.start(sql), () -> {
        });
        assertThat(unchanged.status()).as(String.valueOf(unchanged.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
        // the owner disallows the output column v while the query waits
        ProtectedQuery changed = startThenChange(s, s.advertiserMembership, () -> s.start(sql),
                () -> s.pub.updateConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                        .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                        .analysisRulePolicy(anyQueryBy(s.advertiser.accountId(), "v"))));
        ValidationException now = catchThrowableOfType(ValidationException.class, () -> s.start(sql));
        assertThat(now.reasonAsString()).isEqualTo("INVALID_QUERY");
        assertFailedAs(changed, now, "INVALID_QUERY");
        assertThat(changed.error().message()).contains("v");
        assertThat(s.result(s.advertiser, s.advertiserMembership, changed.id()).status()).isEqualTo(409);
        // what the rule still allows runs
        assertThat(s.await(s.start("SELECT COUNT(*) AS n FROM scores").id()).status())
                .isEqualTo(ProtectedQueryStatus.SUCCESS);
    }

    @Test
    void queuedQueryFailsWhenItsTableLeavesOrChangesRuleType() throws Exception {
        Setup s = new Setup(30);
        ProtectedQuery disassociated = startThenChange(s, s.advertiserMembership, () -> s.start(OVERLAP),
                () -> s.pub.deleteConfiguredTableAssociation(r -> r.membershipIdentifier(s.publisherMembership)
                        .configuredTableAssociationIdentifier(s.publisherAssociation)));
        assertFailedAs(disassociated, refusal(() -> s.start(OVERLAP)), "INVALID_QUERY");
        assertThat(disassociated.error().message()).contains("publisher_audience is not associated");

        Setup t = new Setup(30);
        ProtectedQuery retyped = startThenChange(t, t.advertiserMembership, () -> t.start(OVERLAP), () -> {
            t.pub.deleteConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(t.publisherTable)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION));
            t.pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(t.publisherTable)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(anyQueryBy(t.advertiser.accountId())));
        });
        assertFailedAs(retyped, refusal(() -> t.start(OVERLAP)), "INVALID_QUERY");
        assertThat(retyped.error().message()).contains("same analysis rule type");
    }

    @Test
    void queuedTemplateQueryFailsWhenItsApprovalIsWithdrawn() throws Exception {
        Setup s = new Setup(10);
        List<String> rows = new ArrayList<>(List.of("k,v"));
        for (int i = 0; i < 100; i++) {
            rows.add(i + "," + (i % 10));
        }
        Fixtures.catalogTable(cluster, s.publisher, "lab", "scores", rows, false);
        var template = s.adv.createAnalysisTemplate(r -> r.membershipIdentifier(s.advertiserMembership)
                .name("scores_at_least").format("SQL").source(src -> src.text("SELECT COUNT(*) AS n FROM scores "
                        + "WHERE v >= :min")).analysisParameters(p -> p.name("min").type("INTEGER")
                        .defaultValue("5"))).analysisTemplate();
        var other = s.adv.createAnalysisTemplate(r -> r.membershipIdentifier(s.advertiserMembership)
                .name("scores_count").format("SQL").source(src -> src.text("SELECT COUNT(*) AS n FROM scores")))
                .analysisTemplate();
        String table = Fixtures.configuredTable(s.pub, "scores", "lab", "scores", "k", "v");
        s.pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1
                        .fromCustom(AnalysisRuleCustom.builder().allowedAnalyses(template.arn()).build()))));
        Fixtures.associate(s.pub, s.publisherMembership, table, "scores");
        java.util.function.Supplier<ProtectedQuery> start = () -> s.adv.startProtectedQuery(r -> r
                .membershipIdentifier(s.advertiserMembership).type(ProtectedQueryType.SQL)
                .sqlParameters(p -> p.analysisTemplateArn(template.arn()).parameters(Map.of("min", "8"))))
                .protectedQuery();
        ProtectedQuery q = startThenChange(s, s.advertiserMembership, start,
                () -> s.pub.updateConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                        .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                        .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(
                                ConfiguredTableAnalysisRulePolicyV1.fromCustom(AnalysisRuleCustom.builder()
                                        .allowedAnalyses(other.arn()).build())))));
        assertFailedAs(q, refusal(start), "INVALID_QUERY");
        assertThat(q.error().message()).contains(template.arn());
    }

    /** Replaces the abilities of an account's member entry and membership, as no API call does yet. */
    private void setAbilities(Setup s, String account, String membership,
            List<io.cleanroom.core.model.MemberAbility> abilities) {
        cluster.server.store().inTransaction(tx -> {
            io.cleanroom.core.model.Member m = tx.of(Kinds.MEMBERS).get(s.collaborationId + "/" + account)
                    .orElseThrow();
            tx.of(Kinds.MEMBERS).update(new io.cleanroom.core.model.Member(m.collaborationId(), m.accountId(),
                    m.displayName(), abilities, m.mlAbilities(), m.paymentConfiguration(), m.status(),
                    m.membershipId(), m.createTime(), m.updateTime()));
            io.cleanroom.core.model.Membership ms = tx.of(Kinds.MEMBERSHIPS).get(membership).orElseThrow();
            tx.of(Kinds.MEMBERSHIPS).update(new io.cleanroom.core.model.Membership(ms.id(), ms.collaborationId(),
                    ms.accountId(), ms.status(), abilities, ms.mlAbilities(), ms.queryLogStatus(),
                    ms.jobLogStatus(), ms.defaultResultConfiguration(), ms.paymentConfiguration(),
                    ms.metricsEnabled(), ms.createTime(), ms.updateTime()));
            return null;
        });
    }

    @Test
    void queuedQueryFailsWhenItsRunnerOrReceiverMayNoLonger() throws Exception {
        Setup removed = new Setup(30);
        ProtectedQuery q = startThenChange(removed, removed.advertiserMembership, () -> removed.start(OVERLAP),
                () -> removed.pub.deleteMember(r -> r.collaborationIdentifier(removed.collaborationId)
                        .accountId(removed.advertiser.accountId())));
        AwsServiceException left = refusal(() -> removed.start(OVERLAP));
        assertThat(left).isInstanceOf(software.amazon.awssdk.services.cleanrooms.model.ConflictException.class);
        assertFailedAs(q, left, "INVALID_STATE");

        Setup cannotQuery = new Setup(30);
        q = startThenChange(cannotQuery, cannotQuery.advertiserMembership, () -> cannotQuery.start(OVERLAP),
                () -> setAbilities(cannotQuery, cannotQuery.advertiser.accountId(), cannotQuery.advertiserMembership,
                        List.of(io.cleanroom.core.model.MemberAbility.CAN_RECEIVE_RESULTS)));
        AwsServiceException denied = refusal(() -> cannotQuery.start(OVERLAP));
        assertThat(denied).isInstanceOf(AccessDeniedException.class).hasMessageContaining("CAN_QUERY");
        assertFailedAs(q, denied, "INSUFFICIENT_PERMISSIONS");

        Setup cannotReceive = new Setup(30);
        q = startThenChange(cannotReceive, cannotReceive.advertiserMembership, () -> cannotReceive.start(OVERLAP),
                () -> setAbilities(cannotReceive, cannotReceive.advertiser.accountId(),
                        cannotReceive.advertiserMembership, List.of(io.cleanroom.core.model.MemberAbility.CAN_QUERY)));
        AwsServiceException receiver = refusal(() -> cannotReceive.start(OVERLAP));
        assertThat(receiver).isInstanceOf(ValidationException.class).hasMessageContaining("can receive results");
        assertFailedAs(q, receiver, "FIELD_VALIDATION_FAILED");
    }

    @Test
    void tableNamesThatDifferOnlyInCaseAreRefusedOnlyWhereAQueryNamesThem() throws Exception {
        Setup s = new Setup(30);
        String publisherExtra = Fixtures.configuredTable(s.pub, "extra", "lab", "publisher_audience", "user_id_hash",
                "segment");
        Fixtures.aggregationRule(s.pub, publisherExtra, "user_id_hash", "segment");
        String publisherAssociation = Fixtures.associate(s.pub, s.publisherMembership, publisherExtra, "extra");
        String advertiserExtra = Fixtures.configuredTable(s.adv, "extra", "lab", "advertiser_audience",
                "user_id_hash", "campaign");
        Fixtures.aggregationRule(s.adv, advertiserExtra, "user_id_hash", "campaign");
        // the API refuses EXTRA now; store it as a server of an earlier version did, marked as migration V6 marks
        // names that already clashed
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:"
                + cluster.dataDir.resolve("metadata.db"))) {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout=10000");
            }
            try (java.sql.PreparedStatement ps = c.prepareStatement(
                    "UPDATE associations SET stored_name_clash = 1 WHERE id = ?")) {
                ps.setString(1, publisherAssociation);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        }
        java.time.Instant now = java.time.Instant.now();
        io.cleanroom.core.model.Association stored = new io.cleanroom.core.model.Association(
                io.cleanroom.core.model.AssociationId.random(),
                new io.cleanroom.core.model.MembershipId(s.advertiserMembership),
                new io.cleanroom.core.model.CollaborationId(s.collaborationId),
                new io.cleanroom.core.model.AccountId(s.advertiser.accountId()),
                new io.cleanroom.core.model.ConfiguredTableId(advertiserExtra), "EXTRA", null, Fixtures.ROLE, now, now);
        cluster.server.store().inTransaction(tx -> {
            tx.of(Kinds.ASSOCIATIONS).insert(stored);
            return null;
        });
        // both stay readable
        assertThat(s.adv.listSchemas(r -> r.collaborationIdentifier(s.collaborationId)).schemaSummaries())
                .extracting(x -> x.name()).contains("extra", "EXTRA");
        assertThat(s.adv.getSchema(r -> r.collaborationIdentifier(s.collaborationId).name("EXTRA")).schema()
                .creatorAccountId()).isEqualTo(s.advertiser.accountId());
        assertThat(s.adv.getSchema(r -> r.collaborationIdentifier(s.collaborationId).name("extra")).schema()
                .creatorAccountId()).isEqualTo(s.publisher.accountId());
        assertThat(s.adv.getConfiguredTableAssociation(r -> r.membershipIdentifier(s.advertiserMembership)
                .configuredTableAssociationIdentifier(stored.id().value())).configuredTableAssociation().name())
                .isEqualTo("EXTRA");
        // a query naming the table, however spelt, is refused and says which associations to rename
        for (String name : List.of("extra", "EXTRA", "\"EXTRA\"")) {
            ValidationException e = catchThrowableOfType(ValidationException.class, () -> s.start(
                    "SELECT a.campaign, COUNT(DISTINCT a.user_id_hash) FROM advertiser_audience a JOIN " + name
                            + " e ON a.user_id_hash = e.user_id_hash GROUP BY a.campaign"));
            assertThat(e).as(name).isNotNull();
            assertThat(e.reasonAsString()).isEqualTo("INVALID_QUERY");
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Table name extra is ambiguous: the "
                    + "collaboration has tables EXTRA (account " + s.advertiser.accountId() + ") and extra (account "
                    + s.publisher.accountId() + "), whose names differ only in case. Their owners must rename all but "
                    + "one of these associations (delete it and associate the table again under another name)");
        }
        // a query that does not name it runs
        ProtectedQuery q = s.await(s.start(OVERLAP).id());
        assertThat(q.status()).as(String.valueOf(q.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
    }

    private ProtectedQuery startS3(Setup s, String format, String prefix) {
        return s.adv.startProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP))
                .resultConfiguration(c -> c.outputConfiguration(o -> o.s3(s3 -> s3.resultFormat(format)
                        .bucket("results").keyPrefix(prefix))))).protectedQuery();
    }

    @Test
    void resultsWrittenToAMappedBucketAsCsvAndParquet() throws Exception {
        Setup s = new Setup(1200);
        ProtectedQuery csv = s.await(startS3(s, "CSV", "lab/overlap").id());
        assertThat(csv.status()).isEqualTo(ProtectedQueryStatus.SUCCESS);
        assertThat(csv.result().output().s3().location())
                .isEqualTo("s3://results/lab/overlap/" + csv.id() + "/result.csv");
        List<String> lines = java.nio.file.Files.readAllLines(bucket.resolve("lab/overlap/" + csv.id()
                + "/result.csv"));
        assertThat(lines.get(0)).isEqualTo("campaign,segment,overlap_count");
        assertThat(lines).hasSize(5);
        ProtectedQuery parquet = s.await(startS3(s, "PARQUET", "").id());
        assertThat(parquet.result().output().s3().location()).endsWith(parquet.id() + "/result.parquet");
        java.nio.file.Path file = bucket.resolve(parquet.id() + "/result.parquet");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT SUM(overlap_count) FROM read_parquet('" + file + "')")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(400);
        }
        // the receiver can still read it through the API
        assertThat(s.result(s.advertiser, s.advertiserMembership, parquet.id()).status()).isEqualTo(200);
        // an unmapped bucket is refused up front
        assertThatThrownBy(() -> s.adv.startProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP))
                .resultConfiguration(c -> c.outputConfiguration(o -> o.s3(s3 -> s3.resultFormat("CSV")
                        .bucket("elsewhere"))))))
                .isInstanceOf(ValidationException.class).hasMessageContaining("--s3-bucket elsewhere");
    }

    @Test
    void analysisTemplateRunsWithTypedParameters() throws Exception {
        Setup s = new Setup(10);
        List<String> rows = new ArrayList<>(List.of("k,v"));
        for (int i = 0; i < 100; i++) {
            rows.add(i + "," + (i % 10));
        }
        Fixtures.catalogTable(cluster, s.publisher, "lab", "scores", rows, false);
        String sql = "SELECT COUNT(*) AS n FROM scores WHERE v >= :min";
        var template = s.adv.createAnalysisTemplate(r -> r.membershipIdentifier(s.advertiserMembership).name("scores_at_least")
                .format("SQL").source(src -> src.text(sql)).analysisParameters(p -> p.name("min").type("INTEGER")
                        .defaultValue("5"))).analysisTemplate();
        String table = Fixtures.configuredTable(s.pub, "scores", "lab", "scores", "k", "v");
        s.pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1
                        .fromCustom(AnalysisRuleCustom.builder().allowedAnalyses(template.arn()).build()))));
        Fixtures.associate(s.pub, s.publisherMembership, table, "scores");
        ProtectedQuery q = s.await(s.adv.startProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .type(ProtectedQueryType.SQL).sqlParameters(p -> p.analysisTemplateArn(template.arn())
                        .parameters(Map.of("min", "8")))).protectedQuery().id());
        assertThat(q.status()).as(String.valueOf(q.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
        assertThat(q.sqlParameters().analysisTemplateArn()).isEqualTo(template.arn());
        JsonNode result = Json.MAPPER.readTree(s.result(s.advertiser, s.advertiserMembership, q.id()).body());
        assertThat(result.at("/rows/0/0").asLong()).isEqualTo(20);
        // the same SQL ad hoc is not allowed, and a value is bound as a literal of its type
        assertThatThrownBy(() -> s.start("SELECT COUNT(*) AS n FROM scores WHERE v >= 8"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("reviewed analysis templates");
        assertThatThrownBy(() -> s.adv.startProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .type(ProtectedQueryType.SQL).sqlParameters(p -> p.analysisTemplateArn(template.arn())
                        .parameters(Map.of("min", "8 OR 1=1")))))
                .isInstanceOf(ValidationException.class).hasMessageContaining(":min must be a value of type INTEGER");
    }

    @Test
    void membershipDefaultResultConfigurationIsUsed() throws Exception {
        Setup s = new Setup(1200);
        s.adv.updateMembership(r -> r.membershipIdentifier(s.advertiserMembership)
                .defaultResultConfiguration(d -> d.outputConfiguration(o -> o.s3(s3 -> s3.resultFormat("CSV")
                        .bucket("results").keyPrefix("defaults")))));
        ProtectedQuery q = s.await(s.adv.startProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .type(ProtectedQueryType.SQL).sqlParameters(p -> p.queryString(OVERLAP))).protectedQuery().id());
        assertThat(q.result().output().s3().location()).startsWith("s3://results/defaults/");
        assertThat(bucket.resolve("defaults/" + q.id() + "/result.csv")).exists();
    }

    /** A custom-rule table big enough that a self-join runs for a long time. */
    private Setup slowSetup() throws Exception {
        Setup s = new Setup(10);
        List<String> rows = new ArrayList<>(List.of("k,v"));
        for (int i = 0; i < 150_000; i++) {
            rows.add(i + "," + (i % 7));
        }
        Fixtures.catalogTable(cluster, s.advertiser, "lab", "big", rows, false);
        String table = Fixtures.configuredTable(s.adv, "big", "lab", "big", "k", "v");
        s.adv.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1
                        .fromCustom(AnalysisRuleCustom.builder().allowedAnalyses("ANY_QUERY")
                                .allowedAnalysisProviders(s.advertiser.accountId()).build()))));
        Fixtures.associate(s.adv, s.advertiserMembership, table, "big");
        s.bigTable = table;
        return s;
    }

    static final String SLOW = "SELECT COUNT(*) FROM big a JOIN big b ON a.k <> b.k";

    @Test
    void runningQueryCanBeCancelled() throws Exception {
        Setup s = slowSetup();
        ProtectedQuery q = s.start(SLOW);
        Thread.sleep(300);
        ProtectedQuery cancelling = s.adv.updateProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .protectedQueryIdentifier(q.id()).targetStatus("CANCELLED")).protectedQuery();
        assertThat(cancelling.status()).isIn(ProtectedQueryStatus.CANCELLING, ProtectedQueryStatus.CANCELLED);
        assertThat(s.await(q.id()).status()).isEqualTo(ProtectedQueryStatus.CANCELLED);
        assertThatThrownBy(() -> s.adv.updateProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .protectedQueryIdentifier(q.id()).targetStatus("CANCELLED")))
                .isInstanceOf(software.amazon.awssdk.services.cleanrooms.model.ConflictException.class);
    }

    @Test
    void queryFailingInTheEngineEndsFailedWithASafeMessage() throws Exception {
        Setup s = slowSetup();
        ProtectedQuery q = s.await(s.start("SELECT k, v FROM big").id());
        assertThat(q.status()).isEqualTo(ProtectedQueryStatus.FAILED);
        assertThat(q.error().code()).isEqualTo("EXECUTION_ERROR");
        assertThat(q.error().message()).contains("more than 100000 rows");
        assertThat(q.statistics().totalDurationInMillis()).isNotNull();
        // the server keeps serving
        assertThat(s.await(s.start(OVERLAP).id()).status()).isEqualTo(ProtectedQueryStatus.SUCCESS);
    }

    @Test
    void queryRunningPastTheLimitTimesOut() throws Exception {
        Setup s = slowSetup();
        ProtectedQuery q = s.await(s.start(SLOW).id());
        assertThat(q.status()).isEqualTo(ProtectedQueryStatus.TIMED_OUT);
        assertThat(q.error().code()).isEqualTo("TIMED_OUT");
        assertThat(q.error().message()).contains("5 seconds");
        SignedHttpClient.Response result = s.result(s.advertiser, s.advertiserMembership, q.id());
        assertThat(result.status()).isEqualTo(409);
    }

    @Test
    void quotaOnConcurrentQueriesPerMembership() throws Exception {
        Setup s = slowSetup();
        List<String> started = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            started.add(s.start(SLOW).id());
        }
        ServiceQuotaExceededException e = catchThrowableOfType(ServiceQuotaExceededException.class,
                () -> s.start(SLOW));
        assertThat(e.quotaName()).isEqualTo("Concurrent ongoing queries per membership");
        for (String id : started) {
            s.adv.updateProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                    .protectedQueryIdentifier(id).targetStatus("CANCELLED"));
        }
        for (String id : started) {
            assertThat(s.await(id).status()).isEqualTo(ProtectedQueryStatus.CANCELLED);
        }
    }

    @Test
    void quotaOnConcurrentQueriesPerAccountAcrossItsMemberships() throws Exception {
        Setup s = slowSetup();
        String second = Fixtures.createCollaboration(s.pub, "second", s.advertiser);
        Fixtures.join(s.pub, second);
        String secondMembership = Fixtures.join(s.adv, second);
        Fixtures.associate(s.adv, secondMembership, s.bigTable, "big");
        java.util.Map<String, String> started = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            started.put(s.start(SLOW).id(), s.advertiserMembership);
        }
        for (int i = 0; i < 2; i++) {
            started.put(s.adv.startProtectedQuery(r -> r.membershipIdentifier(secondMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(SLOW))
                    .resultConfiguration(ProtectedQueryResultConfiguration.builder()
                            .outputConfiguration(ProtectedQueryOutputConfiguration.fromMember(
                                    ProtectedQueryMemberOutputConfiguration.builder()
                                            .accountId(s.advertiser.accountId()).build())).build()))
                    .protectedQuery().id(), secondMembership);
        }
        // the first membership has room (3 of 5), the account does not (5 of 5)
        ServiceQuotaExceededException e = catchThrowableOfType(ServiceQuotaExceededException.class,
                () -> s.start(SLOW));
        assertThat(e.quotaName()).isEqualTo("Concurrent SQL queries per account");
        assertThat(e.quotaValue()).isEqualTo(5.0);
        started.forEach((id, membership) -> s.adv.updateProtectedQuery(r -> r.membershipIdentifier(membership)
                .protectedQueryIdentifier(id).targetStatus("CANCELLED")));
        for (var query : started.entrySet()) {
            assertThat(s.await(query.getKey(), query.getValue()).status()).isEqualTo(ProtectedQueryStatus.CANCELLED);
        }
        // with the account's queries ended, it may run again
        String again = s.start(SLOW).id();
        s.adv.updateProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                .protectedQueryIdentifier(again).targetStatus("CANCELLED"));
    }

    /**
     * A server killed while a query was running may have written its result, to the results
     * directory and to a bucket, without committing SUCCESS: at the next start the query ends
     * FAILED and nothing of it remains; results of queries that succeeded stay.
     */
    @Test
    void restartLeavesNoResultOfAQueryThatDidNotSucceed() throws Exception {
        Setup s = new Setup(300);
        ProtectedQuery done = s.await(startS3(s, "CSV", "kept").id());
        assertThat(done.status()).isEqualTo(ProtectedQueryStatus.SUCCESS);
        java.nio.file.Path results = cluster.dataDir.resolve("results");
        java.nio.file.Path doneResult = results.resolve(done.id() + ".result");
        java.nio.file.Path doneOutput = bucket.resolve("kept/" + done.id() + "/result.csv");
        assertThat(doneResult).exists();
        assertThat(doneOutput).exists();

        // a query the server was running when it died, whose result and output were already written
        io.cleanroom.core.model.ProtectedQuery finished = cluster.server.store().inTransaction(tx -> tx.of(
                io.cleanroom.core.store.Kinds.PROTECTED_QUERIES).get(done.id())).orElseThrow();
        io.cleanroom.core.model.ProtectedQueryId runningId = io.cleanroom.core.model.ProtectedQueryId.random();
        io.cleanroom.core.model.ProtectedQuery running = new io.cleanroom.core.model.ProtectedQuery(runningId,
                finished.membershipId(), finished.collaborationId(), finished.runner(), finished.queryString(), null,
                Map.of(), finished.receivers(), finished.s3Output(), io.cleanroom.core.model.ProtectedQueryStatus.STARTED,
                null, null, null, finished.createTime(), finished.updateTime(), null);
        cluster.server.store().inTransaction(tx -> {
            tx.of(io.cleanroom.core.store.Kinds.PROTECTED_QUERIES).insert(running);
            return null;
        });
        java.nio.file.Files.copy(doneResult, results.resolve(runningId.value() + ".result"));
        java.nio.file.Path runningOutput = java.nio.file.Files.createDirectories(bucket.resolve("kept/"
                + runningId.value()));
        java.nio.file.Files.copy(doneOutput, runningOutput.resolve("result.csv"));
        java.nio.file.Files.writeString(runningOutput.resolve(".result.csv.tmp"), "cut sh");
        // a result cut short, and one of a query that had already failed
        java.nio.file.Path partial = java.nio.file.Files.writeString(results.resolve(
                io.cleanroom.core.model.ProtectedQueryId.random().value() + ".partial"), "cut sh");
        java.nio.file.Path orphan = results.resolve(io.cleanroom.core.model.ProtectedQueryId.random().value()
                + ".result");
        java.nio.file.Files.copy(doneResult, orphan);

        cluster.stop();
        cluster.restart();

        ProtectedQuery after;
        try (CleanRoomsClient fresh = cluster.cleanRooms(s.advertiser)) {
            after = fresh.getProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                    .protectedQueryIdentifier(runningId.value())).protectedQuery();
        }
        assertThat(after.status()).isEqualTo(ProtectedQueryStatus.FAILED);
        assertThat(runningOutput).doesNotExist();
        assertThat(results.resolve(runningId.value() + ".result")).doesNotExist();
        assertThat(partial).doesNotExist();
        assertThat(orphan).doesNotExist();
        assertThat(doneResult).exists();
        assertThat(doneOutput).exists();
        assertThat(s.result(s.advertiser, s.advertiserMembership, done.id()).status()).isEqualTo(200);
        assertThat(s.result(s.advertiser, s.advertiserMembership, runningId.value()).body()).contains("has no result");
    }
}
