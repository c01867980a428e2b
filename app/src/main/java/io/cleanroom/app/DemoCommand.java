package io.cleanroom.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.cli.Calls;
import io.cleanroom.cli.CliException;
import io.cleanroom.cli.GetQueryResultsCommand;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Replays the seed guide's lab on embedded defaults: two accounts, each confined to its own data
 * directory (its data root), their CSVs registered in their catalogs, a collaboration, configured
 * tables with aggregation rules, associations, the overlap query, and the validation step; then
 * the same on generated data where the counts appear; with --dp, the overlap again in a
 * collaboration where the publisher's users are protected by differential privacy.
 */
@Command(name = "demo", description = "Replay the tutorial (publisher and advertiser audience overlap) on an "
        + "embedded server, printing each step and the results; --keep leaves the server running with the lab "
        + "loaded, to explore in the web console.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Where to keep the demo's data (default: a new temporary directory)")
    Path dataDir;

    @Option(names = "--users", defaultValue = "20000",
            description = "Publisher users in the generated dataset (default ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--keep", description = "Leave the server running afterwards, with the lab's collaboration, "
            + "tables and queries, and print how to sign in to its web console (stop it with Ctrl-C)")
    boolean keep;

    @Option(names = "--port", defaultValue = "-1",
            description = "Port of the demo's server (default: 8080 with --keep, a free one without)")
    int port;

    @Option(names = "--dp", description = "Also run the overlap under differential privacy: a noisy count per "
            + "campaign, the privacy budget going down, and the same answer given again for free")
    boolean dp;

    @Spec
    CommandSpec spec;

    private JsonNode publisherKeys;
    private JsonNode advertiserKeys;

    private PrintWriter out;
    private SignedHttpClient operator;
    private CleanroomServer server;

    private static final String PUBLISHER = "111111111111";
    private static final String ADVERTISER = "222222222222";
    private static final String ROLE = "arn:aws:iam::111111111111:role/cleanrooms-lab";

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("cleanroom-demo");
        long start = System.nanoTime();
        int listen = port >= 0 ? port : keep ? 8080 : 0;
        server = CleanroomServer.start(ServerConfig.defaults().withPort(listen).withDataDir(dir.resolve("server")));
        boolean kept = false;
        try {
            run(dir);
            out.printf("%nDemo finished in %.1f s. Data in %s%n", (System.nanoTime() - start) / 1e9, dir);
            if (keep) {
                keepServing(dir);
                kept = true;
            }
        } finally {
            if (!kept) {
                server.close();
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Leaves the server running with the lab loaded, says how to sign in to the web console as
     * either party (the demo's own throwaway accounts), and waits until the process is stopped.
     */
    private void keepServing(Path dir) throws IOException, InterruptedException {
        Path credentials = dir.resolve("demo-credentials.json");
        ObjectNode both = Calls.MAPPER.createObjectNode();
        both.set("publisher", publisherKeys);
        both.set("advertiser", advertiserKeys);
        Files.deleteIfExists(credentials);
        Files.createFile(credentials, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(credentials, Calls.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(both) + "\n");
        step("The server keeps running with the lab loaded (Ctrl-C stops it)");
        say("Web console: " + server.endpoint() + "/console");
        say("Sign in as the advertiser (who runs the queries): access key id "
                + advertiserKeys.get("accessKeyId").asText() + ", secret " + advertiserKeys.get("secretAccessKey").asText());
        say("or as the publisher: access key id " + publisherKeys.get("accessKeyId").asText() + ", secret "
                + publisherKeys.get("secretAccessKey").asText());
        say("(both are in " + credentials + "; the operator's in " + server.config().operatorCredentialsFile() + ")");
        say("API endpoint for the SDKs and the cleanroom CLI: " + server.endpoint());
        out.flush();
        CleanroomServer running = server;
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "cleanroom-demo-stop"));
        new java.util.concurrent.CountDownLatch(1).await();
    }

    private void step(String title) {
        out.println();
        out.println("== " + title);
        out.flush();
    }

    private void say(String text) {
        out.println("   " + text);
        out.flush();
    }

    private SignedHttpClient client(JsonNode keys) {
        return new SignedHttpClient(java.net.URI.create(server.endpoint()), keys.get("accessKeyId").asText(),
                keys.get("secretAccessKey").asText(), "us-east-1", Clock.systemUTC());
    }

    private static JsonNode call(SignedHttpClient client, String name, String method, String path, JsonNode body,
            String service, Map<String, String> headers) {
        return Calls.call(client, name, method, path, Map.of(), headers, body == null ? null : body.toString(),
                service);
    }

    private static JsonNode api(SignedHttpClient client, String name, String method, String path, JsonNode body) {
        return call(client, name, method, path, body, "cleanrooms", Map.of());
    }

    private static JsonNode glue(SignedHttpClient client, String operation, JsonNode body) {
        return call(client, operation, "POST", "/", body, "glue", Map.of("X-Amz-Target", "AWSGlue." + operation,
                "Content-Type", "application/x-amz-json-1.1"));
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Calls.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(Path dir) throws Exception {
        JsonNode creds = Calls.MAPPER.readTree(server.config().operatorCredentialsFile().toFile());
        operator = client(creds);

        step("Step 1: two accounts, the publisher and the advertiser, each confined to its own data directory "
                + "(cleanroom admin create-account --data-root)");
        // real paths: locations are compared with the roots as the operator granted them
        Path publisherData = Files.createDirectories(dir.resolve("lab").resolve("publisher")).toRealPath();
        Path advertiserData = Files.createDirectories(dir.resolve("lab").resolve("advertiser")).toRealPath();
        publisherKeys = call(operator, "CreateAccount", "POST", "/admin/accounts",
                account(PUBLISHER, "publisher", publisherData), "cleanroom", Map.of());
        advertiserKeys = call(operator, "CreateAccount", "POST", "/admin/accounts",
                account(ADVERTISER, "advertiser", advertiserData), "cleanroom", Map.of());
        SignedHttpClient pub = client(publisherKeys);
        SignedHttpClient adv = client(advertiserKeys);
        say("publisher " + PUBLISHER + " (data root " + publisherData + ") and advertiser " + ADVERTISER
                + " (data root " + advertiserData + ") created, each with an access key");

        step("Steps 2-4: each party keeps its data and registers it in its own catalog");
        Path publisherCsv = publisherData.resolve("publisher_audience.csv");
        Path advertiserCsv = advertiserData.resolve("advertiser_audience.csv");
        Files.writeString(publisherCsv, "user_id_hash,segment\naaa111,news\nbbb222,sports\nccc333,news\n"
                + "ddd444,finance\neee555,sports\n");
        Files.writeString(advertiserCsv, "user_id_hash,campaign\nbbb222,spring_launch\nccc333,spring_launch\n"
                + "xxx999,brand_awareness\nyyy888,spring_launch\n");
        register(pub, "publisher_audience", publisherCsv);
        register(adv, "advertiser_audience", advertiserCsv);

        step("Step 5: the publisher creates the collaboration and invites the advertiser");
        String collaboration = api(pub, "CreateCollaboration", "POST", "/collaborations", json(
                "{\"name\":\"cleanrooms-lab-collab\",\"description\":\"Audience overlap lab\","
                        + "\"creatorDisplayName\":\"publisher\",\"creatorMemberAbilities\":[],"
                        + "\"members\":[{\"accountId\":\"" + ADVERTISER + "\",\"displayName\":\"advertiser\","
                        + "\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}],"
                        + "\"queryLogStatus\":\"DISABLED\"}")).at("/collaboration/id").asText();
        say("collaboration " + collaboration);
        String publisherMembership = join(pub, collaboration);
        String advertiserMembership = join(adv, collaboration);
        say("both accounts joined: memberships " + publisherMembership + " and " + advertiserMembership);

        step("Step 6: configured tables with aggregation rules (join on user_id_hash only, aggregate results)");
        String publisherTable = configure(pub, "publisher_audience", "segment");
        String advertiserTable = configure(adv, "advertiser_audience", "campaign");

        step("Step 7: associate the configured tables with the collaboration");
        associate(pub, publisherMembership, publisherTable, "publisher_audience");
        String advertiserAssociation = associate(adv, advertiserMembership, advertiserTable, "advertiser_audience");
        api(adv, "CreateConfiguredTableAssociationAnalysisRule", "POST", "/memberships/" + advertiserMembership
                + "/configuredTableAssociations/" + advertiserAssociation + "/analysisRule", json(
                        "{\"analysisRuleType\":\"AGGREGATION\",\"analysisRulePolicy\":{\"v1\":{\"aggregation\":"
                                + "{\"allowedResultReceivers\":[\"" + ADVERTISER + "\"]}}}}"));
        JsonNode schemas = api(adv, "ListSchemas", "GET", "/collaborations/" + collaboration + "/schemas", null);
        List<String> names = new ArrayList<>();
        for (JsonNode summary : schemas.get("schemaSummaries")) {
            String name = summary.get("name").asText();
            JsonNode schema = api(adv, "GetSchema", "GET", "/collaborations/" + collaboration + "/schemas/" + name,
                    null).get("schema");
            List<String> columns = new ArrayList<>();
            schema.get("columns").forEach(c -> columns.add(c.get("name").asText() + " " + c.get("type").asText()));
            names.add(name + " " + columns);
        }
        say("the advertiser sees the schemas " + String.join(", ", names));

        String overlap = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count FROM advertiser_audience a "
                + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2 "
                + "ORDER BY overlap_count DESC";
        step("Step 8: the advertiser runs the overlap query");
        say(overlap);
        runAndPrint(adv, advertiserMembership, overlap);
        say("No rows: bbb222 and ccc333 overlap, one user per (campaign, segment), and every table's output "
                + "constraint needs at least 2 distinct users per row. The clean room removed the rows silently.");

        step("Validation: selecting raw user_id_hash values is blocked");
        String raw = "SELECT a.user_id_hash, COUNT(*) FROM advertiser_audience a JOIN publisher_audience p "
                + "ON a.user_id_hash = p.user_id_hash GROUP BY a.user_id_hash";
        say(raw);
        try {
            startQuery(adv, advertiserMembership, raw);
            say("unexpectedly allowed");
        } catch (CliException e) {
            say("-> " + e.getMessage());
        }

        step("The same collaboration on generated data: " + users + " publisher users, a third of them known "
                + "to the advertiser");
        generate(publisherCsv, advertiserCsv, users);
        say("the CSVs were regenerated in place; the catalog still points at them");
        runAndPrint(adv, advertiserMembership, overlap);
        if (dp) {
            differentialPrivacy(pub, adv);
        }
    }

    /**
     * The overlap under differential privacy: the same catalog tables in a collaboration of their own,
     * the publisher's with a custom rule protecting user_id_hash, a policy of epsilon 1 and 10 users of
     * noise, a noisy overlap count per campaign with the budget before and after, and the same query
     * answered again without spending.
     */
    private void differentialPrivacy(SignedHttpClient pub, SignedHttpClient adv) throws InterruptedException {
        step("Differential privacy: the publisher protects each of its users instead of counting thresholds");
        String collaboration = api(pub, "CreateCollaboration", "POST", "/collaborations", json(
                "{\"name\":\"cleanrooms-lab-dp\",\"description\":\"Audience overlap with differential privacy\","
                        + "\"creatorDisplayName\":\"publisher\",\"creatorMemberAbilities\":[],"
                        + "\"members\":[{\"accountId\":\"" + ADVERTISER + "\",\"displayName\":\"advertiser\","
                        + "\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}],"
                        + "\"queryLogStatus\":\"DISABLED\"}")).at("/collaboration/id").asText();
        String publisherMembership = join(pub, collaboration);
        String advertiserMembership = join(adv, collaboration);
        String publisherTable = custom(pub, "publisher_audience", "segment", true);
        String advertiserTable = custom(adv, "advertiser_audience", "campaign", false);
        associate(pub, publisherMembership, publisherTable, "publisher_audience");
        associate(adv, advertiserMembership, advertiserTable, "advertiser_audience");
        api(pub, "CreatePrivacyBudgetTemplate", "POST", "/memberships/" + publisherMembership
                + "/privacybudgettemplates", json("{\"privacyBudgetType\":\"DIFFERENTIAL_PRIVACY\","
                        + "\"autoRefresh\":\"CALENDAR_MONTH\",\"parameters\":{\"differentialPrivacy\":"
                        + "{\"epsilon\":1,\"usersNoisePerQuery\":10}}}"));
        say("the publisher's policy: epsilon 1 a month, noise hiding 10 users per answer");
        say("budget: " + budget(adv, advertiserMembership));

        String overlap = "SELECT a.campaign, COUNT(DISTINCT p.user_id_hash) AS overlap_users "
                + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
                + "GROUP BY a.campaign ORDER BY a.campaign";
        step("The advertiser counts the overlap per campaign: a noisy answer, paid from the budget");
        say(overlap);
        String id = runAndPrint(adv, advertiserMembership, overlap);
        JsonNode query = api(adv, "GetProtectedQuery", "GET", "/memberships/" + advertiserMembership
                + "/protectedQueries/" + id, null).get("protectedQuery");
        for (JsonNode p : query.at("/differentialPrivacy/sensitivityParameters")) {
            say("sensitivity: " + p.get("aggregationType").asText() + " " + p.get("aggregationExpression").asText()
                    + ", at most " + p.get("userContributionLimit").asText() + " row per user");
        }
        say("budget: " + budget(adv, advertiserMembership));

        step("The same query again, on the same data: the same answer, nothing spent");
        runAndPrint(adv, advertiserMembership, overlap);
        say("budget: " + budget(adv, advertiserMembership));
    }

    /** What is left of the budget, in uses of COUNT and of AVG alone. */
    private static String budget(SignedHttpClient client, String membership) {
        JsonNode budgets = Calls.call(client, "ListPrivacyBudgets", "GET", "/memberships/" + membership
                + "/privacybudgets", Map.of("privacyBudgetType", List.of("DIFFERENTIAL_PRIVACY")), Map.of(), null,
                "cleanrooms");
        List<String> left = new ArrayList<>();
        for (JsonNode a : budgets.at("/privacyBudgetSummaries/0/budget/differentialPrivacy/aggregations")) {
            if (List.of("COUNT", "AVG").contains(a.get("type").asText())) {
                left.add(a.get("remainingCount").asText() + " of " + a.get("maxCount").asText() + " "
                        + a.get("type").asText());
            }
        }
        return String.join(", ", left) + " left";
    }

    private String custom(SignedHttpClient client, String table, String dimension, boolean differentialPrivacy) {
        String id = api(client, "CreateConfiguredTable", "POST", "/configuredTables", json("{\"name\":\"" + table
                + "_dp\",\"tableReference\":{\"glue\":{\"databaseName\":\"cleanrooms_lab\",\"tableName\":\""
                + table + "\"}},\"allowedColumns\":[\"user_id_hash\",\"" + dimension + "\"],"
                + "\"analysisMethod\":\"DIRECT_QUERY\"}")).at("/configuredTable/id").asText();
        api(client, "CreateConfiguredTableAnalysisRule", "POST", "/configuredTables/" + id + "/analysisRule", json(
                "{\"analysisRuleType\":\"CUSTOM\",\"analysisRulePolicy\":{\"v1\":{\"custom\":{"
                        + "\"allowedAnalyses\":[\"ANY_QUERY\"],\"allowedAnalysisProviders\":[\"" + ADVERTISER + "\"]"
                        + (differentialPrivacy ? ",\"differentialPrivacy\":{\"columns\":[{\"name\":\"user_id_hash\"}]}"
                                : "") + "}}}}"));
        say(table + ": configured table " + id + ", custom rule" + (differentialPrivacy
                ? " with differential privacy on user_id_hash" : ""));
        return id;
    }

    private static ObjectNode account(String id, String name, Path dataRoot) {
        ObjectNode body = Calls.MAPPER.createObjectNode().put("accountId", id).put("name", name);
        body.putArray("dataRoots").add(dataRoot.toAbsolutePath().toString());
        return body;
    }

    private void register(SignedHttpClient client, String table, Path csv) {
        ObjectNode db = json("{\"DatabaseInput\":{\"Name\":\"cleanrooms_lab\"}}");
        glue(client, "CreateDatabase", db);
        ObjectNode body = json("{\"DatabaseName\":\"cleanrooms_lab\",\"TableInput\":{\"Name\":\"" + table + "\","
                + "\"Parameters\":{\"classification\":\"csv\"},\"StorageDescriptor\":{}}}");
        ((ObjectNode) body.get("TableInput").get("StorageDescriptor")).put("Location", csv.toString());
        glue(client, "CreateTable", body);
        say("cleanrooms_lab." + table + " -> " + csv + " (columns inferred from the CSV header)");
    }

    private String join(SignedHttpClient client, String collaboration) {
        return api(client, "CreateMembership", "POST", "/memberships", json("{\"collaborationIdentifier\":\""
                + collaboration + "\",\"queryLogStatus\":\"DISABLED\"}")).at("/membership/id").asText();
    }

    private String configure(SignedHttpClient client, String table, String dimension) {
        String id = api(client, "CreateConfiguredTable", "POST", "/configuredTables", json("{\"name\":\"" + table
                + "\",\"tableReference\":{\"glue\":{\"databaseName\":\"cleanrooms_lab\",\"tableName\":\"" + table
                + "\"}},\"allowedColumns\":[\"user_id_hash\",\"" + dimension + "\"],"
                + "\"analysisMethod\":\"DIRECT_QUERY\"}")).at("/configuredTable/id").asText();
        api(client, "CreateConfiguredTableAnalysisRule", "POST", "/configuredTables/" + id + "/analysisRule", json(
                "{\"analysisRuleType\":\"AGGREGATION\",\"analysisRulePolicy\":{\"v1\":{\"aggregation\":{"
                        + "\"aggregateColumns\":[{\"columnNames\":[\"user_id_hash\"],\"function\":\"COUNT_DISTINCT\"}],"
                        + "\"joinColumns\":[\"user_id_hash\"],\"joinRequired\":\"QUERY_RUNNER\","
                        + "\"dimensionColumns\":[\"" + dimension + "\"],\"scalarFunctions\":[],"
                        + "\"outputConstraints\":[{\"columnName\":\"user_id_hash\",\"minimum\":2,"
                        + "\"type\":\"COUNT_DISTINCT\"}]}}}}"));
        say(table + ": configured table " + id + ", aggregation rule: join on user_id_hash, dimension " + dimension
                + ", COUNT DISTINCT of user_id_hash, at least 2 distinct users per output row");
        return id;
    }

    private String associate(SignedHttpClient client, String membership, String table, String name) {
        String id = api(client, "CreateConfiguredTableAssociation", "POST", "/memberships/" + membership
                + "/configuredTableAssociations", json("{\"name\":\"" + name + "\",\"configuredTableIdentifier\":\""
                + table + "\",\"roleArn\":\"" + ROLE + "\"}")).at("/configuredTableAssociation/id").asText();
        say(name + " associated with membership " + membership);
        return id;
    }

    private String startQuery(SignedHttpClient client, String membership, String sql) {
        ObjectNode body = json("{\"type\":\"SQL\",\"sqlParameters\":{},\"resultConfiguration\":{"
                + "\"outputConfiguration\":{\"member\":{\"accountId\":\"" + ADVERTISER + "\"}}}}");
        ((ObjectNode) body.get("sqlParameters")).put("queryString", sql);
        return api(client, "StartProtectedQuery", "POST", "/memberships/" + membership + "/protectedQueries", body)
                .at("/protectedQuery/id").asText();
    }

    private String runAndPrint(SignedHttpClient client, String membership, String sql) throws InterruptedException {
        String id = startQuery(client, membership, sql);
        JsonNode query;
        do {
            Thread.sleep(10);
            query = api(client, "GetProtectedQuery", "GET", "/memberships/" + membership + "/protectedQueries/" + id,
                    null).get("protectedQuery");
        } while (!List.of("SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT").contains(query.get("status").asText()));
        say("query " + id + ": " + query.get("status").asText() + " in "
                + query.at("/statistics/totalDurationInMillis").asLong() + " ms");
        if (!query.get("status").asText().equals("SUCCESS")) {
            say("error: " + query.at("/error/message").asText());
            return id;
        }
        JsonNode result = api(client, "GetProtectedQueryResult", "GET", "/memberships/" + membership
                + "/protectedQueries/" + id + "/result", null);
        List<String> columns = new ArrayList<>();
        result.get("columns").forEach(c -> columns.add(c.get("name").asText()));
        List<JsonNode> rows = new ArrayList<>();
        result.get("rows").forEach(rows::add);
        java.io.StringWriter text = new java.io.StringWriter();
        GetQueryResultsCommand.table(new PrintWriter(text), columns, rows);
        for (String line : text.toString().split("\n")) {
            say(line);
        }
        return id;
    }

    private static void generate(Path publisher, Path advertiser, int users) throws IOException {
        String[] segments = {"news", "sports", "finance", "travel"};
        String[] campaigns = {"spring_launch", "brand_awareness", "summer_sale"};
        StringBuilder p = new StringBuilder("user_id_hash,segment\n");
        StringBuilder a = new StringBuilder("user_id_hash,campaign\n");
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < users; i++) {
            String id = Integer.toHexString(0x100000 + i * 7919);
            p.append(id).append(',').append(segments[random.nextInt(segments.length)]).append('\n');
            if (i % 3 == 0) {
                a.append(id).append(',').append(campaigns[random.nextInt(campaigns.length)]).append('\n');
            }
        }
        for (int i = 0; i < users / 10; i++) {
            a.append("adv").append(i).append(',').append(campaigns[i % campaigns.length]).append('\n');
        }
        Files.writeString(publisher, p);
        Files.writeString(advertiser, a);
    }
}
