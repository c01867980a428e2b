package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
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
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
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

    /** The states a protected query ends in. */
    static final Set<ProtectedQueryStatus> ENDED = Set.of(ProtectedQueryStatus.SUCCESS, ProtectedQueryStatus.FAILED,
            ProtectedQueryStatus.CANCELLED, ProtectedQueryStatus.TIMED_OUT);

    /** How long {@link #await} waits for a query to end: a bound against hanging, not a timing check. */
    private static final Duration QUERY_BOUND = Duration.ofMinutes(4);

    /**
     * Polls GetProtectedQuery until the query has ended ({@link #ENDED}) and returns it as it ended. A
     * query still running after {@link #QUERY_BOUND} fails the test.
     */
    static ProtectedQuery await(CleanRoomsClient client, String membership, String id) throws InterruptedException {
        return await(client, membership, id, running -> {
        });
    }

    /** As {@link #await(CleanRoomsClient, String, String)}, checking each poll that finds the query still running. */
    static ProtectedQuery await(CleanRoomsClient client, String membership, String id,
            Consumer<ProtectedQuery> whileRunning) throws InterruptedException {
        long deadline = System.nanoTime() + QUERY_BOUND.toNanos();
        while (true) {
            ProtectedQuery q = client.getProtectedQuery(r -> r.membershipIdentifier(membership)
                    .protectedQueryIdentifier(id)).protectedQuery();
            if (ENDED.contains(q.status())) {
                return q;
            }
            whileRunning.accept(q);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("query " + id + " has not ended in " + QUERY_BOUND + ": " + q.status());
            }
            Thread.sleep(20);
        }
    }

    /** GetProtectedQueryResult, signed with the keys, whatever it answers. */
    static SignedHttpClient.Response result(TestCluster cluster, TestCluster.Keys keys, String membership, String id)
            throws Exception {
        return new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(), "us-east-1",
                Clock.systemUTC()).send("GET", "/memberships/" + membership + "/protectedQueries/" + id + "/result",
                        Map.of(), Map.of(), null, "cleanrooms");
    }

    /**
     * The rows of a query that must have succeeded, as the receiver (keys, membership) reads them, in
     * the result's order.
     */
    static List<JsonNode> resultRows(TestCluster cluster, TestCluster.Keys receiver, String membership,
            ProtectedQuery q) throws Exception {
        assertThat(q.status()).as(String.valueOf(q.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
        SignedHttpClient.Response result = result(cluster, receiver, membership, q.id());
        assertThat(result.status()).as(result.body()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        Json.MAPPER.readTree(result.body()).get("rows").forEach(rows::add);
        return rows;
    }

    /** {@link #resultRows}, each row as JSON text, sorted: for results whose order the query leaves open. */
    static List<String> sortedRows(TestCluster cluster, TestCluster.Keys receiver, String membership,
            ProtectedQuery q) throws Exception {
        List<String> rows = new ArrayList<>();
        resultRows(cluster, receiver, membership, q).forEach(row -> rows.add(row.toString()));
        rows.sort(null);
        return rows;
    }
}
