package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.server.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The AWS CLI and boto3 as first-class clients. Debian's AWS CLI v2 ({@code /usr/bin/aws}, 2.9:
 * 34 Clean Rooms operations; another binary with CLEANROOM_TEST_AWS_CLI) sets up the seed lab
 * against one server, each party with its own profile in a private config file: Glue tables, the
 * collaboration, memberships, configured tables and rules, associations, schemas; then a protected
 * query with S3-style output, a cancelled query, pagination with --max-items/--starting-token and
 * a table of errors (exit code and message). Then boto3 ({@code sdk-tests/python/check_boto3.py})
 * and the AWS CLI v1 drive the essentials and the operations 2.9 lacks (tags, analysis templates,
 * association analysis rules), where this machine's python3 has them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsCliIT {
    private static final Path AWS = Path.of(System.getenv().getOrDefault("CLEANROOM_TEST_AWS_CLI", "/usr/bin/aws"));
    private static final Path BOTO3_CHECK = Path.of("..", "sdk-tests", "python", "check_boto3.py").toAbsolutePath()
            .normalize();
    private static final String BUCKET = "lab-results";
    /** Rows of one user that both parties hold many times: joined, they make a query that runs for long. */
    private static final int HEAVY_ROWS = 40_000;
    static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(DISTINCT a.user_id_hash) AS overlap_count "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "WHERE p.segment <> 'heavy' GROUP BY a.campaign, p.segment";
    static final String SLOW = "SELECT a.campaign, p.segment, COUNT(DISTINCT a.user_id_hash) AS overlap_count "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "WHERE p.segment = 'heavy' GROUP BY a.campaign, p.segment";

    TestCluster cluster;
    Path home;
    Path bucket;
    TestCluster.Keys publisher;
    TestCluster.Keys advertiser;
    String collaborationId;
    String publisherMembership;
    String advertiserMembership;
    String publisherAssociation;
    Path publisherCsv;

    /** A CLI's exit code, standard output and standard error. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }

        String text(String... path) {
            JsonNode node = json();
            for (String p : path) {
                node = node.path(p);
            }
            assertThat(node.isTextual()).as("%s in %s", String.join(".", path), out).isTrue();
            return node.asText();
        }
    }

    @BeforeAll
    void setUpTheLabWithTheAwsCli() throws Exception {
        assertThat(Files.isExecutable(AWS)).as("the AWS CLI at " + AWS + ": install Debian's awscli "
                + "(apt-get install awscli; .ci/run does) or set CLEANROOM_TEST_AWS_CLI").isTrue();
        home = Files.createTempDirectory("cleanroom-awscli");
        bucket = Files.createDirectories(home.resolve("bucket"));
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withS3Buckets(Map.of(BUCKET, bucket))
                .withEngine(new ServerConfig.Engine("1GB", 2, 2, Duration.ofMinutes(2))));
        publisher = Fixtures.account(cluster, "publisher");
        advertiser = Fixtures.account(cluster, "advertiser");
        writeProfiles();

        // Steps 2-4 of the lab: each party registers its data in place, in its own Glue catalog
        List<String> pubRows = new ArrayList<>(List.of("user_id_hash,segment"));
        List<String> advRows = new ArrayList<>(List.of("user_id_hash,campaign"));
        for (int i = 0; i < 20; i++) {
            pubRows.add(String.format("u%02d,%s", i, i % 2 == 0 ? "news" : "sports"));
            advRows.add(String.format("u%02d,%s", i + 10, i < 10 ? "spring_launch" : "brand_awareness"));
        }
        for (int i = 0; i < HEAVY_ROWS; i++) {
            pubRows.add("heavy,heavy");
            advRows.add("heavy,heavy");
        }
        publisherCsv = cluster.csv(publisher, "publisher_audience.csv", pubRows);
        Path advertiserCsv = cluster.csv(advertiser, "advertiser_audience.csv", advRows);
        for (var party : List.of(Map.entry("publisher", publisherCsv), Map.entry("advertiser", advertiserCsv))) {
            ok(aws(party.getKey(), "glue", "create-database", "--database-input", "{\"Name\":\"cleanrooms_lab\"}"));
            ok(aws(party.getKey(), "glue", "create-table", "--database-name", "cleanrooms_lab", "--table-input",
                    "{\"Name\":\"" + party.getKey() + "_audience\",\"Parameters\":{\"classification\":\"csv\"},"
                            + "\"StorageDescriptor\":{\"Location\":" + Json.MAPPER.writeValueAsString(
                                    party.getValue().toString()) + "}}"));
        }

        // Step 5: the publisher creates the collaboration and invites the advertiser
        collaborationId = ok(aws("publisher", "cleanrooms", "create-collaboration", "--name", "cleanrooms-lab-collab",
                "--description", "Audience overlap lab", "--creator-display-name", "publisher",
                "--creator-member-abilities", "[]", "--members", "[{\"accountId\":\"" + advertiser.accountId()
                        + "\",\"displayName\":\"advertiser\",\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}]",
                "--query-log-status", "DISABLED")).text("collaboration", "id");
        publisherMembership = ok(aws("publisher", "cleanrooms", "create-membership", "--collaboration-identifier",
                collaborationId, "--query-log-status", "DISABLED")).text("membership", "id");
        advertiserMembership = ok(aws("advertiser", "cleanrooms", "create-membership", "--collaboration-identifier",
                collaborationId, "--query-log-status", "DISABLED")).text("membership", "id");

        // Steps 6-7: configured tables with aggregation rules joining on user_id_hash, associated with the memberships
        publisherAssociation = configure("publisher", publisher, publisherMembership, "segment");
        configure("advertiser", advertiser, advertiserMembership, "campaign");
    }

    /** Registers the party's table, its aggregation rule and its association; returns the association's id. */
    private String configure(String party, TestCluster.Keys keys, String membership, String dimension)
            throws Exception {
        String table = ok(aws(party, "cleanrooms", "create-configured-table", "--name", party + "_audience",
                "--table-reference", "{\"glue\":{\"databaseName\":\"cleanrooms_lab\",\"tableName\":\"" + party
                        + "_audience\"}}",
                "--allowed-columns", "[\"user_id_hash\",\"" + dimension + "\"]", "--analysis-method", "DIRECT_QUERY"))
                .text("configuredTable", "id");
        ok(aws(party, "cleanrooms", "create-configured-table-analysis-rule", "--configured-table-identifier", table,
                "--analysis-rule-type", "AGGREGATION", "--analysis-rule-policy", "{\"v1\":{\"aggregation\":{"
                        + "\"aggregateColumns\":[{\"columnNames\":[\"user_id_hash\"],\"function\":\"COUNT_DISTINCT\"}],"
                        + "\"joinColumns\":[\"user_id_hash\"],\"joinRequired\":\"QUERY_RUNNER\","
                        + "\"dimensionColumns\":[\"" + dimension + "\"],\"scalarFunctions\":[],"
                        + "\"outputConstraints\":[{\"columnName\":\"user_id_hash\",\"minimum\":2,"
                        + "\"type\":\"COUNT_DISTINCT\"}]}}}"));
        return ok(aws(party, "cleanrooms", "create-configured-table-association", "--membership-identifier",
                membership, "--configured-table-identifier", table, "--name", party + "_audience", "--role-arn",
                "arn:aws:iam::" + keys.accountId() + ":role/cleanrooms")).text("configuredTableAssociation", "id");
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---- running the CLI ----

    /** Profiles in a private config and credentials file: each party, a wrong secret, an unknown key. */
    private void writeProfiles() throws IOException {
        StringBuilder config = new StringBuilder();
        StringBuilder credentials = new StringBuilder();
        Map<String, String[]> profiles = new LinkedHashMap<>();
        profiles.put("publisher", new String[] {publisher.accessKeyId(), publisher.secretAccessKey()});
        profiles.put("advertiser", new String[] {advertiser.accessKeyId(), advertiser.secretAccessKey()});
        profiles.put("wrong-secret", new String[] {publisher.accessKeyId(), wrong(publisher.secretAccessKey())});
        profiles.put("unknown-key", new String[] {"CRAKAAAAAAAAAAAAAAAA", publisher.secretAccessKey()});
        profiles.forEach((name, keys) -> {
            config.append("[profile ").append(name).append("]\nregion = us-east-1\noutput = json\n")
                    .append("cli_pager =\nmax_attempts = 1\nretry_mode = standard\n\n");
            credentials.append('[').append(name).append("]\naws_access_key_id = ").append(keys[0])
                    .append("\naws_secret_access_key = ").append(keys[1]).append("\n\n");
        });
        Files.writeString(home.resolve("config"), config);
        Files.writeString(home.resolve("credentials"), credentials);
    }

    /** The secret with its first character changed: never the secret itself, whatever it starts with. */
    private static String wrong(String secret) {
        return (secret.charAt(0) == 'x' ? "y" : "x") + secret.substring(1);
    }

    private Run run(List<String> command, Map<String, String> extraEnv) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("credentials").toString());
        env.put("AWS_PAGER", "");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.putAll(extraEnv);
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The AWS CLI (v2) as a party: --profile, --endpoint-url, --region us-east-1. */
    private Run aws(String profile, String... args) throws IOException, InterruptedException {
        return cli(List.of(AWS.toString()), profile, "us-east-1", args);
    }

    private Run cli(List<String> prefix, String profile, String region, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(args));
        command.addAll(List.of("--profile", profile, "--endpoint-url", cluster.endpoint().toString(), "--region",
                region, "--output", "json"));
        return run(command, Map.of());
    }

    /** One field of every element of a JSON array. */
    private static List<String> values(JsonNode array, String field) {
        assertThat(array.isArray()).as("an array: %s", array).isTrue();
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.path(field).asText(null)));
        return out;
    }

    private static Run ok(Run run) {
        assertThat(run.exit()).as("exit code; stderr: %s", run.err()).isZero();
        return run;
    }

    private static void fails(Run run, int exit, String... messages) {
        assertThat(run.exit()).as("exit code; stdout: %s; stderr: %s", run.out(), run.err()).isEqualTo(exit);
        for (String message : messages) {
            assertThat(run.err()).contains(message);
        }
    }

    private JsonNode awaitQuery(String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            JsonNode q = ok(aws("advertiser", "cleanrooms", "get-protected-query", "--membership-identifier",
                    advertiserMembership, "--protected-query-identifier", id)).json().get("protectedQuery");
            String status = q.get("status").asText();
            if (!Set.of("SUBMITTED", "STARTED", "CANCELLING").contains(status) || System.nanoTime() > deadline) {
                return q;
            }
            Thread.sleep(200);
        }
    }

    private Run startQuery(String sql, String keyPrefix) throws Exception {
        return aws("advertiser", "cleanrooms", "start-protected-query", "--type", "SQL", "--membership-identifier",
                advertiserMembership, "--sql-parameters", Json.MAPPER.writeValueAsString(Map.of("queryString", sql)),
                "--result-configuration", "{\"outputConfiguration\":{\"s3\":{\"resultFormat\":\"CSV\",\"bucket\":\""
                        + BUCKET + "\",\"keyPrefix\":\"" + keyPrefix + "\"}}}");
    }

    // ---- the AWS CLI v2 ----

    @Test
    void theLabIsSetUpAndVisibleToBothParties() throws Exception {
        JsonNode invited = ok(aws("advertiser", "cleanrooms", "list-collaborations")).json();
        assertThat(values(invited.get("collaborationList"), "id")).contains(collaborationId);
        JsonNode members = ok(aws("publisher", "cleanrooms", "list-members", "--collaboration-identifier",
                collaborationId)).json().get("memberSummaries");
        assertThat(values(members, "accountId"))
                .containsExactlyInAnyOrder(publisher.accountId(), advertiser.accountId());
        assertThat(values(members, "status")).containsOnly("ACTIVE");

        JsonNode schemas = ok(aws("advertiser", "cleanrooms", "list-schemas", "--collaboration-identifier",
                collaborationId)).json().get("schemaSummaries");
        assertThat(values(schemas, "name"))
                .containsExactlyInAnyOrder("publisher_audience", "advertiser_audience");
        JsonNode schema = ok(aws("advertiser", "cleanrooms", "get-schema", "--collaboration-identifier",
                collaborationId, "--name", "publisher_audience")).json().get("schema");
        assertThat(values(schema.get("columns"), "name")).containsExactly("user_id_hash", "segment");
        assertThat(schema.get("analysisRuleTypes").get(0).asText()).isEqualTo("AGGREGATION");
        JsonNode rule = ok(aws("advertiser", "cleanrooms", "get-schema-analysis-rule", "--collaboration-identifier",
                collaborationId, "--name", "publisher_audience", "--type", "AGGREGATION")).json().get("analysisRule");
        assertThat(rule.at("/policy/v1/aggregation/joinColumns/0").asText()).isEqualTo("user_id_hash");
        JsonNode batch = ok(aws("advertiser", "cleanrooms", "batch-get-schema", "--collaboration-identifier",
                collaborationId, "--names", "publisher_audience", "advertiser_audience", "nope")).json();
        assertThat(values(batch.get("schemas"), "name"))
                .containsExactlyInAnyOrder("publisher_audience", "advertiser_audience");
        assertThat(values(batch.get("errors"), "name")).containsExactly("nope");

        JsonNode table = ok(aws("publisher", "glue", "get-table", "--database-name", "cleanrooms_lab", "--name",
                "publisher_audience")).json().get("Table");
        assertThat(table.at("/StorageDescriptor/Location").asText()).isEqualTo(publisherCsv.toString());
        // registered without columns, it comes back as sent: the inferred columns are the schema's
        assertThat(table.at("/StorageDescriptor/Columns").isMissingNode()).as(table.toString()).isTrue();
        JsonNode associations = ok(aws("publisher", "cleanrooms", "list-configured-table-associations",
                "--membership-identifier", publisherMembership)).json().get("configuredTableAssociationSummaries");
        assertThat(values(associations, "id")).containsExactly(publisherAssociation);
    }

    @Test
    void aProtectedQueryWritesItsResultToTheS3StyleBucket() throws Exception {
        String id = ok(startQuery(OVERLAP, "overlap")).text("protectedQuery", "id");
        JsonNode done = awaitQuery(id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCESS");
        assertThat(done.at("/result/output/s3/location").asText())
                .isEqualTo("s3://" + BUCKET + "/overlap/" + id + "/result.csv");
        List<String> rows = Files.readAllLines(bucket.resolve("overlap").resolve(id).resolve("result.csv"));
        assertThat(rows.get(0)).isEqualTo("campaign,segment,overlap_count");
        assertThat(rows.subList(1, rows.size()))
                .containsExactlyInAnyOrder("spring_launch,news,5", "spring_launch,sports,5");
        JsonNode listed = ok(aws("advertiser", "cleanrooms", "list-protected-queries", "--membership-identifier",
                advertiserMembership, "--status", "SUCCESS")).json().get("protectedQueries");
        assertThat(values(listed, "id")).contains(id);
    }

    @Test
    void aRunningQueryIsCancelled() throws Exception {
        String id = ok(startQuery(SLOW, "slow")).text("protectedQuery", "id");
        JsonNode cancelling = ok(aws("advertiser", "cleanrooms", "update-protected-query", "--membership-identifier",
                advertiserMembership, "--protected-query-identifier", id, "--target-status", "CANCELLED")).json();
        assertThat(cancelling.at("/protectedQuery/status").asText()).isIn("CANCELLING", "CANCELLED");
        assertThat(awaitQuery(id).get("status").asText()).isEqualTo("CANCELLED");
        fails(aws("advertiser", "cleanrooms", "update-protected-query", "--membership-identifier",
                advertiserMembership, "--protected-query-identifier", id, "--target-status", "CANCELLED"), 254,
                "An error occurred (ConflictException) when calling the UpdateProtectedQuery operation");
        assertThat(bucket.resolve("slow").resolve(id).resolve("result.csv")).doesNotExist();
    }

    @Test
    void listsPageWithMaxItemsAndStartingToken() throws Exception {
        TestCluster.Keys pager = Fixtures.account(cluster, "pager");
        String profile = "pager";
        Files.writeString(home.resolve("config"), "[profile pager]\nregion = us-east-1\noutput = json\n"
                + "cli_pager =\nmax_attempts = 1\n\n", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(home.resolve("credentials"), "[pager]\naws_access_key_id = " + pager.accessKeyId()
                + "\naws_secret_access_key = " + pager.secretAccessKey() + "\n\n",
                java.nio.file.StandardOpenOption.APPEND);
        Set<String> created = new HashSet<>();
        try (var sdk = cluster.cleanRooms(pager)) {
            for (int i = 0; i < 5; i++) {
                created.add(Fixtures.createCollaboration(sdk, "page-" + i));
            }
        }
        // server pages of 1 (--page-size), CLI pages of 2 (--max-items), continued with --starting-token
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            List<String> args = new ArrayList<>(List.of("cleanrooms", "list-collaborations", "--max-items", "2",
                    "--page-size", "1"));
            if (token != null) {
                args.addAll(List.of("--starting-token", token));
            }
            JsonNode page = ok(aws(profile, args.toArray(String[]::new))).json();
            List<String> ids = values(page.get("collaborationList"), "id");
            assertThat(ids).hasSizeLessThanOrEqualTo(2);
            seen.addAll(ids);
            token = page.path("NextToken").asText(null);
            pages++;
        } while (token != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);
        // a page cut by the CLI itself (--max-items without --page-size) continues where it stopped
        JsonNode first = ok(aws(profile, "cleanrooms", "list-collaborations", "--max-items", "3")).json();
        JsonNode rest = ok(aws(profile, "cleanrooms", "list-collaborations", "--starting-token",
                first.get("NextToken").asText())).json();
        List<String> all = new ArrayList<>(values(first.get("collaborationList"), "id"));
        all.addAll(values(rest.get("collaborationList"), "id"));
        assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void errorsHaveTheirAwsTypesExitCodesAndMessages() throws Exception {
        fails(aws("publisher", "cleanrooms", "get-collaboration", "--collaboration-identifier",
                UUID.randomUUID().toString()), 254,
                "An error occurred (ResourceNotFoundException) when calling the GetCollaboration operation");
        fails(aws("publisher", "cleanrooms", "create-collaboration", "--name", "bad", "--description", "bad",
                "--creator-display-name", "p", "--creator-member-abilities", "[]", "--members",
                "[{\"accountId\":\"12345678901x\",\"displayName\":\"x\",\"memberAbilities\":[]}]",
                "--query-log-status", "DISABLED"), 254,
                "An error occurred (ValidationException) when calling the CreateCollaboration operation", "accountId");
        fails(aws("publisher", "cleanrooms", "list-collaborations", "--max-results", "500"), 254,
                "An error occurred (ValidationException) when calling the ListCollaborations operation");
        fails(aws("wrong-secret", "cleanrooms", "list-collaborations"), 254,
                "An error occurred (AccessDeniedException) when calling the ListCollaborations operation",
                "The request signature we calculated does not match the signature you provided");
        fails(aws("wrong-secret", "glue", "get-databases"), 254,
                "An error occurred (AccessDeniedException) when calling the GetDatabases operation",
                "The request signature we calculated does not match the signature you provided");
        fails(aws("unknown-key", "cleanrooms", "list-collaborations"), 254,
                "An error occurred (AccessDeniedException) when calling the ListCollaborations operation",
                "The security token included in the request is invalid");
        fails(cli(List.of(AWS.toString()), "publisher", "eu-west-1", "cleanrooms", "list-collaborations"), 254,
                "Credential should be scoped to a valid region, not 'eu-west-1'");
        fails(aws("publisher", "glue", "get-table", "--database-name", "cleanrooms_lab", "--name", "nope"), 254,
                "An error occurred (EntityNotFoundException) when calling the GetTable operation");
        fails(aws("advertiser", "cleanrooms", "delete-collaboration", "--collaboration-identifier",
                collaborationId), 254, "An error occurred (AccessDeniedException) when calling the "
                + "DeleteCollaboration operation");
    }

    // ---- boto3 and the AWS CLI v1, where this machine's Python has them ----

    /** What python3 offers: prints the boto3 and awscli versions and whether their model has the operations. */
    private JsonNode python() throws Exception {
        Run probe = run(List.of("python3", "-c", String.join("\n",
                "import json",
                "out = {}",
                "try:",
                "    import boto3, botocore.session",
                "    ops = botocore.session.get_session().get_service_model('cleanrooms').operation_names",
                "    out['boto3'] = boto3.__version__",
                "    out['model'] = all(o in ops for o in ['TagResource', 'CreateAnalysisTemplate',",
                "        'CreateConfiguredTableAssociationAnalysisRule', 'ListCollaborationAnalysisTemplates'])",
                "    import awscli",
                "    out['awscli'] = awscli.__version__",
                "except Exception as e:",
                "    out['error'] = repr(e)",
                "print(json.dumps(out))")), Map.of());
        if (probe.exit() != 0) {
            return Json.MAPPER.createObjectNode().put("error", "python3 failed: " + probe.err());
        }
        return Json.MAPPER.readTree(probe.out());
    }

    private String lab() throws Exception {
        Map<String, Object> lab = new LinkedHashMap<>();
        for (var party : List.of(Map.entry("publisher", publisher), Map.entry("advertiser", advertiser))) {
            lab.put(party.getKey(), Map.of("accountId", party.getValue().accountId(), "accessKeyId",
                    party.getValue().accessKeyId(), "secretAccessKey", party.getValue().secretAccessKey()));
        }
        lab.put("collaborationId", collaborationId);
        lab.put("collaborationName", "cleanrooms-lab-collab");
        lab.put("publisherMembership", publisherMembership);
        lab.put("advertiserMembership", advertiserMembership);
        lab.put("publisherAssociation", publisherAssociation);
        lab.put("bucket", BUCKET);
        lab.put("overlapQuery", OVERLAP);
        return Json.MAPPER.writeValueAsString(lab);
    }

    @Test
    void boto3DrivesTheEssentials() throws Exception {
        JsonNode python = python();
        Assumptions.assumeTrue(python.path("model").asBoolean(), "SKIPPED: boto3 with the current Clean Rooms "
                + "model is not importable by this machine's python3 (" + python + "); the boto3 checks did not run");
        Run run = run(List.of("python3", BOTO3_CHECK.toString()), Map.of("CLEANROOM_ENDPOINT",
                cluster.endpoint().toString(), "CLEANROOM_LAB", lab()));
        assertThat(run.exit()).as("stderr: %s", run.err()).isZero();
        JsonNode checks = Json.MAPPER.readTree(run.out().lines().filter(l -> l.startsWith("["))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no result in " + run.out())));
        List<String> passed = new ArrayList<>();
        checks.forEach(c -> {
            assertThat(c.get("ok").asBoolean()).as(c.toString()).isTrue();
            passed.add(c.get("name").asText());
        });
        assertThat(passed).containsExactly("list paginated", "get", "tags", "analysis template",
                "association analysis rule", "glue", "query", "not found", "validation", "glue not found",
                "bad signature");
    }

    @Test
    void awsCliV1RunsTheOperations29Lacks() throws Exception {
        JsonNode python = python();
        Assumptions.assumeTrue(python.path("model").asBoolean() && python.path("awscli").asText("").startsWith("1."),
                "SKIPPED: the AWS CLI v1 with the current Clean Rooms model is not importable by this machine's "
                        + "python3 (" + python + "); tags, analysis templates and association analysis rules "
                        + "were not checked through it");
        List<String> v1 = List.of("python3", "-m", "awscli");
        String arn;
        try (var sdk = cluster.cleanRooms(publisher)) {
            arn = sdk.getCollaboration(r -> r.collaborationIdentifier(collaborationId)).collaboration().arn();
        }
        // tags: the ARN travels percent-encoded in the path, signed double-encoded
        ok(cli(v1, "publisher", "us-east-1", "cleanrooms", "tag-resource", "--resource-arn", arn, "--tags",
                "{\"stage\":\"lab 1\",\"owner\":\"a+b/c\"}"));
        assertThat(ok(cli(v1, "publisher", "us-east-1", "cleanrooms", "list-tags-for-resource", "--resource-arn",
                arn)).json().get("tags")).isEqualTo(Json.MAPPER.readTree("{\"stage\":\"lab 1\",\"owner\":\"a+b/c\"}"));
        ok(cli(v1, "publisher", "us-east-1", "cleanrooms", "untag-resource", "--resource-arn", arn, "--tag-keys",
                "stage", "owner"));

        // analysis templates
        String sql = "SELECT a.campaign, COUNT(DISTINCT a.user_id_hash) AS users FROM advertiser_audience a "
                + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash WHERE p.segment = :segment "
                + "GROUP BY a.campaign";
        JsonNode template = ok(cli(v1, "advertiser", "us-east-1", "cleanrooms", "create-analysis-template",
                "--membership-identifier", advertiserMembership, "--name", "cli_overlap", "--format", "SQL",
                "--source", Json.MAPPER.writeValueAsString(Map.of("text", sql)), "--analysis-parameters",
                "[{\"name\":\"segment\",\"type\":\"VARCHAR\",\"defaultValue\":\"news\"}]")).json()
                .get("analysisTemplate");
        String templateId = template.get("id").asText();
        assertThat(ok(cli(v1, "advertiser", "us-east-1", "cleanrooms", "get-analysis-template",
                "--membership-identifier", advertiserMembership, "--analysis-template-identifier", templateId))
                .text("analysisTemplate", "source", "text")).isEqualTo(sql);
        assertThat(values(ok(cli(v1, "publisher", "us-east-1", "cleanrooms", "list-collaboration-analysis-templates",
                "--collaboration-identifier", collaborationId)).json().get("collaborationAnalysisTemplateSummaries"),
                "arn")).contains(template.get("arn").asText());
        ok(cli(v1, "advertiser", "us-east-1", "cleanrooms", "delete-analysis-template", "--membership-identifier",
                advertiserMembership, "--analysis-template-identifier", templateId));
        fails(cli(v1, "advertiser", "us-east-1", "cleanrooms", "get-analysis-template", "--membership-identifier",
                advertiserMembership, "--analysis-template-identifier", templateId), 255,
                "An error occurred (ResourceNotFoundException) when calling the GetAnalysisTemplate operation");

        // association analysis rules: who may receive results of queries over the publisher's table
        List<String> rule = List.of("--membership-identifier", publisherMembership,
                "--configured-table-association-identifier", publisherAssociation, "--analysis-rule-type",
                "AGGREGATION");
        List<String> create = new ArrayList<>(List.of("cleanrooms",
                "create-configured-table-association-analysis-rule"));
        create.addAll(rule);
        create.addAll(List.of("--analysis-rule-policy", "{\"v1\":{\"aggregation\":{\"allowedResultReceivers\":[\""
                + advertiser.accountId() + "\"]}}}"));
        ok(cli(v1, "publisher", "us-east-1", create.toArray(String[]::new)));
        List<String> get = new ArrayList<>(List.of("cleanrooms", "get-configured-table-association-analysis-rule"));
        get.addAll(rule);
        assertThat(ok(cli(v1, "publisher", "us-east-1", get.toArray(String[]::new))).json()
                .at("/analysisRule/policy/v1/aggregation/allowedResultReceivers/0").asText())
                .isEqualTo(advertiser.accountId());
        List<String> delete = new ArrayList<>(List.of("cleanrooms",
                "delete-configured-table-association-analysis-rule"));
        delete.addAll(rule);
        ok(cli(v1, "publisher", "us-east-1", delete.toArray(String[]::new)));
        try (var sdk = cluster.cleanRooms(publisher)) {
            assertThat(sdk.listTagsForResource(r -> r.resourceArn(arn)).tags()).isEmpty();
            assertThatThrownBy(() -> sdk.getConfiguredTableAssociationAnalysisRule(r -> r
                    .membershipIdentifier(publisherMembership).configuredTableAssociationIdentifier(publisherAssociation)
                    .analysisRuleType("AGGREGATION"))).isInstanceOf(
                    software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException.class);
        }
    }
}
