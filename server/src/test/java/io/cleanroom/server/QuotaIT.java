package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisFormat;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.MemberAbility;
import software.amazon.awssdk.services.cleanrooms.model.MemberSpecification;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryMemberOutputConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryOutputConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryResultConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.cleanrooms.model.ServiceQuotaExceededException;

/**
 * Quotas the operator sets, through the SDK against a running server: every quota Cleanroom
 * enforces is set just below what a call needs (the call is refused with
 * ServiceQuotaExceededException naming the quota and the value set), raised to what it needs (the
 * call goes through), and lowered again (the next call is refused), each time by restarting the
 * server with the new value. A server started without settings has AWS's defaults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotaIT {
    TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withEngine(
                new ServerConfig.Engine("512MB", 1, 2, Duration.ofSeconds(60), 100_000)));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    /** One quota's use: the call, and what it needs of the quota. */
    interface Exercise {
        /** The value the next call needs (a count in use plus one, a size): one less and it is refused. */
        int needs() throws Exception;

        /** A value too low for the next call: needs() - 1 unless the exact need is not known here. */
        default int tooLow() throws Exception {
            return needs() - 1;
        }

        void call() throws Exception;
    }

    private Setup setup;

    private void restartWith(Quota quota, int value) {
        cluster.restart(c -> c.withQuotas(Quotas.DEFAULTS.with(quota, value)));
        setup.reconnect();
    }

    private void refused(Quota quota, Exercise exercise, int value) throws Exception {
        restartWith(quota, value);
        ServiceQuotaExceededException e = catchThrowableOfType(ServiceQuotaExceededException.class, exercise::call);
        assertThat(e).as(quota + " at " + value).isNotNull();
        assertThat(e.statusCode()).isEqualTo(402);
        assertThat(e.quotaName()).isEqualTo(quota.awsName());
        assertThat(e.quotaValue()).isEqualTo((double) value);
    }

    @Test
    void theServerStartsWithAwsDefaults() {
        Quotas quotas = cluster.server.config().quotas();
        for (Quota quota : Quota.values()) {
            assertThat(quotas.get(quota)).as(quota.name()).isEqualTo(quota.defaultValue("us-east-1"));
        }
        assertThat(ServerConfig.defaults().withRegion("eu-west-1").quotas()
                .get(Quota.CONCURRENT_QUERIES_PER_ACCOUNT)).isEqualTo(2);
        assertThat(Quota.COLLABORATIONS_CREATED_PER_ACCOUNT.defaultValue("us-east-1")).isEqualTo(10);
        assertThat(Quota.MEMBERS_INVITED_PER_COLLABORATION.defaultValue("us-east-1")).isEqualTo(5);
    }

    @Test
    void raisingAndLoweringEveryQuotaTakesEffect() throws Exception {
        Map<Quota, Exercise> exercises = exercises();
        assertThat(exercises.keySet()).as("every quota is exercised").containsExactlyInAnyOrder(Quota.values());
        for (Map.Entry<Quota, Exercise> entry : exercises.entrySet()) {
            Quota quota = entry.getKey();
            Exercise exercise = entry.getValue();
            refused(quota, exercise, exercise.tooLow());
            restartWith(quota, exercise.needs());
            exercise.call();
            // lowered again: what the call needs now (one more, for a count) is refused
            refused(quota, exercise, exercise.tooLow());
        }
        cluster.restart(c -> c.withQuotas(null));
    }

    /**
     * A query that has not ended counts against the concurrency quotas, and every query that has
     * ended does not, however many there were: one query held by its worker leaves no room at 1,
     * and once it has ended the next one starts.
     */
    @Test
    void onlyQueriesThatHaveNotEndedCountAgainstConcurrency() throws Exception {
        Setup s = new Setup();
        setup = s;
        for (Quota quota : List.of(Quota.CONCURRENT_QUERIES_PER_MEMBERSHIP, Quota.CONCURRENT_QUERIES_PER_ACCOUNT)) {
            restartWith(quota, 1);
            s.run(Setup.OVERLAP);
            s.run(Setup.OVERLAP);
            java.util.concurrent.CountDownLatch taken = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            io.cleanroom.query.ProtectedQueries queries = cluster.server.queries();
            queries.beforeStart(id -> {
                taken.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            String held;
            try {
                held = s.start(Setup.OVERLAP);
                assertThat(taken.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                ServiceQuotaExceededException e = catchThrowableOfType(ServiceQuotaExceededException.class,
                        () -> s.start(Setup.OVERLAP));
                assertThat(e).as(quota + " with one query open").isNotNull();
                assertThat(e.quotaName()).isEqualTo(quota.awsName());
            } finally {
                queries.beforeStart(id -> {
                });
                release.countDown();
            }
            s.await(held);
            s.run(Setup.OVERLAP);
        }
        cluster.restart(c -> c.withQuotas(null));
    }

    // ---- the exercises ----

    private Map<Quota, Exercise> exercises() throws Exception {
        Setup s = new Setup();
        setup = s;
        Map<Quota, Exercise> out = new EnumMap<>(Quota.class);
        out.put(Quota.MEMBERS_INVITED_PER_COLLABORATION, new Exercise() {
            @Override
            public int needs() {
                return 3;
            }

            @Override
            public void call() {
                s.pub.createCollaboration(r -> r.name("three").description("d").creatorDisplayName("p")
                        .creatorMemberAbilities(List.of()).queryLogStatus("DISABLED")
                        .members(s.others.stream().map(o -> MemberSpecification.builder().accountId(o.accountId())
                                .displayName("o").memberAbilities(List.<MemberAbility>of()).build()).toList()));
            }
        });
        out.put(Quota.COLLABORATIONS_CREATED_PER_ACCOUNT, count(() -> s.creator.listCollaborations(r -> { })
                .collaborationList().stream().filter(c -> c.creatorAccountId().equals(s.creatorKeys.accountId()))
                .count(), () -> Fixtures.createCollaboration(s.creator, "one")));
        out.put(Quota.MEMBERSHIPS_PER_ACCOUNT, count(() -> s.joiner.listMemberships(r -> r.status("ACTIVE"))
                .membershipSummaries().size(), () -> Fixtures.join(s.joiner, s.invitations.remove(0))));
        out.put(Quota.CONFIGURED_TABLES_PER_ACCOUNT, count(() -> s.pub.listConfiguredTables(r -> { })
                .configuredTableSummaries().size(), () -> Fixtures.configuredTable(s.pub, "t", "lab",
                "publisher_audience", "user_id_hash")));
        out.put(Quota.COLUMNS_PER_ALLOWLIST, new Exercise() {
            @Override
            public int needs() {
                return 2;
            }

            @Override
            public void call() {
                Fixtures.configuredTable(s.pub, "t", "lab", "publisher_audience", "user_id_hash", "segment");
            }
        });
        out.put(Quota.ANALYSIS_RULE_SIZE, new Exercise() {
            @Override
            public int needs() {
                return Quota.ANALYSIS_RULE_SIZE.defaultValue("us-east-1");
            }

            @Override
            public int tooLow() {
                return 100; // the policy's JSON is several hundred bytes
            }

            @Override
            public void call() {
                String table = Fixtures.configuredTable(s.pub, "ruled", "lab", "publisher_audience", "user_id_hash",
                        "segment");
                s.pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                        .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION)
                        .analysisRulePolicy(Fixtures.aggregationPolicy("user_id_hash", "segment", 2)));
            }
        });
        out.put(Quota.ANALYSIS_TEMPLATES_PER_MEMBERSHIP, count(() -> s.adv.listAnalysisTemplates(
                r -> r.membershipIdentifier(s.advertiserMembership)).analysisTemplateSummaries().size(),
                () -> s.adv.createAnalysisTemplate(r -> r.membershipIdentifier(s.advertiserMembership)
                        .name("t" + System.nanoTime()).format(AnalysisFormat.SQL).source(x -> x.text(Setup.OVERLAP)))));
        out.put(Quota.CONFIGURED_TABLES_PER_QUERY, new Exercise() {
            @Override
            public int needs() {
                return 2;
            }

            @Override
            public void call() throws Exception {
                s.run(Setup.OVERLAP);
            }
        });
        out.put(Quota.QUERY_TEXT_LENGTH, new Exercise() {
            @Override
            public int needs() {
                return Setup.OVERLAP.getBytes(StandardCharsets.UTF_8).length;
            }

            @Override
            public void call() throws Exception {
                s.run(Setup.OVERLAP);
            }
        });
        Exercise oneQuery = new Exercise() {
            @Override
            public int needs() {
                return 1; // queries end before the next call: none is running
            }

            @Override
            public void call() throws Exception {
                s.run(Setup.OVERLAP);
            }
        };
        out.put(Quota.CONCURRENT_QUERIES_PER_ACCOUNT, oneQuery);
        out.put(Quota.CONCURRENT_QUERIES_PER_MEMBERSHIP, oneQuery);
        return out;
    }

    interface Count {
        long now() throws Exception;
    }

    interface Call {
        void run() throws Exception;
    }

    /** A count quota: the next call needs the count in use plus one. */
    private static Exercise count(Count count, Call call) {
        return new Exercise() {
            @Override
            public int needs() throws Exception {
                return (int) count.now() + 1;
            }

            @Override
            public void call() throws Exception {
                call.run();
            }
        };
    }

    /** Two members' tables, rules and associations; accounts to invite; invitations to accept. */
    final class Setup {
        static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count "
                + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
                + "GROUP BY 1, 2";

        final TestCluster.Keys publisher = Fixtures.account(cluster, "publisher");
        final TestCluster.Keys advertiser = Fixtures.account(cluster, "advertiser");
        final TestCluster.Keys creatorKeys = Fixtures.account(cluster, "creator");
        final TestCluster.Keys joinerKeys = Fixtures.account(cluster, "joiner");
        CleanRoomsClient pub;
        CleanRoomsClient adv;
        CleanRoomsClient creator;
        CleanRoomsClient joiner;
        final List<TestCluster.Keys> others = new ArrayList<>();
        final List<String> invitations = new ArrayList<>();
        final String advertiserMembership;

        /** New clients: the old ones hold connections to the server before the restart. */
        void reconnect() {
            for (CleanRoomsClient c : new CleanRoomsClient[] {pub, adv, creator, joiner}) {
                if (c != null) {
                    c.close();
                }
            }
            pub = cluster.cleanRooms(publisher);
            adv = cluster.cleanRooms(advertiser);
            creator = cluster.cleanRooms(creatorKeys);
            joiner = cluster.cleanRooms(joinerKeys);
        }

        Setup() throws Exception {
            reconnect();
            List<String> p = new ArrayList<>(List.of("user_id_hash,segment"));
            List<String> a = new ArrayList<>(List.of("user_id_hash,campaign"));
            for (int i = 0; i < 60; i++) {
                p.add("u" + i + "," + (i % 2 == 0 ? "news" : "sports"));
                if (i % 3 == 0) {
                    a.add("u" + i + "," + (i % 4 < 2 ? "spring" : "brand"));
                }
            }
            Fixtures.catalogTable(cluster, publisher, "lab", "publisher_audience", p, false);
            Fixtures.catalogTable(cluster, advertiser, "lab", "advertiser_audience", a, false);
            String collaboration = Fixtures.createCollaboration(pub, "quotas", advertiser);
            String publisherMembership = Fixtures.join(pub, collaboration);
            advertiserMembership = Fixtures.join(adv, collaboration);
            String publisherTable = Fixtures.configuredTable(pub, "publisher_audience", "lab", "publisher_audience",
                    "user_id_hash", "segment");
            String advertiserTable = Fixtures.configuredTable(adv, "advertiser_audience", "lab",
                    "advertiser_audience", "user_id_hash", "campaign");
            Fixtures.aggregationRule(pub, publisherTable, "user_id_hash", "segment");
            Fixtures.aggregationRule(adv, advertiserTable, "user_id_hash", "campaign");
            Fixtures.associate(pub, publisherMembership, publisherTable, "publisher_audience");
            Fixtures.associate(adv, advertiserMembership, advertiserTable, "advertiser_audience");
            for (int i = 0; i < 3; i++) {
                others.add(Fixtures.account(cluster, "other" + i));
                invitations.add(Fixtures.createCollaboration(creator, "invites joiner", joinerKeys));
            }
        }

        /** Starts a query and waits until it ends, so that none is running afterwards. */
        void run(String sql) throws Exception {
            await(start(sql));
        }

        /** Starts a query; its id. */
        String start(String sql) {
            return adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(sql))
                    .resultConfiguration(ProtectedQueryResultConfiguration.builder()
                            .outputConfiguration(ProtectedQueryOutputConfiguration.fromMember(
                                    ProtectedQueryMemberOutputConfiguration.builder()
                                            .accountId(advertiser.accountId()).build())).build()))
                    .protectedQuery().id();
        }

        /** Waits until the query ends with SUCCESS. */
        void await(String id) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                ProtectedQueryStatus status = adv.getProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                        .protectedQueryIdentifier(id)).protectedQuery().status();
                if (status == ProtectedQueryStatus.SUCCESS) {
                    return;
                }
                assertThat(status).isIn(ProtectedQueryStatus.SUBMITTED, ProtectedQueryStatus.STARTED);
                assertThat(System.nanoTime()).as("query ends").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }
}
