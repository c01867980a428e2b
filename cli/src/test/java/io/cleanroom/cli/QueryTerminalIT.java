package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cleanroom query} from the client jar, as a person at a terminal uses it: the command runs
 * on a real TTY (a detached tmux session), the test types keys and reads the screen. A query runs
 * against a server started here: its live status line, Ctrl-C with the question to cancel (no,
 * then yes), the printed table; and off a terminal just the result, a refusal with its
 * explanation, and clear errors. One server and collaboration serve all the tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryTerminalIT {
    private static final String ACCOUNT = "222222222222";
    /** The progress line: spinner, status, elapsed time. */
    private static final Pattern PROGRESS = Pattern.compile(
            "(?m)^[|/\\\\-] (SUBMITTED|STARTED)  elapsed (\\d+\\.\\ds|\\d+m \\d\\ds)  \\(Ctrl-C to cancel\\)\\s*$");
    /**
     * Four copies of a 2,000-row table joined without a condition: 1.6e13 rows to count, so the
     * query runs until it is cancelled (or the server's 30-minute limit), however fast the machine.
     */
    private static final String ENDLESS = "SELECT COUNT(*) AS n FROM big a CROSS JOIN big b CROSS JOIN big c "
            + "CROSS JOIN big d";

    /** Static, to be there for the class's setup. */
    @TempDir
    static Path dir;

    CleanroomServer server;
    Tmux tmux;
    JsonNode keys;
    String membership;
    Path bucket;

    @BeforeAll
    void start() throws Exception {
        bucket = Files.createDirectories(dir.resolve("bucket"));
        server = CleanroomServer.start(ServerConfig.defaults().withPort(0).withDataDir(dir.resolve("server"))
                .withS3Buckets(Map.of("results", bucket)));
        Path root = Files.createDirectories(dir.resolve("member")).toRealPath();
        StringBuilder big = new StringBuilder("k,v\n");
        for (int i = 0; i < 2000; i++) {
            big.append(i).append(',').append(i % 7).append('\n');
        }
        Files.writeString(root.resolve("big.csv"), big);
        Files.writeString(root.resolve("small.csv"), "name,n\nalpha,1\n\"g,amma\",333\nbeta,22\n");
        Files.writeString(root.resolve("people.csv"), "user_id,segment\na,news\nb,news\nc,sports\n");
        keys = api("admin", "create-account", "--account-id", ACCOUNT, "--name", "member", "--data-root",
                root.toString(), "--data-dir", dir.resolve("server").toString());
        Path credentials = Files.writeString(dir.resolve("credentials"), "[" + ACCOUNT + "]\naws_access_key_id = "
                + keys.get("accessKeyId").asText() + "\naws_secret_access_key = " + keys.get("secretAccessKey").asText()
                + "\n");
        System.setProperty("aws.sharedCredentialsFile", credentials.toString());
        String collaboration = api("create-collaboration", "--name", "solo", "--description", "d",
                "--creator-display-name", "member", "--creator-member-abilities",
                "[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]", "--members", "[]", "--query-log-status", "DISABLED")
                .at("/collaboration/id").asText();
        // results go to the bucket unless the query says otherwise
        membership = api("create-membership", "--collaboration-identifier", collaboration, "--query-log-status",
                "DISABLED", "--default-result-configuration", "{\"outputConfiguration\":{\"s3\":{\"resultFormat\":"
                        + "\"CSV\",\"bucket\":\"results\",\"keyPrefix\":\"lab\"}},\"roleArn\":\"arn:aws:iam::"
                        + ACCOUNT + ":role/results\"}").at("/membership/id").asText();
        table(root, "big", "[\"k\",\"v\"]", "{\"v1\":{\"custom\":{\"allowedAnalyses\":[\"ANY_QUERY\"],"
                + "\"allowedAnalysisProviders\":[\"" + ACCOUNT + "\"]}}}", "CUSTOM");
        table(root, "small", "[\"name\",\"n\"]", "{\"v1\":{\"custom\":{\"allowedAnalyses\":[\"ANY_QUERY\"],"
                + "\"allowedAnalysisProviders\":[\"" + ACCOUNT + "\"]}}}", "CUSTOM");
        table(root, "people", "[\"user_id\",\"segment\"]", "{\"v1\":{\"aggregation\":{\"aggregateColumns\":"
                + "[{\"columnNames\":[\"user_id\"],\"function\":\"COUNT_DISTINCT\"}],\"joinColumns\":[],"
                + "\"dimensionColumns\":[\"segment\"],\"scalarFunctions\":[],\"outputConstraints\":[{\"columnName\":"
                + "\"user_id\",\"minimum\":2,\"type\":\"COUNT_DISTINCT\"}]}}}", "AGGREGATION");
    }

    private void table(Path root, String name, String columns, String rule, String type) {
        api("catalog", "create-table", "--create-database", "--database", "lab", "--name", name, "--location",
                root.resolve(name + ".csv").toString(), "--format", "csv");
        String table = api("create-configured-table", "--name", name, "--table-reference",
                "{\"glue\":{\"databaseName\":\"lab\",\"tableName\":\"" + name + "\"}}", "--allowed-columns", columns,
                "--analysis-method", "DIRECT_QUERY").at("/configuredTable/id").asText();
        api("create-configured-table-analysis-rule", "--configured-table-identifier", table, "--analysis-rule-type",
                type, "--analysis-rule-policy", rule);
        api("create-configured-table-association", "--membership-identifier", membership,
                "--configured-table-identifier", table, "--name", name, "--role-arn",
                "arn:aws:iam::" + ACCOUNT + ":role/cleanrooms");
    }

    @BeforeEach
    void terminal() throws IOException {
        tmux = new Tmux(Files.createTempDirectory(dir, "tmux"));
    }

    @AfterEach
    void closeTerminal() {
        tmux.close();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        System.clearProperty("aws.sharedCredentialsFile");
    }

    /** What the queries wrote to the bucket (the membership's default output), by query id. */
    private List<String> inBucket() throws IOException {
        Path lab = bucket.resolve("lab");
        if (!Files.isDirectory(lab)) {
            return List.of();
        }
        try (var dirs = Files.list(lab)) {
            return dirs.map(d -> d.getFileName().toString()).sorted().toList();
        }
    }

    private int queries() {
        return api("list-protected-queries", "--membership-identifier", membership).get("protectedQueries").size();
    }

    /** A command in this JVM, as the account (or the operator, for admin), answering JSON. */
    private JsonNode api(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", server.endpoint()));
        if (!args[0].equals("admin")) {
            all.addAll(List.of("--profile", ACCOUNT));
        }
        InJvm run = new InJvm(all);
        assertThat(run.code).as(String.join(" ", args) + ": " + run.err).isZero();
        try {
            return Calls.MAPPER.readTree(run.out);
        } catch (IOException e) {
            throw new AssertionError(run.out, e);
        }
    }

    /** A command run in this JVM, its output captured. */
    private static final class InJvm {
        final int code;
        final String out;
        final String err;

        InJvm(List<String> args) {
            picocli.CommandLine cl = Main.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            this.code = cl.execute(args.toArray(String[]::new));
            this.out = out.toString();
            this.err = err.toString();
        }
    }

    private String status(String query) {
        return api("get-protected-query", "--membership-identifier", membership, "--protected-query-identifier",
                query).at("/protectedQuery/status").asText();
    }

    private static Path jar() {
        Path jar = Path.of("target", "cleanroom-client.jar").toAbsolutePath();
        assertThat(jar).as("the client jar is packaged before the integration tests run").exists();
        return jar;
    }

    /** java -jar cleanroom-client.jar query ARGS against the server, signing with the account's keys. */
    private List<String> query(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar().toString(), "query", "--membership-identifier", membership, "--endpoint",
                server.endpoint()));
        command.addAll(List.of(args));
        return command;
    }

    private Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", keys.get("accessKeyId").asText(), "AWS_SECRET_ACCESS_KEY",
                keys.get("secretAccessKey").asText());
    }

    private static String id(String screen) {
        Matcher m = Pattern.compile("Query ([0-9a-f-]{36}) submitted").matcher(screen);
        assertThat(m.find()).as(screen).isTrue();
        return m.group(1);
    }

    private static long count(String screen, String text) {
        return screen.lines().filter(l -> l.contains(text)).count();
    }

    /** The elapsed time the last progress line on the screen shows. */
    private static String elapsed(String screen) {
        Matcher m = PROGRESS.matcher(screen);
        String last = null;
        while (m.find()) {
            last = m.group(2);
        }
        return last;
    }

    @Test
    void onATerminalTheStatusShowsLiveAndCtrlCOffersToCancelTheQuery() throws Exception {
        tmux.start(query("--sql", ENDLESS), environment());
        String screen = tmux.await("the progress line", s -> s.contains(" submitted") && PROGRESS.matcher(s).find());
        String id = id(screen);
        assertThat(status(id)).isIn("SUBMITTED", "STARTED");
        // the line is redrawn in place as time passes: a new elapsed time, still one line
        String first = elapsed(screen);
        screen = tmux.await("the elapsed time advance", s -> elapsed(s) != null && !elapsed(s).equals(first));
        assertThat(count(screen, "elapsed")).as(screen).isEqualTo(1);

        // Ctrl-C asks; the query runs on meanwhile; no keeps it running and the line goes on
        tmux.keys("C-c");
        screen = tmux.await("the question", s -> s.contains("Cancel query " + id + "? [y/N]"));
        assertThat(status(id)).isIn("SUBMITTED", "STARTED");
        tmux.keys("n", "Enter");
        screen = tmux.await("the progress line after 'no'", s -> s.contains("The query continues")
                && PROGRESS.matcher(s.substring(s.indexOf("The query continues"))).find());
        assertThat(status(id)).isIn("SUBMITTED", "STARTED");

        // Ctrl-C again, and yes: UpdateProtectedQuery CANCELLED, the query ends CANCELLED, exit 130
        tmux.keys("C-c");
        tmux.await("the question again", s -> count(s, "Cancel query " + id + "? [y/N]") == 2);
        tmux.keys("y", "Enter");
        assertThat(tmux.awaitExit()).isEqualTo(QueryCommand.CANCELLED);
        screen = tmux.screen();
        assertThat(screen).contains("Cancelling query " + id).contains("Query " + id + " CANCELLED");
        assertThat(status(id)).isEqualTo("CANCELLED");
        assertThat(inBucket()).as("no result of a cancelled query").doesNotContain(id);
    }

    @Test
    void onATerminalTheResultIsPrintedAsAnAlignedTable() throws Exception {
        tmux.start(query("--sql", "SELECT name, n FROM small ORDER BY n"), environment());
        assertThat(tmux.awaitExit()).as(tmux.screen()).isZero();
        String screen = tmux.screen();
        String id = id(screen);
        // the membership's default result configuration: the result went to the bucket too
        String location = "s3://results/lab/" + id + "/result.csv";
        assertThat(screen).contains("Query " + id + " SUCCESS in ").contains("Result written to " + location);
        assertThat(screen.lines().dropWhile(l -> !l.startsWith("+")).toList()).containsExactly(
                "+--------+-----+",
                "| name   | n   |",
                "+--------+-----+",
                "| alpha  |   1 |",
                "| beta   |  22 |",
                "| g,amma | 333 |",
                "+--------+-----+",
                "3 rows");
        assertThat(PROGRESS.matcher(screen).find()).as("the progress line is gone once the query ends").isFalse();
        // what the table shows is the query's answer, as the API gives it
        JsonNode result = Calls.MAPPER.readTree(new InJvm(List.of("get-query-results", "--membership-identifier",
                membership, "--protected-query-identifier", id, "--format", "json", "--endpoint", server.endpoint(),
                "--profile", ACCOUNT)).out);
        assertThat(result.get("rows").toString()).isEqualTo("[[\"alpha\",1],[\"beta\",22],[\"g,amma\",333]]");
        assertThat(Files.readString(bucket.resolve("lab").resolve(id).resolve("result.csv")))
                .contains("alpha").contains("333");
    }

    /** One run of the command with its output redirected: no terminal. */
    private record Run(int code, String out, String err) {
    }

    private Run run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("CLEANROOM_"));
        builder.environment().putAll(environment());
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void offATerminalOnlyTheResultIsPrinted() throws Exception {
        List<String> before = inBucket();
        Run csv = run(query("--sql", "SELECT name, n FROM small ORDER BY n", "--format", "csv", "--output",
                "member:" + ACCOUNT));
        assertThat(csv.code()).as(csv.err()).isZero();
        assertThat(csv.out()).isEqualTo("name,n\nalpha,1\nbeta,22\n\"g,amma\",333\n");
        assertThat(csv.err()).isEmpty();
        assertThat(inBucket()).as("--output member: nothing in the bucket").isEqualTo(before);
        Run json = run(query("--sql", "SELECT name, n FROM small ORDER BY n DESC", "--format", "json"));
        assertThat(json.code()).as(json.err()).isZero();
        assertThat(Calls.MAPPER.readTree(json.out()).get("rows").toString())
                .isEqualTo("[[\"g,amma\",333],[\"beta\",22],[\"alpha\",1]]");
    }

    @Test
    void aRefusedQueryPrintsHowQueryControlDecidedAndFails() throws Exception {
        int before = queries();
        // the aggregation rule of people lets user_id out only inside COUNT(DISTINCT ...)
        Run refused = run(query("--sql", "SELECT segment, user_id FROM people"));
        assertThat(refused.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err().lines()).containsExactly(
                "Query refused: Aggregate column people.user_id can only be used inside COUNT_DISTINCT (found in SELECT)",
                "How query control decided, part by part (AGGREGATION rules):",
                "  ALLOWED  SELECT people.segment: dimension column of the aggregation rule of people",
                "  REFUSED  Aggregate column people.user_id can only be used inside COUNT_DISTINCT (found in SELECT)");
        assertThat(queries()).as("a refused query is never started").isEqualTo(before);

        Run malformed = run(query("--sql", "DELETE FROM small"));
        assertThat(malformed.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(malformed.err()).isEqualTo("Query refused: Only a SELECT query is allowed (found DELETE)\n");
    }

    @Test
    void badInputIsOneClearLine() throws Exception {
        Run unknown = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar().toString(), "query", "--membership-identifier", "00000000-0000-4000-8000-000000000000", "--sql",
                "SELECT 1", "--endpoint", server.endpoint()));
        assertThat(unknown.code()).isEqualTo(Main.SERVICE_ERROR);
        assertThat(unknown.err()).startsWith("error: membership 00000000-0000-4000-8000-000000000000 is not one of "
                + "your memberships").contains("'cleanroom list-memberships' lists them");
        Run notAnId = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar().toString(), "query", "--membership-identifier", "lab", "--sql", "SELECT 1", "--endpoint",
                server.endpoint()));
        assertThat(notAnId.code()).isEqualTo(Main.USAGE_ERROR);
        assertThat(notAnId.err()).startsWith("error: --membership-identifier must be the id of one of your memberships");
        Run both = run(query("--sql", "SELECT 1", "--template", "arn:x"));
        assertThat(both.code()).isEqualTo(Main.USAGE_ERROR);
        assertThat(both.err()).isEqualTo("error: give either --sql or --template, not both\n");
        Run param = run(query("--template", "arn:x", "--param", "min"));
        assertThat(param.err()).isEqualTo("error: --param must be NAME=VALUE, got 'min'\n");
    }
}
