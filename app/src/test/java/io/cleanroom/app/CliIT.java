package io.cleanroom.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.cli.Calls;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The cleanroom command end to end: the packaged jar runs the server in its own process, and the
 * CLI drives it: the operator flow, the tutorial's setup steps, readable errors, and a server
 * killed with SIGKILL in the middle of writes that restarts with every acknowledged change.
 */
class CliIT {
    @TempDir
    Path dir;

    Process server;
    int port;
    Path dataDir;

    @BeforeEach
    void start() throws Exception {
        dataDir = dir.resolve("data");
        port = freePort();
        server = startServer();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        System.clearProperty("aws.sharedCredentialsFile");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Where the last server started writes its output. */
    Path serverLog;

    private Process startServer(String... options) throws Exception {
        return startServer(java.util.Map.of(), options);
    }

    private Process startServer(java.util.Map<String, String> environment, String... options) throws Exception {
        Path jar = Path.of("target", "cleanroom.jar").toAbsolutePath();
        assertThat(jar).exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString(), "server", "--port",
                String.valueOf(port), "--data-dir", dataDir.toString()));
        command.addAll(List.of(options));
        serverLog = dir.resolve("server-" + System.nanoTime() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process p = builder
                .redirectErrorStream(true)
                .redirectOutput(serverLog.toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                assertThat(s.isConnected()).isTrue();
                return p;
            } catch (IOException e) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("server exited with " + p.exitValue());
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("server did not start in 60 s");
    }

    /** The server's output once it holds the text (it prints some lines after it listens). */
    private String awaitLog(String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String log = Files.readString(serverLog);
        while (!log.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            log = Files.readString(serverLog);
        }
        return log;
    }

    record Result(int code, String out, String err) {
        JsonNode json() throws IOException {
            return Calls.MAPPER.readTree(out);
        }
    }

