package io.cleanroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long the web console's pages take to render on the server for a busy account: 100
 * configured tables (each with its catalog table and an aggregation rule), 50 collaborations it
 * created, each with as many invited members as the quota allows, and 1,000 protected queries in
 * the history of one membership. It sets that up through the API on an embedded server (SQLite,
 * a fresh data directory), signs in to the console over HTTP like a browser, then fetches each
 * page many times and reports the server's own time (the Server-Timing header: everything from
 * the request's arrival to the page's last byte rendered, its API calls and their audit events
 * included) and the time the client saw, median, p95 and max.
 *
 * <p>Arguments: measured runs per page (default 100), warm-up runs per page (default 30),
 * queries of history (default 1000).
 */
public final class ConsoleBench {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ACCOUNT = "111111111111";
    private static final String PARTNER = "222222222222";
    private static final String ROLE = "arn:aws:iam::111111111111:role/cleanrooms";
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private CleanroomServer server;

    private ConsoleBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        new ConsoleBench().run(runs, warmup, queries);
    }

    private SignedHttpClient client(JsonNode keys) {
        return new SignedHttpClient(URI.create(server.endpoint()), keys.get("accessKeyId").asText(),
                keys.get("secretAccessKey").asText(), "us-east-1", Clock.systemUTC());
    }

    private static JsonNode call(SignedHttpClient c, String method, String path, Object body, String service,
            Map<String, String> headers) throws Exception {
        SignedHttpClient.Response r = c.send(method, path, Map.of(), headers, body == null ? null : body.toString(),
                service);
        if (!r.ok()) {
            throw new IllegalStateException(method + " " + path + " " + headers + ": " + r);
        }
        return r.body() == null || r.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
    }

    private static JsonNode api(SignedHttpClient c, String method, String path, Object body) throws Exception {
        return call(c, method, path, body, "cleanrooms", Map.of());
    }

    private static JsonNode glue(SignedHttpClient c, String operation, Object body) throws Exception {
        return call(c, "POST", "/", body, "glue", Map.of("X-Amz-Target", "AWSGlue." + operation,
                "Content-Type", "application/x-amz-json-1.1"));
    }

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) MAPPER.readTree(text);
    }

    private void run(int runs, int warmup, int queries) throws Exception {
        Path dir = Files.createTempDirectory("cleanroom-console-bench");
        Quotas quotas = Quotas.defaults("us-east-1").with(Quota.COLLABORATIONS_CREATED_PER_ACCOUNT, 50);
        server = CleanroomServer.start(ServerConfig.defaults().withPort(0).withDataDir(dir.resolve("server"))
                .withQuotas(quotas));
        try {
            long setup = System.nanoTime();
            Fixture f = setUp(dir, quotas, queries);
            System.out.printf(Locale.ROOT, "Set up in %.0f s: %d configured tables, %d collaborations of %d members "
                    + "each, %d queries of history%n", (System.nanoTime() - setup) / 1e9, f.tables, f.collaborations,
                    f.membersEach, queries);
            measure(f, runs, warmup);
        } finally {
            server.close();
        }
    }

    private record Fixture(JsonNode keys, int tables, int collaborations, int membersEach, String collaboration,
            String membership, String configuredTable, String query) {
    }

    private Fixture setUp(Path dir, Quotas quotas, int queries) throws Exception {
        SignedHttpClient operator = client(MAPPER.readTree(server.config().operatorCredentialsFile().toFile()));
        Path data = Files.createDirectories(dir.resolve("data").resolve(ACCOUNT)).toRealPath();
        Path partnerData = Files.createDirectories(dir.resolve("data").resolve(PARTNER)).toRealPath();
        JsonNode keys = call(operator, "POST", "/admin/accounts", json("{\"accountId\":\"" + ACCOUNT
                + "\",\"name\":\"publisher\",\"dataRoots\":[" + MAPPER.writeValueAsString(data.toString()) + "]}"),
                "cleanroom", Map.of());
        JsonNode partnerKeys = call(operator, "POST", "/admin/accounts", json("{\"accountId\":\"" + PARTNER
                + "\",\"name\":\"advertiser\",\"dataRoots\":[" + MAPPER.writeValueAsString(partnerData.toString())
                + "]}"), "cleanroom", Map.of());
        int membersEach = quotas.get(Quota.MEMBERS_INVITED_PER_COLLABORATION);
        List<String> members = new ArrayList<>(List.of(PARTNER));
        for (int i = 3; members.size() < membersEach; i++) {
            String id = String.format("%012d", i * 111111111111L % 1_000_000_000_000L);
            call(operator, "POST", "/admin/accounts", json("{\"accountId\":\"" + id + "\",\"name\":\"member " + i
                    + "\"}"), "cleanroom", Map.of());
            members.add(id);
        }
        SignedHttpClient me = client(keys);
        SignedHttpClient partner = client(partnerKeys);

        // 100 catalog tables over small CSVs, each configured with an aggregation rule
        glue(me, "CreateDatabase", json("{\"DatabaseInput\":{\"Name\":\"bench\"}}"));
        StringBuilder rows = new StringBuilder("user_id_hash,segment\n");
        for (int i = 0; i < 200; i++) {
            rows.append(String.format("u%04d,%s%n", i, new String[] {"news", "sports", "finance"}[i % 3]));
        }
        List<String> tables = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String name = String.format("audience_%03d", i);
            Path csv = data.resolve(name + ".csv");
            Files.writeString(csv, rows);
            ObjectNode table = json("{\"DatabaseName\":\"bench\",\"TableInput\":{\"Name\":\"" + name + "\","
                    + "\"Parameters\":{\"classification\":\"csv\"},\"StorageDescriptor\":{}}}");
            ((ObjectNode) table.get("TableInput").get("StorageDescriptor")).put("Location", csv.toString());
            glue(me, "CreateTable", table);
            tables.add(configure(me, name, "bench", "segment"));
        }

        // 50 collaborations, each inviting as many members as the quota allows; the account joins each
        String lab = null;
        String labMembership = null;
        for (int i = 0; i < 50; i++) {
            StringBuilder invited = new StringBuilder();
            for (String m : members) {
                invited.append(invited.length() == 0 ? "" : ",").append("{\"accountId\":\"").append(m)
                        .append("\",\"displayName\":\"member ").append(m).append("\",\"memberAbilities\":[]}");
            }
            String id = api(me, "POST", "/collaborations", json("{\"name\":\"collaboration " + i + "\",\"description\":"
                    + "\"bench\",\"creatorDisplayName\":\"publisher\",\"creatorMemberAbilities\":[\"CAN_QUERY\","
                    + "\"CAN_RECEIVE_RESULTS\"],\"members\":[" + invited + "],\"queryLogStatus\":\"DISABLED\"}"))
                    .at("/collaboration/id").asText();
            String membership = api(me, "POST", "/memberships", json("{\"collaborationIdentifier\":\"" + id
                    + "\",\"queryLogStatus\":\"DISABLED\"}")).at("/membership/id").asText();
            if (lab == null) {
                lab = id;
                labMembership = membership;
            }
        }

        // the first one is the lab: the partner joins with its table, both associate, 1,000 queries run
        String partnerMembership = api(partner, "POST", "/memberships", json("{\"collaborationIdentifier\":\"" + lab
                + "\",\"queryLogStatus\":\"DISABLED\"}")).at("/membership/id").asText();
        glue(partner, "CreateDatabase", json("{\"DatabaseInput\":{\"Name\":\"bench\"}}"));
        Path partnerCsv = partnerData.resolve("advertiser_audience.csv");
        StringBuilder partnerRows = new StringBuilder("user_id_hash,campaign\n");
        for (int i = 100; i < 300; i++) {
            partnerRows.append(String.format("u%04d,%s%n", i, i % 2 == 0 ? "spring_launch" : "brand_awareness"));
        }
        Files.writeString(partnerCsv, partnerRows);
        ObjectNode partnerTable = json("{\"DatabaseName\":\"bench\",\"TableInput\":{\"Name\":\"advertiser_audience\","
                + "\"Parameters\":{\"classification\":\"csv\"},\"StorageDescriptor\":{}}}");
        ((ObjectNode) partnerTable.get("TableInput").get("StorageDescriptor")).put("Location", partnerCsv.toString());
        glue(partner, "CreateTable", partnerTable);
        String partnerConfigured = configure(partner, "advertiser_audience", "bench", "campaign");
        associate(partner, partnerMembership, partnerConfigured, "advertiser_audience");
        associate(me, labMembership, tables.get(0), "publisher_audience");

        String overlap = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count FROM advertiser_audience a "
                + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2";
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<String>> runs = new ArrayList<>();
        String membership = labMembership;
        for (int i = 0; i < queries; i++) {
            runs.add(pool.submit(() -> runQuery(me, membership, overlap)));
        }
        String last = null;
        for (Future<String> r : runs) {
            last = r.get();
        }
        pool.shutdown();
        return new Fixture(keys, tables.size(), 50, members.size(), lab, labMembership, tables.get(0), last);
    }

    private static String configure(SignedHttpClient c, String table, String database, String dimension)
            throws Exception {
        String id = api(c, "POST", "/configuredTables", json("{\"name\":\"" + table + "\",\"tableReference\":{"
                + "\"glue\":{\"databaseName\":\"" + database + "\",\"tableName\":\"" + table + "\"}},"
                + "\"allowedColumns\":[\"user_id_hash\",\"" + dimension + "\"],\"analysisMethod\":\"DIRECT_QUERY\"}"))
                .at("/configuredTable/id").asText();
        api(c, "POST", "/configuredTables/" + id + "/analysisRule", json("{\"analysisRuleType\":\"AGGREGATION\","
                + "\"analysisRulePolicy\":{\"v1\":{\"aggregation\":{\"aggregateColumns\":[{\"columnNames\":"
                + "[\"user_id_hash\"],\"function\":\"COUNT_DISTINCT\"}],\"joinColumns\":[\"user_id_hash\"],"
                + "\"joinRequired\":\"QUERY_RUNNER\",\"dimensionColumns\":[\"" + dimension + "\"],"
                + "\"scalarFunctions\":[],\"outputConstraints\":[{\"columnName\":\"user_id_hash\",\"minimum\":2,"
                + "\"type\":\"COUNT_DISTINCT\"}]}}}}"));
        return id;
    }

    private static void associate(SignedHttpClient c, String membership, String table, String name) throws Exception {
        api(c, "POST", "/memberships/" + membership + "/configuredTableAssociations", json("{\"name\":\"" + name
                + "\",\"configuredTableIdentifier\":\"" + table + "\",\"roleArn\":\"" + ROLE + "\"}"));
    }

    /** Starts a query (waiting for a free slot under the concurrency quota) and waits until it ends. */
    private static String runQuery(SignedHttpClient c, String membership, String sql) throws Exception {
        ObjectNode body = json("{\"type\":\"SQL\",\"sqlParameters\":{},\"resultConfiguration\":{\"outputConfiguration\":"
                + "{\"member\":{\"accountId\":\"" + ACCOUNT + "\"}}}}");
        ((ObjectNode) body.get("sqlParameters")).put("queryString", sql);
        String id;
        while (true) {
            SignedHttpClient.Response r = c.send("POST", "/memberships/" + membership + "/protectedQueries", Map.of(),
                    Map.of(), body.toString(), "cleanrooms");
            if (r.ok()) {
                id = MAPPER.readTree(r.body()).at("/protectedQuery/id").asText();
                break;
            }
            if (!"ServiceQuotaExceededException".equals(r.errorType())) {
                throw new IllegalStateException("StartProtectedQuery: " + r);
            }
            Thread.sleep(20);
        }
        String status;
        int wait = 10;
        do {
            Thread.sleep(wait);
            wait = Math.min(100, wait * 2);
            status = api(c, "GET", "/memberships/" + membership + "/protectedQueries/" + id, null)
                    .at("/protectedQuery/status").asText();
        } while (!List.of("SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT").contains(status));
        if (!status.equals("SUCCESS")) {
            throw new IllegalStateException("query " + id + " ended " + status);
        }
        return id;
    }

    // ---------------------------------------------------------------- the console

    private void measure(Fixture f, int runs, int warmup) throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        String base = server.endpoint();
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/console/sign-in")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher token = CSRF.matcher(form.body());
        if (!token.find()) {
            throw new IllegalStateException("no sign-in form");
        }
        String nonce = form.headers().allValues("set-cookie").stream().filter(c -> c.contains("-signin="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(base + "/console/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", nonce)
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token.group(1) + "&accessKeyId="
                        + f.keys().get("accessKeyId").asText() + "&secretAccessKey=" + URLEncoder.encode(
                        f.keys().get("secretAccessKey").asText(), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        String session = signedIn.headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith("cleanroom-console=")).map(c -> c.substring(0, c.indexOf(';'))).findFirst()
                .orElseThrow(() -> new IllegalStateException("sign-in failed: " + signedIn.statusCode()));

        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("collaborations (50)", "/console/collaborations");
        pages.put("collaboration (6 members)", "/console/collaborations/" + f.collaboration());
        pages.put("tables (100 + 100 in catalog)", "/console/tables");
        pages.put("configured table", "/console/configured-tables/" + f.configuredTable());
        pages.put("rule form", "/console/configured-tables/" + f.configuredTable() + "/rule?type=AGGREGATION");
        pages.put("query editor", "/console/memberships/" + f.membership() + "/query");
        pages.put("query history (1 of 50 pages)", "/console/memberships/" + f.membership() + "/queries");
        pages.put("query result + chart", "/console/memberships/" + f.membership() + "/queries/" + f.query());
        pages.put("audit trail", "/console/audit");
        pages.put("audit trail, by operation", "/console/audit?operation=StartProtectedQuery");

        System.out.printf(Locale.ROOT, "%-32s %8s %8s %8s   %8s %8s  (ms; %d runs after %d warm-up)%n", "page",
                "server50", "p95", "max", "client50", "p95", runs, warmup);
        for (Map.Entry<String, String> page : pages.entrySet()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + page.getValue())).header("Cookie", session)
                    .build();
            for (int i = 0; i < warmup; i++) {
                fetch(http, request);
            }
            List<Double> serverMillis = new ArrayList<>();
            List<Double> clientMillis = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                HttpResponse<byte[]> r = fetch(http, request);
                clientMillis.add((System.nanoTime() - start) / 1e6);
                String timing = r.headers().firstValue("server-timing").orElseThrow();
                serverMillis.add(Double.parseDouble(timing.substring(timing.indexOf("dur=") + 4)));
            }
            double[] server = sorted(serverMillis);
            double[] client = sorted(clientMillis);
            System.out.printf(Locale.ROOT, "%-32s %8.1f %8.1f %8.1f   %8.1f %8.1f%n", page.getKey(),
                    Stats.median(server), percentile(server, 0.95), server[server.length - 1], Stats.median(client),
                    percentile(client, 0.95));
        }
    }

    private static double[] sorted(List<Double> values) {
        double[] out = values.stream().mapToDouble(Double::doubleValue).toArray();
        java.util.Arrays.sort(out);
        return out;
    }

    /** The value below which this fraction of the sorted values lie. */
    private static double percentile(double[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)];
    }

    private static HttpResponse<byte[]> fetch(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r;
    }
}
