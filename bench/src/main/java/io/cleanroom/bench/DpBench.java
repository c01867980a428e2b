package io.cleanroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.model.AutoRefresh;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.PrivacyBudget;
import io.cleanroom.core.model.PrivacyBudgetTemplate;
import io.cleanroom.core.model.PrivacyBudgetTemplateId;
import io.cleanroom.core.service.PageTokens;
import io.cleanroom.core.service.PrivacyBudgetLedger;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.core.service.ServiceContext;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.privacy.Rational;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import io.cleanroom.store.JdbcStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Differentially private queries against the same queries without differential privacy, end to end
 * through the API on an embedded server (DuckDB, SQLite store): at each size (rows per party), a
 * COUNT DISTINCT and a SUM of the overlap per campaign, run in a collaboration whose tables have
 * aggregation rules and in one where the publisher's table has differential privacy, over the same
 * Parquet files. Each run's query differs by a literal that filters nothing, so no answer comes from
 * the cache (whose cost is printed apart). Then what budget accounting adds to a query: a durable
 * reservation and a durable commit on a SQLite store of its own.
 *
 * <p>Arguments: sizes (default 1000000,10000000), runs per size and query (default 3), and
 * reservations to time (default 200). Prints medians and the DP / plain ratio.
 */
public final class DpBench {
    private DpBench() {
    }

    /** What one size measured: median milliseconds of each query, plain and private, and cache hits. */
    record Result(long rows, String query, double plainMillis, double privateMillis, double cachedMillis) {
        double ratio() {
            return privateMillis / plainMillis;
        }
    }

    public static void main(String[] args) throws Exception {
        List<Long> sizes = new ArrayList<>();
        for (String s : (args.length > 0 ? args[0] : "1000000,10000000").split(",")) {
            sizes.add(Long.parseLong(s.trim()));
        }
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int reservations = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        run(sizes, runs, reservations, System.out);
    }

    static final String COUNT = "SELECT a.campaign, COUNT(DISTINCT p.user_id_hash) AS users FROM advertiser_audience a "
            + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash WHERE a.campaign <> 'none%d' "
            + "GROUP BY a.campaign";
    static final String SUM = "SELECT a.campaign, SUM(p.spend) AS total FROM advertiser_audience a "
            + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash WHERE a.campaign <> 'none%d' "
            + "GROUP BY a.campaign";

    static List<Result> run(List<Long> sizes, int runs, int reservations, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("cleanroom-dpbench");
        List<Result> results = new ArrayList<>();
        CleanroomServer server = CleanroomServer.start(ServerConfig.defaults().withPort(0)
                .withDataDir(dir.resolve("server")));
        try {
            Lab lab = new Lab(java.net.URI.create(server.endpoint()), Lab.MAPPER.readTree(server.config()
                    .operatorCredentialsFile().toFile()));
            int tag = 1;
            for (long rows : sizes) {
                Path publisherDir = Files.createDirectories(dir.resolve("publisher" + rows));
                Path advertiserDir = Files.createDirectories(dir.resolve("advertiser" + rows));
                Path p = publisherDir.resolve("publisher.parquet");
                Path a = advertiserDir.resolve("advertiser.parquet");
                generate(p, a, rows);
                Lab.Party plain = collaboration(lab, String.format("%011d", tag++), p, a, false);
                Lab.Party dp = collaboration(lab, String.format("%011d", tag++), p, a, true);
                int literal = -1;
                for (String query : List.of(COUNT, SUM)) {
                    double[] plainMillis = new double[runs];
                    double[] privateMillis = new double[runs];
                    // one of each first, unmeasured: caches of the files, the JIT
                    Lab.Party[] both = {plain, dp};
                    for (Lab.Party party : both) {
                        time(lab, party, String.format(query, literal--));
                    }
                    for (int r = 0; r < runs; r++) {
                        plainMillis[r] = time(lab, plain, String.format(query, literal--));
                        privateMillis[r] = time(lab, dp, String.format(query, literal--));
                    }
                    String repeated = String.format(query, literal + 1);
                    double[] cached = new double[runs];
                    for (int r = 0; r < runs; r++) {
                        cached[r] = time(lab, dp, repeated);
                    }
                    Result result = new Result(rows, query == COUNT ? "COUNT DISTINCT" : "SUM",
                            Stats.median(plainMillis), Stats.median(privateMillis), Stats.median(cached));
                    results.add(result);
                    out.printf("%,d rows per party, %s by campaign: without DP %.0f ms, with DP %.0f ms (%.2fx); "
                            + "the same DP query again, from the cache: %.0f ms%n", rows, result.query(),
                            result.plainMillis(), result.privateMillis(), result.ratio(), result.cachedMillis());
                }
            }
            double accounting = accounting(dir.resolve("ledger"), reservations);
            out.printf("budget accounting per query (a durable reservation and a durable commit, SQLite): %.2f ms "
                    + "(median of %d)%n", accounting, reservations);
            out.printf("peak RSS %s%n", Lab.peakRss());
        } finally {
            server.close();
            delete(dir);
        }
        return results;
    }

