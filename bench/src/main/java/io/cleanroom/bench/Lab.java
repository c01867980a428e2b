package io.cleanroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cleanroom.client.SignedHttpClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;

/**
 * The query benchmarks' lab, set up through the API of a running server: the seed tutorial's
 * two five-row CSV tables, and generated audiences in Parquet at a given size, each as a
 * collaboration of a publisher and an advertiser whose overlap the advertiser queries; and the
 * same query on a plain DuckDB connection over the same files, for comparison.
 */
final class Lab {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** The overlap by segment and campaign; the rules add an output constraint of 2 distinct users. */
    static final String OVERLAP = "SELECT p.segment, a.campaign, COUNT(DISTINCT a.user_id_hash) AS users "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "GROUP BY p.segment, a.campaign";

    /** The advertiser's side of a collaboration: its keys, membership and account, and the tables' files. */
    record Party(String accessKeyId, String secretAccessKey, String membership, String accountId, Path publisherFile,
            Path advertiserFile) {
    }

    private final URI endpoint;
    final SignedHttpClient operator;

    /** A lab on the server at endpoint, set up with the operator's keys. */
    Lab(URI endpoint, JsonNode operatorKeys) {
        this.endpoint = endpoint;
        this.operator = client(operatorKeys.get("accessKeyId").asText(),
                operatorKeys.get("secretAccessKey").asText());
    }

    /** The operator's client, for admin calls. */
    SignedHttpClient operator() {
        return operator;
    }

    SignedHttpClient client(String accessKeyId, String secretAccessKey) {
        return new SignedHttpClient(endpoint, accessKeyId, secretAccessKey, "us-east-1", Clock.systemUTC());
    }

    SignedHttpClient client(Party party) {
        return client(party.accessKeyId(), party.secretAccessKey());
    }

    static JsonNode call(SignedHttpClient c, String method, String path, String body, String service,
            Map<String, String> headers) throws Exception {
        SignedHttpClient.Response r = c.send(method, path, Map.of(), headers, body, service);
        if (!r.ok()) {
            throw new IllegalStateException(method + " " + path + " -> " + r.status() + " " + r.body());
        }
        return r.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
    }

    static JsonNode api(SignedHttpClient c, String method, String path, String body) throws Exception {
        return call(c, method, path, body, "cleanrooms", Map.of());
    }

    static void glue(SignedHttpClient c, String op, String body) throws Exception {
        call(c, "POST", "/", body, "glue", Map.of("X-Amz-Target", "AWSGlue." + op,
                "Content-Type", "application/x-amz-json-1.1"));
    }

    /** An account confined to one data root. */
    JsonNode account(String id, String name, Path dataRoot) throws Exception {
        return call(operator, "POST", "/admin/accounts", "{\"accountId\":\"" + id + "\",\"name\":\"" + name
                + "\",\"dataRoots\":[" + MAPPER.writeValueAsString(dataRoot.toString()) + "]}", "cleanroom", Map.of());
    }

    /** The tutorial's tables (five-row CSVs) in the two directories given. */
    static Path[] tutorialFiles(Path publisherDir, Path advertiserDir) throws Exception {
        Path tp = publisherDir.resolve("tutorial_publisher.csv");
        Path ta = advertiserDir.resolve("tutorial_advertiser.csv");
        Files.writeString(tp, "user_id_hash,segment\naaa111,news\nbbb222,sports\nccc333,news\nddd444,finance\n"
                + "eee555,sports\n");
        Files.writeString(ta, "user_id_hash,campaign\nbbb222,spring_launch\nccc333,spring_launch\n"
                + "xxx999,brand_awareness\nyyy888,spring_launch\n");
        return new Path[] {tp, ta};
    }

    /**
     * One collaboration over the given files, each account (ids 1+tag and 2+tag) confined to the
     * directory of its file; the advertiser can query and receive results.
     */
    Party collaboration(String tag, Path publisherFile, Path advertiserFile, String format) throws Exception {
        return collaboration(tag, publisherFile, advertiserFile, format, "duckdb");
    }

