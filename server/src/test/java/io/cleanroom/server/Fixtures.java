package io.cleanroom.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AggregateColumn;
import software.amazon.awssdk.services.cleanrooms.model.AggregateFunctionName;
import software.amazon.awssdk.services.cleanrooms.model.AggregationConstraint;
import software.amazon.awssdk.services.cleanrooms.model.AggregationType;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisMethod;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleAggregation;
import software.amazon.awssdk.services.cleanrooms.model.CollaborationQueryLogStatus;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicyV1;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.CreateCollaborationResponse;
import software.amazon.awssdk.services.cleanrooms.model.GlueTableReference;
import software.amazon.awssdk.services.cleanrooms.model.JoinRequiredOption;
import software.amazon.awssdk.services.cleanrooms.model.MemberAbility;
import software.amazon.awssdk.services.cleanrooms.model.MemberSpecification;
import software.amazon.awssdk.services.cleanrooms.model.MembershipQueryLogStatus;
import software.amazon.awssdk.services.cleanrooms.model.TableReference;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;

/** The seed tutorial's setup, reusable by the suites: accounts, catalog tables, collaboration, rules. */
final class Fixtures {
    static final String ROLE = "arn:aws:iam::111111111111:role/cleanrooms-query";

    private Fixtures() {
    }

    static String randomAccountId() {
        return String.format("%012d", ThreadLocalRandom.current().nextLong(100_000_000_000L, 999_999_999_999L));
    }

    static TestCluster.Keys account(TestCluster cluster, String name) throws Exception {
        return cluster.createAccount(randomAccountId(), name);
    }

    /** Registers a CSV table, written in the account's data root, in its catalog through the Glue SDK client. */
    static void catalogTable(TestCluster cluster, TestCluster.Keys keys, String database, String table,
            List<String> lines, boolean giveColumns) throws Exception {
        Path file = cluster.csv(keys, table + ".csv", lines);
        try (GlueClient glue = cluster.glue(keys)) {
            try {
                glue.createDatabase(r -> r.databaseInput(d -> d.name(database)));
            } catch (software.amazon.awssdk.services.glue.model.AlreadyExistsException ignored) {
                // shared database
            }
            String[] header = lines.get(0).split(",");
            glue.createTable(r -> r.databaseName(database).tableInput(t -> {
                t.name(table).parameters(Map.of("classification", "csv"));
                t.storageDescriptor(sd -> {
                    sd.location(file.toString());
                    if (giveColumns) {
                        sd.columns(java.util.Arrays.stream(header)
                                .map(h -> Column.builder().name(h).type("string").build()).toList());
                    }
                });
            }));
        }
    }

    static final List<String> PUBLISHER = List.of("user_id_hash,segment", "aaa111,news", "bbb222,sports",
            "ccc333,news", "ddd444,finance", "eee555,sports");
    static final List<String> ADVERTISER = List.of("user_id_hash,campaign", "bbb222,spring_launch",
            "ccc333,spring_launch", "xxx999,brand_awareness", "yyy888,spring_launch");

    static String createCollaboration(CleanRoomsClient creator, String name, TestCluster.Keys... members) {
        List<MemberSpecification> specs = new java.util.ArrayList<>();
        for (TestCluster.Keys m : members) {
            specs.add(MemberSpecification.builder().accountId(m.accountId()).displayName("member " + m.accountId())
                    .memberAbilities(MemberAbility.CAN_QUERY, MemberAbility.CAN_RECEIVE_RESULTS).build());
        }
        CreateCollaborationResponse response = creator.createCollaboration(r -> r.name(name)
                .description("tutorial collaboration").members(specs).creatorMemberAbilities(List.of())
                .creatorDisplayName("publisher").queryLogStatus(CollaborationQueryLogStatus.DISABLED));
        return response.collaboration().id();
    }

    static String join(CleanRoomsClient client, String collaborationId) {
        return client.createMembership(r -> r.collaborationIdentifier(collaborationId)
                .queryLogStatus(MembershipQueryLogStatus.DISABLED)).membership().id();
    }

    static String configuredTable(CleanRoomsClient client, String name, String database, String table,
            String... columns) {
        return client.createConfiguredTable(r -> r.name(name)
                .tableReference(TableReference.fromGlue(GlueTableReference.builder().databaseName(database)
                        .tableName(table).build()))
                .allowedColumns(columns).analysisMethod(AnalysisMethod.DIRECT_QUERY)).configuredTable().id();
    }

    static ConfiguredTableAnalysisRulePolicy aggregationPolicy(String joinColumn, String dimension, int minimum) {
        return ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1.fromAggregation(
                AnalysisRuleAggregation.builder()
                        .aggregateColumns(AggregateColumn.builder().columnNames(joinColumn)
                                .function(AggregateFunctionName.COUNT_DISTINCT).build())
                        .joinColumns(joinColumn)
                        .joinRequired(JoinRequiredOption.QUERY_RUNNER)
                        .dimensionColumns(dimension)
                        .scalarFunctions(List.of())
                        .outputConstraints(AggregationConstraint.builder().columnName(joinColumn).minimum(minimum)
                                .type(AggregationType.COUNT_DISTINCT).build())
                        .build()));
    }

    static void aggregationRule(CleanRoomsClient client, String tableId, String joinColumn, String dimension) {
        client.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(tableId)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION)
                .analysisRulePolicy(aggregationPolicy(joinColumn, dimension, 2)));
    }

    static String associate(CleanRoomsClient client, String membershipId, String tableId, String name) {
        return client.createConfiguredTableAssociation(r -> r.membershipIdentifier(membershipId)
                .configuredTableIdentifier(tableId).name(name).roleArn(ROLE)).configuredTableAssociation().id();
    }
}