    /** Removes the benchmark's data (generated files, the server's and the ledger's stores). */
    private static void delete(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Generated audiences in Parquet: the publisher's rows hashed ids with a spend from 0 to 999 and
     * a segment; the advertiser's, ids of which half are the publisher's, in 5 campaigns.
     */
    static void generate(Path publisher, Path advertiser, long rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads = 2");
            s.execute("COPY (SELECT md5(CAST(i AS VARCHAR)) AS user_id_hash, CAST(i % 1000 AS BIGINT) AS spend "
                    + "FROM range(" + rows + ") t(i)) TO '" + publisher + "' (FORMAT parquet)");
            s.execute("COPY (SELECT md5(CAST(i * 2 AS VARCHAR)) AS user_id_hash, "
                    + "['spring','summer','autumn','winter','brand'][1 + CAST(i % 5 AS INTEGER)] AS campaign "
                    + "FROM range(" + rows + ") t(i)) TO '" + advertiser + "' (FORMAT parquet)");
        }
    }

    /**
     * A collaboration over the files: with aggregation rules (COUNT DISTINCT of the ids, SUM of spend,
     * at least 2 users per row), or with custom rules, differential privacy on the publisher's ids,
     * spend bounded [0, 1000] in its catalog, and a policy of epsilon 20 and noise 10.
     */
    static Lab.Party collaboration(Lab lab, String tag, Path publisherFile, Path advertiserFile, boolean dp)
            throws Exception {
        String pubId = "1" + tag;
        String advId = "2" + tag;
        JsonNode pubKeys = account(lab, pubId, "publisher", publisherFile.toRealPath().getParent());
        JsonNode advKeys = account(lab, advId, "advertiser", advertiserFile.toRealPath().getParent());
        SignedHttpClient pub = lab.client(pubKeys.get("accessKeyId").asText(), pubKeys.get("secretAccessKey").asText());
        SignedHttpClient adv = lab.client(advKeys.get("accessKeyId").asText(), advKeys.get("secretAccessKey").asText());
        String bounds = dp ? ",\"Parameters\":{\"cleanroom.dp.min\":\"0\",\"cleanroom.dp.max\":\"1000\"}" : "";
        table(pub, "publisher_audience", publisherFile, "[{\"Name\":\"user_id_hash\",\"Type\":\"string\"},"
                + "{\"Name\":\"spend\",\"Type\":\"bigint\"" + bounds + "}]");
        table(adv, "advertiser_audience", advertiserFile, "[{\"Name\":\"user_id_hash\",\"Type\":\"string\"},"
                + "{\"Name\":\"campaign\",\"Type\":\"string\"}]");
        String collaboration = Lab.api(pub, "POST", "/collaborations", "{\"name\":\"dpbench\",\"description\":\"b\","
                + "\"creatorDisplayName\":\"p\",\"creatorMemberAbilities\":[],\"members\":[{\"accountId\":\"" + advId
                + "\",\"displayName\":\"a\",\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}],"
                + "\"queryLogStatus\":\"DISABLED\"}").at("/collaboration/id").asText();
        String[][] parties = {{"publisher_audience", "spend"}, {"advertiser_audience", "campaign"}};
        SignedHttpClient[] clients = {pub, adv};
        String[] memberships = new String[2];
        for (int i = 0; i < 2; i++) {
            memberships[i] = Lab.api(clients[i], "POST", "/memberships", "{\"collaborationIdentifier\":\""
                    + collaboration + "\",\"queryLogStatus\":\"DISABLED\"}").at("/membership/id").asText();
            String table = Lab.api(clients[i], "POST", "/configuredTables", "{\"name\":\"" + parties[i][0]
                    + "\",\"tableReference\":{\"glue\":{\"databaseName\":\"bench\",\"tableName\":\"" + parties[i][0]
                    + "\"}},\"allowedColumns\":[\"user_id_hash\",\"" + parties[i][1]
                    + "\"],\"analysisMethod\":\"DIRECT_QUERY\"}").at("/configuredTable/id").asText();
            String rule;
            if (dp) {
                rule = "{\"analysisRuleType\":\"CUSTOM\",\"analysisRulePolicy\":{\"v1\":{\"custom\":{"
                        + "\"allowedAnalyses\":[\"ANY_QUERY\"],\"allowedAnalysisProviders\":[\"" + advId + "\"]"
                        + (i == 0 ? ",\"differentialPrivacy\":{\"columns\":[{\"name\":\"user_id_hash\"}]}" : "")
                        + "}}}}";
            } else {
                String aggregates = i == 0 ? "{\"columnNames\":[\"user_id_hash\"],\"function\":\"COUNT_DISTINCT\"},"
                        + "{\"columnNames\":[\"spend\"],\"function\":\"SUM\"}"
                        : "{\"columnNames\":[\"user_id_hash\"],\"function\":\"COUNT_DISTINCT\"}";
                String dimensions = i == 0 ? "" : "\"campaign\"";
                rule = "{\"analysisRuleType\":\"AGGREGATION\",\"analysisRulePolicy\":{\"v1\":{\"aggregation\":{"
                        + "\"aggregateColumns\":[" + aggregates + "],\"joinColumns\":[\"user_id_hash\"],"
                        + "\"joinRequired\":\"QUERY_RUNNER\",\"dimensionColumns\":[" + dimensions + "],"
                        + "\"scalarFunctions\":[],\"outputConstraints\":[{\"columnName\":\"user_id_hash\","
                        + "\"minimum\":2,\"type\":\"COUNT_DISTINCT\"}]}}}}";
            }
            Lab.api(clients[i], "POST", "/configuredTables/" + table + "/analysisRule", rule);
            Lab.api(clients[i], "POST", "/memberships/" + memberships[i] + "/configuredTableAssociations",
                    "{\"name\":\"" + parties[i][0] + "\",\"configuredTableIdentifier\":\"" + table + "\",\"roleArn\":"
                            + "\"arn:aws:iam::111111111111:role/bench\"}");
        }
        if (dp) {
            Lab.api(pub, "POST", "/memberships/" + memberships[0] + "/privacybudgettemplates",
                    "{\"privacyBudgetType\":\"DIFFERENTIAL_PRIVACY\",\"autoRefresh\":\"NONE\",\"parameters\":"
                            + "{\"differentialPrivacy\":{\"epsilon\":20,\"usersNoisePerQuery\":10}}}");
        }
        return new Lab.Party(advKeys.get("accessKeyId").asText(), advKeys.get("secretAccessKey").asText(),
                memberships[1], advId, publisherFile, advertiserFile);
    }

