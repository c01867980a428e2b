package io.cleanroom.server;

import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The disk holding the data directory, or the results, fills up: calls fail with an error that
 * says so, nothing already stored is damaged, and once space is freed the same server serves
 * again. Where this machine lets the test mount file systems (root, CAP_SYS_ADMIN) the data
 * directory and the results directory are small tmpfs mounts filled to the last byte. Where it
 * does not, the metadata store is SQLite told not to grow past its size (max_page_count: the same
 * SQLITE_FULL a full disk gives), and the results directory's full disk is ResultStoreTest's.
 */
class FullDiskIT {
    private final List<Path> mounts = new ArrayList<>();
    private TestCluster cluster;

    @AfterEach
    void unmount() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        for (int i = mounts.size() - 1; i >= 0; i--) {
            new ProcessBuilder("umount", mounts.get(i).toString()).inheritIO().start().waitFor();
        }
    }

    /** Mounts a tmpfs of the given size; false when this machine does not allow it. */
    private boolean mount(Path dir, String size) throws IOException, InterruptedException {
        if (Boolean.getBoolean("cleanroom.test.noMount")) {
            return false;
        }
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs",
                dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            System.out.println("FullDiskIT: cannot mount a tmpfs here (" + out.trim() + ")");
            return false;
        }
        mounts.add(dir);
        return true;
    }

    /** Writes a file until the file system is full; returns it. */
    private static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left on device");
        }
        // the last bytes too
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(0);
                out.flush();
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left on device");
        }
        return filler;
    }

    private SignedHttpClient.Response createTable(SignedHttpClient http, String name) throws Exception {
        return http.send("POST", "/configuredTables", Map.of(), Map.of(), "{\"name\":\"" + name + "\","
                + "\"tableReference\":{\"glue\":{\"databaseName\":\"db\",\"tableName\":\"t\"}},\"allowedColumns\":"
                + "[\"k\",\"v\"],\"analysisMethod\":\"DIRECT_QUERY\"}", "cleanrooms");
    }

    private static List<String> tables(SignedHttpClient http) throws Exception {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            SignedHttpClient.Response r = http.send("GET", "/configuredTables", token == null ? Map.of()
                    : Map.of("nextToken", List.of(token)), Map.of(), null, "cleanrooms");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode json = Json.MAPPER.readTree(r.body());
            json.get("configuredTableSummaries").forEach(t -> out.add(t.get("id").asText()));
            token = json.hasNonNull("nextToken") ? json.get("nextToken").asText() : null;
        } while (token != null);
        return out;
    }

    private String query(SignedHttpClient http, String membership, String sql, String account) throws Exception {
        SignedHttpClient.Response r = http.send("POST", "/memberships/" + membership + "/protectedQueries", Map.of(),
                Map.of(), "{\"type\":\"SQL\",\"sqlParameters\":{\"queryString\":\"" + sql + "\"},"
                        + "\"resultConfiguration\":{\"outputConfiguration\":{\"member\":{\"accountId\":\"" + account
                        + "\"}}}}", "cleanrooms");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = Json.MAPPER.readTree(r.body()).at("/protectedQuery/id").asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode q = Json.MAPPER.readTree(http.send("GET", "/memberships/" + membership + "/protectedQueries/" + id,
                    Map.of(), Map.of(), null, "cleanrooms").body()).get("protectedQuery");
            if (!q.get("status").asText().equals("SUBMITTED") && !q.get("status").asText().equals("STARTED")) {
                return id;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("query " + id + " did not end");
    }

    private JsonNode get(SignedHttpClient http, String path) throws Exception {
        return Json.MAPPER.readTree(http.send("GET", path, Map.of(), Map.of(), null, "cleanrooms").body());
    }

    private static void integrityCheck(Path database) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }

    @Test
    void aFullDiskFailsCallsClearlyAndDamagesNothing() throws Exception {
        Path base = Files.createTempDirectory("cleanroom-full");
        Path dataDir = base.resolve("data");
        boolean tmpfs = mount(dataDir, "6m") && mount(dataDir.resolve("results"), "256k");
        // without mounts, the metadata store may not grow past what it holds once set up (pages of 4 KiB)
        String storeUrl = tmpfs ? null : "jdbc:sqlite:" + dataDir.resolve("metadata.db") + "?max_page_count=200";
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> {
            ServerConfig config = c.withDataDir(dataDir);
            return storeUrl == null ? config : config.withStore(storeUrl, null, null);
        });
        System.out.println("FullDiskIT: " + (tmpfs ? "tmpfs mounts" : "SQLite max_page_count"));

        Path root = Files.createDirectories(base.resolve("files")).toRealPath();
        TestCluster.Keys keys = cluster.createAccount("111111111111", "owner", List.of(root));
        StringBuilder csv = new StringBuilder("k,v\n");
        for (int i = 0; i < 20_000; i++) {
            csv.append(i).append(',').append(i % 5).append('\n');
        }
        Files.writeString(root.resolve("t.csv"), csv);
        try (var glue = cluster.glue(keys)) {
            glue.createDatabase(r -> r.databaseInput(d -> d.name("db")));
            glue.createTable(r -> r.databaseName("db").tableInput(t -> t.name("t")
                    .parameters(Map.of("classification", "csv"))
                    .storageDescriptor(sd -> sd.location(root.resolve("t.csv").toString()))));
        }
        SignedHttpClient http = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(),
                "us-east-1", Clock.systemUTC());
        JsonNode collaboration = Json.MAPPER.readTree(http.send("POST", "/collaborations", Map.of(), Map.of(),
                "{\"name\":\"solo\",\"description\":\"d\",\"creatorDisplayName\":\"o\",\"creatorMemberAbilities\":"
                        + "[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"],\"members\":[],\"queryLogStatus\":\"DISABLED\"}",
                "cleanrooms").body());
        String membership = Json.MAPPER.readTree(http.send("POST", "/memberships", Map.of(), Map.of(),
                "{\"collaborationIdentifier\":\"" + collaboration.at("/collaboration/id").asText()
                        + "\",\"queryLogStatus\":\"DISABLED\"}", "cleanrooms").body()).at("/membership/id").asText();
        String table = Json.MAPPER.readTree(createTable(http, "t").body()).at("/configuredTable/id").asText();
        assertThat(http.send("POST", "/configuredTables/" + table + "/analysisRule", Map.of(), Map.of(),
                "{\"analysisRuleType\":\"CUSTOM\",\"analysisRulePolicy\":{\"v1\":{\"custom\":{\"allowedAnalyses\":"
                        + "[\"ANY_QUERY\"],\"allowedAnalysisProviders\":[\"111111111111\"]}}}}", "cleanrooms")
                .status()).isEqualTo(200);
        assertThat(http.send("POST", "/memberships/" + membership + "/configuredTableAssociations", Map.of(), Map.of(),
                "{\"name\":\"t\",\"configuredTableIdentifier\":\"" + table + "\",\"roleArn\":"
                        + "\"arn:aws:iam::111111111111:role/r\"}", "cleanrooms").status()).isEqualTo(200);
        // what is stored before the disk fills: a query's result and some tables
        String before = query(http, membership, "SELECT v, COUNT(*) AS n FROM t GROUP BY v", "111111111111");
        assertThat(get(http, "/memberships/" + membership + "/protectedQueries/" + before)
                .at("/protectedQuery/status").asText()).isEqualTo("SUCCESS");
        List<String> acknowledged = new ArrayList<>(List.of(table));
        for (int i = 0; i < 5; i++) {
            SignedHttpClient.Response r = createTable(http, "before" + i);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            acknowledged.add(Json.MAPPER.readTree(r.body()).at("/configuredTable/id").asText());
        }

        if (tmpfs) {
            // the results' disk full: the query fails saying so, and leaves no partial file
            Path filler = fill(dataDir.resolve("results"));
            String failed = query(http, membership, "SELECT k, v FROM t", "111111111111");
            JsonNode q = get(http, "/memberships/" + membership + "/protectedQueries/" + failed).get("protectedQuery");
            assertThat(q.get("status").asText()).isEqualTo("FAILED");
            assertThat(q.at("/error/message").asText()).contains("no space left");
            try (Stream<Path> files = Files.list(dataDir.resolve("results"))) {
                assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(before + ".result",
                        "filler");
            }
            Files.delete(filler);
        }

        // the data directory's disk full: every call that cannot be recorded fails, saying why
        Path filler = tmpfs ? fill(dataDir) : null;
        int refused = 0;
        for (int i = 0; i < 3000 && refused < 6; i++) {
            SignedHttpClient.Response r = i % 2 == 0 ? createTable(http, "during" + i)
                    : http.send("GET", "/configuredTables", Map.of(), Map.of(), null, "cleanrooms");
            if (r.ok()) {
                if (i % 2 == 0) {
                    acknowledged.add(Json.MAPPER.readTree(r.body()).at("/configuredTable/id").asText());
                }
            } else {
                assertThat(r.status()).as(r.body()).isEqualTo(500);
                assertThat(r.errorType()).isEqualTo("InternalServerException");
                assertThat(r.body()).contains("out of disk space").doesNotContain("SQLITE").doesNotContain("at io.");
                refused++;
            }
        }
        assertThat(refused).isEqualTo(6);
        integrityCheck(dataDir.resolve("metadata.db"));

        if (tmpfs) {
            // space freed: the same server serves again
            Files.delete(filler);
            SignedHttpClient.Response again = createTable(http, "after");
            assertThat(again.status()).as(again.body()).isEqualTo(200);
            acknowledged.add(Json.MAPPER.readTree(again.body()).at("/configuredTable/id").asText());
            assertThat(tables(http)).containsExactlyInAnyOrderElementsOf(acknowledged);
        }

        // and after a restart (without the limit, where there was one) everything stored is there, whole
        if (tmpfs) {
            cluster.stop();
            cluster.restart();
        } else {
            cluster.close();
            cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withDataDir(dataDir));
        }
        http = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(), "us-east-1",
                Clock.systemUTC());
        integrityCheck(dataDir.resolve("metadata.db"));
        assertThat(tables(http)).containsExactlyInAnyOrderElementsOf(acknowledged);
        SignedHttpClient.Response result = http.send("GET", "/memberships/" + membership + "/protectedQueries/"
                + before + "/result", Map.of(), Map.of(), null, "cleanrooms");
        assertThat(result.status()).as(result.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(result.body()).get("rows")).hasSize(5);
        JsonNode verified = Json.MAPPER.readTree(cluster.admin("GET", "/admin/audit/verify", null).body());
        assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    }
}
