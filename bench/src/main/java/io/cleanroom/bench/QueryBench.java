package io.cleanroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * End-to-end protected queries against the raw engine, side by side: the tutorial-sized query
 * (StartProtectedQuery to SUCCESS with the result read back), then the overlap-by-segment query on
 * generated Parquet data at each size given (rows per party), run protected and raw over the same
 * files. Prints medians, the ratio, and the process's peak RSS.
 *
 * <p>Per engine: on DuckDB, raw is a plain DuckDB connection in this process; on Spark, protected
 * queries run in a collaboration pinned to Spark (tag cleanroom:engine) on the server's Spark
 * (local[2], a driver process of its own started once with the server), and raw is plain Spark SQL
 * ({@link RawSpark}) in another JVM with the same master and shuffle partitions, a fresh session per
 * run reading the same Parquet files.
 *
 * <p>Arguments: sizes (default 1000000,10000000), runs per size (default 3), engines (default
 * duckdb; duckdb,spark or spark), and the Spark driver's heap (default 4g, for both Spark JVMs).
 */
public final class QueryBench {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PUB = "111111111111";
    private static final String ADV = "222222222222";
    private static final String OVERLAP = "SELECT p.segment, a.campaign, COUNT(DISTINCT a.user_id_hash) AS users "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "GROUP BY p.segment, a.campaign";

    private static final List<Double> SERVER_MILLIS = new ArrayList<>();

    private CleanroomServer server;
    private SignedHttpClient operator;

    private QueryBench() {
    }

    private List<String> engines = List.of("duckdb");
    private String sparkMemory = "4g";
    private RawSparkProcess rawSpark;

    public static void main(String[] args) throws Exception {
        List<Long> sizes = new ArrayList<>();
        for (String s : (args.length > 0 ? args[0] : "1000000,10000000").split(",")) {
            sizes.add(Long.parseLong(s.trim()));
        }
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        QueryBench bench = new QueryBench();
        if (args.length > 2) {
            bench.engines = Arrays.stream(args[2].split(",")).map(String::trim).toList();
        }
        if (args.length > 3) {
            bench.sparkMemory = args[3];
        }
        bench.run(sizes, runs);
    }

    private SignedHttpClient client(JsonNode keys) {
        return new SignedHttpClient(URI.create(server.endpoint()), keys.get("accessKeyId").asText(),
                keys.get("secretAccessKey").asText(), "us-east-1", Clock.systemUTC());
    }

    private static JsonNode call(SignedHttpClient c, String method, String path, String body, String service,
            Map<String, String> headers) throws Exception {
        SignedHttpClient.Response r = c.send(method, path, Map.of(), headers, body, service);
        if (!r.ok()) {
            throw new IllegalStateException(method + " " + path + " -> " + r.status() + " " + r.body());
        }
        return r.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
    }

    private static JsonNode api(SignedHttpClient c, String method, String path, String body) throws Exception {
        return call(c, method, path, body, "cleanrooms", Map.of());
    }

    private static void glue(SignedHttpClient c, String op, String body) throws Exception {
        call(c, "POST", "/", body, "glue", Map.of("X-Amz-Target", "AWSGlue." + op,
                "Content-Type", "application/x-amz-json-1.1"));
    }

    /** An account confined to one data root. */
    private JsonNode account(String id, String name, Path dataRoot) throws Exception {
        return call(operator, "POST", "/admin/accounts", "{\"accountId\":\"" + id + "\",\"name\":\"" + name
                + "\",\"dataRoots\":[" + MAPPER.writeValueAsString(dataRoot.toString()) + "]}", "cleanroom", Map.of());
    }

