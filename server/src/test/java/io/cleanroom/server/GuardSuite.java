package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.admin.AdminApi;
import io.cleanroom.server.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AccessDeniedException;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisMethod;
import software.amazon.awssdk.services.cleanrooms.model.CleanRoomsException;
import software.amazon.awssdk.services.cleanrooms.model.CollaborationQueryLogStatus;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConflictException;
import software.amazon.awssdk.services.cleanrooms.model.GlueTableReference;
import software.amazon.awssdk.services.cleanrooms.model.MemberAbility;
import software.amazon.awssdk.services.cleanrooms.model.MemberSpecification;
import software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cleanrooms.model.TableReference;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;

/**
 * Authentication, authorisation, bad input and concurrency: every wrong request gets the AWS
 * error type, a message naming what is wrong, and never a 500 or a stack trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GuardSuite {
    TestCluster cluster;
    TestCluster.Keys owner;
    TestCluster.Keys invitee;
    CleanRoomsClient client;
    String collaborationId;
    String membershipId;
    String tableId;

    abstract TestCluster.StoreKind kind();

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.start(kind());
        owner = Fixtures.account(cluster, "owner");
        invitee = Fixtures.account(cluster, "invitee");
        Fixtures.catalogTable(cluster, owner, "lab", "audience", Fixtures.PUBLISHER, false);
        client = cluster.cleanRooms(owner);
        collaborationId = Fixtures.createCollaboration(client, "guards", invitee);
        membershipId = Fixtures.join(client, collaborationId);
        tableId = Fixtures.configuredTable(client, "audience", "lab", "audience", "user_id_hash", "segment");
    }

    @AfterAll
    void stop() {
        client.close();
        cluster.close();
    }

    // ---- authentication ----

    private static String error(CleanRoomsException e) {
        return e.awsErrorDetails().errorCode();
    }

    @Test
    void wrongSecretIsDenied() {
        String secret = owner.secretAccessKey();
        // change the first character to a different one (a random secret may already start with 'x')
        String wrong = (secret.charAt(0) == 'x' ? "y" : "x") + secret.substring(1);
        try (CleanRoomsClient bad = cluster.cleanRooms(new TestCluster.Keys(owner.accountId(), owner.accessKeyId(),
                wrong))) {
            AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class,
                    () -> bad.listCollaborations(r -> { }));
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.getMessage()).contains("signature we calculated does not match");
        }
    }

    @Test
    void unknownKeyIsDenied() {
        try (CleanRoomsClient bad = cluster.cleanRooms(new TestCluster.Keys(owner.accountId(),
                "CRAKAAAAAAAAAAAAAAAA", owner.secretAccessKey()))) {
            assertThatThrownBy(() -> bad.listCollaborations(r -> { }))
                    .isInstanceOf(AccessDeniedException.class).hasMessageContaining("unknown or disabled");
        }
    }

    @Test
    void unsignedAndExpiredRequestsAreDenied() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(
                URI.create(cluster.server.endpoint() + "/collaborations")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(unsigned.headers().firstValue("x-amzn-ErrorType")).hasValue("AccessDeniedException");
        assertThat(unsigned.body()).contains("Missing Authentication Token");

        SignedHttpClient stale = new SignedHttpClient(cluster.endpoint(), owner.accessKeyId(),
                owner.secretAccessKey(), "us-east-1",
                Clock.fixed(Instant.now().minus(Duration.ofMinutes(20)), ZoneOffset.UTC));
        SignedHttpClient.Response expired = stale.send("GET", "/collaborations", Map.of(), Map.of(), null,
                "cleanrooms");
        assertThat(expired.status()).isEqualTo(403);
        assertThat(expired.body()).contains("Signature expired");

        SignedHttpClient signer = new SignedHttpClient(cluster.endpoint(), owner.accessKeyId(),
                owner.secretAccessKey(), "us-east-1", Clock.systemUTC());
        SignedHttpClient.Response wrongService = signer.send("GET", "/collaborations", Map.of(), Map.of(), null,
                "glue");
        assertThat(wrongService.status()).isEqualTo(403);
        assertThat(wrongService.body()).contains("'cleanrooms'");
    }

    @Test
    void disabledAndRotatedKeys() throws Exception {
        TestCluster.Keys extra = cluster.createKey(owner.accountId(), "ADMINISTRATOR");
        try (CleanRoomsClient c = cluster.cleanRooms(extra)) {
            c.listCollaborations(r -> { });
            assertThat(cluster.admin("PATCH", "/admin/keys/" + extra.accessKeyId(), "{\"active\":false}").status())
                    .isEqualTo(200);
            assertThatThrownBy(() -> c.listCollaborations(r -> { })).isInstanceOf(AccessDeniedException.class);
        }
        TestCluster.Keys second = cluster.createKey(owner.accountId(), "ADMINISTRATOR");
        SignedHttpClient.Response rotated = cluster.admin("POST", "/admin/keys/" + second.accessKeyId() + "/rotate",
                null);
        JsonNode json = Json.MAPPER.readTree(rotated.body());
        TestCluster.Keys fresh = new TestCluster.Keys(owner.accountId(), json.get("accessKeyId").asText(),
                json.get("secretAccessKey").asText());
        try (CleanRoomsClient old = cluster.cleanRooms(second); CleanRoomsClient now = cluster.cleanRooms(fresh)) {
            assertThatThrownBy(() -> old.listCollaborations(r -> { })).isInstanceOf(AccessDeniedException.class);
            assertThat(now.listCollaborations(r -> { }).collaborationList()).isNotEmpty();
        }
        // listing keys never shows a secret
        SignedHttpClient.Response keys = cluster.admin("GET", "/admin/accounts/" + owner.accountId() + "/keys", null);
        assertThat(keys.body()).doesNotContain(fresh.secretAccessKey()).doesNotContain("secret");
    }

    @Test
    void disabledAccountIsDenied() throws Exception {
        TestCluster.Keys gone = Fixtures.account(cluster, "gone");
        try (CleanRoomsClient c = cluster.cleanRooms(gone)) {
            c.listCollaborations(r -> { });
            cluster.admin("PATCH", "/admin/accounts/" + gone.accountId(), "{\"enabled\":false}");
            assertThatThrownBy(() -> c.listCollaborations(r -> { })).isInstanceOf(AccessDeniedException.class);
        }
    }

    @Test
    void analystMayOnlyRunAndReadQueries() throws Exception {
        TestCluster.Keys analyst = cluster.createKey(owner.accountId(), "ANALYST");
        try (CleanRoomsClient c = cluster.cleanRooms(analyst)) {
            assertThat(c.listCollaborations(r -> { }).collaborationList()).isNotEmpty();
            assertThat(c.listSchemas(r -> r.collaborationIdentifier(collaborationId)).schemaSummaries()).isNotNull();
            AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class,
                    () -> Fixtures.configuredTable(c, "x", "lab", "audience", "segment"));
            assertThat(e.getMessage()).contains("ANALYST").contains("CreateConfiguredTable");
            assertThatThrownBy(() -> c.deleteCollaboration(r -> r.collaborationIdentifier(collaborationId)))
                    .isInstanceOf(AccessDeniedException.class);
        }
    }

    @Test
    void accountKeysCannotCallTheAdminApiAndTheOperatorHoldsNoResources() throws Exception {
        SignedHttpClient account = new SignedHttpClient(cluster.endpoint(), owner.accessKeyId(),
                owner.secretAccessKey(), "us-east-1", Clock.systemUTC());
        SignedHttpClient.Response r = account.send("GET", "/admin/accounts", Map.of(), Map.of(), null,
                AdminApi.SIGNING_NAME);
        assertThat(r.status()).isEqualTo(403);
        SignedHttpClient.Response operatorCall = cluster.operator().send("GET", "/collaborations", Map.of(),
                Map.of(), null, "cleanrooms");
        assertThat(operatorCall.status()).isEqualTo(403);
        assertThat(operatorCall.body()).contains("operator key manages accounts");
    }

    @Test
    void operatorConfinesAnAccountsCatalogToItsDirectories() throws Exception {
        TestCluster.Keys tenant = Fixtures.account(cluster, "tenant");
        java.nio.file.Path root = java.nio.file.Files.createDirectories(cluster.dataDir.resolve("tenant-data"));
        java.nio.file.Files.writeString(root.resolve("ok.csv"), "a\n1\n");
        SignedHttpClient.Response set = cluster.admin("PUT", "/admin/accounts/" + tenant.accountId() + "/dataRoots",
                "{\"dataRoots\":[\"" + root + "\"]}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        try (software.amazon.awssdk.services.glue.GlueClient glue = cluster.glue(tenant)) {
            glue.createDatabase(r -> r.databaseInput(d -> d.name("db")));
            glue.createTable(r -> r.databaseName("db").tableInput(t -> t.name("ok")
                    .parameters(Map.of("classification", "csv"))
                    .storageDescriptor(sd -> sd.location(root.resolve("ok.csv").toString()))));
            // another account's file is out of reach
            java.nio.file.Path theirs = cluster.csv("someone-else.csv", List.of("secret", "x"));
            assertThatThrownBy(() -> glue.createTable(r -> r.databaseName("db").tableInput(t -> t.name("stolen")
                    .parameters(Map.of("classification", "csv"))
                    .storageDescriptor(sd -> sd.location(theirs.toString())))))
                    .isInstanceOf(software.amazon.awssdk.services.glue.model.InvalidInputException.class)
                    .hasMessageContaining("does not exist or is outside your data roots");
        }
        SignedHttpClient.Response bad = cluster.admin("PUT", "/admin/accounts/" + tenant.accountId() + "/dataRoots",
                "{\"dataRoots\":[\"relative/dir\"]}");
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void operatorCredentialsFileIsPrivate() throws Exception {
        var permissions = java.nio.file.Files.getPosixFilePermissions(
                cluster.dataDir.resolve("operator-credentials.json"));
        assertThat(permissions).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(java.nio.file.Files.getPosixFilePermissions(cluster.dataDir.resolve("master.key")))
                .hasSize(2);
    }

    // ---- bad input, as a table of raw requests ----

    /** A raw signed request and what must come back. */
    record Case(String name, String method, String path, String body, int status, String type, String mentions) {
        @Override
        public String toString() {
            return name;
        }
    }

    Stream<Case> badRequests() {
        String c = "/collaborations";
        String big = "{\"name\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}";
        return Stream.of(
                new Case("malformed JSON", "POST", c, "{\"name\": ", 400, "ValidationException", "not valid JSON"),
                new Case("trailing garbage", "POST", c, "{} {}", 400, "ValidationException", "not valid JSON"),
                new Case("body is an array", "POST", c, "[]", 400, "ValidationException", "JSON object"),
                new Case("missing required fields", "POST", c, "{}", 400, "ValidationException", "'name'"),
                new Case("name of wrong type", "POST", c, body("\"name\":42"), 400, "ValidationException",
                        "'name' must be a string"),
                new Case("name too long", "POST", c, body("\"name\":\"" + "n".repeat(101) + "\""), 400,
                        "ValidationException", "less than or equal to 100"),
                new Case("blank name", "POST", c, body("\"name\":\"   \""), 400, "ValidationException", "'name'"),
                new Case("unknown enum", "POST", c, body("\"name\":\"x\",\"queryLogStatus\":\"MAYBE\""), 400,
                        "ValidationException", "enum value set"),
                new Case("member account id not 12 digits", "POST", c,
                        "{\"name\":\"x\",\"description\":\"d\",\"creatorMemberAbilities\":[],"
                                + "\"creatorDisplayName\":\"c\",\"queryLogStatus\":\"DISABLED\",\"members\":[{"
                                + "\"accountId\":\"123\",\"memberAbilities\":[],\"displayName\":\"m\"}]}",
                        400, "ValidationException", "members[0].accountId"),
                new Case("duplicate JSON keys", "POST", c, "{\"name\":\"a\",\"name\":\"b\"}", 400,
                        "ValidationException", "not valid JSON"),
                new Case("oversized body", "POST", c, big, 413, "ValidationException", "larger than"),
                new Case("identifier not a UUID", "GET", "/collaborations/not-a-uuid", null, 400,
                        "ValidationException", "collaborationIdentifier"),
                new Case("unknown collaboration", "GET", "/collaborations/00000000-0000-0000-0000-000000000000",
                        null, 404, "ResourceNotFoundException", "00000000-0000-0000-0000-000000000000"),
                new Case("unknown path", "GET", "/nothing/here", null, 404, "UnknownOperationException",
                        "/nothing/here"),
                new Case("wrong method", "PUT", "/collaborations", "{}", 404, "UnknownOperationException", "PUT"),
                new Case("maxResults out of range", "GET", "/collaborations?maxResults=0", null, 400,
                        "ValidationException", "maxResults"),
                new Case("maxResults not a number", "GET", "/collaborations?maxResults=ten", null, 400,
                        "ValidationException", "maxResults"),
                new Case("bad memberStatus filter", "GET", "/collaborations?memberStatus=LEFT", null, 400,
                        "ValidationException", "memberStatus"),
                new Case("bad analysis rule type in path", "GET",
                        "/configuredTables/00000000-0000-0000-0000-000000000000/analysisRule/SOMETIMES", null, 400,
                        "ValidationException", "analysisRuleType"),
                new Case("analysis rule with two policies", "POST", "/configuredTables/{table}/analysisRule",
                        "{\"analysisRuleType\":\"LIST\",\"analysisRulePolicy\":{\"v1\":{\"list\":{},\"custom\":{}}}}",
                        400, "ValidationException", "Exactly one of"),
                new Case("analysis rule minimum below 2", "POST", "/configuredTables/{table}/analysisRule",
                        "{\"analysisRuleType\":\"AGGREGATION\",\"analysisRulePolicy\":{\"v1\":{\"aggregation\":{"
                                + "\"aggregateColumns\":[{\"columnNames\":[\"user_id_hash\"],\"function\":\"COUNT\"}],"
                                + "\"joinColumns\":[],\"dimensionColumns\":[\"segment\"],\"scalarFunctions\":[],"
                                + "\"outputConstraints\":[{\"columnName\":\"user_id_hash\",\"minimum\":1,"
                                + "\"type\":\"COUNT_DISTINCT\"}]}}}}",
                        400, "ValidationException", "outputConstraints[0].minimum"),
                new Case("type and policy disagree", "POST", "/configuredTables/{table}/analysisRule",
                        "{\"analysisRuleType\":\"LIST\",\"analysisRulePolicy\":{\"v1\":{\"custom\":{"
                                + "\"allowedAnalyses\":[]}}}}",
                        400, "ValidationException", "LIST"),
                new Case("upper-case column name", "POST", "/configuredTables",
                        "{\"name\":\"t\",\"tableReference\":{\"glue\":{\"databaseName\":\"lab\",\"tableName\":"
                                + "\"audience\"}},\"allowedColumns\":[\"Segment\"],\"analysisMethod\":"
                                + "\"DIRECT_QUERY\"}",
                        400, "ValidationException", "allowedColumns[0]"),
                new Case("snowflake reference", "POST", "/configuredTables",
                        "{\"name\":\"t\",\"tableReference\":{\"snowflake\":{}},\"allowedColumns\":[\"segment\"],"
                                + "\"analysisMethod\":\"DIRECT_QUERY\"}",
                        400, "ValidationException", "glue"),
                new Case("bad role ARN", "POST", "/memberships/{membership}/configuredTableAssociations",
                        "{\"name\":\"t\",\"configuredTableIdentifier\":\"{table}\",\"roleArn\":\"admin\"}",
                        400, "ValidationException", "roleArn"),
                new Case("bad association name", "POST", "/memberships/{membership}/configuredTableAssociations",
                        "{\"name\":\"bad/name\",\"configuredTableIdentifier\":\"{table}\",\"roleArn\":\""
                                + Fixtures.ROLE + "\"}",
                        400, "ValidationException", "'name'"),
                new Case("tag key too long", "POST", "/tags/{tableArn}",
                        "{\"tags\":{\"" + "k".repeat(129) + "\":\"v\"}}", 400, "ValidationException", "tags"),
                new Case("untag without keys", "DELETE", "/tags/{tableArn}", null, 400, "ValidationException",
                        "tagKeys"),
                new Case("batch of 26 schemas", "POST", "/collaborations/{collaboration}/batch-schema",
                        "{\"names\":[" + String.join(",", java.util.Collections.nCopies(26, "\"t\"")) + "]}",
                        400, "ValidationException", "at most 25"));
    }

    private static String body(String fields) {
        return "{" + fields + "}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badInputGetsAClearAwsError(Case c) throws Exception {
        String tableArn = "arn:aws:cleanrooms:us-east-1:" + owner.accountId() + ":configuredtable/" + tableId;
        String path = c.path().replace("{table}", tableId).replace("{membership}", membershipId)
                .replace("{collaboration}", collaborationId).replace("{tableArn}", WireSuite.encode(tableArn));
        String body = c.body() == null ? null : c.body().replace("{table}", tableId);
        String query = null;
        int q = path.indexOf('?');
        Map<String, List<String>> params = new java.util.LinkedHashMap<>();
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(kv[0], List.of(kv[1]));
            }
        }
        SignedHttpClient signer = new SignedHttpClient(cluster.endpoint(), owner.accessKeyId(),
                owner.secretAccessKey(), "us-east-1", Clock.systemUTC());
        SignedHttpClient.Response r = signer.send(c.method(), path, params, Map.of(), body, "cleanrooms");
        assertThat(r.status()).as(r.body()).isEqualTo(c.status());
        assertThat(r.errorType()).isEqualTo(c.type());
        JsonNode json = Json.MAPPER.readTree(r.body());
        assertThat(json.get("message").asText()).contains(c.mentions());
        assertThat(r.body()).doesNotContain("at io.cleanroom").doesNotContain("Exception:")
                .doesNotContain("java.").doesNotContain(owner.secretAccessKey());
        if (c.type().equals("ValidationException") && c.status() == 400) {
            assertThat(json.get("reason").asText()).isEqualTo("FIELD_VALIDATION_FAILED");
        }
    }

    /** A call made through the SDK client and the error it must end in. */
    record SdkCase(String name, java.util.function.Consumer<CleanRoomsClient> call,
            Class<? extends CleanRoomsException> error, int status, String mentions) {
        @Override
        public String toString() {
            return name;
        }
    }

    Stream<SdkCase> sdkBadRequests() {
        String zero = "00000000-0000-0000-0000-000000000000";
        String role = Fixtures.ROLE;
        return Stream.of(
                new SdkCase("collaboration name too long", c -> c.createCollaboration(r -> r.name("n".repeat(101))
                        .description("d").creatorDisplayName("c").creatorMemberAbilities(List.of()).members(List.of())
                        .queryLogStatus(CollaborationQueryLogStatus.DISABLED)), ValidationException.class, 400, "name"),
                new SdkCase("description too long", c -> c.createCollaboration(r -> r.name("n")
                        .description("d".repeat(256)).creatorDisplayName("c").creatorMemberAbilities(List.of())
                        .members(List.of()).queryLogStatus(CollaborationQueryLogStatus.DISABLED)),
                        ValidationException.class, 400, "description"),
                new SdkCase("unknown query log status", c -> c.createCollaboration(r -> r.name("n").description("d")
                        .creatorDisplayName("c").creatorMemberAbilities(List.of()).members(List.of())
                        .queryLogStatus("SOMETIMES")), ValidationException.class, 400, "queryLogStatus"),
                new SdkCase("unknown member ability", c -> c.createCollaboration(r -> r.name("n").description("d")
                        .creatorDisplayName("c").creatorMemberAbilitiesWithStrings("CAN_EVERYTHING").members(List.of())
                        .queryLogStatus(CollaborationQueryLogStatus.DISABLED)), ValidationException.class, 400,
                        "creatorMemberAbilities[0]"),
                new SdkCase("get unknown collaboration", c -> c.getCollaboration(r -> r.collaborationIdentifier(zero)),
                        ResourceNotFoundException.class, 404, zero),
                new SdkCase("collaboration id not a UUID", c -> c.getCollaboration(r -> r.collaborationIdentifier(
                        "ABC")), ValidationException.class, 400, "collaborationIdentifier"),
                new SdkCase("join unknown collaboration", c -> c.createMembership(r -> r.collaborationIdentifier(zero)
                        .queryLogStatus("DISABLED")), ResourceNotFoundException.class, 404, zero),
                new SdkCase("unknown membership", c -> c.getMembership(r -> r.membershipIdentifier(zero)),
                        ResourceNotFoundException.class, 404, zero),
                new SdkCase("list associations of unknown membership", c -> c.listConfiguredTableAssociations(
                        r -> r.membershipIdentifier(zero)), ResourceNotFoundException.class, 404, zero),
                new SdkCase("maxResults above 100", c -> c.listCollaborations(r -> r.maxResults(101)),
                        ValidationException.class, 400, "maxResults"),
                new SdkCase("configured table without columns", c -> c.createConfiguredTable(r -> r.name("t")
                        .tableReference(TableReference.fromGlue(GlueTableReference.builder().databaseName("lab")
                                .tableName("audience").build()))
                        .allowedColumns(List.of()).analysisMethod(AnalysisMethod.DIRECT_QUERY)),
                        ValidationException.class, 400, "allowedColumns"),
                new SdkCase("configured table on unknown catalog table", c -> c.createConfiguredTable(r -> r.name("t")
                        .tableReference(TableReference.fromGlue(GlueTableReference.builder().databaseName("lab")
                                .tableName("nothing").build()))
                        .allowedColumns("segment").analysisMethod(AnalysisMethod.DIRECT_QUERY)),
                        ValidationException.class, 400, "lab.nothing"),
                new SdkCase("unknown analysis method", c -> c.createConfiguredTable(r -> r.name("t")
                        .tableReference(TableReference.fromGlue(GlueTableReference.builder().databaseName("lab")
                                .tableName("audience").build()))
                        .allowedColumns("segment").analysisMethod("PSYCHIC")),
                        ValidationException.class, 400, "analysisMethod"),
                new SdkCase("rule on unknown configured table", c -> c.createConfiguredTableAnalysisRule(r -> r
                        .configuredTableIdentifier(zero).analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION)
                        .analysisRulePolicy(Fixtures.aggregationPolicy("user_id_hash", "segment", 2))),
                        ResourceNotFoundException.class, 404, zero),
                new SdkCase("association of unknown table", c -> c.createConfiguredTableAssociation(r -> r
                        .membershipIdentifier(membershipId).configuredTableIdentifier(zero).name("x").roleArn(role)),
                        ResourceNotFoundException.class, 404, zero),
                new SdkCase("association with short role ARN", c -> c.createConfiguredTableAssociation(r -> r
                        .membershipIdentifier(membershipId).configuredTableIdentifier(tableId).name("x")
                        .roleArn("arn:aws:iam::1:role/x")), ValidationException.class, 400, "roleArn"),
                new SdkCase("schema that does not exist", c -> c.getSchema(r -> r.collaborationIdentifier(
                        collaborationId).name("nothing")), ResourceNotFoundException.class, 404, "nothing"),
                new SdkCase("template with undeclared parameter", c -> c.createAnalysisTemplate(r -> r
                        .membershipIdentifier(membershipId).name("t").format("SQL").source(src -> src.text(
                                "SELECT segment FROM audience WHERE segment = :s"))),
                        ValidationException.class, 400, ":s"),
                new SdkCase("template in PySpark", c -> c.createAnalysisTemplate(r -> r.membershipIdentifier(
                        membershipId).name("t").format("PYSPARK_1_0").source(src -> src.text("print(1)"))),
                        ValidationException.class, 400, "format"),
                new SdkCase("tags on a foreign ARN", c -> c.listTagsForResource(r -> r.resourceArn(
                        "arn:aws:cleanrooms:us-east-1:999999999999:configuredtable/" + zero)),
                        ResourceNotFoundException.class, 404, "999999999999"),
                new SdkCase("leave a collaboration one created", c -> c.deleteMembership(r -> r.membershipIdentifier(
                        membershipId)), ConflictException.class, 409, "creator"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sdkBadRequests")
    void badInputThroughTheSdk(SdkCase c) {
        CleanRoomsException e = catchThrowableOfType(c.error(), () -> c.call().accept(client));
        assertThat(e).as("expected " + c.error().getSimpleName()).isNotNull();
        assertThat(e.statusCode()).isEqualTo(c.status());
        assertThat(e.awsErrorDetails().errorMessage()).contains(c.mentions()).doesNotContain("at io.cleanroom");
        assertThat(e.requestId()).isNotBlank();
    }

    @Test
    void sdkValidationErrorsCarryReasonAndFieldList() {
        ValidationException e = catchThrowableOfType(ValidationException.class, () ->
                client.createConfiguredTable(r -> r.name("n".repeat(101))
                        .tableReference(TableReference.fromGlue(GlueTableReference.builder().databaseName("lab")
                                .tableName("audience").build()))
                        .allowedColumns("segment").analysisMethod(AnalysisMethod.DIRECT_QUERY)));
        assertThat(e.reasonAsString()).isEqualTo("FIELD_VALIDATION_FAILED");
        assertThat(e.fieldList()).singleElement().satisfies(f -> assertThat(f.name()).isEqualTo("name"));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.requestId()).isNotBlank();
        ResourceNotFoundException rnf = catchThrowableOfType(ResourceNotFoundException.class, () ->
                client.getConfiguredTable(r -> r.configuredTableIdentifier("00000000-0000-0000-0000-000000000000")));
        assertThat(rnf.resourceTypeAsString()).isEqualTo("CONFIGURED_TABLE");
        assertThat(error(rnf)).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void creatorCannotListItselfOrTwoQueriers() throws Exception {
        TestCluster.Keys a = Fixtures.account(cluster, "a");
        TestCluster.Keys b = Fixtures.account(cluster, "b");
        ValidationException self = catchThrowableOfType(ValidationException.class, () ->
                client.createCollaboration(r -> r.name("x").description("d").creatorDisplayName("c")
                        .creatorMemberAbilities(List.of()).queryLogStatus(CollaborationQueryLogStatus.DISABLED)
                        .members(MemberSpecification.builder().accountId(owner.accountId()).displayName("me")
                                .memberAbilities(List.of()).build())));
        assertThat(self.getMessage()).contains("members[0].accountId");
        ValidationException two = catchThrowableOfType(ValidationException.class, () ->
                client.createCollaboration(r -> r.name("x").description("d").creatorDisplayName("c")
                        .creatorMemberAbilities(List.of()).queryLogStatus(CollaborationQueryLogStatus.DISABLED)
                        .members(MemberSpecification.builder().accountId(a.accountId()).displayName("a")
                                        .memberAbilities(MemberAbility.CAN_QUERY).build(),
                                MemberSpecification.builder().accountId(b.accountId()).displayName("b")
                                        .memberAbilities(MemberAbility.CAN_QUERY).build())));
        assertThat(two.getMessage()).contains("Only one member can have the CAN_QUERY ability");
        ValidationException ghost = catchThrowableOfType(ValidationException.class, () ->
                client.createCollaboration(r -> r.name("x").description("d").creatorDisplayName("c")
                        .creatorMemberAbilities(List.of()).queryLogStatus(CollaborationQueryLogStatus.DISABLED)
                        .members(MemberSpecification.builder().accountId("000000000001").displayName("ghost")
                                .memberAbilities(List.of()).build())));
        assertThat(ghost.getMessage()).contains("does not exist");
    }

    // ---- concurrency ----

    private static <T> List<Future<T>> race(int threads, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<T>> tasks = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                tasks.add(task);
            }
            return pool.invokeAll(tasks);
        } finally {
            pool.shutdown();
        }
    }

    private static <T> long successes(List<Future<T>> results, Class<? extends Exception> expectedFailure) {
        long ok = 0;
        for (Future<T> f : results) {
            try {
                f.get();
                ok++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(expectedFailure);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return ok;
    }

    @Test
    void concurrentJoinsCreateOneMembership() throws Exception {
        TestCluster.Keys creator = Fixtures.account(cluster, "creator");
        TestCluster.Keys joiner = Fixtures.account(cluster, "joiner");
        try (CleanRoomsClient c = cluster.cleanRooms(creator); CleanRoomsClient j = cluster.cleanRooms(joiner)) {
            String id = Fixtures.createCollaboration(c, "race", joiner);
            long ok = successes(race(8, () -> Fixtures.join(j, id)), ConflictException.class);
            assertThat(ok).isEqualTo(1);
            assertThat(j.listMemberships(r -> { }).membershipSummaries()).hasSize(1);
        }
    }

    @Test
    void concurrentRuleCreatesKeepOneRulePerTable() throws Exception {
        String table = Fixtures.configuredTable(client, "race-rule", "lab", "audience", "user_id_hash", "segment");
        long ok = successes(race(8, () -> {
            Fixtures.aggregationRule(client, table, "user_id_hash", "segment");
            return null;
        }), ConflictException.class);
        assertThat(ok).isEqualTo(1);
        assertThat(client.getConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION)).analysisRule()).isNotNull();
    }

    @Test
    void concurrentAssociationsKeepNamesUnique() throws Exception {
        List<String> tables = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tables.add(Fixtures.configuredTable(client, "race-assoc-" + i, "lab", "audience", "segment"));
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        long ok = successes(race(6, () -> Fixtures.associate(client, membershipId,
                tables.get(next.getAndIncrement()), "same_name")), ConflictException.class);
        assertThat(ok).isEqualTo(1);
    }

    @Test
    void concurrentWritesFromSeveralAccountsAllLand() throws Exception {
        List<TestCluster.Keys> accounts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestCluster.Keys k = Fixtures.account(cluster, "writer" + i);
            Fixtures.catalogTable(cluster, k, "db", "t", Fixtures.PUBLISHER, false);
            accounts.add(k);
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Future<Integer>> results = race(4, () -> {
            TestCluster.Keys k = accounts.get(next.getAndIncrement());
            try (CleanRoomsClient c = cluster.cleanRooms(k)) {
                for (int i = 0; i < 10; i++) {
                    Fixtures.configuredTable(c, "t" + i, "db", "t", "segment");
                }
                return c.listConfiguredTables(r -> { }).configuredTableSummaries().size();
            }
        });
        for (Future<Integer> f : results) {
            assertThat(f.get()).isEqualTo(10);
        }
    }
}
