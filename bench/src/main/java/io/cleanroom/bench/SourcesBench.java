package io.cleanroom.bench;

import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.query.Sources;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import io.cleanroom.sources.S3TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The query benchmark's generated audiences (QueryBench's workload) with both parties' Parquet in
 * the S3 test server (s3proxy, over the loopback) beside the same files on local disk, in one run:
 * the overlap query protected over local files and over S3, their medians and ratio; then the
 * overlap on one day of the publisher's ten (a condition on its partition column), with how much it
 * fetched against the whole table. The publisher's objects hold a column its rule does not allow
 * (notes, 64 characters a row), which no query fetches.
 *
 * <p>Each party's rows are split by day into ten Parquet files, {@code dt=2026-11-01/} ... The local
 * lab reads them through a glob (no partition column); the S3 lab registers each party's folder
 * without columns or partition keys (both inferred). Arguments: sizes (rows per party, default
 * 1000000,10000000), runs per size (default 3).
 */
public final class SourcesBench {
    private static final int DAYS = 10;
    private static final String ONE_DAY = "SELECT p.segment, a.campaign, COUNT(DISTINCT a.user_id_hash) AS users "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "WHERE p.dt = DATE '2026-11-03' GROUP BY p.segment, a.campaign";

    private SourcesBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Long> sizes = new ArrayList<>();
        for (String s : (args.length > 0 ? args[0] : "1000000,10000000").split(",")) {
            sizes.add(Long.parseLong(s.trim()));
        }
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("cleanroom-sources-bench");
        List<Sources.Read> reads = new CopyOnWriteArrayList<>();
        try (S3TestServer s3 = S3TestServer.start()) {
            CleanroomServer server = CleanroomServer.start(ServerConfig.defaults().withPort(0)
                    .withDataDir(dir.resolve("server")).withEngine(new ServerConfig.Engine("2GB", 2, 1,
                            Duration.ofHours(1))));
            server.queries().sourceReads(reads::add);
            try {
                System.out.printf("load average at start: %s%n", Stages.loadAverage());
                Lab lab = new Lab(URI.create(server.endpoint()),
                        Lab.MAPPER.readTree(server.config().operatorCredentialsFile().toFile()));
                int tag = 0;
                for (long rows : sizes) {
                    Path pub = dir.resolve("pub-" + rows);
                    Path adv = dir.resolve("adv-" + rows);
                    generate(pub, adv, rows);
                    String pubBucket = "pub-" + rows;
                    String advBucket = "adv-" + rows;
                    upload(s3, pub, pubBucket);
                    upload(s3, adv, advBucket);
                    Party local = collaboration(lab, String.format("%011d", tag++), s3, null, pub, adv);
                    Party remote = collaboration(lab, String.format("%011d", tag++), s3,
                            new String[] {pubBucket, advBucket}, pub, adv);
                    run(lab, local, Lab.OVERLAP);
                    run(lab, remote, Lab.OVERLAP);
                    double[] onDisk = new double[runs];
                    double[] inS3 = new double[runs];
                    for (int i = 0; i < runs; i++) {
                        if (i % 2 == 0) {
                            onDisk[i] = run(lab, local, Lab.OVERLAP);
                            inS3[i] = run(lab, remote, Lab.OVERLAP);
                        } else {
                            inS3[i] = run(lab, remote, Lab.OVERLAP);
                            onDisk[i] = run(lab, local, Lab.OVERLAP);
                        }
                    }
                    System.out.printf("%,d rows per party: protected over local Parquet median %.0f ms, over S3 "
                            + "median %.0f ms, ratio %.2fx (%d runs each, interleaved)%n", rows, Stats.median(onDisk),
                            Stats.median(inS3), Stats.median(inS3) / Stats.median(onDisk), runs);
                    reads.clear();
                    run(lab, remote, Lab.OVERLAP);
                    Sources.Read whole = publisher(reads);
                    System.out.printf("%,d rows per party: the overlap fetched %,d of %,d bytes of the publisher's "
                            + "table: of each object only the chunks of the allowed columns (not notes)%n", rows,
                            whole.bytesRead(), whole.bytes());
                    reads.clear();
                    double pruned = run(lab, remote, ONE_DAY);
                    Sources.Read day = publisher(reads);
                    System.out.printf("%,d rows per party: the query on one day fetched %,d of %,d bytes of the "
                            + "publisher's table (%d of %d objects, %d of %d partitions) in %.0f ms%n", rows,
                            day.bytesRead(), whole.bytes(), day.objectsRead(), day.objects(), day.partitionsRead(),
                            day.partitions(), pruned);
                }
                System.out.println("peak resident memory of this process: " + Lab.peakRss());
                System.out.printf("load average at the end: %s%n", Stages.loadAverage());
            } finally {
                server.close();
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Sources.Read publisher(List<Sources.Read> reads) {
        return reads.stream().filter(r -> r.table().equals("publisher_audience")).findFirst().orElseThrow();
    }

    /** QueryBench's generated audiences, each split by day into DAYS Parquet files under dt=DAY/. */
    static void generate(Path publisher, Path advertiser, long rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads = 2");
            for (int d = 0; d < DAYS; d++) {
                String day = java.time.LocalDate.of(2026, 11, 1).plusDays(d).toString();
                Path p = Files.createDirectories(publisher.resolve("dt=" + day)).resolve("part-0.parquet");
                Path a = Files.createDirectories(advertiser.resolve("dt=" + day)).resolve("part-0.parquet");
                s.execute("COPY (SELECT md5(CAST(i AS VARCHAR)) AS user_id_hash, "
                        + "['news','sports','finance','travel','autos','food','tech','music'][1 + CAST(i % 8 AS "
                        + "INTEGER)] AS segment, md5(CAST(i * 7 AS VARCHAR)) || md5(CAST(i * 11 AS VARCHAR)) AS notes "
                        + "FROM range(" + rows + ") t(i) WHERE i % " + DAYS + " = " + d + ") TO '"
                        + p + "' (FORMAT parquet)");
                s.execute("COPY (SELECT md5(CAST(i * 2 AS VARCHAR)) AS user_id_hash, "
                        + "['spring','summer','autumn','winter','brand'][1 + CAST(i % 5 AS INTEGER)] AS campaign "
                        + "FROM range(" + rows + ") t(i) WHERE i % " + DAYS + " = " + d + ") TO '" + a
                        + "' (FORMAT parquet)");
            }
        }
    }

    private static void upload(S3TestServer s3, Path folder, String bucket) throws Exception {
        try (var days = Files.list(folder)) {
            for (Path day : days.sorted().toList()) {
                s3.putFile(bucket, "lake/" + day.getFileName() + "/part-0.parquet", day.resolve("part-0.parquet"));
            }
        }
    }

    /** The advertiser's side of a collaboration. */
    record Party(SignedHttpClient client, String membership, String accountId) {
    }

    /** A collaboration over the files on local disk (buckets null) or in the buckets. */
    private static Party collaboration(Lab lab, String tag, S3TestServer s3, String[] buckets, Path pub, Path adv)
            throws Exception {
        String[] ids = {"1" + tag, "2" + tag};
        String[][] parties = {{"publisher_audience", "segment"}, {"advertiser_audience", "campaign"}};
        Path[] folders = {pub.toRealPath(), adv.toRealPath()};
        SignedHttpClient[] clients = new SignedHttpClient[2];
        for (int i = 0; i < 2; i++) {
            var keys = lab.account(ids[i], parties[i][0], folders[i]);
            clients[i] = lab.client(keys.get("accessKeyId").asText(), keys.get("secretAccessKey").asText());
            Lab.glue(clients[i], "CreateDatabase", "{\"DatabaseInput\":{\"Name\":\"bench\"}}");
            String location;
            String parameters;
            if (buckets == null) {
                location = folders[i] + "/dt=*/part-0.parquet";
                parameters = "{\"classification\":\"parquet\"}";
            } else {
                Lab.call(lab.operator, "PUT", "/admin/accounts/" + ids[i] + "/dataRoots", "{\"dataRoots\":[\"s3://"
                        + buckets[i] + "/lake/\"]}", "cleanroom", Map.of());
                Lab.call(lab.operator, "POST", "/admin/accounts/" + ids[i] + "/connections", "{\"name\":\"lake\","
                        + "\"type\":\"S3\",\"endpoint\":\"" + s3.endpoint() + "\",\"region\":\"us-east-1\","
                        + "\"accessKeyId\":\"" + S3TestServer.ACCESS_KEY + "\",\"secretAccessKey\":\""
                        + S3TestServer.SECRET_KEY + "\",\"pathStyle\":true}", "cleanroom", Map.of());
                location = "s3://" + buckets[i] + "/lake/";
                parameters = "{\"classification\":\"parquet\",\"connectionName\":\"lake\"}";
            }
            Lab.glue(clients[i], "CreateTable", "{\"DatabaseName\":\"bench\",\"TableInput\":{\"Name\":\""
                    + parties[i][0] + "\",\"Parameters\":" + parameters + ",\"StorageDescriptor\":{\"Location\":"
                    + Lab.MAPPER.writeValueAsString(location) + "}}}");
        }
        String collaboration = Lab.api(clients[0], "POST", "/collaborations", "{\"name\":\"bench\",\"description\":"
                + "\"b\",\"creatorDisplayName\":\"p\",\"creatorMemberAbilities\":[],\"members\":[{\"accountId\":\""
                + ids[1] + "\",\"displayName\":\"a\",\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}],"
                + "\"queryLogStatus\":\"DISABLED\"}").at("/collaboration/id").asText();
        String[] memberships = new String[2];
        for (int i = 0; i < 2; i++) {
            memberships[i] = Lab.api(clients[i], "POST", "/memberships", "{\"collaborationIdentifier\":\""
                    + collaboration + "\",\"queryLogStatus\":\"DISABLED\"}").at("/membership/id").asText();
            String columns = "\"user_id_hash\",\"" + parties[i][1] + "\"" + (buckets != null && i == 0 ? ",\"dt\"" : "");
            String dimensions = "\"" + parties[i][1] + "\"" + (buckets != null && i == 0 ? ",\"dt\"" : "");
            String table = Lab.api(clients[i], "POST", "/configuredTables", "{\"name\":\"" + parties[i][0]
                    + "\",\"tableReference\":{\"glue\":{\"databaseName\":\"bench\",\"tableName\":\"" + parties[i][0]
                    + "\"}},\"allowedColumns\":[" + columns + "],\"analysisMethod\":\"DIRECT_QUERY\"}")
                    .at("/configuredTable/id").asText();
            Lab.api(clients[i], "POST", "/configuredTables/" + table + "/analysisRule", "{\"analysisRuleType\":"
                    + "\"AGGREGATION\",\"analysisRulePolicy\":{\"v1\":{\"aggregation\":{\"aggregateColumns\":[{"
                    + "\"columnNames\":[\"user_id_hash\"],\"function\":\"COUNT_DISTINCT\"}],\"joinColumns\":"
                    + "[\"user_id_hash\"],\"joinRequired\":\"QUERY_RUNNER\",\"dimensionColumns\":[" + dimensions
                    + "],\"scalarFunctions\":[],\"outputConstraints\":[{\"columnName\":\"user_id_hash\","
                    + "\"minimum\":2,\"type\":\"COUNT_DISTINCT\"}]}}}}");
            Lab.api(clients[i], "POST", "/memberships/" + memberships[i] + "/configuredTableAssociations",
                    "{\"name\":\"" + parties[i][0] + "\",\"configuredTableIdentifier\":\"" + table + "\",\"roleArn\":"
                            + "\"arn:aws:iam::" + ids[i] + ":role/lake\"}");
        }
        return new Party(clients[1], memberships[1], ids[1]);
    }

    /** StartProtectedQuery, poll to SUCCESS, read the result; milliseconds. */
    private static double run(Lab lab, Party party, String sql) throws Exception {
        long start = System.nanoTime();
        String path = "/memberships/" + party.membership() + "/protectedQueries";
        String body = Lab.MAPPER.writeValueAsString(Map.of("type", "SQL", "sqlParameters", Map.of("queryString", sql),
                "resultConfiguration", Map.of("outputConfiguration", Map.of("member",
                        Map.of("accountId", party.accountId())))));
        String id = Lab.api(party.client(), "POST", path, body).at("/protectedQuery/id").asText();
        String status;
        long pause = 1;
        do {
            Thread.sleep(pause);
            pause = Math.min(32, pause * 2);
            status = Lab.api(party.client(), "GET", path + "/" + id, null).at("/protectedQuery/status").asText();
        } while (status.equals("SUBMITTED") || status.equals("STARTED"));
        if (!status.equals("SUCCESS")) {
            throw new IllegalStateException("query ended " + status + ": "
                    + Lab.api(party.client(), "GET", path + "/" + id, null).at("/protectedQuery/error"));
        }
        Lab.api(party.client(), "GET", path + "/" + id + "/result", null);
        return (System.nanoTime() - start) / 1e6;
    }
}