    /**
     * One collaboration over the given files, each account confined to the directory of its file;
     * returns the advertiser's client and membership.
     */
    private Object[] collaboration(String tag, Path publisherFile, Path advertiserFile, String format, String engine)
            throws Exception {
        String pubId = "1" + tag;
        String advId = "2" + tag;
        publisherFile = publisherFile.toRealPath();
        advertiserFile = advertiserFile.toRealPath();
        JsonNode pubKeys = account(pubId, "publisher", publisherFile.getParent());
        JsonNode advKeys = account(advId, "advertiser", advertiserFile.getParent());
        SignedHttpClient pub = client(pubKeys);
        SignedHttpClient adv = client(advKeys);
        String[][] parties = {{"publisher_audience", "segment"}, {"advertiser_audience", "campaign"}};
        SignedHttpClient[] clients = {pub, adv};
        Path[] files = {publisherFile, advertiserFile};
        for (int i = 0; i < 2; i++) {
            glue(clients[i], "CreateDatabase", "{\"DatabaseInput\":{\"Name\":\"bench\"}}");
            glue(clients[i], "CreateTable", "{\"DatabaseName\":\"bench\",\"TableInput\":{\"Name\":\"" + parties[i][0]
                    + "\",\"Parameters\":{\"classification\":\"" + format + "\"},\"StorageDescriptor\":{\"Location\":\""
                    + files[i] + "\"}}}");
        }
        String collaboration = api(pub, "POST", "/collaborations", "{\"name\":\"bench\",\"description\":\"b\","
                + "\"creatorDisplayName\":\"p\",\"creatorMemberAbilities\":[],\"members\":[{\"accountId\":\"" + advId
                + "\",\"displayName\":\"a\",\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}],"
                + "\"queryLogStatus\":\"DISABLED\",\"tags\":{\"cleanroom:engine\":\"" + engine + "\"}}")
                .at("/collaboration/id").asText();
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
        return new Object[] {adv, memberships[1], advId};
    }

    /** StartProtectedQuery, poll to SUCCESS, read the whole result; milliseconds. */
    private static double protectedRun(SignedHttpClient adv, String membership, String advId, String sql)
            throws Exception {
        long start = System.nanoTime();
        String body = MAPPER.writeValueAsString(Map.of("type", "SQL", "sqlParameters", Map.of("queryString", sql),
                "resultConfiguration", Map.of("outputConfiguration", Map.of("member", Map.of("accountId", advId)))));
        String id = api(adv, "POST", "/memberships/" + membership + "/protectedQueries", body)
                .at("/protectedQuery/id").asText();
        String status;
        JsonNode query;
        long pause = 1;
        do {
            // back off from 1 ms to 32 ms: tight polling would take the CPU the engine needs
            Thread.sleep(pause);
            pause = Math.min(32, pause * 2);
            query = api(adv, "GET", "/memberships/" + membership + "/protectedQueries/" + id, null)
                    .get("protectedQuery");
            status = query.get("status").asText();
        } while (status.equals("SUBMITTED") || status.equals("STARTED"));
        SERVER_MILLIS.add(query.at("/statistics/totalDurationInMillis").asDouble());
        if (!status.equals("SUCCESS")) {
            throw new IllegalStateException("query ended " + status);
        }
        api(adv, "GET", "/memberships/" + membership + "/protectedQueries/" + id + "/result", null);
        return (System.nanoTime() - start) / 1e6;
    }

    private double rawRun(String engine, Path publisher, Path advertiser, String sql) throws Exception {
        if (engine.equals("spark")) {
            return rawSpark.run(Map.of("publisher_audience", publisher, "advertiser_audience", advertiser), sql);
        }
        return rawDuckDb(publisher, advertiser, sql);
    }