    private static JsonNode account(Lab lab, String id, String name, Path dataRoot) throws Exception {
        return Lab.call(lab.operator(), "POST", "/admin/accounts", "{\"accountId\":\"" + id + "\",\"name\":\"" + name
                + "\",\"dataRoots\":[" + Lab.MAPPER.writeValueAsString(dataRoot.toString()) + "]}", "cleanroom",
                Map.of());
    }

    private static void table(SignedHttpClient client, String name, Path file, String columns) throws Exception {
        Map<String, String> headers = Map.of("X-Amz-Target", "AWSGlue.CreateDatabase",
                "Content-Type", "application/x-amz-json-1.1");
        SignedHttpClient.Response db = client.send("POST", "/", Map.of(), headers,
                "{\"DatabaseInput\":{\"Name\":\"bench\"}}", "glue");
        if (!db.ok() && !db.body().contains("AlreadyExists")) {
            throw new IllegalStateException("CreateDatabase -> " + db.status() + " " + db.body());
        }
        Lab.call(client, "POST", "/", "{\"DatabaseName\":\"bench\",\"TableInput\":{\"Name\":\"" + name
                + "\",\"Parameters\":{\"classification\":\"parquet\"},\"StorageDescriptor\":{\"Location\":"
                + Lab.MAPPER.writeValueAsString(file.toRealPath().toString()) + ",\"Columns\":" + columns + "}}}",
                "glue", Map.of("X-Amz-Target", "AWSGlue.CreateTable", "Content-Type", "application/x-amz-json-1.1"));
    }

