package io.cleanroom.server;

import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;

/**
 * The PostgreSQL store stopped and started again under load, on a throwaway PostgreSQL server of
 * this test's own (scripts/pg-test-server): while the database is down every call answers a
 * retryable error (InternalServerException, 500, which the AWS SDKs retry) that says so, and never
 * hangs or leaks internals; once it is back the same server process serves again, loses no
 * acknowledged write, runs the query a worker took up while it was down, and its audit trail
 * verifies.
 */
class PostgresOutageIT {
    /** A PostgreSQL server in a scratch directory, on a fixed port so that it comes back where it was. */
    static final class ThrowawayPostgres implements AutoCloseable {
        private final Path dir;
        private final int port;
        private String url;

        ThrowawayPostgres(Path dir) throws IOException {
            this.dir = dir;
            try (ServerSocket socket = new ServerSocket(0)) {
                this.port = socket.getLocalPort();
            }
        }

        private String run(String action) throws IOException, InterruptedException {
            Path script = Path.of("..", "scripts", "pg-test-server").toAbsolutePath().normalize();
            ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), action, dir.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("PGPORT_TEST", String.valueOf(port));
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("pg-test-server " + action + " failed");
            }
            return out;
        }

        String start() throws IOException, InterruptedException {
            String[] lines = run("start").split("\n");
            url = lines[lines.length - 1];
            return url;
        }

        void stop() throws IOException, InterruptedException {
            run("stop");
        }

        @Override
        public void close() throws Exception {
            stop();
            // the cluster may live outside dir (see pg-test-server); remove it wherever it is
            Path location = dir.resolve("cluster-location");
            if (Files.exists(location)) {
                Path base = Path.of(Files.readString(location).trim());
                if (!base.equals(dir) && base.getFileName().toString().startsWith("cleanroom-pg-")) {
                    delete(base);
                }
            }
            delete(dir);
        }

        private static void delete(Path root) throws IOException {
            if (!Files.exists(root)) {
                return;
            }
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted(Collections.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One answer the load got, and in which phase of the outage it was sent. */
    record Answer(String phase, int status, String type, String body) {
    }

    ThrowawayPostgres postgres;
    TestCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theServerAnswersRetryableErrorsWhileTheDatabaseIsDownAndRecoversWithoutARestart() throws Exception {
        postgres = new ThrowawayPostgres(Files.createTempDirectory("cleanroom-outage"));
        String url = postgres.start();
        java.util.concurrent.CountDownLatch taken = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        cluster = TestCluster.startOnPostgres(url, c -> c.withEngine(
                new ServerConfig.Engine("512MB", 2, 1, Duration.ofMinutes(5), 100_000)));
        TestCluster.Keys keys = Fixtures.account(cluster, "owner");
        List<String> rows = new ArrayList<>(List.of("k,v"));
        for (int i = 0; i < 1_000; i++) {
            rows.add(i + "," + (i % 7));
        }
        Fixtures.catalogTable(cluster, keys, "db", "big", rows, false);
        String membership;
        String query;
        try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
            String collaboration = client.createCollaboration(r -> r.name("solo").description("d")
                    .creatorDisplayName("o").creatorMemberAbilitiesWithStrings("CAN_QUERY", "CAN_RECEIVE_RESULTS")
                    .members(List.of()).queryLogStatus("DISABLED")).collaboration().id();
            membership = Fixtures.join(client, collaboration);
            String table = Fixtures.configuredTable(client, "big", "db", "big", "k", "v");
            client.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                    .analysisRuleType("CUSTOM").analysisRulePolicy(p -> p.v1(v -> v.custom(c -> c
                            .allowedAnalyses("ANY_QUERY").allowedAnalysisProviders(keys.accountId())))));
            Fixtures.associate(client, membership, table, "big");
            // a query whose worker takes it up while the database is down
            cluster.server.queries().beforeStart(id -> {
                taken.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            query = client.startProtectedQuery(r -> r.membershipIdentifier(membership).type("SQL")
                    .sqlParameters(s -> s.queryString("SELECT v, COUNT(*) AS n FROM big GROUP BY v"))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(keys.accountId())))))
                    .protectedQuery().id();
        }
        SignedHttpClient http = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(),
                "us-east-1", Clock.systemUTC());

        AtomicReference<String> phase = new AtomicReference<>("before");
        AtomicBoolean running = new AtomicBoolean(true);
        List<Answer> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int worker = t;
            Thread thread = new Thread(() -> {
                int n = 0;
                while (running.get()) {
                    String sent = phase.get();
                    try {
                        SignedHttpClient.Response r = n % 2 == 0
                                ? http.send("POST", "/configuredTables", Map.of(), Map.of(), "{\"name\":\"t" + worker
                                        + "-" + n + "\",\"tableReference\":{\"glue\":{\"databaseName\":\"db\","
                                        + "\"tableName\":\"big\"}},\"allowedColumns\":[\"k\"],\"analysisMethod\":"
                                        + "\"DIRECT_QUERY\"}", "cleanrooms")
                                : http.send("GET", "/configuredTables", Map.of(), Map.of(), null, "cleanrooms");
                        answers.add(new Answer(sent, r.status(), r.errorType(), r.body()));
                        if (r.ok() && n % 2 == 0) {
                            acknowledged.add(Json.MAPPER.readTree(r.body()).at("/configuredTable/id").asText());
                        }
                    } catch (IOException | InterruptedException e) {
                        answers.add(new Answer(sent, 0, e.getClass().getSimpleName(), String.valueOf(e.getMessage())));
                    }
                    n++;
                }
            }, "load-" + t);
            load.add(thread);
            thread.start();
        }
        waitFor(() -> answers.stream().filter(a -> a.status() == 200).count() >= 20);
        postgres.stop();
        phase.set("down");
        waitFor(() -> answers.stream().filter(a -> a.phase().equals("down")).count() >= 30);
        taken.await();
        release.countDown();
        waitFor(() -> answers.stream().filter(a -> a.phase().equals("down")).count() >= 60);
        // calls sent while it starts may find it not yet up, or up
        phase.set("starting");
        postgres.start();
        phase.set("after");
        waitFor(() -> answers.stream().filter(a -> a.phase().equals("after") && a.status() == 200).count() >= 30);
        running.set(false);
        for (Thread thread : load) {
            thread.join();
        }

        List<Answer> before = answers.stream().filter(a -> a.phase().equals("before")).toList();
        List<Answer> down = answers.stream().filter(a -> a.phase().equals("down")).toList();
        List<Answer> after = answers.stream().filter(a -> a.phase().equals("after")).toList();
        // while the database is down: answered (not hung, not dropped), retryable, saying what is wrong
        assertThat(down).isNotEmpty().allSatisfy(a -> {
            assertThat(a.status()).as(a.toString()).isEqualTo(500);
            assertThat(a.type()).isEqualTo("InternalServerException");
            assertThat(a.body()).contains("metadata store cannot be reached").doesNotContain("PSQL")
                    .doesNotContain("org.postgresql").doesNotContain("at io.cleanroom");
        });
        assertThat(before).anySatisfy(a -> assertThat(a.status()).isEqualTo(200));
        // once it is back the same process serves: after the first success no call fails again
        int firstSuccess = 0;
        while (after.get(firstSuccess).status() != 200) {
            assertThat(after.get(firstSuccess).status()).as(after.get(firstSuccess).toString()).isEqualTo(500);
            firstSuccess++;
        }
        assertThat(after.subList(firstSuccess, after.size())).allSatisfy(a ->
                assertThat(a.status()).as(a.toString()).isEqualTo(200));

        // every acknowledged write is there; the running query ended; the trail verifies
        List<String> listed = new ArrayList<>();
        String token = null;
        do {
            SignedHttpClient.Response page = http.send("GET", "/configuredTables", token == null ? Map.of()
                    : Map.of("nextToken", List.of(token)), Map.of(), null, "cleanrooms");
            JsonNode json = Json.MAPPER.readTree(page.body());
            json.get("configuredTableSummaries").forEach(t -> listed.add(t.get("id").asText()));
            token = json.hasNonNull("nextToken") ? json.get("nextToken").asText() : null;
        } while (token != null);
        assertThat(listed).containsAll(acknowledged);
        String[] status = {null};
        waitFor(() -> {
            status[0] = Json.MAPPER.readTree(http.send("GET", "/memberships/" + membership + "/protectedQueries/"
                    + query, Map.of(), Map.of(), null, "cleanrooms").body()).at("/protectedQuery/status").asText();
            return !status[0].equals("SUBMITTED") && !status[0].equals("STARTED");
        });
        assertThat(status[0]).isEqualTo("SUCCESS");
        JsonNode verified = Json.MAPPER.readTree(cluster.admin("GET", "/admin/audit/verify", null).body());
        assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits for a condition, at most two minutes (a bound against hanging, not a timing check). */
    private static void waitFor(Condition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in two minutes");
            }
            Thread.sleep(20);
        }
    }
}
