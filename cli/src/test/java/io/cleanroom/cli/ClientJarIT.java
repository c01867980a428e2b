package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client jar (cleanroom-client.jar) carries no server: it holds nothing of the server, the
 * query pipeline, query control, the engines or the JDBC drivers, and with it alone on the class
 * path ({@code java -jar}) a member and the operator do the tutorial's steps against a running
 * server, up to reading a query's result.
 */
class ClientJarIT {
    /** What the member commands must not need: packages of the server side and of its dependencies. */
    private static final List<String> SERVER_SIDE = List.of("io/cleanroom/server/", "io/cleanroom/query/",
            "io/cleanroom/sql/", "io/cleanroom/engine/", "io/cleanroom/store/", "io/cleanroom/core/",
            "org/apache/calcite/", "org/duckdb/", "org/sqlite/", "org/postgresql/", "org/flywaydb/",
            "org/eclipse/jetty/", "com/google/common/", "org/bouncycastle/", "com/sun/jna/", "org/apache/spark/");

    @TempDir
    Path dir;

    CleanroomServer server;

    @BeforeEach
    void start() {
        server = CleanroomServer.start(ServerConfig.defaults().withPort(0).withDataDir(dir.resolve("server")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Path jar() {
        Path jar = Path.of("target", "cleanroom-client.jar").toAbsolutePath();
        assertThat(jar).as("the client jar is packaged before the integration tests run").exists();
        return jar;
    }

    @Test
    void theClientJarHoldsNoServerEngineQueryControlOrJdbcDriver() throws IOException {
        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(jar().toFile())) {
            jar.stream().map(JarEntry::getName).forEach(entries::add);
        }
        assertThat(entries).contains("io/cleanroom/cli/Main.class", "io/cleanroom/client/Operation.class",
                "io/cleanroom/client/SignedHttpClient.class");
        for (String prefix : SERVER_SIDE) {
            assertThat(entries).as("entries under " + prefix).noneMatch(e -> e.startsWith(prefix));
        }
        assertThat(entries).doesNotContain("META-INF/services/java.sql.Driver");
    }

    /** One run of the client jar in its own JVM, signing with the keys given. */
    private record Run(int code, String out, String err) {
        JsonNode json() throws IOException {
            return Calls.MAPPER.readTree(out);
        }
    }

    private Run client(JsonNode keys, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint", server.endpoint()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("CLEANROOM_"));
        if (keys != null) {
            environment.put("AWS_ACCESS_KEY_ID", keys.get("accessKeyId").asText());
            environment.put("AWS_SECRET_ACCESS_KEY", keys.get("secretAccessKey").asText());
        }
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", args)).isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private Run ok(JsonNode keys, String... args) throws Exception {
        Run run = client(keys, args);
        assertThat(run.code()).as(String.join(" ", args) + ": " + run.err()).isZero();
        return run;
    }

    @Test
    void aMemberRunsTheTutorialsStepsWithTheClientJarAlone() throws Exception {
        Path root = Files.createDirectories(dir.resolve("member")).toRealPath();
        Files.writeString(root.resolve("audience.csv"), "user_id,segment\na,news\nb,news\nc,sports\n");
        JsonNode keys = ok(null, "admin", "create-account", "--account-id", "222222222222", "--name", "member",
                "--data-root", root.toString(), "--data-dir", dir.resolve("server").toString()).json();
        ok(keys, "catalog", "create-table", "--create-database", "--database", "lab", "--name", "audience",
                "--location", root.resolve("audience.csv").toString(), "--format", "csv");
        String collaboration = ok(keys, "create-collaboration", "--name", "solo", "--description", "d",
                "--creator-display-name", "member", "--creator-member-abilities",
                "[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]", "--members", "[]", "--query-log-status", "DISABLED")
                .json().at("/collaboration/id").asText();
        String membership = ok(keys, "create-membership", "--collaboration-identifier", collaboration,
                "--query-log-status", "DISABLED").json().at("/membership/id").asText();
        String table = ok(keys, "create-configured-table", "--name", "audience", "--table-reference",
                "{\"glue\":{\"databaseName\":\"lab\",\"tableName\":\"audience\"}}", "--allowed-columns",
                "[\"user_id\",\"segment\"]", "--analysis-method", "DIRECT_QUERY").json()
                .at("/configuredTable/id").asText();
        ok(keys, "create-configured-table-analysis-rule", "--configured-table-identifier", table,
                "--analysis-rule-type", "CUSTOM", "--analysis-rule-policy", "{\"v1\":{\"custom\":{"
                        + "\"allowedAnalyses\":[\"ANY_QUERY\"],\"allowedAnalysisProviders\":[\"222222222222\"]}}}");
        ok(keys, "create-configured-table-association", "--membership-identifier", membership,
                "--configured-table-identifier", table, "--name", "audience", "--role-arn",
                "arn:aws:iam::222222222222:role/cleanrooms");
        String query = ok(keys, "start-protected-query", "--membership-identifier", membership, "--type", "SQL",
                "--sql-parameters", "{\"queryString\":\"SELECT segment, COUNT(*) AS n FROM audience "
                        + "GROUP BY segment ORDER BY segment\"}").json().at("/protectedQuery/id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String status;
        do {
            status = ok(keys, "get-protected-query", "--membership-identifier", membership,
                    "--protected-query-identifier", query).json().at("/protectedQuery/status").asText();
        } while (!status.equals("SUCCESS") && !status.equals("FAILED") && System.nanoTime() < deadline);
        assertThat(status).isEqualTo("SUCCESS");
        Run results = ok(keys, "get-query-results", "--membership-identifier", membership,
                "--protected-query-identifier", query, "--format", "csv");
        assertThat(results.out().lines()).containsExactly("segment,n", "news,2", "sports,1");
    }

    @Test
    void theServersCommandsPointToTheFullJar() throws Exception {
        Run run = client(null, "server", "--port", "0");
        assertThat(run.code()).isEqualTo(Main.USAGE_ERROR);
        assertThat(run.err()).contains("'server' is a command of the full jar (cleanroom.jar");
    }
}