    private static double rawDuckDb(Path publisher, Path advertiser, String sql) throws Exception {
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

    private static void generate(Path publisher, Path advertiser, long rows) throws Exception {
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

    private static String rounded(double[] values) {
        StringBuilder out = new StringBuilder();
        for (double v : values) {
            out.append(out.length() == 0 ? "" : " ").append(Math.round(v));
        }
        return out.toString();
    }

    private static String peakRss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM")) {
                return line.substring(6).trim();
            }
        }
        return "n/a";
    }

    private ServerConfig.Engine engineConfig() {
        ServerConfig.Engine engine = new ServerConfig.Engine("2GB", 2, 1, Duration.ofHours(1));
        if (!engines.contains("spark")) {
            return engine;
        }
        return engine.withBackends(new ServerConfig.Backends("duckdb", List.of("spark"), Map.of("spark",
                Map.of("master", "local[2]", "driver-memory", sparkMemory, "shuffle-partitions", "4"))));
    }

    private void run(List<Long> sizes, int runs) throws Exception {
        Path dir = Files.createTempDirectory("cleanroom-bench");
        server = CleanroomServer.start(ServerConfig.defaults().withPort(0).withDataDir(dir.resolve("server"))
                .withEngine(engineConfig()));
        if (engines.contains("spark")) {
            rawSpark = RawSparkProcess.start(dir.resolve("raw-spark"), "local[2]", "4", sparkMemory);
        }
        try {
            JsonNode creds = MAPPER.readTree(server.config().operatorCredentialsFile().toFile());
            operator = client(creds);

            Path publisherDir = Files.createDirectories(dir.resolve("publisher"));
            Path advertiserDir = Files.createDirectories(dir.resolve("advertiser"));
            Path tp = publisherDir.resolve("tutorial_publisher.csv");
            Path ta = advertiserDir.resolve("tutorial_advertiser.csv");
            Files.writeString(tp, "user_id_hash,segment\naaa111,news\nbbb222,sports\nccc333,news\nddd444,finance\n"
                    + "eee555,sports\n");
            Files.writeString(ta, "user_id_hash,campaign\nbbb222,spring_launch\nccc333,spring_launch\n"
                    + "xxx999,brand_awareness\nyyy888,spring_launch\n");
            int tag = 0;
            for (String engine : engines) {
                Object[] tutorial = collaboration(String.format("%011d", tag++), tp, ta, "csv", engine);
                int warm = engine.equals("spark") ? 10 : 20;
                double[] times = new double[engine.equals("spark") ? 20 : 50];
                for (int i = 0; i < warm; i++) {
                    protectedRun((SignedHttpClient) tutorial[0], (String) tutorial[1], (String) tutorial[2], OVERLAP);
                }
                for (int i = 0; i < times.length; i++) {
                    times[i] = protectedRun((SignedHttpClient) tutorial[0], (String) tutorial[1],
                            (String) tutorial[2], OVERLAP);
                }
                double[] serverSide = SERVER_MILLIS.subList(SERVER_MILLIS.size() - times.length,
                        SERVER_MILLIS.size()).stream().mapToDouble(Double::doubleValue).toArray();
                System.out.printf("%s: tutorial-sized query, StartProtectedQuery to result read: median %.1f ms, "
                        + "min %.1f ms; server-side totalDurationInMillis median %.1f ms (%d runs after %d warm-up)%n",
                        engine, Stats.median(times), Arrays.stream(times).min().orElse(0), Stats.median(serverSide),
                        times.length, warm);
            }

            for (long rows : sizes) {
                Path p = publisherDir.resolve("publisher_" + rows + ".parquet");
                Path a = advertiserDir.resolve("advertiser_" + rows + ".parquet");
                generate(p, a, rows);
                for (String engine : engines) {
                    Object[] c = collaboration(String.format("%011d", tag++), p, a, "parquet", engine);
                    rawRun(engine, p, a, OVERLAP);
                    protectedRun((SignedHttpClient) c[0], (String) c[1], (String) c[2], OVERLAP);
                    double[] raw = new double[runs];
                    double[] prot = new double[runs];
                    int before = SERVER_MILLIS.size();
                    for (int i = 0; i < runs; i++) {
                        // alternate which goes first, so neither always follows the other's memory release
                        if (i % 2 == 0) {
                            raw[i] = rawRun(engine, p, a, OVERLAP);
                            prot[i] = protectedRun((SignedHttpClient) c[0], (String) c[1], (String) c[2], OVERLAP);
                        } else {
                            prot[i] = protectedRun((SignedHttpClient) c[0], (String) c[1], (String) c[2], OVERLAP);
                            raw[i] = rawRun(engine, p, a, OVERLAP);
                        }
                    }
                    double[] serverSide = SERVER_MILLIS.subList(before, SERVER_MILLIS.size()).stream()
                            .mapToDouble(Double::doubleValue).toArray();
                    System.out.printf("%s, %,d rows per party: raw median %.0f ms, protected median %.0f ms "
                            + "(server-side %.0f ms), ratio %.2fx (%d runs each, interleaved; raw %s, protected %s)%n",
                            engine, rows, Stats.median(raw), Stats.median(prot), Stats.median(serverSide),
                            Stats.median(prot) / Stats.median(raw), runs, rounded(raw), rounded(prot));
                }
            }
            System.out.println("peak resident memory of this process: " + peakRss()
                    + (engines.contains("spark") ? " (the Spark driver and RawSpark are processes of their own)" : ""));
        } finally {
            server.close();
            if (rawSpark != null) {
                rawSpark.close();
            }
        }
    }

    /** {@link RawSpark} in a JVM of its own, on Spark's jars. */
    private static final class RawSparkProcess implements AutoCloseable {
        private final Process process;
        private final java.io.BufferedWriter in;
        private final java.io.BufferedReader out;

        private RawSparkProcess(Process process) {
            this.process = process;
            this.in = new java.io.BufferedWriter(new java.io.OutputStreamWriter(process.getOutputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            this.out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }

        static RawSparkProcess start(Path dir, String master, String partitions, String memory) throws Exception {
            // RawSpark's class, out of this jar, beside Spark's jars (the ones engine-spark's build recorded)
            Path classes = dir.resolve("classes");
            Path file = classes.resolve(RawSpark.class.getName().replace('.', '/') + ".class");
            Files.createDirectories(file.getParent());
            try (java.io.InputStream bytes = QueryBench.class.getClassLoader().getResourceAsStream(
                    RawSpark.class.getName().replace('.', '/') + ".class")) {
                Files.copy(bytes, file);
            }
            java.util.Properties recorded = new java.util.Properties();
            try (java.io.InputStream p = QueryBench.class.getClassLoader().getResourceAsStream(
                    "io/cleanroom/engine/spark/driver.properties")) {
                recorded.load(p);
            }
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx" + memory));
            for (String pkg : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
                    "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
                    "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
                String module = pkg.startsWith("java.") || pkg.startsWith("jdk.") || pkg.startsWith("sun.")
                        ? "java.base" : pkg;
                command.add("--add-opens=" + module + "/" + pkg + "=ALL-UNNAMED");
            }
            command.addAll(List.of("-Djdk.reflect.useDirectMethodHandle=false", "-cp", classes
                    + java.io.File.pathSeparator + recorded.getProperty("classpath"), RawSpark.class.getName(),
                    master, partitions));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve("raw-spark.log").toFile());
            builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            RawSparkProcess raw = new RawSparkProcess(builder.start());
            String ready = raw.out.readLine();
            if (!"READY".equals(ready)) {
                raw.close();
                throw new IllegalStateException("RawSpark did not start; see " + dir.resolve("raw-spark.log"));
            }
            return raw;
        }

        /** Runs the SQL over the files as views in a fresh session; milliseconds. */
        double run(Map<String, Path> views, String sql) throws Exception {
            for (Map.Entry<String, Path> view : views.entrySet()) {
                in.write("VIEW " + view.getKey() + " " + view.getValue() + "\n");
            }
            in.write("RUN " + sql + "\n");
            in.flush();
            String answer = out.readLine();
            if (answer == null || !answer.startsWith("MS ")) {
                throw new IllegalStateException("RawSpark answered " + answer);
            }
            return Double.parseDouble(answer.split(" ")[1]);
        }

        @Override
        public void close() throws Exception {
            in.close();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
