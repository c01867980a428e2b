package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AccessDeniedException;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisFormat;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisParameter;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRule;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.BatchGetSchemaResponse;
import software.amazon.awssdk.services.cleanrooms.model.Collaboration;
import software.amazon.awssdk.services.cleanrooms.model.CollaborationSummary;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRulePolicyV1;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleAggregation;
import software.amazon.awssdk.services.cleanrooms.model.ConflictException;
import software.amazon.awssdk.services.cleanrooms.model.FilterableMemberStatus;
import software.amazon.awssdk.services.cleanrooms.model.ListConfiguredTablesResponse;
import software.amazon.awssdk.services.cleanrooms.model.MemberStatus;
import software.amazon.awssdk.services.cleanrooms.model.MemberSummary;
import software.amazon.awssdk.services.cleanrooms.model.MembershipStatus;
import software.amazon.awssdk.services.cleanrooms.model.ParameterType;
import software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cleanrooms.model.Schema;
import software.amazon.awssdk.services.cleanrooms.model.SchemaAnalysisRuleRequest;
import software.amazon.awssdk.services.cleanrooms.model.SchemaStatus;
import software.amazon.awssdk.services.cleanrooms.model.SchemaStatusReasonCode;
import software.amazon.awssdk.services.cleanrooms.model.ServiceQuotaExceededException;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * The wire suite: drives the server through the AWS SDK for Java v2 CleanRoomsClient and
 * GlueClient. Each store runs it (SqliteWireIT, PostgresWireIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WireSuite {
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

    /** Publisher and advertiser with catalog tables, a collaboration, memberships and configured tables. */
    final class Tutorial {
        final TestCluster.Keys publisher;
        final TestCluster.Keys advertiser;
        final CleanRoomsClient pub;
        final CleanRoomsClient adv;
        final String collaborationId;
        final String publisherMembership;
        final String advertiserMembership;
        final String publisherTable;
        final String advertiserTable;

        Tutorial() throws Exception {
            publisher = Fixtures.account(cluster, "publisher");
            advertiser = Fixtures.account(cluster, "advertiser");
            Fixtures.catalogTable(cluster, publisher, "cleanrooms_lab", "publisher_audience", Fixtures.PUBLISHER, true);
            Fixtures.catalogTable(cluster, advertiser, "cleanrooms_lab", "advertiser_audience", Fixtures.ADVERTISER,
                    false);
            pub = cluster.cleanRooms(publisher);
            adv = cluster.cleanRooms(advertiser);
            collaborationId = Fixtures.createCollaboration(pub, "cleanrooms-lab-collab", advertiser);
            publisherMembership = Fixtures.join(pub, collaborationId);
            advertiserMembership = Fixtures.join(adv, collaborationId);
            publisherTable = Fixtures.configuredTable(pub, "publisher_audience", "cleanrooms_lab",
                    "publisher_audience", "user_id_hash", "segment");
            advertiserTable = Fixtures.configuredTable(adv, "advertiser_audience", "cleanrooms_lab",
                    "advertiser_audience", "user_id_hash", "campaign");
        }

        void rulesAndAssociations() {
            Fixtures.aggregationRule(pub, publisherTable, "user_id_hash", "segment");
            Fixtures.aggregationRule(adv, advertiserTable, "user_id_hash", "campaign");
            Fixtures.associate(pub, publisherMembership, publisherTable, "publisher_audience");
            Fixtures.associate(adv, advertiserMembership, advertiserTable, "advertiser_audience");
        }
    }

    @Test
    void tutorialSetupThroughTheSdk() throws Exception {
        Tutorial t = new Tutorial();
        // the catalog inferred the advertiser's columns from the CSV header, for its own use: Glue
        // answers the table as it was sent, without columns
        assertThat(catalogColumns(t.advertiser, "cleanrooms_lab", "advertiser_audience"))
                .containsExactly("user_id_hash:string", "campaign:string");
        try (GlueClient glue = cluster.glue(t.advertiser)) {
            Table table = glue.getTable(r -> r.databaseName("cleanrooms_lab").name("advertiser_audience")).table();
            assertThat(table.storageDescriptor().columns()).isEmpty();
            assertThat(table.parameters()).containsExactly(Map.entry("classification", "csv"));
            assertThat(glue.getTables(r -> r.databaseName("cleanrooms_lab")).tableList()).hasSize(1);
        }
        t.rulesAndAssociations();
        String associationId = t.adv.listConfiguredTableAssociations(r -> r.membershipIdentifier(
                t.advertiserMembership)).configuredTableAssociationSummaries().get(0).id();
        t.adv.createConfiguredTableAssociationAnalysisRule(r -> r.membershipIdentifier(t.advertiserMembership)
                .configuredTableAssociationIdentifier(associationId)
                .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.AGGREGATION)
                .analysisRulePolicy(ConfiguredTableAssociationAnalysisRulePolicy.fromV1(
                        ConfiguredTableAssociationAnalysisRulePolicyV1.fromAggregation(
                                ConfiguredTableAssociationAnalysisRuleAggregation.builder()
                                        .allowedResultReceivers(t.advertiser.accountId()).build()))));

        List<MemberSummary> members = t.pub.listMembers(r -> r.collaborationIdentifier(t.collaborationId))
                .memberSummaries();
        assertThat(members).extracting(MemberSummary::accountId)
                .containsExactlyInAnyOrder(t.publisher.accountId(), t.advertiser.accountId());
        assertThat(members).allMatch(m -> m.status() == MemberStatus.ACTIVE);
        MemberSummary advertiserMember = members.stream()
                .filter(m -> m.accountId().equals(t.advertiser.accountId())).findFirst().orElseThrow();
        assertThat(advertiserMember.abilitiesAsStrings()).containsExactlyInAnyOrder("CAN_QUERY", "CAN_RECEIVE_RESULTS");
        assertThat(advertiserMember.paymentConfiguration().queryCompute().isResponsible()).isTrue();

        // both members see both schemas, READY, with typed columns
        for (CleanRoomsClient client : List.of(t.pub, t.adv)) {
            List<String> names = client.listSchemas(r -> r.collaborationIdentifier(t.collaborationId))
                    .schemaSummaries().stream().map(s -> s.name()).toList();
            assertThat(names).containsExactly("advertiser_audience", "publisher_audience");
        }
        Schema schema = t.adv.getSchema(r -> r.collaborationIdentifier(t.collaborationId).name("publisher_audience"))
                .schema();
        assertThat(schema.columns()).extracting(c -> c.name() + ":" + c.type())
                .containsExactly("user_id_hash:string", "segment:string");
        assertThat(schema.creatorAccountId()).isEqualTo(t.publisher.accountId());
        assertThat(schema.analysisRuleTypes()).containsExactly(AnalysisRuleType.AGGREGATION);
        assertThat(schema.schemaStatusDetails()).singleElement()
                .satisfies(d -> assertThat(d.status()).isEqualTo(SchemaStatus.READY));
        assertThat(schema.createTime()).isNotNull();

        BatchGetSchemaResponse batch = t.adv.batchGetSchema(r -> r.collaborationIdentifier(t.collaborationId)
                .names("publisher_audience", "no_such_table"));
        assertThat(batch.schemas()).extracting(Schema::name).containsExactly("publisher_audience");
        assertThat(batch.errors()).singleElement().satisfies(e -> assertThat(e.name()).isEqualTo("no_such_table"));

        AnalysisRule rule = t.pub.getSchemaAnalysisRule(r -> r.collaborationIdentifier(t.collaborationId)
                .name("advertiser_audience").type(AnalysisRuleType.AGGREGATION)).analysisRule();
        assertThat(rule.policy().v1().aggregation().joinColumns()).containsExactly("user_id_hash");
        assertThat(rule.consolidatedPolicy().v1().aggregation().allowedResultReceivers())
                .containsExactly(t.advertiser.accountId());
        assertThat(rule.collaborationPolicy().v1().aggregation().allowedResultReceivers())
                .containsExactly(t.advertiser.accountId());
        var batchRules = t.pub.batchGetSchemaAnalysisRule(r -> r.collaborationIdentifier(t.collaborationId)
                .schemaAnalysisRuleRequests(
                        SchemaAnalysisRuleRequest.builder().name("publisher_audience")
                                .type(AnalysisRuleType.AGGREGATION).build(),
                        SchemaAnalysisRuleRequest.builder().name("publisher_audience")
                                .type(AnalysisRuleType.LIST).build()));
        assertThat(batchRules.analysisRules()).hasSize(1);
        assertThat(batchRules.errors()).singleElement().satisfies(e -> assertThat(e.typeAsString()).isEqualTo("LIST"));
    }

    private SignedHttpClient.Response explain(TestCluster.Keys keys, String membership, String sql) throws Exception {
        SignedHttpClient client = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(),
                keys.secretAccessKey(), "us-east-1", java.time.Clock.systemUTC());
        String body = Json.MAPPER.writeValueAsString(Map.of("type", "SQL", "sqlParameters",
                Map.of("queryString", sql)));
        return client.send("POST", "/memberships/" + membership + "/protectedQueries/explain", Map.of(), Map.of(),
                body, "cleanrooms");
    }

    @Test
    void explainShowsHowQueryControlDecides() throws Exception {
        Tutorial t = new Tutorial();
        t.rulesAndAssociations();
        String overlap = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count FROM advertiser_audience a "
                + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2 "
                + "ORDER BY overlap_count DESC";
        SignedHttpClient.Response ok = explain(t.advertiser, t.advertiserMembership, overlap);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        var json = Json.MAPPER.readTree(ok.body()).get("explanation");
        assertThat(json.get("allowed").asBoolean()).isTrue();
        assertThat(json.get("analysisRuleType").asText()).isEqualTo("AGGREGATION");
        assertThat(json.get("addedConstraints").toString())
                .contains("COUNT(DISTINCT publisher_audience.user_id_hash) >= 2");
        assertThat(json.get("rewrittenQuery").asText()).contains("HAVING");

        SignedHttpClient.Response raw = explain(t.advertiser, t.advertiserMembership,
                "SELECT a.user_id_hash, COUNT(*) FROM advertiser_audience a JOIN publisher_audience p "
                        + "ON a.user_id_hash = p.user_id_hash GROUP BY a.user_id_hash");
        var rejected = Json.MAPPER.readTree(raw.body()).get("explanation");
        assertThat(rejected.get("allowed").asBoolean()).isFalse();
        assertThat(rejected.get("rejection").asText())
                .contains("Join column advertiser_audience.user_id_hash can only be used in INNER JOIN ON conditions");

        // only the member who can query may ask
        SignedHttpClient.Response publisher = explain(t.publisher, t.publisherMembership, overlap);
        assertThat(publisher.status()).isEqualTo(403);
        assertThat(publisher.body()).contains("CAN_QUERY");
    }

    @Test
    void schemaIsNotReadyWithoutAnAnalysisRule() throws Exception {
        Tutorial t = new Tutorial();
        Fixtures.associate(t.pub, t.publisherMembership, t.publisherTable, "publisher_audience");
        Schema schema = t.adv.getSchema(r -> r.collaborationIdentifier(t.collaborationId).name("publisher_audience"))
                .schema();
        assertThat(schema.schemaStatusDetails()).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(SchemaStatus.NOT_READY);
            assertThat(d.reasons()).extracting(r -> r.code()).containsExactly(SchemaStatusReasonCode.ANALYSIS_RULE_MISSING);
        });
    }

    @Test
    void invitationFlowBetweenTwoAccounts() throws Exception {
        TestCluster.Keys creator = Fixtures.account(cluster, "creator");
        TestCluster.Keys invitee = Fixtures.account(cluster, "invitee");
        TestCluster.Keys outsider = Fixtures.account(cluster, "outsider");
        try (CleanRoomsClient c = cluster.cleanRooms(creator); CleanRoomsClient i = cluster.cleanRooms(invitee);
                CleanRoomsClient o = cluster.cleanRooms(outsider)) {
            String id = Fixtures.createCollaboration(c, "invites", invitee);
            Collaboration seen = i.getCollaboration(r -> r.collaborationIdentifier(id)).collaboration();
            assertThat(seen.memberStatus()).isEqualTo(MemberStatus.INVITED);
            assertThat(seen.membershipId()).isNull();
            assertThat(i.listCollaborations(r -> r.memberStatus(FilterableMemberStatus.INVITED)).collaborationList())
                    .extracting(CollaborationSummary::id).containsExactly(id);
            assertThat(i.listCollaborations(r -> r.memberStatus(FilterableMemberStatus.ACTIVE)).collaborationList())
                    .isEmpty();

            String membership = Fixtures.join(i, id);
            Collaboration joined = i.getCollaboration(r -> r.collaborationIdentifier(id)).collaboration();
            assertThat(joined.memberStatus()).isEqualTo(MemberStatus.ACTIVE);
            assertThat(joined.membershipId()).isEqualTo(membership);
            assertThat(i.getMembership(r -> r.membershipIdentifier(membership)).membership().collaborationName())
                    .isEqualTo("invites");
            assertThatThrownBy(() -> Fixtures.join(i, id)).isInstanceOf(ConflictException.class);

            // outsiders see nothing, not even that it exists
            ResourceNotFoundException notFound = catchThrowableOfType(ResourceNotFoundException.class,
                    () -> o.getCollaboration(r -> r.collaborationIdentifier(id)));
            assertThat(notFound.resourceId()).isEqualTo(id);
            assertThat(notFound.resourceTypeAsString()).isEqualTo("COLLABORATION");
            assertThat(o.listCollaborations(r -> { }).collaborationList()).isEmpty();
            assertThatThrownBy(() -> o.listMembers(r -> r.collaborationIdentifier(id)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> o.getMembership(r -> r.membershipIdentifier(membership)))
                    .isInstanceOf(ResourceNotFoundException.class);

            // only the creator updates or deletes
            assertThatThrownBy(() -> i.updateCollaboration(r -> r.collaborationIdentifier(id).name("mine")))
                    .isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> i.deleteCollaboration(r -> r.collaborationIdentifier(id)))
                    .isInstanceOf(AccessDeniedException.class);
            assertThat(c.updateCollaboration(r -> r.collaborationIdentifier(id).name("renamed")).collaboration().name())
                    .isEqualTo("renamed");

            // a removed member loses access to everything in the collaboration
            c.deleteMember(r -> r.collaborationIdentifier(id).accountId(invitee.accountId()));
            assertThatThrownBy(() -> i.getCollaboration(r -> r.collaborationIdentifier(id)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> i.listSchemas(r -> r.collaborationIdentifier(id)))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThat(i.getMembership(r -> r.membershipIdentifier(membership)).membership().status())
                    .isEqualTo(MembershipStatus.REMOVED);
            assertThat(c.listMembers(r -> r.collaborationIdentifier(id)).memberSummaries())
                    .filteredOn(m -> m.accountId().equals(invitee.accountId()))
                    .singleElement().satisfies(m -> assertThat(m.status()).isEqualTo(MemberStatus.REMOVED));

            c.deleteCollaboration(r -> r.collaborationIdentifier(id));
            assertThatThrownBy(() -> c.getCollaboration(r -> r.collaborationIdentifier(id)))
                    .isInstanceOf(ResourceNotFoundException.class);
        }
    }

    @Test
    void removedMembersTablesLeaveTheSchemas() throws Exception {
        Tutorial t = new Tutorial();
        t.rulesAndAssociations();
        t.pub.deleteMember(r -> r.collaborationIdentifier(t.collaborationId).accountId(t.advertiser.accountId()));
        assertThat(t.pub.listSchemas(r -> r.collaborationIdentifier(t.collaborationId)).schemaSummaries())
                .extracting(s -> s.name()).containsExactly("publisher_audience");
    }

    @Test
    void configuredTablesAreVisibleOnlyToTheirOwner() throws Exception {
        Tutorial t = new Tutorial();
        assertThatThrownBy(() -> t.adv.getConfiguredTable(r -> r.configuredTableIdentifier(t.publisherTable)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> t.adv.deleteConfiguredTable(r -> r.configuredTableIdentifier(t.publisherTable)))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(t.adv.listConfiguredTables(r -> { }).configuredTableSummaries())
                .extracting(s -> s.id()).containsExactly(t.advertiserTable);
        // nor can an account associate another's table
        assertThatThrownBy(() -> Fixtures.associate(t.adv, t.advertiserMembership, t.publisherTable, "stolen"))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void allowedColumnsMustExistInTheCatalogTable() throws Exception {
        Tutorial t = new Tutorial();
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> Fixtures.configuredTable(t.pub, "bad", "cleanrooms_lab", "publisher_audience", "user_id_hash",
                        "email"));
        assertThat(e.getMessage()).contains("email").contains("does not exist");
        assertThat(e.fieldList()).singleElement().satisfies(f -> assertThat(f.name()).isEqualTo("allowedColumns[1]"));
        ValidationException missingTable = catchThrowableOfType(ValidationException.class,
                () -> Fixtures.configuredTable(t.pub, "bad", "cleanrooms_lab", "nope", "user_id_hash"));
        assertThat(missingTable.getMessage()).contains("cleanrooms_lab.nope");
    }

    @Test
    void oneAnalysisRulePerConfiguredTable() throws Exception {
        Tutorial t = new Tutorial();
        Fixtures.aggregationRule(t.pub, t.publisherTable, "user_id_hash", "segment");
        assertThatThrownBy(() -> Fixtures.aggregationRule(t.pub, t.publisherTable, "user_id_hash", "segment"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("only one analysis rule");
        var rule = t.pub.getConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(t.publisherTable)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION)).analysisRule();
        assertThat(rule.policy().v1().aggregation().outputConstraints()).singleElement()
                .satisfies(c -> assertThat(c.minimum()).isEqualTo(2));
        var updated = t.pub.updateConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(t.publisherTable)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION)
                .analysisRulePolicy(Fixtures.aggregationPolicy("user_id_hash", "segment", 100))).analysisRule();
        assertThat(updated.policy().v1().aggregation().outputConstraints().get(0).minimum()).isEqualTo(100);
        assertThat(t.pub.getConfiguredTable(r -> r.configuredTableIdentifier(t.publisherTable)).configuredTable()
                .analysisRuleTypesAsStrings()).containsExactly("AGGREGATION");
        assertThatThrownBy(() -> t.pub.getConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(
                t.publisherTable).analysisRuleType(ConfiguredTableAnalysisRuleType.LIST)))
                .isInstanceOf(ResourceNotFoundException.class);
        t.pub.deleteConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(t.publisherTable)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION));
        Fixtures.aggregationRule(t.pub, t.publisherTable, "user_id_hash", "segment");
    }

    @Test
    void ruleColumnsMustBeAllowedAndHaveOneRole() throws Exception {
        Tutorial t = new Tutorial();
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> Fixtures.aggregationRule(t.pub, t.publisherTable, "user_id_hash", "user_id_hash"));
        assertThat(e.getMessage()).contains("dimensionColumns[0]");
        ValidationException unknown = catchThrowableOfType(ValidationException.class,
                () -> Fixtures.aggregationRule(t.pub, t.publisherTable, "user_id_hash", "email"));
        assertThat(unknown.getMessage()).contains("email");
    }

    @Test
    void associationsAndTheirRules() throws Exception {
        Tutorial t = new Tutorial();
        t.rulesAndAssociations();
        assertThatThrownBy(() -> Fixtures.associate(t.pub, t.publisherMembership, t.publisherTable, "again"))
                .isInstanceOf(ConflictException.class);
        String other = Fixtures.configuredTable(t.adv, "other", "cleanrooms_lab", "advertiser_audience",
                "user_id_hash");
        // names are unique across the collaboration: queries name tables by them
        assertThatThrownBy(() -> Fixtures.associate(t.adv, t.advertiserMembership, other, "publisher_audience"))
                .isInstanceOf(ConflictException.class);
        String associationId = t.pub.listConfiguredTableAssociations(r -> r.membershipIdentifier(
                t.publisherMembership)).configuredTableAssociationSummaries().get(0).id();
        var updated = t.pub.updateConfiguredTableAssociation(r -> r.membershipIdentifier(t.publisherMembership)
                .configuredTableAssociationIdentifier(associationId).description("hashed audience"))
                .configuredTableAssociation();
        assertThat(updated.description()).isEqualTo("hashed audience");
        assertThat(updated.analysisRuleTypesAsStrings()).containsExactly("AGGREGATION");
        // a receiver must be a member who can receive results
        ValidationException bad = catchThrowableOfType(ValidationException.class, () ->
                t.pub.createConfiguredTableAssociationAnalysisRule(r -> r.membershipIdentifier(t.publisherMembership)
                        .configuredTableAssociationIdentifier(associationId)
                        .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.AGGREGATION)
                        .analysisRulePolicy(receivers(t.publisher.accountId()))));
        assertThat(bad.getMessage()).contains(t.publisher.accountId());
        t.pub.createConfiguredTableAssociationAnalysisRule(r -> r.membershipIdentifier(t.publisherMembership)
                .configuredTableAssociationIdentifier(associationId)
                .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.AGGREGATION)
                .analysisRulePolicy(receivers(t.advertiser.accountId())));
        var rule = t.pub.getConfiguredTableAssociationAnalysisRule(r -> r.membershipIdentifier(t.publisherMembership)
                .configuredTableAssociationIdentifier(associationId)
                .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.AGGREGATION)).analysisRule();
        assertThat(rule.policy().v1().aggregation().allowedResultReceivers()).containsExactly(t.advertiser.accountId());
        t.pub.deleteConfiguredTableAssociationAnalysisRule(r -> r.membershipIdentifier(t.publisherMembership)
                .configuredTableAssociationIdentifier(associationId)
                .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.AGGREGATION));

        // a membership with associations cannot be left; a configured table in use cannot be deleted
        ConflictException busy = catchThrowableOfType(ConflictException.class,
                () -> t.adv.deleteMembership(r -> r.membershipIdentifier(t.advertiserMembership)));
        assertThat(busy.reasonAsString()).isEqualTo("SUBRESOURCES_EXIST");
        assertThatThrownBy(() -> t.pub.deleteConfiguredTable(r -> r.configuredTableIdentifier(t.publisherTable)))
                .isInstanceOf(ConflictException.class);
        t.pub.deleteConfiguredTableAssociation(r -> r.membershipIdentifier(t.publisherMembership)
                .configuredTableAssociationIdentifier(associationId));
        t.pub.deleteConfiguredTable(r -> r.configuredTableIdentifier(t.publisherTable));
        assertThatThrownBy(() -> t.pub.getConfiguredTable(r -> r.configuredTableIdentifier(t.publisherTable)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void associationNamesDifferingOnlyInCaseAreRefused() throws Exception {
        Tutorial t = new Tutorial();
        t.rulesAndAssociations();
        String advertiserOther = Fixtures.configuredTable(t.adv, "other", "cleanrooms_lab", "advertiser_audience",
                "user_id_hash");
        String publisherOther = Fixtures.configuredTable(t.pub, "other", "cleanrooms_lab", "publisher_audience",
                "user_id_hash");
        String publisherAssociation = t.pub.listConfiguredTableAssociations(r -> r.membershipIdentifier(
                t.publisherMembership)).configuredTableAssociationSummaries().get(0).id();
        // queries name tables without regard to case, so neither another member nor the owner may reuse a name
        ConflictException other = catchThrowableOfType(ConflictException.class,
                () -> Fixtures.associate(t.adv, t.advertiserMembership, advertiserOther, "PUBLISHER_AUDIENCE"));
        assertThat(other).isNotNull();
        assertThat(other.reasonAsString()).isEqualTo("ALREADY_EXISTS");
        assertThat(other.resourceTypeAsString()).isEqualTo("CONFIGURED_TABLE_ASSOCIATION");
        assertThat(other.resourceId()).isEqualTo(publisherAssociation);
        assertThat(other.awsErrorDetails().errorMessage()).isEqualTo("A table named publisher_audience is already "
                + "associated with this collaboration; queries name tables without regard to case, so "
                + "PUBLISHER_AUDIENCE would be ambiguous. Choose another name");
        assertThatThrownBy(() -> Fixtures.associate(t.pub, t.publisherMembership, publisherOther,
                "Publisher_Audience")).isInstanceOf(ConflictException.class).hasMessageContaining("ambiguous");
        assertThatThrownBy(() -> Fixtures.associate(t.pub, t.publisherMembership, publisherOther,
                "ADVERTISER_audience")).isInstanceOf(ConflictException.class).hasMessageContaining("ambiguous");
        // nothing was associated by the refusals; a name differing in more than case is accepted
        Fixtures.associate(t.adv, t.advertiserMembership, advertiserOther, "publisher_audience_2");
        assertThat(t.adv.listSchemas(r -> r.collaborationIdentifier(t.collaborationId)).schemaSummaries())
                .extracting(s -> s.name())
                .containsExactlyInAnyOrder("publisher_audience", "advertiser_audience", "publisher_audience_2");
    }

    private static ConfiguredTableAssociationAnalysisRulePolicy receivers(String... accounts) {
        return ConfiguredTableAssociationAnalysisRulePolicy.fromV1(
                ConfiguredTableAssociationAnalysisRulePolicyV1.fromAggregation(
                        ConfiguredTableAssociationAnalysisRuleAggregation.builder()
                                .allowedResultReceivers(accounts).build()));
    }

    @Test
    void analysisTemplatesAndTheCollaborationView() throws Exception {
        Tutorial t = new Tutorial();
        t.rulesAndAssociations();
        String sql = "SELECT campaign, COUNT(DISTINCT user_id_hash) FROM advertiser_audience a "
                + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash WHERE p.segment = :segment "
                + "GROUP BY campaign";
        var template = t.adv.createAnalysisTemplate(r -> r.membershipIdentifier(t.advertiserMembership)
                .name("overlap_by_campaign").format(AnalysisFormat.SQL).source(s -> s.text(sql))
                .analysisParameters(AnalysisParameter.builder().name("segment").type(ParameterType.VARCHAR)
                        .defaultValue("news").build())).analysisTemplate();
        assertThat(template.schema().referencedTables())
                .containsExactlyInAnyOrder("advertiser_audience", "publisher_audience");
        assertThat(template.arn()).contains(":membership/" + t.advertiserMembership + "/analysistemplate/");
        assertThat(t.adv.listAnalysisTemplates(r -> r.membershipIdentifier(t.advertiserMembership))
                .analysisTemplateSummaries()).extracting(s -> s.id()).containsExactly(template.id());
        assertThat(t.adv.updateAnalysisTemplate(r -> r.membershipIdentifier(t.advertiserMembership)
                .analysisTemplateIdentifier(template.id()).description("reviewed")).analysisTemplate().description())
                .isEqualTo("reviewed");
        // the other member reads it through the collaboration, by ARN in the path
        var seen = t.pub.getCollaborationAnalysisTemplate(r -> r.collaborationIdentifier(t.collaborationId)
                .analysisTemplateArn(template.arn())).collaborationAnalysisTemplate();
        assertThat(seen.source().text()).isEqualTo(sql);
        assertThat(seen.creatorAccountId()).isEqualTo(t.advertiser.accountId());
        assertThat(t.pub.listCollaborationAnalysisTemplates(r -> r.collaborationIdentifier(t.collaborationId))
                .collaborationAnalysisTemplateSummaries()).hasSize(1);
        String missing = template.arn().replace(template.id(), "00000000-0000-0000-0000-000000000000");
        var batch = t.pub.batchGetCollaborationAnalysisTemplate(r -> r.collaborationIdentifier(t.collaborationId)
                .analysisTemplateArns(template.arn(), missing));
        assertThat(batch.collaborationAnalysisTemplates()).hasSize(1);
        assertThat(batch.errors()).singleElement().satisfies(e -> assertThat(e.arn()).isEqualTo(missing));
        // but not through its membership
        assertThatThrownBy(() -> t.pub.getAnalysisTemplate(r -> r.membershipIdentifier(t.advertiserMembership)
                .analysisTemplateIdentifier(template.id()))).isInstanceOf(ResourceNotFoundException.class);
        // an undeclared parameter is refused
        assertThatThrownBy(() -> t.adv.createAnalysisTemplate(r -> r.membershipIdentifier(t.advertiserMembership)
                .name("bad").format(AnalysisFormat.SQL).source(s -> s.text("SELECT 1 WHERE x = :nope"))))
                .isInstanceOf(ValidationException.class).hasMessageContaining(":nope");
        t.adv.deleteAnalysisTemplate(r -> r.membershipIdentifier(t.advertiserMembership)
                .analysisTemplateIdentifier(template.id()));
        assertThat(t.pub.listCollaborationAnalysisTemplates(r -> r.collaborationIdentifier(t.collaborationId))
                .collaborationAnalysisTemplateSummaries()).isEmpty();
    }

    @Test
    void tagsOnOwnResources() throws Exception {
        Tutorial t = new Tutorial();
        String arn = t.pub.getConfiguredTable(r -> r.configuredTableIdentifier(t.publisherTable)).configuredTable().arn();
        t.pub.tagResource(r -> r.resourceArn(arn).tags(Map.of("team", "ads", "env", "lab")));
        assertThat(t.pub.listTagsForResource(r -> r.resourceArn(arn)).tags())
                .containsExactlyInAnyOrderEntriesOf(Map.of("team", "ads", "env", "lab"));
        t.pub.untagResource(r -> r.resourceArn(arn).tagKeys("env"));
        assertThat(t.pub.listTagsForResource(r -> r.resourceArn(arn)).tags()).containsOnlyKeys("team");
        assertThatThrownBy(() -> t.adv.listTagsForResource(r -> r.resourceArn(arn)))
                .isInstanceOf(ResourceNotFoundException.class);
        String collaborationArn = t.pub.getCollaboration(r -> r.collaborationIdentifier(t.collaborationId))
                .collaboration().arn();
        t.pub.tagResource(r -> r.resourceArn(collaborationArn).tags(Map.of("k", "v")));
        assertThat(t.pub.listTagsForResource(r -> r.resourceArn(collaborationArn)).tags()).containsEntry("k", "v");
    }

    @Test
    void paginationWalksEveryPageOnce() throws Exception {
        Tutorial t = new Tutorial();
        for (int i = 0; i < 4; i++) {
            int n = i;
            Fixtures.configuredTable(t.pub, "extra" + n, "cleanrooms_lab", "publisher_audience", "segment");
        }
        Set<String> seen = new TreeSet<>();
        String token = null;
        int pages = 0;
        do {
            String next = token;
            ListConfiguredTablesResponse page = t.pub.listConfiguredTables(r -> r.maxResults(2).nextToken(next));
            assertThat(page.configuredTableSummaries()).hasSizeLessThanOrEqualTo(2);
            page.configuredTableSummaries().forEach(s -> assertThat(seen.add(s.id())).isTrue());
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(seen).hasSize(5);
        assertThat(pages).isEqualTo(3);
        assertThatThrownBy(() -> t.pub.listConfiguredTables(r -> r.nextToken("garbage")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("nextToken");
    }

    @Test
    void quotaOnInvitedMembers() throws Exception {
        TestCluster.Keys creator = Fixtures.account(cluster, "creator");
        List<TestCluster.Keys> invited = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            invited.add(Fixtures.account(cluster, "m" + i));
        }
        try (CleanRoomsClient c = cluster.cleanRooms(creator)) {
            ServiceQuotaExceededException e = catchThrowableOfType(ServiceQuotaExceededException.class,
                    () -> Fixtures.createCollaboration(c, "big", invited.toArray(TestCluster.Keys[]::new)));
            assertThat(e.quotaName()).isEqualTo("Members invited per collaboration");
            assertThat(e.quotaValue()).isEqualTo(5.0);
            assertThat(e.statusCode()).isEqualTo(402);
        }
    }

    /** The columns Cleanroom reads a catalog table with (given, or inferred from the data), as name:type. */
    private List<String> catalogColumns(TestCluster.Keys owner, String database, String table) {
        return cluster.server.store().inTransaction(tx -> tx.of(io.cleanroom.core.store.Kinds.CATALOG_TABLES)
                .get(owner.accountId() + "/" + database + "/" + table)).orElseThrow().columns().stream()
                .map(c -> c.name() + ":" + c.type()).toList();
    }

    @Test
    void catalogThroughTheGlueClient() throws Exception {
        TestCluster.Keys owner = Fixtures.account(cluster, "owner");
        TestCluster.Keys other = Fixtures.account(cluster, "other");
        Fixtures.catalogTable(cluster, owner, "sales", "orders", List.of("order_id,amount,day", "1,9.5,2026-01-01",
                "2,12,2026-01-02"), false);
        try (GlueClient glue = cluster.glue(owner); GlueClient otherGlue = cluster.glue(other)) {
            Table table = glue.getTable(r -> r.databaseName("sales").name("orders")).table();
            assertThat(catalogColumns(owner, "sales", "orders"))
                    .containsExactly("order_id:bigint", "amount:double", "day:date");
            assertThat(glue.getDatabases(r -> { }).databaseList()).extracting(d -> d.name()).containsExactly("sales");
            assertThatThrownBy(() -> otherGlue.getTable(r -> r.databaseName("sales").name("orders")))
                    .isInstanceOf(EntityNotFoundException.class);
            assertThatThrownBy(() -> glue.createDatabase(r -> r.databaseInput(d -> d.name("sales"))))
                    .isInstanceOf(software.amazon.awssdk.services.glue.model.AlreadyExistsException.class);
            assertThatThrownBy(() -> glue.createTable(r -> r.databaseName("sales").tableInput(ti -> ti.name("x")
                    .parameters(Map.of("classification", "csv"))
                    .storageDescriptor(sd -> sd.location("/no/such/dir")))))
                    .isInstanceOf(software.amazon.awssdk.services.glue.model.InvalidInputException.class)
                    .hasMessageContaining("does not exist or is outside your data roots");
            java.nio.file.Path empty = java.nio.file.Files.createDirectories(
                    cluster.dataRoot(owner.accountId()).resolve("empty"));
            assertThatThrownBy(() -> glue.createTable(r -> r.databaseName("sales").tableInput(ti -> ti.name("x")
                    .parameters(Map.of("classification", "csv"))
                    .storageDescriptor(sd -> sd.location(empty.toString())))))
                    .isInstanceOf(software.amazon.awssdk.services.glue.model.InvalidInputException.class)
                    .hasMessageContaining("No data files");
            assertThatThrownBy(() -> glue.createTable(r -> r.databaseName("sales").tableInput(ti -> ti.name("x")
                    .parameters(Map.of("classification", "csv"))
                    .storageDescriptor(sd -> sd.location("s3://bucket/data/")))))
                    .isInstanceOf(software.amazon.awssdk.services.glue.model.InvalidInputException.class)
                    .hasMessageContaining("Parameters.connectionName");
            glue.updateTable(r -> r.databaseName("sales").tableInput(ti -> ti.name("orders").description("v2")
                    .parameters(Map.of("classification", "csv"))
                    .storageDescriptor(sd -> sd.location(table.storageDescriptor().location()))));
            assertThat(glue.getTable(r -> r.databaseName("sales").name("orders")).table().description())
                    .isEqualTo("v2");
            glue.deleteTable(r -> r.databaseName("sales").name("orders"));
            glue.deleteDatabase(r -> r.name("sales"));
            assertThatThrownBy(() -> glue.getDatabase(r -> r.name("sales"))).isInstanceOf(EntityNotFoundException.class);
        }
    }

    @Test
    void catalogTableInUseCannotBeDropped() throws Exception {
        Tutorial t = new Tutorial();
        try (GlueClient glue = cluster.glue(t.publisher)) {
            assertThatThrownBy(() -> glue.deleteTable(r -> r.databaseName("cleanrooms_lab").name("publisher_audience")))
                    .hasMessageContaining(t.publisherTable);
        }
    }

    @Test
    void restartKeepsEveryAcknowledgedChange() throws Exception {
        Tutorial t = new Tutorial();
        t.rulesAndAssociations();
        cluster.stop();
        cluster.restart();
        try (CleanRoomsClient adv = cluster.cleanRooms(t.advertiser)) {
            assertThat(adv.listSchemas(r -> r.collaborationIdentifier(t.collaborationId)).schemaSummaries())
                    .hasSize(2);
            assertThat(adv.getMembership(r -> r.membershipIdentifier(t.advertiserMembership)).membership().status())
                    .isEqualTo(MembershipStatus.ACTIVE);
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
