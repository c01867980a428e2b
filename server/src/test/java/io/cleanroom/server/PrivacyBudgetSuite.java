package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.service.PageTokens;
import io.cleanroom.core.service.PrivacyBudgetLedger;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.core.service.ServiceContext;
import io.cleanroom.privacy.Rational;
import io.cleanroom.server.wire.Json;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AccessDeniedException;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.CollaborationPrivacyBudgetSummary;
import software.amazon.awssdk.services.cleanrooms.model.CollaborationPrivacyBudgetTemplate;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicyV1;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConflictException;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyAggregationType;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyColumn;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyPreviewAggregation;
import software.amazon.awssdk.services.cleanrooms.model.DifferentialPrivacyPrivacyBudgetAggregation;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetSummary;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplate;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateAutoRefresh;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateParametersInput;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateUpdateParameters;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetType;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cleanrooms.model.Schema;
import software.amazon.awssdk.services.cleanrooms.model.SchemaConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.SchemaStatus;
import software.amazon.awssdk.services.cleanrooms.model.SchemaStatusDetail;
import software.amazon.awssdk.services.cleanrooms.model.SchemaStatusReasonCode;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;

/**
 * Differential privacy through the AWS SDK for Java: the custom rule's differentialPrivacy, the
 * schema status it sets (queries refused until the policy exists, then run; see
 * DifferentialPrivacyQuerySuite for the queries themselves), and the ten privacy budget
 * operations with their error table. Each store runs it (SqlitePrivacyBudgetIT,
 * PostgresPrivacyBudgetIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PrivacyBudgetSuite {
    TestCluster cluster;

    abstract TestCluster.StoreKind kind();

    @BeforeAll
    void startCluster() throws Exception {
        cluster = TestCluster.start(kind());
    }

    @AfterAll
    void stopCluster() {
        cluster.close();
    }

    static final List<String> MEMBERS = List.of("user_id,salary,city", "u1,100,paris", "u2,200,lyon",
            "u3,300,paris");
    static final List<String> VISITS = List.of("user_id,page", "u1,home", "u2,cart", "u9,home");

    static ConfiguredTableAnalysisRulePolicy custom(String providerAccount, String dpColumn) {
        AnalysisRuleCustom.Builder rule = AnalysisRuleCustom.builder().allowedAnalyses("ANY_QUERY")
                .allowedAnalysisProviders(providerAccount);
        if (dpColumn != null) {
            rule.differentialPrivacy(DifferentialPrivacyConfiguration.builder()
                    .columns(DifferentialPrivacyColumn.builder().name(dpColumn).build()).build());
        }
        return ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1.fromCustom(rule.build()));
    }

    static PrivacyBudgetTemplateParametersInput parameters(int epsilon, int noise) {
        return PrivacyBudgetTemplateParametersInput.fromDifferentialPrivacy(p -> p.epsilon(epsilon)
                .usersNoisePerQuery(noise));
    }

    /**
     * A collaboration the publisher creates: the publisher's members table with differential privacy
     * on user_id (analysis by the advertiser), the advertiser (who can query and receive results)
     * with a plain custom-rule visits table.
     */
    final class Setup {
        final TestCluster.Keys publisher = Fixtures.account(cluster, "publisher");
        final TestCluster.Keys advertiser = Fixtures.account(cluster, "advertiser");
        final CleanRoomsClient pub = cluster.cleanRooms(publisher);
        final CleanRoomsClient adv = cluster.cleanRooms(advertiser);
        final String collaborationId;
        final String publisherMembership;
        final String advertiserMembership;
        final String membersTable;
        final String visitsTable;

        Setup() throws Exception {
            Fixtures.catalogTable(cluster, publisher, "lab", "members", MEMBERS, false);
            Fixtures.catalogTable(cluster, advertiser, "lab", "visits", VISITS, false);
            collaborationId = Fixtures.createCollaboration(pub, "dp", advertiser);
            publisherMembership = Fixtures.join(pub, collaborationId);
            advertiserMembership = Fixtures.join(adv, collaborationId);
            membersTable = Fixtures.configuredTable(pub, "members", "lab", "members", "user_id", "salary", "city");
            pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(membersTable)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(custom(advertiser.accountId(), "user_id")));
            Fixtures.associate(pub, publisherMembership, membersTable, "members");
            visitsTable = Fixtures.configuredTable(adv, "visits", "lab", "visits", "user_id", "page");
            adv.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(visitsTable)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(custom(advertiser.accountId(), null)));
            Fixtures.associate(adv, advertiserMembership, visitsTable, "visits");
        }

        PrivacyBudgetTemplate policy(PrivacyBudgetTemplateAutoRefresh refresh, int epsilon, int noise) {
            return pub.createPrivacyBudgetTemplate(r -> r.membershipIdentifier(publisherMembership)
                    .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).autoRefresh(refresh)
                    .parameters(parameters(epsilon, noise))).privacyBudgetTemplate();
        }

        String query(String sql) {
            return adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(sql))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                            advertiser.accountId()))))).protectedQuery().id();
        }

        SchemaStatusDetail status(CleanRoomsClient client) {
            Schema schema = client.getSchema(r -> r.collaborationIdentifier(collaborationId).name("members")).schema();
            assertThat(schema.schemaStatusDetails()).hasSize(1);
            return schema.schemaStatusDetails().get(0);
        }

        List<PrivacyBudgetSummary> budgets(CleanRoomsClient client, String membership) {
            return client.listPrivacyBudgets(r -> r.membershipIdentifier(membership)
                    .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)).privacyBudgetSummaries();
        }

        /** Spends from the budget as the query stage will: a reservation, then its commit. */
        void spend(String holder, Rational cost) {
            PrivacyBudgetLedger ledger = new PrivacyBudgetLedger(new ServiceContext(cluster.server.store(),
                    Clock.systemUTC(), new Arns("us-east-1"), Quotas.DEFAULTS, PageTokens.random()));
            ledger.reserve(new CollaborationId(collaborationId), holder, cost);
            ledger.commit(holder);
        }
    }

    private static Map<String, Integer> remaining(PrivacyBudgetSummary summary) {
        return summary.budget().differentialPrivacy().aggregations().stream().collect(Collectors.toMap(
                DifferentialPrivacyPrivacyBudgetAggregation::typeAsString,
                DifferentialPrivacyPrivacyBudgetAggregation::remainingCount, (a, b) -> a, LinkedHashMap::new));
    }

    private static Map<String, Integer> max(PrivacyBudgetSummary summary) {
        return summary.budget().differentialPrivacy().aggregations().stream().collect(Collectors.toMap(
                DifferentialPrivacyPrivacyBudgetAggregation::typeAsString,
                DifferentialPrivacyPrivacyBudgetAggregation::maxCount, (a, b) -> a, LinkedHashMap::new));
    }

    @Test
    void aTableWithDifferentialPrivacyIsNotReadyUntilThePolicyThenItsQueriesSpendTheBudget() throws Exception {
        Setup s = new Setup();
        // the rule keeps differentialPrivacy as sent
        var rule = s.pub.getConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(s.membersTable)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)).analysisRule();
        assertThat(rule.policy().v1().custom().differentialPrivacy().columns())
                .extracting(DifferentialPrivacyColumn::name).containsExactly("user_id");
        var schemaRule = s.adv.getSchemaAnalysisRule(r -> r.collaborationIdentifier(s.collaborationId)
                .name("members").type(AnalysisRuleType.CUSTOM)).analysisRule();
        assertThat(schemaRule.policy().v1().custom().differentialPrivacy().columns())
                .extracting(DifferentialPrivacyColumn::name).containsExactly("user_id");
        assertThat(schemaRule.consolidatedPolicy().v1().custom().differentialPrivacy().columns())
                .extracting(DifferentialPrivacyColumn::name).containsExactly("user_id");

        for (CleanRoomsClient client : List.of(s.pub, s.adv)) {
            SchemaStatusDetail status = s.status(client);
            assertThat(status.status()).isEqualTo(SchemaStatus.NOT_READY);
            assertThat(status.reasons()).extracting(r -> r.code())
                    .containsExactly(SchemaStatusReasonCode.DIFFERENTIAL_PRIVACY_POLICY_NOT_CONFIGURED);
            assertThat(status.configurations()).containsExactly(SchemaConfiguration.DIFFERENTIAL_PRIVACY);
        }
        var batch = s.adv.batchGetSchema(r -> r.collaborationIdentifier(s.collaborationId).names("members", "visits"));
        Map<String, Schema> byName = batch.schemas().stream().collect(Collectors.toMap(Schema::name, x -> x));
        assertThat(byName.get("members").schemaStatusDetails().get(0).status()).isEqualTo(SchemaStatus.NOT_READY);
        assertThat(byName.get("members").schemaStatusDetails().get(0).configurations())
                .containsExactly(SchemaConfiguration.DIFFERENTIAL_PRIVACY);
        assertThat(byName.get("visits").schemaStatusDetails().get(0).status()).isEqualTo(SchemaStatus.READY);
        assertThat(byName.get("visits").schemaStatusDetails().get(0).configurations()).isEmpty();

        ValidationException notReady = catchThrowableOfType(ValidationException.class,
                () -> s.query("SELECT COUNT(DISTINCT user_id) FROM members"));
        assertThat(notReady.reasonAsString()).isEqualTo("INVALID_QUERY");
        assertThat(notReady.getMessage()).contains("Table members is not ready", "no differential privacy policy");

        s.policy(PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH, 10, 30);
        SchemaStatusDetail ready = s.status(s.adv);
        assertThat(ready.status()).isEqualTo(SchemaStatus.READY);
        assertThat(ready.reasons()).isEmpty();
        assertThat(ready.configurations()).containsExactly(SchemaConfiguration.DIFFERENTIAL_PRIVACY);
        // ready: queries run, and the policy's budget pays for them (3 users: no group reaches the release
        // threshold, the ungrouped count is answered)
        String counted = s.query("SELECT COUNT(DISTINCT user_id) FROM members");
        String grouped = s.query("SELECT v.page, COUNT(*) FROM visits v JOIN members m ON v.user_id = m.user_id "
                + "GROUP BY v.page");
        for (String id : List.of(counted, grouped)) {
            software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery q;
            do {
                Thread.sleep(25);
                q = s.adv.getProtectedQuery(r -> r.membershipIdentifier(s.advertiserMembership)
                        .protectedQueryIdentifier(id)).protectedQuery();
            } while (!List.of("SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT").contains(q.statusAsString()));
            assertThat(q.statusAsString()).as(String.valueOf(q.error())).isEqualTo("SUCCESS");
            assertThat(q.differentialPrivacy().sensitivityParameters()).isNotEmpty();
        }
        // one statistic each, the grouped count and the count of users that chooses its groups: 3 of 300
        assertThat(remaining(s.budgets(s.adv, s.advertiserMembership).get(0))).containsEntry("COUNT", 297);
        // the plain table is queried as before
        String plain = s.query("SELECT page, COUNT(*) AS n FROM visits GROUP BY page");
        assertThat(plain).isNotBlank();
    }

    @Test
    void theTenOperationsThroughTheSdk() throws Exception {
        Setup s = new Setup();
        PrivacyBudgetTemplate created = s.pub.createPrivacyBudgetTemplate(r -> r
                .membershipIdentifier(s.publisherMembership)
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                .autoRefresh(PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH)
                .parameters(parameters(10, 30)).tags(Map.of("team", "privacy"))).privacyBudgetTemplate();
        assertThat(created.id()).matches("[0-9a-f-]{36}");
        assertThat(created.arn()).isEqualTo("arn:aws:cleanrooms:us-east-1:" + s.publisher.accountId()
                + ":privacybudgettemplate/" + created.id());
        assertThat(created.arn().length()).isLessThanOrEqualTo(100);
        assertThat(created.membershipId()).isEqualTo(s.publisherMembership);
        assertThat(created.membershipArn()).endsWith(":membership/" + s.publisherMembership);
        assertThat(created.collaborationId()).isEqualTo(s.collaborationId);
        assertThat(created.collaborationArn()).endsWith(":collaboration/" + s.collaborationId);
        assertThat(created.privacyBudgetType()).isEqualTo(PrivacyBudgetType.DIFFERENTIAL_PRIVACY);
        assertThat(created.autoRefresh()).isEqualTo(PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH);
        assertThat(created.parameters().differentialPrivacy().epsilon()).isEqualTo(10);
        assertThat(created.parameters().differentialPrivacy().usersNoisePerQuery()).isEqualTo(30);
        assertThat(created.createTime()).isNotNull().isEqualTo(created.updateTime());

        // the owner's view
        assertThat(s.pub.getPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                .privacyBudgetTemplateIdentifier(created.id())).privacyBudgetTemplate()).isEqualTo(created);
        var own = s.pub.listPrivacyBudgetTemplates(r -> r.membershipIdentifier(s.publisherMembership));
        assertThat(own.privacyBudgetTemplateSummaries()).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo(created.id());
            assertThat(t.arn()).isEqualTo(created.arn());
            assertThat(t.membershipId()).isEqualTo(s.publisherMembership);
            assertThat(t.privacyBudgetType()).isEqualTo(PrivacyBudgetType.DIFFERENTIAL_PRIVACY);
        });
        assertThat(own.nextToken()).isNull();
        assertThat(s.adv.listPrivacyBudgetTemplates(r -> r.membershipIdentifier(s.advertiserMembership))
                .privacyBudgetTemplateSummaries()).isEmpty();

        // every member's view, through the collaboration
        CollaborationPrivacyBudgetTemplate seen = s.adv.getCollaborationPrivacyBudgetTemplate(r -> r
                .collaborationIdentifier(s.collaborationId).privacyBudgetTemplateIdentifier(created.id()))
                .collaborationPrivacyBudgetTemplate();
        assertThat(seen.arn()).isEqualTo(created.arn());
        assertThat(seen.creatorAccountId()).isEqualTo(s.publisher.accountId());
        assertThat(seen.autoRefresh()).isEqualTo(PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH);
        assertThat(seen.parameters().differentialPrivacy().epsilon()).isEqualTo(10);
        assertThat(s.adv.listCollaborationPrivacyBudgetTemplates(r -> r.collaborationIdentifier(s.collaborationId))
                .collaborationPrivacyBudgetTemplateSummaries()).singleElement().satisfies(t -> {
                    assertThat(t.id()).isEqualTo(created.id());
                    assertThat(t.creatorAccountId()).isEqualTo(s.publisher.accountId());
                });

        // the budget, from either member: the lab's policy allows 300 COUNTs, 150 AVGs, 100 STDDEVs
        PrivacyBudgetSummary budget = s.budgets(s.adv, s.advertiserMembership).get(0);
        assertThat(budget.id()).matches("[0-9a-f-]{36}");
        assertThat(budget.privacyBudgetTemplateId()).isEqualTo(created.id());
        assertThat(budget.privacyBudgetTemplateArn()).isEqualTo(created.arn());
        assertThat(budget.membershipId()).isEqualTo(s.publisherMembership);
        assertThat(budget.collaborationId()).isEqualTo(s.collaborationId);
        assertThat(budget.type()).isEqualTo(PrivacyBudgetType.DIFFERENTIAL_PRIVACY);
        assertThat(budget.budget().differentialPrivacy().epsilon()).isEqualTo(10);
        assertThat(max(budget)).containsExactly(Map.entry("COUNT", 300), Map.entry("COUNT_DISTINCT", 300),
                Map.entry("SUM", 300), Map.entry("AVG", 150), Map.entry("STDDEV", 100));
        assertThat(remaining(budget)).isEqualTo(max(budget));
        assertThat(budget.budget().differentialPrivacy().aggregations()).extracting(a -> a.type())
                .containsExactly(DifferentialPrivacyAggregationType.COUNT, DifferentialPrivacyAggregationType.COUNT_DISTINCT,
                        DifferentialPrivacyAggregationType.SUM, DifferentialPrivacyAggregationType.AVG,
                        DifferentialPrivacyAggregationType.STDDEV);
        assertThat(s.budgets(s.pub, s.publisherMembership)).containsExactly(budget);
        List<CollaborationPrivacyBudgetSummary> collaborationBudgets = s.adv.listCollaborationPrivacyBudgets(r -> r
                .collaborationIdentifier(s.collaborationId).privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY))
                .collaborationPrivacyBudgetSummaries();
        assertThat(collaborationBudgets).singleElement().satisfies(b -> {
            assertThat(b.id()).isEqualTo(budget.id());
            assertThat(b.creatorAccountId()).isEqualTo(s.publisher.accountId());
            assertThat(b.privacyBudgetTemplateArn()).isEqualTo(created.arn());
            assertThat(b.budget()).isEqualTo(budget.budget());
        });
        // no access budgets exist here
        assertThat(s.adv.listPrivacyBudgets(r -> r.membershipIdentifier(s.advertiserMembership)
                .privacyBudgetType(PrivacyBudgetType.ACCESS_BUDGET)).privacyBudgetSummaries()).isEmpty();

        // spending shows in the remaining counts; the noise can move either way, epsilon only up
        s.spend("q1", Rational.of(1, 30));
        s.spend("q2", Rational.of(2, 30));
        assertThat(remaining(s.budgets(s.adv, s.advertiserMembership).get(0))).containsEntry("COUNT", 297)
                .containsEntry("AVG", 148).containsEntry("STDDEV", 99);
        PrivacyBudgetTemplate updated = s.pub.updatePrivacyBudgetTemplate(r -> r
                .membershipIdentifier(s.publisherMembership).privacyBudgetTemplateIdentifier(created.id())
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                .parameters(PrivacyBudgetTemplateUpdateParameters.fromDifferentialPrivacy(p -> p.epsilon(12)
                        .usersNoisePerQuery(20)))).privacyBudgetTemplate();
        assertThat(updated.parameters().differentialPrivacy().epsilon()).isEqualTo(12);
        assertThat(updated.parameters().differentialPrivacy().usersNoisePerQuery()).isEqualTo(20);
        assertThat(updated.createTime()).isEqualTo(created.createTime());
        assertThat(updated.updateTime()).isAfterOrEqualTo(created.updateTime());
        // 12 - 1/10 = 11.9 left at 1/20 a COUNT: 238
        assertThat(remaining(s.budgets(s.adv, s.advertiserMembership).get(0))).containsEntry("COUNT", 238)
                .containsEntry("AVG", 119);
        ConflictException shrink = catchThrowableOfType(ConflictException.class, () -> s.pub
                .updatePrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                        .privacyBudgetTemplateIdentifier(created.id())
                        .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                        .parameters(PrivacyBudgetTemplateUpdateParameters.fromDifferentialPrivacy(p -> p.epsilon(11)))));
        assertThat(shrink.reasonAsString()).isEqualTo("INVALID_STATE");
        assertThat(shrink.getMessage()).contains("epsilon cannot be lowered from 12 to 11", "already spent");
        PrivacyBudgetTemplate quieter = s.pub.updatePrivacyBudgetTemplate(r -> r
                .membershipIdentifier(s.publisherMembership).privacyBudgetTemplateIdentifier(created.id())
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                .parameters(PrivacyBudgetTemplateUpdateParameters.fromDifferentialPrivacy(p -> p
                        .usersNoisePerQuery(100)))).privacyBudgetTemplate();
        assertThat(quieter.parameters().differentialPrivacy().epsilon()).isEqualTo(12);

        // what a policy would allow, for any member
        var impact = s.adv.previewPrivacyImpact(r -> r.membershipIdentifier(s.advertiserMembership)
                .parameters(p -> p.differentialPrivacy(d -> d.epsilon(20).usersNoisePerQuery(100)))).privacyImpact();
        assertThat(impact.differentialPrivacy().aggregations().stream().collect(Collectors.toMap(
                DifferentialPrivacyPreviewAggregation::typeAsString, DifferentialPrivacyPreviewAggregation::maxCount)))
                .containsExactlyInAnyOrderEntriesOf(Map.of("COUNT", 2000, "COUNT_DISTINCT", 2000, "SUM", 2000,
                        "AVG", 1000, "STDDEV", 666));

        // tags on the template's ARN, by its owner only
        assertThat(s.pub.listTagsForResource(r -> r.resourceArn(created.arn())).tags())
                .containsExactly(Map.entry("team", "privacy"));
        s.pub.tagResource(r -> r.resourceArn(created.arn()).tags(Map.of("stage", "lab")));
        s.pub.untagResource(r -> r.resourceArn(created.arn()).tagKeys("team"));
        assertThat(s.pub.listTagsForResource(r -> r.resourceArn(created.arn())).tags())
                .containsExactly(Map.entry("stage", "lab"));
        assertThat(catchThrowableOfType(ResourceNotFoundException.class,
                () -> s.adv.listTagsForResource(r -> r.resourceArn(created.arn())))).isNotNull();

        // deleted: gone from every view, the table NOT_READY again, its tags gone
        var deleted = s.pub.deletePrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                .privacyBudgetTemplateIdentifier(created.id()));
        assertThat(deleted.sdkHttpResponse().statusCode()).isEqualTo(204);
        assertThat(catchThrowableOfType(ResourceNotFoundException.class, () -> s.pub.getPrivacyBudgetTemplate(r -> r
                .membershipIdentifier(s.publisherMembership).privacyBudgetTemplateIdentifier(created.id()))))
                .isNotNull();
        assertThat(catchThrowableOfType(ResourceNotFoundException.class, () -> s.adv
                .getCollaborationPrivacyBudgetTemplate(r -> r.collaborationIdentifier(s.collaborationId)
                        .privacyBudgetTemplateIdentifier(created.id())))).isNotNull();
        assertThat(s.budgets(s.adv, s.advertiserMembership)).isEmpty();
        assertThat(s.status(s.adv).status()).isEqualTo(SchemaStatus.NOT_READY);
        assertThat(catchThrowableOfType(ResourceNotFoundException.class,
                () -> s.pub.listTagsForResource(r -> r.resourceArn(created.arn())))).isNotNull();
        // created again, the budget remembers what was spent
        s.policy(PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH, 1, 10);
        PrivacyBudgetSummary again = s.budgets(s.adv, s.advertiserMembership).get(0);
        assertThat(again.id()).isEqualTo(budget.id());
        assertThat(remaining(again)).containsEntry("COUNT", 9);

        // every call is in the audit trail
        try (var trail = cluster.cloudTrail(s.publisher)) {
            assertThat(trail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey("EventName")
                    .attributeValue("CreatePrivacyBudgetTemplate"))).events()).hasSize(2);
            assertThat(trail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey("EventName")
                    .attributeValue("UpdatePrivacyBudgetTemplate"))).events()).hasSize(3);
        }
    }

    @Test
    void theErrorTable() throws Exception {
        Setup s = new Setup();
        // ACCESS_BUDGET is not supported
        ValidationException access = catchThrowableOfType(ValidationException.class, () -> s.pub
                .createPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                        .privacyBudgetType(PrivacyBudgetType.ACCESS_BUDGET)
                        .parameters(PrivacyBudgetTemplateParametersInput.fromAccessBudget(a -> a
                                .resourceArn("arn:aws:cleanrooms:us-east-1:111111111111:membership/x/"
                                        + "configuredtableassociation/y").budgetParameters(List.of())))));
        assertThat(access.reasonAsString()).isEqualTo("FIELD_VALIDATION_FAILED");
        assertThat(access.getMessage()).contains("ACCESS_BUDGET privacy budgets are not supported");
        assertThat(access.fieldList()).extracting(f -> f.name()).containsExactlyInAnyOrder("privacyBudgetType",
                "parameters.accessBudget");
        // out of range: epsilon 1-20, usersNoisePerQuery 10-100, on Create, Update and Preview
        for (int[] bad : new int[][] {{0, 30}, {21, 30}, {10, 9}, {10, 101}}) {
            ValidationException e = catchThrowableOfType(ValidationException.class, () -> s.policy(
                    PrivacyBudgetTemplateAutoRefresh.NONE, bad[0], bad[1]));
            assertThat(e).as(bad[0] + "/" + bad[1]).isNotNull();
            assertThat(e.fieldList()).singleElement().satisfies(f -> assertThat(f.name())
                    .isEqualTo("parameters.differentialPrivacy." + (bad[0] == 10 ? "usersNoisePerQuery" : "epsilon")));
            assertThat(catchThrowableOfType(ValidationException.class, () -> s.adv.previewPrivacyImpact(r -> r
                    .membershipIdentifier(s.advertiserMembership).parameters(p -> p.differentialPrivacy(d -> d
                            .epsilon(bad[0]).usersNoisePerQuery(bad[1])))))).isNotNull();
        }
        ValidationException refresh = catchThrowableOfType(ValidationException.class, () -> s.pub
                .createPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                        .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).autoRefresh("WEEKLY")
                        .parameters(parameters(1, 10))));
        assertThat(refresh.getMessage()).contains("autoRefresh", "CALENDAR_MONTH, NONE");
        // only a member protecting a table with differential privacy creates the policy
        AccessDeniedException denied = catchThrowableOfType(AccessDeniedException.class, () -> s.adv
                .createPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.advertiserMembership)
                        .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).parameters(parameters(1, 10))));
        assertThat(denied.getMessage()).contains("differential privacy turned on", "has associated none");
        // one per collaboration
        PrivacyBudgetTemplate template = s.policy(PrivacyBudgetTemplateAutoRefresh.NONE, 5, 50);
        ConflictException second = catchThrowableOfType(ConflictException.class,
                () -> s.policy(PrivacyBudgetTemplateAutoRefresh.NONE, 5, 50));
        assertThat(second.reasonAsString()).isEqualTo("ALREADY_EXISTS");
        assertThat(second.resourceId()).isEqualTo(template.id());
        assertThat(second.getMessage()).contains("already has a privacy budget template");
        // unknown and malformed identifiers; another member's template is not found through its membership
        String unknown = "00000000-0000-4000-8000-000000000000";
        ResourceNotFoundException missing = catchThrowableOfType(ResourceNotFoundException.class, () -> s.pub
                .getPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                        .privacyBudgetTemplateIdentifier(unknown)));
        assertThat(missing.resourceId()).isEqualTo(unknown);
        assertThat(missing.resourceTypeAsString()).isEqualTo("PRIVACY_BUDGET_TEMPLATE");
        assertThat(catchThrowableOfType(ValidationException.class, () -> s.pub.getPrivacyBudgetTemplate(r -> r
                .membershipIdentifier(s.publisherMembership).privacyBudgetTemplateIdentifier("not-an-id"))))
                .isNotNull();
        for (Runnable call : List.<Runnable>of(
                () -> s.adv.getPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.advertiserMembership)
                        .privacyBudgetTemplateIdentifier(template.id())),
                () -> s.adv.updatePrivacyBudgetTemplate(r -> r.membershipIdentifier(s.advertiserMembership)
                        .privacyBudgetTemplateIdentifier(template.id())
                        .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)),
                () -> s.adv.deletePrivacyBudgetTemplate(r -> r.membershipIdentifier(s.advertiserMembership)
                        .privacyBudgetTemplateIdentifier(template.id())),
                () -> s.adv.getPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                        .privacyBudgetTemplateIdentifier(template.id())),
                () -> s.adv.getCollaborationPrivacyBudgetTemplate(r -> r.collaborationIdentifier(s.collaborationId)
                        .privacyBudgetTemplateIdentifier(unknown)))) {
            assertThat(catchThrowableOfType(ResourceNotFoundException.class, call::run)).isNotNull();
        }
        // an outsider sees nothing of the collaboration's policy or budget
        TestCluster.Keys outsider = Fixtures.account(cluster, "outsider");
        try (CleanRoomsClient out = cluster.cleanRooms(outsider)) {
            for (Runnable call : List.<Runnable>of(
                    () -> out.listCollaborationPrivacyBudgetTemplates(r -> r.collaborationIdentifier(s.collaborationId)),
                    () -> out.getCollaborationPrivacyBudgetTemplate(r -> r.collaborationIdentifier(s.collaborationId)
                            .privacyBudgetTemplateIdentifier(template.id())),
                    () -> out.listCollaborationPrivacyBudgets(r -> r.collaborationIdentifier(s.collaborationId)
                            .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)),
                    () -> out.listPrivacyBudgets(r -> r.membershipIdentifier(s.advertiserMembership)
                            .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)),
                    () -> out.previewPrivacyImpact(r -> r.membershipIdentifier(s.advertiserMembership)
                            .parameters(p -> p.differentialPrivacy(d -> d.epsilon(1).usersNoisePerQuery(10)))))) {
                assertThat(catchThrowableOfType(ResourceNotFoundException.class, call::run)).isNotNull();
            }
        }
        // the budget listings need privacyBudgetType
        ValidationException noType = catchThrowableOfType(ValidationException.class, () -> s.adv
                .listPrivacyBudgets(r -> r.membershipIdentifier(s.advertiserMembership)));
        assertThat(noType.fieldList()).extracting(f -> f.name()).containsExactly("privacyBudgetType");
        assertThat(catchThrowableOfType(ValidationException.class, () -> s.adv.listCollaborationPrivacyBudgets(r -> r
                .collaborationIdentifier(s.collaborationId).privacyBudgetType("SOMETHING")))).isNotNull();
        // update: ACCESS_BUDGET refused, out-of-range refused, nothing changed by the refusals
        assertThat(catchThrowableOfType(ValidationException.class, () -> s.pub.updatePrivacyBudgetTemplate(r -> r
                .membershipIdentifier(s.publisherMembership).privacyBudgetTemplateIdentifier(template.id())
                .privacyBudgetType(PrivacyBudgetType.ACCESS_BUDGET))).getMessage()).contains("not supported");
        assertThat(catchThrowableOfType(ValidationException.class, () -> s.pub.updatePrivacyBudgetTemplate(r -> r
                .membershipIdentifier(s.publisherMembership).privacyBudgetTemplateIdentifier(template.id())
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                .parameters(PrivacyBudgetTemplateUpdateParameters.fromDifferentialPrivacy(p -> p.epsilon(25))))))
                .isNotNull();
        assertThat(s.pub.getPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                .privacyBudgetTemplateIdentifier(template.id())).privacyBudgetTemplate()).isEqualTo(template);
        // before anything is spent epsilon may still come down
        assertThat(s.pub.updatePrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                .privacyBudgetTemplateIdentifier(template.id()).privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                .parameters(PrivacyBudgetTemplateUpdateParameters.fromDifferentialPrivacy(p -> p.epsilon(2))))
                .privacyBudgetTemplate().parameters().differentialPrivacy().epsilon()).isEqualTo(2);
    }

    @Test
    void tablesWithDifferentialPrivacyMustShareTheUserIdentifierColumn() throws Exception {
        Setup s = new Setup();
        Fixtures.catalogTable(cluster, s.advertiser, "lab", "accounts", List.of("uid,user_id,plan", "u1,u1,gold"),
                false);
        String accounts = Fixtures.configuredTable(s.adv, "accounts", "lab", "accounts", "uid", "user_id", "plan");
        s.adv.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(accounts)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(custom(s.advertiser.accountId(), "uid")));
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> Fixtures.associate(s.adv, s.advertiserMembership, accounts, "accounts"));
        assertThat(e.reasonAsString()).isEqualTo("INVALID_CONFIGURATION");
        assertThat(e.getMessage()).contains("cannot be associated with collaboration " + s.collaborationId,
                "protects user identifier column uid", "table members", "protects column user_id",
                "must use the same user identifier column");
        assertThat(s.adv.listSchemas(r -> r.collaborationIdentifier(s.collaborationId)).schemaSummaries())
                .extracting(x -> x.name()).containsExactlyInAnyOrder("members", "visits");
        // the differential privacy column must be an allowed column, and there is exactly one
        ValidationException notAllowed = catchThrowableOfType(ValidationException.class, () -> s.adv
                .updateConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(accounts)
                        .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                        .analysisRulePolicy(custom(s.advertiser.accountId(), "email"))));
        assertThat(notAllowed.getMessage()).contains("differentialPrivacy.columns[0].name", "email");
        ValidationException two = catchThrowableOfType(ValidationException.class, () -> s.adv
                .updateConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(accounts)
                        .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                        .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1
                                .fromCustom(AnalysisRuleCustom.builder().allowedAnalyses("ANY_QUERY")
                                        .allowedAnalysisProviders(s.advertiser.accountId())
                                        .differentialPrivacy(DifferentialPrivacyConfiguration.builder().columns(
                                                DifferentialPrivacyColumn.builder().name("uid").build(),
                                                DifferentialPrivacyColumn.builder().name("plan").build()).build())
                                        .build())))));
        assertThat(two.fieldList()).extracting(f -> f.name())
                .containsExactly("analysisRulePolicy.v1.custom.differentialPrivacy.columns");
        // on the collaboration's column it is associated; then neither table can move to another column
        s.adv.updateConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(accounts)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(custom(s.advertiser.accountId(), "user_id")));
        Fixtures.associate(s.adv, s.advertiserMembership, accounts, "accounts");
        ValidationException moved = catchThrowableOfType(ValidationException.class, () -> s.adv
                .updateConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(accounts)
                        .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                        .analysisRulePolicy(custom(s.advertiser.accountId(), "uid"))));
        assertThat(moved.reasonAsString()).isEqualTo("INVALID_CONFIGURATION");
        assertThat(moved.getMessage()).contains("is associated with collaboration " + s.collaborationId
                + " as accounts", "table members");
        ValidationException movedToo = catchThrowableOfType(ValidationException.class, () -> s.pub
                .updateConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(s.membersTable)
                        .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                        .analysisRulePolicy(custom(s.advertiser.accountId(), "city"))));
        assertThat(movedToo.getMessage()).contains("table accounts", "protects column user_id");
        // the rules are as they were
        assertThat(s.pub.getConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(s.membersTable)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)).analysisRule().policy().v1().custom()
                .differentialPrivacy().columns()).extracting(DifferentialPrivacyColumn::name)
                .containsExactly("user_id");
    }

    @Test
    void listingsOfOnePageAndTokensBoundToTheirListing() throws Exception {
        Setup s = new Setup();
        s.policy(PrivacyBudgetTemplateAutoRefresh.NONE, 1, 10);
        // each listing holds at most one item (one policy and one budget per collaboration): a page of
        // one, no next token
        assertThat(s.pub.listPrivacyBudgetTemplates(r -> r.membershipIdentifier(s.publisherMembership).maxResults(1))
                .nextToken()).isNull();
        assertThat(s.adv.listCollaborationPrivacyBudgetTemplates(r -> r.collaborationIdentifier(s.collaborationId)
                .maxResults(1)).collaborationPrivacyBudgetTemplateSummaries()).hasSize(1);
        assertThat(s.adv.listPrivacyBudgets(r -> r.membershipIdentifier(s.advertiserMembership)
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).maxResults(1)).nextToken()).isNull();
        assertThat(s.adv.listCollaborationPrivacyBudgets(r -> r.collaborationIdentifier(s.collaborationId)
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).maxResults(1))
                .collaborationPrivacyBudgetSummaries()).hasSize(1);
        // a token of another listing is refused by each
        Fixtures.catalogTable(cluster, s.advertiser, "lab", "more", VISITS, false);
        Fixtures.configuredTable(s.adv, "more1", "lab", "more", "user_id");
        Fixtures.configuredTable(s.adv, "more2", "lab", "more", "user_id");
        String foreign = s.adv.listConfiguredTables(r -> r.maxResults(1)).nextToken();
        assertThat(foreign).isNotNull();
        for (Runnable call : List.<Runnable>of(
                () -> s.adv.listPrivacyBudgetTemplates(r -> r.membershipIdentifier(s.advertiserMembership)
                        .nextToken(foreign)),
                () -> s.adv.listCollaborationPrivacyBudgetTemplates(r -> r.collaborationIdentifier(s.collaborationId)
                        .nextToken(foreign)),
                () -> s.adv.listPrivacyBudgets(r -> r.membershipIdentifier(s.advertiserMembership)
                        .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).nextToken(foreign)),
                () -> s.adv.listCollaborationPrivacyBudgets(r -> r.collaborationIdentifier(s.collaborationId)
                        .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).nextToken(foreign)))) {
            ValidationException e = catchThrowableOfType(ValidationException.class, call::run);
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("Invalid nextToken");
        }
    }

    @Test
    void anAnalystReadsThePolicyAndBudgetButCannotChangeThem() throws Exception {
        Setup s = new Setup();
        PrivacyBudgetTemplate template = s.policy(PrivacyBudgetTemplateAutoRefresh.NONE, 1, 10);
        TestCluster.Keys analyst = cluster.createKey(s.advertiser.accountId(), "ANALYST");
        TestCluster.Keys publisherAnalyst = cluster.createKey(s.publisher.accountId(), "ANALYST");
        try (CleanRoomsClient a = cluster.cleanRooms(analyst); CleanRoomsClient p = cluster.cleanRooms(publisherAnalyst)) {
            assertThat(a.listPrivacyBudgets(r -> r.membershipIdentifier(s.advertiserMembership)
                    .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)).privacyBudgetSummaries()).hasSize(1);
            assertThat(a.listCollaborationPrivacyBudgets(r -> r.collaborationIdentifier(s.collaborationId)
                    .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)).collaborationPrivacyBudgetSummaries())
                    .hasSize(1);
            assertThat(a.getCollaborationPrivacyBudgetTemplate(r -> r.collaborationIdentifier(s.collaborationId)
                    .privacyBudgetTemplateIdentifier(template.id())).collaborationPrivacyBudgetTemplate().id())
                    .isEqualTo(template.id());
            assertThat(a.previewPrivacyImpact(r -> r.membershipIdentifier(s.advertiserMembership)
                    .parameters(x -> x.differentialPrivacy(d -> d.epsilon(1).usersNoisePerQuery(10))))
                    .privacyImpact().differentialPrivacy().aggregations()).hasSize(5);
            assertThat(p.getPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                    .privacyBudgetTemplateIdentifier(template.id())).privacyBudgetTemplate().id())
                    .isEqualTo(template.id());
            for (Runnable call : List.<Runnable>of(
                    () -> p.updatePrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                            .privacyBudgetTemplateIdentifier(template.id())
                            .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)),
                    () -> p.deletePrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                            .privacyBudgetTemplateIdentifier(template.id())),
                    () -> p.createPrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                            .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY).parameters(parameters(1, 10))))) {
                AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class, call::run);
                assertThat(e).isNotNull();
                assertThat(e.getMessage()).contains("role ANALYST");
            }
        }
    }

    @Test
    void theWireShapesAreAwsS() throws Exception {
        Setup s = new Setup();
        PrivacyBudgetTemplate template = s.policy(PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH, 2, 40);
        SignedHttpClient http = new SignedHttpClient(cluster.endpoint(), s.advertiser.accessKeyId(),
                s.advertiser.secretAccessKey(), "us-east-1", Clock.systemUTC());
        SignedHttpClient.Response budgets = http.send("GET", "/memberships/" + s.advertiserMembership
                + "/privacybudgets", Map.of("privacyBudgetType", List.of("DIFFERENTIAL_PRIVACY")), Map.of(), null,
                "cleanrooms");
        assertThat(budgets.status()).as(budgets.body()).isEqualTo(200);
        var summary = Json.MAPPER.readTree(budgets.body()).get("privacyBudgetSummaries").get(0);
        assertThat(summary.get("createTime").isNumber()).isTrue();
        assertThat(summary.get("budget").get("differentialPrivacy").get("epsilon").asInt()).isEqualTo(2);
        assertThat(summary.get("budget").get("differentialPrivacy").get("aggregations").get(0).toString())
                .isEqualTo("{\"type\":\"COUNT\",\"maxCount\":80,\"remainingCount\":80}");
        SignedHttpClient.Response preview = http.send("POST", "/memberships/" + s.advertiserMembership
                + "/previewprivacyimpact", Map.of(), Map.of(), "{\"parameters\":{\"differentialPrivacy\":"
                + "{\"epsilon\":2,\"usersNoisePerQuery\":40}}}", "cleanrooms");
        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(preview.body()).get("privacyImpact").get("differentialPrivacy")
                .get("aggregations").toString()).isEqualTo("[{\"type\":\"COUNT\",\"maxCount\":80},"
                        + "{\"type\":\"COUNT_DISTINCT\",\"maxCount\":80},{\"type\":\"SUM\",\"maxCount\":80},"
                        + "{\"type\":\"AVG\",\"maxCount\":40},{\"type\":\"STDDEV\",\"maxCount\":26}]");
        SignedHttpClient.Response delete = new SignedHttpClient(cluster.endpoint(), s.publisher.accessKeyId(),
                s.publisher.secretAccessKey(), "us-east-1", Clock.systemUTC()).send("DELETE", "/memberships/"
                        + s.publisherMembership + "/privacybudgettemplates/" + template.id(), Map.of(), Map.of(), null,
                "cleanrooms");
        assertThat(delete.status()).isEqualTo(204);
        assertThat(delete.body()).isEmpty();
        SdkServiceException gone = catchThrowableOfType(SdkServiceException.class, () -> s.pub
                .deletePrivacyBudgetTemplate(r -> r.membershipIdentifier(s.publisherMembership)
                        .privacyBudgetTemplateIdentifier(template.id())));
        assertThat(gone.statusCode()).isEqualTo(404);
    }
}