    /** The same, its queries run on the named engine (tag cleanroom:engine). */
    Party collaboration(String tag, Path publisherFile, Path advertiserFile, String format, String engine)
            throws Exception {
        String pubId = "1" + tag;
        String advId = "2" + tag;
        publisherFile = publisherFile.toRealPath();
        advertiserFile = advertiserFile.toRealPath();
        JsonNode pubKeys = account(pubId, "publisher", publisherFile.getParent());
        JsonNode advKeys = account(advId, "advertiser", advertiserFile.getParent());
        SignedHttpClient pub = client(pubKeys.get("accessKeyId").asText(), pubKeys.get("secretAccessKey").asText());
        SignedHttpClient adv = client(advKeys.get("accessKeyId").asText(), advKeys.get("secretAccessKey").asText());
        String[][] parties = {{"publisher_audience", "segment"}, {"advertiser_audience", "campaign"}};
        SignedHttpClient[] clients = {pub, adv};
        Path[] files = {publisherFile, advertiserFile};
        for (int i = 0; i < 2; i++) {
            glue(clients[i], "CreateDatabase", "{\"DatabaseInput\":{\"Name\":\"bench\"}}");
            glue(clients[i], "CreateTable", "{\"DatabaseName\":\"bench\",\"TableInput\":{\"Name\":\"" + parties[i][0]
                    + "\",\"Parameters\":{\"classification\":\"" + format + "\"},\"StorageDescriptor\":{\"Location\":"
                    + MAPPER.writeValueAsString(files[i].toString()) + "}}}");
        }
        String collaboration = api(pub, "POST", "/collaborations", "{\"name\":\"bench\",\"description\":\"b\","
                + "\"creatorDisplayName\":\"p\",\"creatorMemberAbilities\":[],\"members\":[{\"accountId\":\"" + advId
                + "\",\"displayName\":\"a\",\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}],"
                + "\"queryLogStatus\":\"DISABLED\",\"tags\":{\"cleanroom:engine\":" + MAPPER.writeValueAsString(engine)
                + "}}").at("/collaboration/id").asText();
        String[] memberships = new String[2];
        for (int i = 0; i < 2; i++) {
            memberships[i] = api(clients[i], "POST", "/memberships", "{\"collaborationIdentifier\":\"" + collaboration
                    + "\",\"queryLogStatus\":\"DISABLED\"}").at("/membership/id").asText();
            String table = api(clients[i], "POST", "/configuredTables", "{\"name\":\"" + parties[i][0]
                    + "\",\"tableReference\":{\"glue\":{\"databaseName\":\"bench\",\"tableName\":\"" + parties[i][0]
                    + "\"}},\"allowedColumns\":[\"user_id_hash\",\"" + parties[i][1]
                    + "\"],\"analysisMethod\":\"DIRECT_QUERY\"}").at("/configuredTable/id").asText();
            api(clients[i], "POST", "/configuredTables/" + table + "/analysisRule", "{\"analysisRuleType\":"
                    + "\"AGGREGATION\",\"analysisRulePolicy\":{\"v1\":{\"aggregation\":{\"aggregateColumns\":[{"
                    + "\"columnNames\":[\"user_id_hash\"],\"function\":\"COUNT_DISTINCT\"}],\"joinColumns\":"
                    + "[\"user_id_hash\"],\"joinRequired\":\"QUERY_RUNNER\",\"dimensionColumns\":[\"" + parties[i][1]
                    + "\"],\"scalarFunctions\":[],\"outputConstraints\":[{\"columnName\":\"user_id_hash\","
                    + "\"minimum\":2,\"type\":\"COUNT_DISTINCT\"}]}}}}");
            api(clients[i], "POST", "/memberships/" + memberships[i] + "/configuredTableAssociations", "{\"name\":\""
                    + parties[i][0] + "\",\"configuredTableIdentifier\":\"" + table + "\",\"roleArn\":"
                    + "\"arn:aws:iam::111111111111:role/bench\"}");
        }
        return new Party(advKeys.get("accessKeyId").asText(), advKeys.get("secretAccessKey").asText(),
                memberships[1], advId, publisherFile, advertiserFile);
    }

    /**
     * Generated audiences of rows each in Parquet: hashed ids, 8 segments, 5 campaigns, half of the
     * advertiser's ids known to the publisher.
     */
    static void generate(Path publisher, Path advertiser, long rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads = 2");
            s.execute("COPY (SELECT md5(CAST(i AS VARCHAR)) AS user_id_hash, "
                    + "['news','sports','finance','travel','autos','food','tech','music'][1 + CAST(i % 8 AS INTEGER)] "
                    + "AS segment FROM range(" + rows + ") t(i)) TO '" + publisher + "' (FORMAT parquet)");
            s.execute("COPY (SELECT md5(CAST(i * 2 AS VARCHAR)) AS user_id_hash, "
                    + "['spring','summer','autumn','winter','brand'][1 + CAST(i % 5 AS INTEGER)] AS campaign "
                    + "FROM range(" + rows + ") t(i)) TO '" + advertiser + "' (FORMAT parquet)");
        }
    }

    /**
     * The query on a plain DuckDB connection over the same Parquet files (2 threads, 2 GB, as the
     * server's engine), the whole result read; milliseconds, from connecting to the last row.
     */
    static double raw(Path publisher, Path advertiser, String sql) throws Exception {
        long start = System.nanoTime();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET memory_limit = '2GB'");
            s.execute("SET threads = 2");
            s.execute("CREATE VIEW publisher_audience AS SELECT * FROM read_parquet('" + publisher + "')");
            s.execute("CREATE VIEW advertiser_audience AS SELECT * FROM read_parquet('" + advertiser + "')");
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    rs.getObject(1);
                }
            }
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /** The peak resident memory of this process (VmHWM). */
    static String peakRss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM")) {
                return line.substring(6).trim();
            }
        }
        return "n/a";
    }
}