    /** StartProtectedQuery to SUCCESS with the result read back, in milliseconds. */
    private static double time(Lab lab, Lab.Party party, String sql) throws Exception {
        SignedHttpClient client = lab.client(party);
        long start = System.nanoTime();
        String id = Lab.api(client, "POST", "/memberships/" + party.membership() + "/protectedQueries",
                "{\"type\":\"SQL\",\"sqlParameters\":{\"queryString\":" + Lab.MAPPER.writeValueAsString(sql)
                        + "},\"resultConfiguration\":{\"outputConfiguration\":{\"member\":{\"accountId\":\""
                        + party.accountId() + "\"}}}}").at("/protectedQuery/id").asText();
        while (true) {
            JsonNode q = Lab.api(client, "GET", "/memberships/" + party.membership() + "/protectedQueries/" + id, null)
                    .get("protectedQuery");
            String status = q.get("status").asText();
            if (status.equals("SUCCESS")) {
                break;
            }
            if (!status.equals("SUBMITTED") && !status.equals("STARTED")) {
                throw new IllegalStateException("query " + status + ": " + q.path("error"));
            }
            Thread.sleep(2);
        }
        Lab.api(client, "GET", "/memberships/" + party.membership() + "/protectedQueries/" + id + "/result", null);
        return (System.nanoTime() - start) / 1e6;
    }

    /** Median milliseconds of a durable reservation and its durable commit, on a SQLite store of its own. */
    static double accounting(Path dir, int n) throws Exception {
        CollaborationId collaboration = new CollaborationId("0a1b2c3d-0000-4000-8000-00000000000c");
        Instant now = Instant.now();
        try (JdbcStore store = JdbcStore.sqlite(Files.createDirectories(dir))) {
            store.inTransaction(tx -> {
                tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).insert(new PrivacyBudgetTemplate(PrivacyBudgetTemplateId.random(),
                        new MembershipId("0a1b2c3d-0000-4000-8000-00000000000a"), collaboration,
                        new AccountId("111111111111"), AutoRefresh.NONE, 20, 100, now, now));
                tx.of(Kinds.PRIVACY_BUDGETS).insert(PrivacyBudget.fresh(collaboration, now));
                return null;
            });
            PrivacyBudgetLedger ledger = new PrivacyBudgetLedger(new ServiceContext(store, Clock.systemUTC(),
                    new Arns("us-east-1"), Quotas.DEFAULTS, PageTokens.random()));
            double[] millis = new double[n];
            for (int i = 0; i < n + 20; i++) {
                long start = System.nanoTime();
                ledger.reserve(collaboration, "query-" + i, Rational.of(1, 100));
                ledger.commit("query-" + i);
                if (i >= 20) {
                    millis[i - 20] = (System.nanoTime() - start) / 1e6;
                }
            }
            return Stats.median(millis);
        }
    }
}