    private Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--endpoint")) {
            all.add("--endpoint");
            all.add("http://127.0.0.1:" + port);
        }
        if (args[0].equals("admin")) {
            all.add("--data-dir");
            all.add(dataDir.toString());
        }
        int code = cl.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    private Result ok(String... args) {
        Result r = run(args);
        assertThat(r.code()).as(r.err()).isZero();
        return r;
    }

    /** Writes ~/.aws/credentials-style profiles for the accounts and points the SDK's loader at it. */
    private void profiles(JsonNode... accounts) throws IOException {
        StringBuilder text = new StringBuilder();
        for (JsonNode a : accounts) {
            text.append('[').append(a.get("accountId").asText()).append("]\n")
                    .append("aws_access_key_id = ").append(a.get("accessKeyId").asText()).append('\n')
                    .append("aws_secret_access_key = ").append(a.get("secretAccessKey").asText()).append("\n\n");
        }
        Path file = dir.resolve("credentials");
        Files.writeString(file, text);
        System.setProperty("aws.sharedCredentialsFile", file.toString());
    }

    /** A directory for one account's data, to grant as its data root. */
    private Path root(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name)).toRealPath();
    }

    @Test
    void operatorAndTutorialSetupWithTheCli() throws Exception {
        Path publisherRoot = root("publisher");
        Path advertiserRoot = root("advertiser");
        JsonNode publisher = ok("admin", "create-account", "--account-id", "111111111111", "--name", "publisher",
                "--data-root", publisherRoot.toString()).json();
        assertThat(publisher.get("secretAccessKey").asText()).hasSize(40);
        assertThat(publisher.get("dataRoots").toString()).contains(publisherRoot.toString());
        // without --data-root the account exists but can register nothing until the operator grants a root
        JsonNode advertiser = ok("admin", "create-account", "--account-id", "222222222222", "--name", "advertiser")
                .json();
        assertThat(advertiser.get("dataRoots")).isEmpty();
        assertThat(ok("admin", "list-accounts").out()).contains("publisher").contains("advertiser")
                .doesNotContain(publisher.get("secretAccessKey").asText());
        Result duplicate = run("admin", "create-account", "--account-id", "111111111111", "--name", "again");
        assertThat(duplicate.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(duplicate.err()).contains("ConflictException").contains("already exists");
        profiles(publisher, advertiser);

        Path pubCsv = publisherRoot.resolve("publisher_audience.csv");
        Files.writeString(pubCsv, "user_id_hash,segment\naaa111,news\nbbb222,sports\nccc333,news\n");
        Path advCsv = advertiserRoot.resolve("advertiser_audience.csv");
        Files.writeString(advCsv, "user_id_hash,campaign\nbbb222,spring_launch\nccc333,spring_launch\n");
        ok("catalog", "create-table", "--profile", "111111111111", "--create-database", "--database",
                "cleanrooms_lab", "--name", "publisher_audience", "--location", pubCsv.toString(), "--format", "csv");
        Result noRoots = run("catalog", "create-table", "--profile", "222222222222", "--create-database",
                "--database", "cleanrooms_lab", "--name", "advertiser_audience", "--location", advCsv.toString(),
                "--format", "csv");
        assertThat(noRoots.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(noRoots.err()).contains("AccessDeniedException").contains("no data roots")
                .contains("operator must grant one");
        // nor may it read the publisher's file
        ok("admin", "set-data-roots", "--account-id", "222222222222", "--path", advertiserRoot.toString());
        // connections: the secret comes from standard input, never an option, and is never printed back
        java.io.InputStream stdin = System.in;
        JsonNode s3;
        JsonNode dw;
        try {
            System.setIn(new java.io.ByteArrayInputStream("cli-s3-secret-7e1f\n".getBytes(StandardCharsets.UTF_8)));
            s3 = ok("admin", "create-connection", "--account-id", "111111111111", "--name", "pub-lake", "--type", "S3",
                    "--s3-endpoint", "http://127.0.0.1:9", "--s3-region", "us-east-1", "--access-key-id", "PUBREADER",
                    "--path-style").json();
            System.setIn(new java.io.ByteArrayInputStream("cli-pg-password-3c9a\n".getBytes(StandardCharsets.UTF_8)));
            dw = ok("catalog", "create-connection", "--profile", "222222222222", "--name", "adv-dw", "--type",
                    "POSTGRESQL", "--jdbc-url", "jdbc:postgresql://127.0.0.1:9/marketing", "--user", "reader").json();
        } finally {
            System.setIn(stdin);
        }
        assertThat(s3.get("pathStyle").asBoolean()).isTrue();
        assertThat(dw.at("/Connection/ConnectionProperties/USERNAME").asText()).isEqualTo("reader");
        String listed = ok("admin", "list-connections", "--account-id", "111111111111").out()
                + ok("catalog", "list-connections", "--profile", "222222222222").out()
                + ok("admin", "get-connection", "--account-id", "222222222222", "--name", "ADV-DW").out();
        assertThat(listed).contains("pub-lake").contains("adv-dw").doesNotContain("cli-s3-secret")
                .doesNotContain("cli-pg-password");
        Result noSecret;
        try {
            System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
            noSecret = run("admin", "create-connection", "--account-id", "111111111111", "--name", "x",
                    "--type", "S3", "--s3-region", "us-east-1", "--access-key-id", "AK");
        } finally {
            System.setIn(stdin);
        }
        assertThat(noSecret.code()).isEqualTo(Main.USAGE_ERROR);
        assertThat(noSecret.err()).contains("CLEANROOM_CONNECTION_SECRET");
        ok("catalog", "delete-connection", "--profile", "222222222222", "--name", "adv-dw");
        Result theirs = run("catalog", "create-table", "--profile", "222222222222", "--create-database",
                "--database", "cleanrooms_lab", "--name", "stolen", "--location", pubCsv.toString(), "--format", "csv");
        assertThat(theirs.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(theirs.err()).contains("does not exist or is outside your data roots");
        JsonNode table = ok("catalog", "create-table", "--profile", "222222222222", "--create-database",
                "--database", "cleanrooms_lab", "--name", "advertiser_audience", "--location", advCsv.toString(),
                "--format", "csv", "--column", "user_id_hash:string", "--column", "campaign:string").json();
        assertThat(table.at("/Table/StorageDescriptor/Columns/1/Name").asText()).isEqualTo("campaign");

        String collaboration = ok("create-collaboration", "--profile", "111111111111", "--name", "lab",
                "--description", "overlap", "--creator-display-name", "publisher", "--creator-member-abilities", "[]",
                "--members", "[{\"accountId\":\"222222222222\",\"displayName\":\"advertiser\","
                        + "\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}]",
                "--query-log-status", "DISABLED").json().at("/collaboration/id").asText();
        assertThat(ok("list-collaborations", "--profile", "222222222222", "--member-status", "INVITED").json()
                .at("/collaborationList/0/memberStatus").asText()).isEqualTo("INVITED");
        String pm = ok("create-membership", "--profile", "111111111111", "--collaboration-identifier", collaboration,
                "--query-log-status", "DISABLED").json().at("/membership/id").asText();
        ok("create-membership", "--profile", "222222222222", "--collaboration-identifier", collaboration,
                "--query-log-status", "DISABLED");
        String ct = ok("create-configured-table", "--profile", "111111111111", "--name", "publisher_audience",
                "--table-reference", "{\"glue\":{\"databaseName\":\"cleanrooms_lab\",\"tableName\":\"publisher_audience\"}}",
                "--allowed-columns", "[\"user_id_hash\",\"segment\"]", "--analysis-method", "DIRECT_QUERY").json()
                .at("/configuredTable/id").asText();
        ok("create-configured-table-analysis-rule", "--profile", "111111111111", "--configured-table-identifier", ct,
                "--analysis-rule-type", "AGGREGATION", "--analysis-rule-policy",
                "{\"v1\":{\"aggregation\":{\"aggregateColumns\":[{\"columnNames\":[\"user_id_hash\"],"
                        + "\"function\":\"COUNT_DISTINCT\"}],\"joinColumns\":[\"user_id_hash\"],\"joinRequired\":"
                        + "\"QUERY_RUNNER\",\"dimensionColumns\":[\"segment\"],\"scalarFunctions\":[],"
                        + "\"outputConstraints\":[{\"columnName\":\"user_id_hash\",\"minimum\":2,"
                        + "\"type\":\"COUNT_DISTINCT\"}]}}}");
        ok("create-configured-table-association", "--profile", "111111111111", "--membership-identifier", pm,
                "--configured-table-identifier", ct, "--name", "publisher_audience", "--role-arn",
                "arn:aws:iam::111111111111:role/cleanrooms");
        JsonNode schema = ok("get-schema", "--profile", "222222222222", "--collaboration-identifier", collaboration,
                "--name", "publisher_audience").json();
        assertThat(schema.at("/schema/schemaStatusDetails/0/status").asText()).isEqualTo("READY");
        String arn = ok("get-configured-table", "--profile", "111111111111", "--configured-table-identifier", ct)
                .json().at("/configuredTable/arn").asText();
        ok("tag-resource", "--profile", "111111111111", "--resource-arn", arn, "--tags", "{\"team\":\"ads\"}");
        assertThat(ok("list-tags-for-resource", "--profile", "111111111111", "--resource-arn", arn).json()
                .at("/tags/team").asText()).isEqualTo("ads");

        Result bad = run("create-configured-table", "--profile", "222222222222", "--name", "x", "--table-reference",
                "{\"glue\":{\"databaseName\":\"cleanrooms_lab\",\"tableName\":\"advertiser_audience\"}}",
                "--allowed-columns", "[\"email\"]", "--analysis-method", "DIRECT_QUERY");
        assertThat(bad.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(bad.err()).startsWith("An error occurred (ValidationException) when calling the "
                + "CreateConfiguredTable operation").contains("email");
        Result unreachable = run("list-collaborations", "--profile", "111111111111", "--endpoint",
                "http://127.0.0.1:1");
        assertThat(unreachable.err()).contains("cannot connect");
        // the operator reads and verifies the audit trail of all of this
        Result verified = ok("admin", "list-accounts");
        assertThat(verified.code()).isZero();
        CommandLine cl = Main.commandLine();
        StringWriter auditOut = new StringWriter();
        cl.setOut(new PrintWriter(auditOut));
        assertThat(cl.execute("audit", "verify", "--endpoint", "http://127.0.0.1:" + port, "--data-dir",
                dataDir.toString())).isZero();
        assertThat(auditOut.toString()).contains("\"verified\" : true");
        StringWriter exported = new StringWriter();
        CommandLine export = Main.commandLine();
        export.setOut(new PrintWriter(exported));
        assertThat(export.execute("audit", "export", "--endpoint", "http://127.0.0.1:" + port, "--data-dir",
                dataDir.toString())).isZero();
        assertThat(exported.toString().lines()).anyMatch(l -> l.contains("\"eventName\":\"CreateConfiguredTable\"")
                && l.contains("ValidationException"));
        StringWriter digested = new StringWriter();
        CommandLine digest = Main.commandLine();
        digest.setOut(new PrintWriter(digested));
        assertThat(digest.execute("audit", "digest", "--endpoint", "http://127.0.0.1:" + port, "--data-dir",
                dataDir.toString())).isZero();
        assertThat(digested.toString()).contains("\"signature\"");
        Result lookup = ok("audit", "lookup", "--profile", "111111111111", "--attribute", "EventName=TagResource");
        assertThat(lookup.out().lines()).singleElement().satisfies(l -> assertThat(l).contains("111111111111"));
    }

    @Test
    void demoReplaysTheTutorial() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("demo", "--data-dir", dir.resolve("demo").toString(), "--users", "3000", "--dp"))
                .isZero();
        String text = out.toString();
        assertThat(text).contains("Step 8").contains("0 rows")
                .contains("Join column advertiser_audience.user_id_hash can only be used in INNER JOIN ON conditions")
                .contains("12 rows").contains("Demo finished");
        // --dp: a noisy overlap per campaign (3 campaigns of about 330 users each), paid from the budget
        // (1 of 10 COUNTs: the count of users, which also chooses the groups), then given again for free
        String dp = text.substring(text.indexOf("Differential privacy"));
        assertThat(dp).contains("10 of 10 COUNT").contains("3 rows").contains("overlap_users")
                .contains("sensitivity: COUNT_DISTINCT COUNT(DISTINCT p.user_id_hash), at most 1 row per user")
                .contains("9 of 10 COUNT");
        assertThat(dp.substring(dp.indexOf("The same query again"))).contains("9 of 10 COUNT")
                .doesNotContain("8 of 10 COUNT");
    }

    @Test
    void allowAnyPathIsADevelopmentSwitchThatWarnsAtStart() throws Exception {
        assertThat(Files.readString(serverLog)).doesNotContain("--allow-any-path");
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        server = startServer("--allow-any-path");
        assertThat(Files.readString(serverLog)).contains("WARNING: --allow-any-path is on")
                .contains("never on a shared server");
        JsonNode account = ok("admin", "create-account", "--account-id", "444444444444", "--name", "dev").json();
        profiles(account);
        Path csv = Files.writeString(dir.resolve("anywhere.csv"), "a,b\n1,2\n");
        ok("catalog", "create-table", "--profile", "444444444444", "--create-database", "--database", "db",
                "--name", "t", "--location", csv.toString(), "--format", "csv");
    }

    @Test
    void quotasAreSetByEnvironmentOrOption() throws Exception {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        server = startServer(java.util.Map.of("CLEANROOM_QUOTA_COLLABORATIONS_PER_ACCOUNT", "1"));
        profiles(ok("admin", "create-account", "--account-id", "555555555555", "--name", "q").json());
        String[] create = {"create-collaboration", "--profile", "555555555555", "--name", "c", "--description", "d",
                "--creator-display-name", "q", "--creator-member-abilities", "[]", "--members", "[]",
                "--query-log-status", "DISABLED"};
        ok(create);
        Result refused = run(create);
        assertThat(refused.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(refused.err()).contains("ServiceQuotaExceededException")
                .contains("Collaborations created per account").contains("limit 1");
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        // the option wins over the environment, as for every option
        server = startServer(java.util.Map.of("CLEANROOM_QUOTA_COLLABORATIONS_PER_ACCOUNT", "1"),
                "--quota-collaborations-per-account", "2");
        ok(create);
        assertThat(run(create).err()).contains("limit 2");
    }

    @Test
    void theServerServesHttpsWithItsDevelopmentCertificateAndTheCliTrustsIt() throws Exception {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        server = startServer("--tls-self-signed");
        Path ca = dataDir.resolve("tls").resolve("ca.pem").toAbsolutePath();
        String log = awaitLog("Development certificate: clients trust " + ca);
        assertThat(log).contains("Cleanroom listening on https://127.0.0.1:" + port)
                .containsPattern("TLS certificate SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}")
                .contains("Development certificate: clients trust " + ca);
        String https = "https://127.0.0.1:" + port;
        // admin commands trust the data directory's development authority by themselves
        JsonNode account = ok("admin", "create-account", "--account-id", "555555555555", "--name", "tls",
                "--endpoint", https).json();
        profiles(account);
        Result untrusted = run("list-collaborations", "--profile", "555555555555", "--endpoint", https);
        assertThat(untrusted.code()).isNotZero();
        assertThat(ok("list-collaborations", "--profile", "555555555555", "--endpoint", https, "--ca-bundle",
                ca.toString()).json().get("collaborationList")).isEmpty();
        // plain HTTP on the HTTPS port is not served
        assertThat(run("list-collaborations", "--profile", "555555555555").code()).isNotZero();
    }

    @Test
    void plainHttpOffLoopbackWarnsAtStartAndRequireTlsRefusesIt() throws Exception {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
        server = startServer("--host", "0.0.0.0");
        assertThat(Files.readString(serverLog)).contains("WARNING: serving plain HTTP on 0.0.0.0");
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);

        Path jar = Path.of("target", "cleanroom.jar").toAbsolutePath();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process refused = new ProcessBuilder(javaBin, "-jar", jar.toString(), "server", "--port", String.valueOf(port),
                "--data-dir", dataDir.toString(), "--host", "0.0.0.0", "--require-tls").redirectErrorStream(true)
                .start();
        String output = new String(refused.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).isNotZero();
        assertThat(output).contains("refusing to serve plain HTTP on 0.0.0.0");
        server = null;
    }

    @Test
    void queryRunningWhenTheServerIsKilledEndsFailedAfterRestart() throws Exception {
        Path root = root("adv");
        JsonNode advertiser = ok("admin", "create-account", "--account-id", "222222222222", "--name", "adv",
                "--data-root", root.toString()).json();
        profiles(advertiser);
        Path csv = root.resolve("big.csv");
        StringBuilder big = new StringBuilder("k,v\n");
        for (int i = 0; i < 150_000; i++) {
            big.append(i).append(',').append(i % 7).append('\n');
        }
        Files.writeString(csv, big);
        ok("catalog", "create-table", "--profile", "222222222222", "--create-database", "--database", "db",
                "--name", "big", "--location", csv.toString(), "--format", "csv");
        String collaboration = ok("create-collaboration", "--profile", "222222222222", "--name", "solo",
                "--description", "d", "--creator-display-name", "adv", "--creator-member-abilities",
                "[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]", "--members", "[]", "--query-log-status", "DISABLED")
                .json().at("/collaboration/id").asText();
        String membership = ok("create-membership", "--profile", "222222222222", "--collaboration-identifier",
                collaboration, "--query-log-status", "DISABLED").json().at("/membership/id").asText();
        String table = ok("create-configured-table", "--profile", "222222222222", "--name", "big",
                "--table-reference", "{\"glue\":{\"databaseName\":\"db\",\"tableName\":\"big\"}}",
                "--allowed-columns", "[\"k\",\"v\"]", "--analysis-method", "DIRECT_QUERY").json()
                .at("/configuredTable/id").asText();
        ok("create-configured-table-analysis-rule", "--profile", "222222222222", "--configured-table-identifier",
                table, "--analysis-rule-type", "CUSTOM", "--analysis-rule-policy",
                "{\"v1\":{\"custom\":{\"allowedAnalyses\":[\"ANY_QUERY\"],"
                        + "\"allowedAnalysisProviders\":[\"222222222222\"]}}}");
        ok("create-configured-table-association", "--profile", "222222222222", "--membership-identifier",
                membership, "--configured-table-identifier", table, "--name", "big", "--role-arn",
                "arn:aws:iam::222222222222:role/cleanrooms");
        String query = ok("start-protected-query", "--profile", "222222222222", "--membership-identifier",
                membership, "--type", "SQL", "--sql-parameters",
                "{\"queryString\":\"SELECT COUNT(*) FROM big a JOIN big b ON a.k <> b.k\"}").json()
                .at("/protectedQuery/id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!ok("get-protected-query", "--profile", "222222222222", "--membership-identifier", membership,
                "--protected-query-identifier", query).out().contains("STARTED") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        server.destroyForcibly().waitFor();
        server = startServer();
        JsonNode after = ok("get-protected-query", "--profile", "222222222222", "--membership-identifier",
                membership, "--protected-query-identifier", query).json().get("protectedQuery");
        assertThat(after.get("status").asText()).isEqualTo("FAILED");
        assertThat(after.at("/error/message").asText()).contains("server stopped");
        try (var files = Files.list(dataDir.resolve("results"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
        }
        Result noResult = run("get-query-results", "--profile", "222222222222", "--membership-identifier", membership,
                "--protected-query-identifier", query);
        assertThat(noResult.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(noResult.err()).contains("has no result");
    }

    @Test
    void killedServerRestartsWithEveryAcknowledgedChange() throws Exception {
        Path root = root("writer");
        JsonNode account = ok("admin", "create-account", "--account-id", "333333333333", "--name", "writer",
                "--data-root", root.toString()).json();
        profiles(account);
        Path csv = root.resolve("t.csv");
        Files.writeString(csv, "a,b\n1,2\n");
        ok("catalog", "create-table", "--profile", "333333333333", "--create-database", "--database", "db",
                "--name", "t", "--location", csv.toString(), "--format", "csv");
        List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            int i = 0;
            while (!stop.get() && i < 500) {
                Result r = run("create-configured-table", "--profile", "333333333333", "--name", "t" + i++,
                        "--table-reference", "{\"glue\":{\"databaseName\":\"db\",\"tableName\":\"t\"}}",
                        "--allowed-columns", "[\"a\"]", "--analysis-method", "DIRECT_QUERY");
                if (r.code() == 0) {
                    try {
                        acknowledged.add(r.json().at("/configuredTable/id").asText());
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
            }
        });
        writer.start();
        while (acknowledged.size() < 20) {
            Thread.sleep(10);
        }
        server.destroyForcibly().waitFor();
        stop.set(true);
        writer.join();
        server = startServer();
        List<String> listed = new ArrayList<>();
        String token = null;
        do {
            List<String> args = new ArrayList<>(List.of("list-configured-tables", "--profile", "333333333333"));
            if (token != null) {
                args.add("--next-token");
                args.add(token);
            }
            JsonNode page = ok(args.toArray(String[]::new)).json();
            page.get("configuredTableSummaries").forEach(s -> listed.add(s.get("id").asText()));
            token = page.has("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(20);
        assertThat(listed).containsAll(acknowledged);
        // at most the one in flight at the kill may have committed without its answer arriving
        assertThat(listed.size()).isBetween(acknowledged.size(), acknowledged.size() + 1);
    }
}
