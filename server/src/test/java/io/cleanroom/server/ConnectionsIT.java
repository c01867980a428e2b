package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.Connection;
import software.amazon.awssdk.services.glue.model.GlueException;

/**
 * Connections through the admin API (the operator) and Glue's connection operations (an account's
 * administrators): their secrets are sealed, never answered, never in the audit trail or the store
 * in clear; catalog tables in S3 and PostgreSQL name one, inside the account's S3 roots; and a query
 * reads such a table only through an association whose roleArn names that connection.
 */
class ConnectionsIT {
    private static final String S3_SECRET = "S3-secret-wJalrXUtnFEMI-K7MDENG";
    private static final String PG_PASSWORD = "pg-password-9f3b2e71c4";
    private static TestCluster cluster;
    private static io.cleanroom.sources.S3TestServer s3;
    private static TestCluster.Keys pub;
    private static TestCluster.Keys adv;

    @BeforeAll
    static void start() throws Exception {
        s3 = io.cleanroom.sources.S3TestServer.start();
        s3.put("pub-lake", "owner/audience/part-0.csv", "user_id_hash\nu1\n");
        s3.put("lake", "audience/part-0.csv", "user_id_hash,segment\nu1,news\nu2,news\n");
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE);
        pub = cluster.createAccount("111111111111", "publisher");
        adv = cluster.createAccount("222222222222", "advertiser");
    }

    @AfterAll
    static void stop() {
        cluster.close();
        s3.close();
    }

    private static JsonNode ok(SignedHttpClient.Response r) throws Exception {
        assertThat(r.status()).as(r.body()).isBetween(200, 204);
        return r.body().isEmpty() ? Json.object() : Json.MAPPER.readTree(r.body());
    }

    private static String s3Body(String name, String secret) {
        return "{\"name\":\"" + name + "\",\"type\":\"S3\",\"endpoint\":\"http://127.0.0.1:9000\",\"region\":"
                + "\"us-east-1\",\"accessKeyId\":\"AKIDPUB\",\"secretAccessKey\":\"" + secret + "\",\"pathStyle\":true}";
    }

    /** A connection to the test's S3 server, with its key. */
    private static String reachable(String name) {
        return s3Body(name, io.cleanroom.sources.S3TestServer.SECRET_KEY)
                .replace("http://127.0.0.1:9000", s3.endpoint().toString())
                .replace("AKIDPUB", io.cleanroom.sources.S3TestServer.ACCESS_KEY);
    }

    @Test
    void theOperatorManagesAnAccountsConnectionsAndNeverSeesTheSecretAgain() throws Exception {
        String path = "/admin/accounts/" + pub.accountId() + "/connections";
        JsonNode created = ok(cluster.admin("POST", path, s3Body("ops-s3", S3_SECRET)));
        assertThat(created.get("name").asText()).isEqualTo("ops-s3");
        assertThat(created.get("endpoint").asText()).isEqualTo("http://127.0.0.1:9000");
        assertThat(created.toString()).doesNotContain(S3_SECRET).doesNotContain("secretAccessKey");
        assertThat(ok(cluster.admin("GET", path + "/OPS-S3", null)).toString()).doesNotContain(S3_SECRET)
                .contains("AKIDPUB");
        assertThat(ok(cluster.admin("GET", path, null)).get("connections").toString()).contains("ops-s3")
                .doesNotContain(S3_SECRET);

        SignedHttpClient.Response duplicate = cluster.admin("POST", path, s3Body("Ops-S3", "x"));
        assertThat(duplicate.status()).isEqualTo(409);
        SignedHttpClient.Response bad = cluster.admin("POST", path, "{\"name\":\"bad\",\"type\":\"POSTGRESQL\","
                + "\"jdbcUrl\":\"jdbc:postgresql://db/m?password=" + PG_PASSWORD + "\",\"user\":\"u\",\"password\":\""
                + PG_PASSWORD + "\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("jdbcUrl").doesNotContain(PG_PASSWORD);
        // an account's key cannot use the admin API, whatever its role
        SignedHttpClient.Response asAccount = new SignedHttpClient(cluster.endpoint(), pub.accessKeyId(),
                pub.secretAccessKey(), "us-east-1", java.time.Clock.systemUTC()).send("GET", path, Map.of(), Map.of(),
                null, "cleanroom");
        assertThat(asAccount.status()).isEqualTo(403);

        ok(cluster.admin("PUT", path + "/ops-s3", "{\"type\":\"S3\",\"region\":\"eu-west-1\",\"accessKeyId\":"
                + "\"AKIDPUB2\"}"));
        assertThat(ok(cluster.admin("GET", path + "/ops-s3", null)).get("region").asText()).isEqualTo("eu-west-1");
        ok(cluster.admin("DELETE", path + "/ops-s3", null));
        assertThat(cluster.admin("GET", path + "/ops-s3", null).status()).isEqualTo(404);
    }

    @Test
    void anAccountsAdministratorsManageTheirOwnThroughGlue() throws Exception {
        try (GlueClient glue = cluster.glue(pub); GlueClient other = cluster.glue(adv)) {
            glue.createConnection(r -> r.connectionInput(c -> c.name("pub-pg").connectionType("JDBC")
                    .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL",
                            "jdbc:postgresql://127.0.0.1:5432/members", "USERNAME", "reader", "PASSWORD",
                            PG_PASSWORD))));
            Connection shown = glue.getConnection(r -> r.name("pub-pg").hidePassword(false)).connection();
            assertThat(shown.connectionTypeAsString()).isEqualTo("JDBC");
            assertThat(shown.connectionPropertiesAsStrings()).containsEntry("USERNAME", "reader")
                    .containsEntry("JDBC_CONNECTION_URL", "jdbc:postgresql://127.0.0.1:5432/members")
                    .doesNotContainKey("PASSWORD");
            assertThat(glue.getConnections(r -> r.hidePassword(false)).connectionList())
                    .extracting(Connection::name).contains("pub-pg");
            // another account has its own: this one is not there
            GlueException notFound = catchThrowableOfType(GlueException.class,
                    () -> other.getConnection(r -> r.name("pub-pg")));
            assertThat(notFound.awsErrorDetails().errorCode()).isEqualTo("EntityNotFoundException");
            GlueException unknownType = catchThrowableOfType(GlueException.class, () -> glue.createConnection(r ->
                    r.connectionInput(c -> c.name("k").connectionType("KAFKA").connectionPropertiesWithStrings(
                            Map.of("KAFKA_BOOTSTRAP_SERVERS", "x:9092")))));
            assertThat(unknownType.awsErrorDetails().errorCode()).isEqualTo("InvalidInputException");
            glue.updateConnection(r -> r.name("pub-pg").connectionInput(c -> c.name("pub-pg").connectionType("JDBC")
                    .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL",
                            "jdbc:postgresql://127.0.0.1:5432/members2", "USERNAME", "reader2"))));
            assertThat(glue.getConnection(r -> r.name("pub-pg")).connection().connectionPropertiesAsStrings())
                    .containsEntry("USERNAME", "reader2");
        }
        TestCluster.Keys analyst = cluster.createKey(pub.accountId(), "ANALYST");
        try (GlueClient glue = cluster.glue(analyst)) {
            GlueException denied = catchThrowableOfType(GlueException.class, () -> glue.getConnections(r -> { }));
            assertThat(denied.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
        }
    }

    @Test
    void secretsAreNeverInTheAuditTrailOrTheStoreInClear() throws Exception {
        String secret = "audit-" + S3_SECRET;
        String password = "audit-" + PG_PASSWORD;
        ok(cluster.admin("POST", "/admin/accounts/" + adv.accountId() + "/connections", s3Body("audited", secret)));
        try (GlueClient glue = cluster.glue(adv)) {
            glue.createConnection(r -> r.connectionInput(c -> c.name("audited-pg").connectionType("JDBC")
                    .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL", "jdbc:postgresql://h:5432/m",
                            "USERNAME", "u", "PASSWORD", password))));
            // a body holding the secret twice, and a malformed one, are recorded without it
            catchThrowableOfType(GlueException.class, () -> glue.createConnection(r -> r.connectionInput(c ->
                    c.name("bad pg").connectionType("JDBC").connectionPropertiesWithStrings(Map.of(
                            "JDBC_CONNECTION_URL", "jdbc:postgresql://h:5432/m", "USERNAME", "u",
                            "PASSWORD", password)))));
        }
        SignedHttpClient.Response malformed = cluster.admin("POST", "/admin/accounts/" + adv.accountId()
                + "/connections", "{\"name\":\"x\",\"secretAccessKey\":\"" + secret + "\", oops");
        assertThat(malformed.status()).isEqualTo(400);

        List<String> events = new ArrayList<>();
        String token = null;
        do {
            JsonNode page = ok(cluster.operator().send("GET", "/admin/audit/events", token == null ? Map.of()
                    : Map.of("nextToken", List.of(token)), Map.of(), null, "cleanroom"));
            page.get("events").forEach(e -> events.add(e.toString()));
            token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        assertThat(events).filteredOn(e -> e.contains("CreateConnection")).hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(e -> assertThat(e).doesNotContain(secret).doesNotContain(password));
        assertThat(events).filteredOn(e -> e.contains("CreateConnection") && e.contains("audited"))
                .allSatisfy(e -> assertThat(e).contains("HIDDEN_DUE_TO_SECURITY_REASONS"));
        assertThat(String.join("\n", events)).doesNotContain(secret).doesNotContain(password);

        // nothing the server wrote to its data directory holds them in clear (SQLite, WAL, results...)
        try (Stream<Path> files = Files.walk(cluster.dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(content).as(file.toString()).doesNotContain(secret).doesNotContain(password);
            }
        }
    }

    @Test
    void catalogTablesNameAConnectionOfTheRightKindInsideTheirRoots() throws Exception {
        TestCluster.Keys owner = cluster.createAccount("333333333333", "s3 owner");
        ok(cluster.admin("POST", "/admin/accounts/" + owner.accountId() + "/connections", reachable("own-s3")));
        try (GlueClient glue = cluster.glue(owner)) {
            glue.createConnection(r -> r.connectionInput(c -> c.name("own-pg").connectionType("JDBC")
                    .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL", "jdbc:postgresql://h:5432/m",
                            "USERNAME", "u", "PASSWORD", "p"))));
            glue.createDatabase(r -> r.databaseInput(d -> d.name("lake")));
            List<Column> columns = List.of(Column.builder().name("user_id_hash").type("string").build());
            java.util.function.BiFunction<String, Map<String, String>, GlueException> create = (location, parameters) ->
                    catchThrowableOfType(GlueException.class, () -> glue.createTable(r -> r.databaseName("lake")
                            .tableInput(t -> t.name("t").parameters(parameters)
                                    .storageDescriptor(sd -> sd.location(location).columns(columns)))));

            assertThat(create.apply("s3://pub-lake/audience/", Map.of("classification", "parquet")).getMessage())
                    .contains("Parameters.connectionName");
            assertThat(create.apply("s3://pub-lake/audience/", Map.of("classification", "parquet",
                    "connectionName", "nope")).getMessage()).contains("no connection named nope");
            assertThat(create.apply("s3://pub-lake/audience/", Map.of("classification", "parquet",
                    "connectionName", "own-pg")).getMessage()).contains("needs a S3 one");
            assertThat(create.apply("s3://pub-lake/audience/", Map.of("classification", "parquet",
                    "connectionName", "own-s3")).getMessage()).contains("no S3 roots");
            assertThat(create.apply(cluster.dataRoot(owner.accountId()) + "/x.csv", Map.of("classification", "csv",
                    "connectionName", "own-s3")).getMessage()).contains("without a connection");

            ok(cluster.admin("PUT", "/admin/accounts/" + owner.accountId() + "/dataRoots", "{\"dataRoots\":["
                    + Json.MAPPER.writeValueAsString(cluster.dataRoot(owner.accountId()).toString())
                    + ",\"s3://pub-lake/owner\"]}"));
            assertThat(create.apply("s3://pub-lake/ownerx/", Map.of("classification", "parquet",
                    "connectionName", "own-s3")).getMessage()).contains("outside your account's S3 roots");
            assertThat(create.apply("s3://pub-lake/owner/../adv/", Map.of("classification", "parquet",
                    "connectionName", "own-s3")).getMessage()).contains("'..'");
            assertThat(create.apply("jdbc:postgresql://other:5432/m", Map.of("connectionName", "own-pg",
                    "table", "t")).getMessage()).contains("the database of connection own-pg");
            assertThat(create.apply("jdbc:postgresql://h:5432/m", Map.of("connectionName", "own-pg",
                    "table", "t; DROP TABLE x")).getMessage()).contains("Parameters.table");
            assertThat(create.apply("s3://pub-lake/owner/audience/", Map.of("classification", "parquet",
                    "connectionName", "own-s3"))).isNull();
            GlueException inUse = catchThrowableOfType(GlueException.class,
                    () -> glue.deleteConnection(r -> r.connectionName("own-s3")));
            assertThat(inUse.getMessage()).contains("lake.t");
        }
        SignedHttpClient.Response badRoot = cluster.admin("PUT", "/admin/accounts/" + owner.accountId()
                + "/dataRoots", "{\"dataRoots\":[\"s3://Bad_Bucket/x\"]}");
        assertThat(badRoot.status()).isEqualTo(400);
        assertThat(badRoot.body()).contains("dataRoots[0]");
    }

    @Test
    void aQueryReadsATableOnlyThroughAnAssociationWhoseRoleNamesItsConnection() throws Exception {
        TestCluster.Keys owner = cluster.createAccount("444444444444", "lake owner");
        ok(cluster.admin("PUT", "/admin/accounts/" + owner.accountId() + "/dataRoots", "{\"dataRoots\":"
                + "[\"s3://lake/\"]}"));
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        ok(cluster.admin("POST", "/admin/accounts/" + owner.accountId() + "/connections", reachable("Lake-Reader")));
        try (GlueClient glue = cluster.glue(owner); CleanRoomsClient client = cluster.cleanRooms(owner)) {
            glue.createDatabase(r -> r.databaseInput(d -> d.name("lake")));
            glue.createTable(r -> r.databaseName("lake").tableInput(t -> t.name("audience")
                    .parameters(Map.of("classification", "csv", "connectionName", "lake-reader"))
                    .storageDescriptor(sd -> sd.location("s3://lake/audience/").columns(
                            Column.builder().name("user_id_hash").type("string").build(),
                            Column.builder().name("segment").type("string").build()))));
            String collaboration = client.createCollaboration(r -> r.name("lake").description("d")
                    .members(List.of()).creatorMemberAbilities(
                            software.amazon.awssdk.services.cleanrooms.model.MemberAbility.CAN_QUERY,
                            software.amazon.awssdk.services.cleanrooms.model.MemberAbility.CAN_RECEIVE_RESULTS)
                    .creatorDisplayName("owner").queryLogStatus("DISABLED")).collaboration().id();
            String membership = Fixtures.join(client, collaboration);
            String table = Fixtures.configuredTable(client, "audience", "lake", "audience", "user_id_hash", "segment");
            Fixtures.aggregationRule(client, table, "user_id_hash", "segment");
            String association = client.createConfiguredTableAssociation(r -> r.membershipIdentifier(membership)
                    .configuredTableIdentifier(table).name("audience")
                    .roleArn("arn:aws:iam::" + owner.accountId() + ":role/some-other-role")).configuredTableAssociation()
                    .id();
            String sql = "SELECT segment, COUNT(DISTINCT user_id_hash) AS n FROM audience GROUP BY segment";
            java.util.function.Supplier<String> start = () -> catchThrowableOfType(
                    software.amazon.awssdk.services.cleanrooms.model.ValidationException.class,
                    () -> client.startProtectedQuery(r -> r.membershipIdentifier(membership)
                            .type(ProtectedQueryType.SQL).sqlParameters(p -> p.queryString(sql))
                            .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                                    owner.accountId())))))).getMessage();
            String refused = start.get();
            assertThat(refused).contains("roleArn does not name the connection").doesNotContain("some-other-role")
                    .doesNotContain("Lake-Reader");
            for (String role : List.of("arn:aws:iam::111111111111:role/lake-reader",
                    "arn:aws:iam::" + owner.accountId() + ":role/lake-reader2")) {
                client.updateConfiguredTableAssociation(r -> r.membershipIdentifier(membership)
                        .configuredTableAssociationIdentifier(association).roleArn(role));
                assertThat(start.get()).as(role).contains("roleArn does not name the connection");
            }
            client.updateConfiguredTableAssociation(r -> r.membershipIdentifier(membership)
                    .configuredTableAssociationIdentifier(association)
                    .roleArn("arn:aws:iam::" + owner.accountId() + ":role/service/LAKE-READER"));
            // the role names the connection (a path, another case): the query starts, and reads through it,
            // where nothing listens now
            ok(cluster.admin("PUT", "/admin/accounts/" + owner.accountId() + "/connections/lake-reader",
                    reachable("x").replace("{\"name\":\"x\",", "{").replace(s3.endpoint().toString(),
                            "http://127.0.0.1:" + closed)));
            String id = client.startProtectedQuery(r -> r.membershipIdentifier(membership)
                    .type(ProtectedQueryType.SQL).sqlParameters(p -> p.queryString(sql))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                            owner.accountId()))))).protectedQuery().id();
            software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery q;
            do {
                Thread.sleep(50);
                q = client.getProtectedQuery(r -> r.membershipIdentifier(membership).protectedQueryIdentifier(id))
                        .protectedQuery();
            } while (q.status() == software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus.SUBMITTED
                    || q.status() == software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus.STARTED);
            assertThat(q.error().message()).contains("Table audience").contains("could not be reached");
        }
    }
}
