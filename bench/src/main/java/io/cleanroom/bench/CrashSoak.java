package io.cleanroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cleanroom.client.SignedHttpClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Crash soak: the packaged server ({@code cleanroom.jar server}) in its own process under mixed
 * load from several accounts (configured tables created, updated, given rules and tags, deleted;
 * collaborations created, renamed, deleted, shared and joined; catalog tables; protected queries
 * with member and S3 output; reads), killed with SIGKILL at random moments and started again.
 *
 * <p>Every write carries a marker of its own. A write the client saw acknowledged must be there
 * afterwards; one it saw fail must not be there at all; one whose answer the kill swallowed is
 * read back once the server is up again and must be wholly there or wholly absent. At the end:
 * the state each account reads equals what it was told, every applied write has exactly one
 * successful audit event and no other write has one, {@code cleanroom audit verify} passes, no
 * query is left SUBMITTED or STARTED, every stored result and S3 output belongs to a query that
 * succeeded, and no partial file remains.
 *
 * <p>Arguments (all optional): {@code --kills N} (25), {@code --jar PATH} (app/target/cleanroom.jar),
 * {@code --seed N}, {@code --up-millis MIN-MAX} (1500-8000: how long the server runs between kills),
 * {@code --accounts N} (3), {@code --dir DIR} (a new temporary directory).
 */
public final class CrashSoak {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What to run. */
    public record Settings(Path jar, Path dir, int kills, long seed, int minUpMillis, int maxUpMillis, int accounts) {
    }

    /** What happened, and every violation of what must hold. */
    public static final class Report {
        public final AtomicLong acknowledged = new AtomicLong();
        public final AtomicLong refused = new AtomicLong();
        public final AtomicLong uncertain = new AtomicLong();
        public final AtomicLong unsent = new AtomicLong();
        public final AtomicLong reads = new AtomicLong();
        public final AtomicLong queries = new AtomicLong();
        public int kills;
        public final List<String> violations = Collections.synchronizedList(new ArrayList<>());

        void violation(String what) {
            violations.add(what);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d kills; writes: %d acknowledged, %d refused, %d cut off by a kill "
                    + "(read back after restart), %d not sent (server down); %d reads; %d protected queries; "
                    + "%d violations", kills, acknowledged.get(), refused.get(), uncertain.get(), unsent.get(),
                    reads.get(), queries.get(), violations.size());
        }
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("app/target/cleanroom.jar");
        Path dir = null;
        int kills = 25;
        long seed = System.currentTimeMillis();
        int min = 1500;
        int max = 8000;
        int accounts = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kills" -> kills = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--up-millis" -> {
                    String[] range = args[++i].split("-");
                    min = Integer.parseInt(range[0]);
                    max = Integer.parseInt(range[1]);
                }
                case "--accounts" -> accounts = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (dir == null) {
            dir = Files.createTempDirectory("cleanroom-soak");
        }
        Report report = run(new Settings(jar, dir, kills, seed, min, max, accounts), System.out);
        System.exit(report.violations.isEmpty() ? 0 : 1);
    }

    // ---------------------------------------------------------------- the server process

    /** The packaged server, started and SIGKILLed on one port and one data directory. */
    static final class Server {
        final Path jar;
        final Path dataDir;
        final Path bucket;
        final Path logs;
        final int port;
        Process process;
        int starts;

        Server(Path jar, Path dir) throws IOException {
            this.jar = jar.toAbsolutePath();
            this.dataDir = dir.resolve("data");
            this.bucket = Files.createDirectories(dir.resolve("bucket"));
            this.logs = Files.createDirectories(dir.resolve("logs"));
            try (ServerSocket socket = new ServerSocket(0)) {
                this.port = socket.getLocalPort();
            }
        }

        String endpoint() {
            return "http://127.0.0.1:" + port;
        }

        void start() throws IOException, InterruptedException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path log = logs.resolve("server-" + (++starts) + ".log");
            process = new ProcessBuilder(java, "-Xmx512m", "-jar", jar.toString(), "server", "--port",
                    String.valueOf(port), "--data-dir", dataDir.toString(), "--s3-bucket", "soak=" + bucket,
                    "--query-workers", "2")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException e) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the server exited with " + process.exitValue() + ": "
                                + Files.readString(log));
                    }
                    Thread.sleep(50);
                }
            }
            throw new IllegalStateException("the server did not start in 90 s");
        }

        /** SIGKILL: no shutdown hook, no flush, no goodbye. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }

        /** Runs a cleanroom command of the same jar (e.g. audit verify); returns exit code and output. */
        Object[] command(String... args) throws IOException, InterruptedException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "-jar", jar.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Object[] {p.waitFor(), out};
        }
    }

    // ---------------------------------------------------------------- calls

    /** How a call ended: answered (with a status), never sent (refused connection), or answer lost. */
    enum Kind { ANSWERED, UNSENT, LOST }

    record Result(Kind kind, int status, String errorType, JsonNode body) {
        boolean ok() {
            return kind == Kind.ANSWERED && status / 100 == 2;
        }

        boolean failed() {
            return kind == Kind.ANSWERED && status / 100 != 2;
        }

        boolean lost() {
            return kind == Kind.LOST;
        }
    }

    static final class Client {
        final SignedHttpClient http;
        final Report report;
        final Duration patience;

        Client(SignedHttpClient http, Report report, Duration patience) {
            this.http = http;
            this.report = report;
            this.patience = patience;
        }

        Result call(String method, String path, Map<String, List<String>> query, String body, String service,
                Map<String, String> headers) {
            try {
                SignedHttpClient.Response r = http.send(method, path, query, headers, body, service);
                JsonNode json = r.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
                return new Result(Kind.ANSWERED, r.status(), r.errorType(), json);
            } catch (ConnectException e) {
                return new Result(Kind.UNSENT, 0, null, null);
            } catch (IOException e) {
                return new Result(Kind.LOST, 0, null, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(Kind.LOST, 0, null, null);
            }
        }

        Result api(String method, String path, String body) {
            return call(method, path, Map.of(), body, "cleanrooms", Map.of());
        }

        Result glue(String operation, String body) {
            return call("POST", "/", Map.of(), body, "glue", Map.of("X-Amz-Target", "AWSGlue." + operation,
                    "Content-Type", "application/x-amz-json-1.1"));
        }

        /** A read, tried until the server answers (it may be restarting). */
        Result read(String method, String path, Map<String, List<String>> query, String body, String service,
                Map<String, String> headers) {
            long deadline = System.nanoTime() + patience.toNanos();
            while (true) {
                Result r = call(method, path, query, body, service, headers);
                if (r.kind() == Kind.ANSWERED) {
                    report.reads.incrementAndGet();
                    return r;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no answer to " + method + " " + path + " for " + patience);
                }
                sleep(100);
            }
        }

        Result read(String path) {
            return read("GET", path, Map.of(), null, "cleanrooms", Map.of());
        }

        /** Every item of a paged list, read until the server answers. */
        List<JsonNode> all(String path, String field) {
            List<JsonNode> out = new ArrayList<>();
            String token = null;
            do {
                Result r = read("GET", path, token == null ? Map.of() : Map.of("nextToken", List.of(token)), null,
                        "cleanrooms", Map.of());
                if (!r.ok()) {
                    throw new IllegalStateException("GET " + path + " answered " + r.status() + " " + r.body());
                }
                r.body().get(field).forEach(out::add);
                token = r.body().hasNonNull("nextToken") ? r.body().get("nextToken").asText() : null;
            } while (token != null);
            return out;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- one account's load

    /** One write: its marker, what it was, and whether it took effect (as answered, or read back). */
    record Write(String marker, String operation, String resource, boolean applied) {
    }

    /** What an account believes of its own configured tables. */
    static final class Table {
        final String id;
        final String name;
        String description;
        boolean rule;
        final Set<String> tags = new HashSet<>();

        Table(String id, String name, String description) {
            this.id = id;
            this.name = name;
            this.description = description;
        }
    }

    static final class Worker implements Runnable {
        final int index;
        final String account;
        final Client client;
        final Random random;
        final Report report;
        final AtomicBoolean running;
        final String arnPrefix;
        /** Collaborations others shared with this account, to join. */
        final ConcurrentLinkedQueue<String> inbox = new ConcurrentLinkedQueue<>();
        Worker invitee;
        String soloMembership;
        final Map<String, Table> tables = new LinkedHashMap<>();
        final Map<String, String> collaborations = new LinkedHashMap<>();
        final List<String> shared = new ArrayList<>();
        final Set<String> joined = new HashSet<>();
        final Set<String> catalog = new HashSet<>();
        final Map<String, String> queries = new LinkedHashMap<>();
        final List<Write> writes = new ArrayList<>();
        private int counter;

        Worker(int index, String account, Client client, long seed, Report report, AtomicBoolean running) {
            this.index = index;
            this.account = account;
            this.client = client;
            this.random = new Random(seed * 31 + index);
            this.report = report;
            this.running = running;
            this.arnPrefix = "arn:aws:cleanrooms:us-east-1:" + account + ":";
        }

        private String marker() {
            return String.format(Locale.ROOT, "w%dn%06d", index, ++counter);
        }

        private void record(String marker, String operation, String resource, boolean applied, Result r) {
            writes.add(new Write(marker, operation, resource, applied));
            if (r.ok()) {
                report.acknowledged.incrementAndGet();
            } else if (r.failed()) {
                report.refused.incrementAndGet();
            } else if (r.lost()) {
                report.uncertain.incrementAndGet();
            } else {
                report.unsent.incrementAndGet();
            }
        }

        /** Whether a write took effect: yes when acknowledged, no when refused or never sent, else read back. */
        private boolean applied(Result r, java.util.function.BooleanSupplier readBack, String what) {
            if (r.ok()) {
                return true;
            }
            boolean there = readBack.getAsBoolean();
            if (there && r.kind() != Kind.LOST) {
                report.violation(what + " was " + (r.failed() ? "refused (" + r.status() + " " + r.errorType()
                        + ")" : "never sent") + " but took effect");
            }
            return there;
        }

        @Override
        public void run() {
            try {
                while (running.get()) {
                    step();
                }
            } catch (RuntimeException e) {
                report.violation("worker " + index + " stopped: " + e);
            }
        }

        void step() {
            int pick = random.nextInt(100);
            if (pick < 14) {
                createTable();
            } else if (pick < 26) {
                updateTable();
            } else if (pick < 34) {
                addRule();
            } else if (pick < 42) {
                tagTable();
            } else if (pick < 48) {
                deleteTable();
            } else if (pick < 53) {
                createCollaboration();
            } else if (pick < 59) {
                renameCollaboration();
            } else if (pick < 62) {
                deleteCollaboration();
            } else if (pick < 64) {
                share();
            } else if (pick < 68) {
                join();
            } else if (pick < 78) {
                query();
            } else if (pick < 82) {
                catalogTable();
            } else {
                read();
            }
        }

        private <T> T any(java.util.Collection<T> values) {
            List<T> list = new ArrayList<>(values);
            return list.isEmpty() ? null : list.get(random.nextInt(list.size()));
        }

        void createTable() {
            if (tables.size() >= 30) {
                deleteTable();
                return;
            }
            String m = marker();
            String name = "ct-" + m;
            Result r = client.api("POST", "/configuredTables", "{\"name\":\"" + name + "\",\"description\":\"d-" + m
                    + "\",\"tableReference\":{\"glue\":{\"databaseName\":\"soak\",\"tableName\":\"solo\"}},"
                    + "\"allowedColumns\":[\"k\",\"v\"],\"analysisMethod\":\"DIRECT_QUERY\"}");
            String[] id = {r.ok() ? r.body().at("/configuredTable/id").asText() : null};
            boolean applied = applied(r, () -> {
                for (JsonNode t : client.all("/configuredTables", "configuredTableSummaries")) {
                    if (t.get("name").asText().equals(name)) {
                        id[0] = t.get("id").asText();
                        return true;
                    }
                }
                return false;
            }, "CreateConfiguredTable " + m);
            if (applied) {
                tables.put(id[0], new Table(id[0], name, "d-" + m));
            }
            record(m, "CreateConfiguredTable", id[0], applied, r);
        }

        private JsonNode readTable(String id) {
            Result r = client.read("/configuredTables/" + id);
            return r.ok() ? r.body().get("configuredTable") : null;
        }

        void updateTable() {
            Table t = any(tables.values());
            if (t == null) {
                createTable();
                return;
            }
            String m = marker();
            Result r = client.api("PATCH", "/configuredTables/" + t.id, "{\"description\":\"u-" + m + "\"}");
            boolean applied = applied(r, () -> {
                String now = readTable(t.id).get("description").asText();
                if (!now.equals("u-" + m) && !now.equals(t.description)) {
                    report.violation("UpdateConfiguredTable " + m + " left description " + now);
                }
                return now.equals("u-" + m);
            }, "UpdateConfiguredTable " + m);
            if (applied) {
                t.description = "u-" + m;
            }
            record(m, "UpdateConfiguredTable", t.id, applied, r);
        }

        void addRule() {
            Table t = tables.values().stream().filter(x -> !x.rule).findAny().orElse(null);
            if (t == null) {
                createTable();
                return;
            }
            String m = marker();
            Result r = client.api("POST", "/configuredTables/" + t.id + "/analysisRule", "{\"analysisRuleType\":"
                    + "\"CUSTOM\",\"analysisRulePolicy\":{\"v1\":{\"custom\":{\"allowedAnalyses\":[\"ANY_QUERY\"],"
                    + "\"allowedAnalysisProviders\":[\"" + account + "\"]}}}}");
            boolean applied = applied(r, () -> ruleState(t.id, "CreateConfiguredTableAnalysisRule " + m),
                    "CreateConfiguredTableAnalysisRule " + m);
            t.rule |= applied;
            record(m, "CreateConfiguredTableAnalysisRule", t.id, applied, r);
        }

        /** Whether the table has its rule, and that the table and the rule agree on it. */
        boolean ruleState(String id, String what) {
            boolean listed = false;
            for (JsonNode type : readTable(id).get("analysisRuleTypes")) {
                listed |= type.asText().equals("CUSTOM");
            }
            Result rule = client.read("/configuredTables/" + id + "/analysisRule/CUSTOM");
            if (listed != rule.ok()) {
                report.violation(what + " is half-applied: the table " + (listed ? "lists" : "does not list")
                        + " the rule, which " + (rule.ok() ? "exists" : "does not exist"));
            }
            return rule.ok();
        }

        void tagTable() {
            Table t = any(tables.values());
            if (t == null) {
                createTable();
                return;
            }
            String m = marker();
            String arn = arnPrefix + "configuredtable/" + t.id;
            String path = "/tags/" + java.net.URLEncoder.encode(arn, StandardCharsets.UTF_8);
            Result r = client.api("POST", path, "{\"tags\":{\"t-" + m + "\":\"v\"}}");
            boolean applied = applied(r, () -> {
                Result tags = client.read(path);
                return tags.ok() && tags.body().get("tags").has("t-" + m);
            }, "TagResource " + m);
            if (applied) {
                t.tags.add("t-" + m);
            }
            record(m, "TagResource", t.id, applied, r);
        }

        void deleteTable() {
            Table t = any(tables.values());
            if (t == null) {
                return;
            }
            String m = marker();
            Result r = client.api("DELETE", "/configuredTables/" + t.id, null);
            boolean applied;
            if (r.failed() && r.status() == 404) {
                // a retried delete whose first attempt took effect
                applied = readTable(t.id) == null;
            } else {
                applied = applied(r, () -> readTable(t.id) == null, "DeleteConfiguredTable " + m);
            }
            if (applied) {
                tables.remove(t.id);
            }
            record(m, "DeleteConfiguredTable", t.id, applied, r);
        }

        private JsonNode findCollaboration(String name) {
            for (JsonNode c : client.all("/collaborations", "collaborationList")) {
                if (c.get("name").asText().equals(name)) {
                    return c;
                }
            }
            return null;
        }

        void createCollaboration() {
            if (collaborations.size() >= 3) {
                deleteCollaboration();
                return;
            }
            String m = marker();
            String name = "c-" + m;
            Result r = client.api("POST", "/collaborations", "{\"name\":\"" + name + "\",\"description\":\"d\","
                    + "\"creatorDisplayName\":\"w" + index + "\",\"creatorMemberAbilities\":[],\"members\":[],"
                    + "\"queryLogStatus\":\"DISABLED\"}");
            String[] id = {r.ok() ? r.body().at("/collaboration/id").asText() : null};
            boolean applied = applied(r, () -> {
                JsonNode found = findCollaboration(name);
                if (found != null) {
                    id[0] = found.get("id").asText();
                    checkMembers(id[0], List.of(account), "CreateCollaboration " + m);
                }
                return found != null;
            }, "CreateCollaboration " + m);
            if (applied) {
                collaborations.put(id[0], name);
            }
            record(m, "CreateCollaboration", id[0], applied, r);
        }

        /** A collaboration and its members are made together: all of them are there. */
        void checkMembers(String collaboration, List<String> expected, String what) {
            List<String> members = new ArrayList<>();
            for (JsonNode member : client.all("/collaborations/" + collaboration + "/members", "memberSummaries")) {
                members.add(member.get("accountId").asText());
            }
            if (!new HashSet<>(members).equals(new HashSet<>(expected))) {
                report.violation(what + " is half-applied: members " + members + ", expected " + expected);
            }
        }

        void renameCollaboration() {
            String id = any(collaborations.keySet());
            if (id == null) {
                createCollaboration();
                return;
            }
            String m = marker();
            String before = collaborations.get(id);
            Result r = client.api("PATCH", "/collaborations/" + id, "{\"name\":\"r-" + m + "\"}");
            boolean applied = applied(r, () -> {
                String now = client.read("/collaborations/" + id).body().at("/collaboration/name").asText();
                if (!now.equals("r-" + m) && !now.equals(before)) {
                    report.violation("UpdateCollaboration " + m + " left name " + now);
                }
                return now.equals("r-" + m);
            }, "UpdateCollaboration " + m);
            if (applied) {
                collaborations.put(id, "r-" + m);
            }
            record(m, "UpdateCollaboration", id, applied, r);
        }

        void deleteCollaboration() {
            String id = any(collaborations.keySet());
            if (id == null) {
                return;
            }
            String m = marker();
            Result r = client.api("DELETE", "/collaborations/" + id, null);
            boolean applied;
            if (r.failed() && r.status() == 404) {
                applied = client.read("/collaborations/" + id).status() == 404;
            } else {
                applied = applied(r, () -> client.read("/collaborations/" + id).status() == 404,
                        "DeleteCollaboration " + m);
            }
            if (applied) {
                collaborations.remove(id);
            }
            record(m, "DeleteCollaboration", id, applied, r);
        }

        /** A collaboration with the next account invited; it joins later. */
        void share() {
            if (shared.size() >= 3 || invitee == null) {
                read();
                return;
            }
            String m = marker();
            String name = "s-" + m;
            Result r = client.api("POST", "/collaborations", "{\"name\":\"" + name + "\",\"description\":\"d\","
                    + "\"creatorDisplayName\":\"w" + index + "\",\"creatorMemberAbilities\":[],\"members\":[{"
                    + "\"accountId\":\"" + invitee.account + "\",\"displayName\":\"i\",\"memberAbilities\":[]}],"
                    + "\"queryLogStatus\":\"DISABLED\"}");
            String[] id = {r.ok() ? r.body().at("/collaboration/id").asText() : null};
            boolean applied = applied(r, () -> {
                JsonNode found = findCollaboration(name);
                if (found != null) {
                    id[0] = found.get("id").asText();
                    checkMembers(id[0], List.of(account, invitee.account), "CreateCollaboration " + m);
                }
                return found != null;
            }, "CreateCollaboration " + m);
            if (applied) {
                shared.add(id[0]);
                invitee.inbox.add(id[0]);
            }
            record(m, "CreateCollaboration", id[0], applied, r);
        }

        /** The membership and the member's status change together. */
        boolean membershipState(String collaboration, String what) {
            boolean member = false;
            for (JsonNode m : client.all("/memberships", "membershipSummaries")) {
                member |= m.get("collaborationId").asText().equals(collaboration);
            }
            String status = null;
            for (JsonNode s : client.all("/collaborations/" + collaboration + "/members", "memberSummaries")) {
                if (s.get("accountId").asText().equals(account)) {
                    status = s.get("status").asText();
                }
            }
            if (member != "ACTIVE".equals(status)) {
                report.violation(what + " is half-applied: membership " + (member ? "exists" : "missing")
                        + ", member status " + status);
            }
            return member;
        }

        void join() {
            String collaboration = inbox.poll();
            if (collaboration == null) {
                read();
                return;
            }
            String m = marker();
            Result r = client.api("POST", "/memberships", "{\"collaborationIdentifier\":\"" + collaboration
                    + "\",\"queryLogStatus\":\"DISABLED\",\"tags\":{\"marker\":\"" + m + "\"}}");
            boolean applied = applied(r, () -> membershipState(collaboration, "CreateMembership " + m),
                    "CreateMembership " + m);
            if (applied) {
                joined.add(collaboration);
            } else if (!r.failed()) {
                inbox.add(collaboration);
            }
            record(m, "CreateMembership", collaboration, applied, r);
        }

        /** Queries that may still be running. */
        final Set<String> ongoing = new HashSet<>();

        void query() {
            ongoing.removeIf(id -> terminal(client.read("/memberships/" + soloMembership + "/protectedQueries/" + id)
                    .body().at("/protectedQuery/status").asText()));
            if (ongoing.size() >= 3) {
                read();
                return;
            }
            String m = marker();
            String output = random.nextInt(3) == 0
                    ? "{\"s3\":{\"resultFormat\":\"CSV\",\"bucket\":\"soak\",\"keyPrefix\":\"w" + index + "\"}}"
                    : "{\"member\":{\"accountId\":\"" + account + "\"}}";
            Result r = client.api("POST", "/memberships/" + soloMembership + "/protectedQueries", "{\"type\":\"SQL\","
                    + "\"sqlParameters\":{\"queryString\":\"SELECT v, COUNT(*) AS n_" + m.replace('-', '_')
                    + " FROM solo GROUP BY v\"},\"resultConfiguration\":{\"outputConfiguration\":" + output + "}}");
            String[] id = {r.ok() ? r.body().at("/protectedQuery/id").asText() : null};
            boolean applied = applied(r, () -> {
                for (JsonNode q : client.all("/memberships/" + soloMembership + "/protectedQueries",
                        "protectedQueries")) {
                    String qid = q.get("id").asText();
                    if (!queries.containsKey(qid)) {
                        Result full = client.read("/memberships/" + soloMembership + "/protectedQueries/" + qid);
                        if (full.body().at("/protectedQuery/sqlParameters/queryString").asText().contains(m)) {
                            id[0] = qid;
                            return true;
                        }
                    }
                }
                return false;
            }, "StartProtectedQuery " + m);
            if (applied) {
                queries.put(id[0], m);
                ongoing.add(id[0]);
                report.queries.incrementAndGet();
            }
            record(m, "StartProtectedQuery", id[0], applied, r);
        }

        void catalogTable() {
            if (catalog.size() >= 20) {
                read();
                return;
            }
            String m = marker();
            String name = "g-" + m;
            Result r = client.glue("CreateTable", "{\"DatabaseName\":\"soak\",\"TableInput\":{\"Name\":\"" + name
                    + "\",\"Parameters\":{\"classification\":\"csv\"},\"StorageDescriptor\":{\"Location\":"
                    + json(location) + ",\"Columns\":[{\"Name\":\"k\",\"Type\":\"bigint\"},"
                    + "{\"Name\":\"v\",\"Type\":\"bigint\"}]}}}");
            boolean applied = applied(r, () -> client.read("POST", "/", Map.of(), "{\"DatabaseName\":\"soak\","
                    + "\"Name\":\"" + name + "\"}", "glue", Map.of("X-Amz-Target", "AWSGlue.GetTable",
                    "Content-Type", "application/x-amz-json-1.1")).ok(), "CreateTable " + m);
            if (applied) {
                catalog.add(name);
            }
            record(m, "CreateTable", name, applied, r);
        }

        String location;

        void read() {
            Result r = switch (random.nextInt(4)) {
                case 0 -> client.call("GET", "/configuredTables", Map.of(), null, "cleanrooms", Map.of());
                case 1 -> client.call("GET", "/collaborations", Map.of(), null, "cleanrooms", Map.of());
                case 2 -> client.call("GET", "/memberships/" + soloMembership + "/protectedQueries", Map.of(), null,
                        "cleanrooms", Map.of());
                default -> {
                    String id = any(queries.keySet());
                    yield id == null ? client.call("GET", "/memberships", Map.of(), null, "cleanrooms", Map.of())
                            : client.call("GET", "/memberships/" + soloMembership + "/protectedQueries/" + id
                                    + "/result", Map.of(), null, "cleanrooms", Map.of());
                }
            };
            if (r.kind() == Kind.ANSWERED) {
                report.reads.incrementAndGet();
                if (r.status() >= 500) {
                    report.violation("a read answered " + r.status() + " " + r.body());
                }
            } else {
                sleep(50);
            }
        }
    }

    // ---------------------------------------------------------------- the run

    public static Report run(Settings settings, PrintStream out) throws Exception {
        Report report = new Report();
        Server server = new Server(settings.jar(), settings.dir());
        Random random = new Random(settings.seed());
        out.printf(Locale.ROOT, "Crash soak: seed %d, %d kills, %d accounts, server up %d-%d ms between kills, in %s%n",
                settings.seed(), settings.kills(), settings.accounts(), settings.minUpMillis(), settings.maxUpMillis(),
                settings.dir());
        server.start();
        try {
            JsonNode operatorKeys = MAPPER.readTree(server.dataDir.resolve("operator-credentials.json").toFile());
            SignedHttpClient operator = new SignedHttpClient(URI.create(server.endpoint()),
                    operatorKeys.get("accessKeyId").asText(), operatorKeys.get("secretAccessKey").asText(),
                    "us-east-1", Clock.systemUTC());
            AtomicBoolean running = new AtomicBoolean(true);
            List<Worker> workers = new ArrayList<>();
            for (int i = 0; i < settings.accounts(); i++) {
                workers.add(setUp(server, operator, i, settings, report, running));
            }
            for (int i = 0; i < workers.size(); i++) {
                workers.get(i).invitee = workers.size() > 1 ? workers.get((i + 1) % workers.size()) : null;
            }
            List<Thread> threads = new ArrayList<>();
            for (Worker w : workers) {
                Thread t = new Thread(w, "soak-" + w.index);
                threads.add(t);
                t.start();
            }
            for (int k = 0; k < settings.kills(); k++) {
                Thread.sleep(settings.minUpMillis() + random.nextInt(Math.max(1,
                        settings.maxUpMillis() - settings.minUpMillis())));
                server.kill();
                report.kills++;
                Thread.sleep(random.nextInt(300));
                server.start();
                out.printf(Locale.ROOT, "  kill %d: %s%n", k + 1, report);
            }
            Thread.sleep(settings.minUpMillis());
            // on a loaded machine no query may have ended between kills: the last stretch lasts until one
            // has (at most two minutes), so that every soak checks protected queries across restarts
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (report.queries.get() == 0 && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            running.set(false);
            for (Thread t : threads) {
                t.join(TimeUnit.MINUTES.toMillis(5));
                if (t.isAlive()) {
                    report.violation(t.getName() + " did not finish");
                }
            }
            // once more, so that the final state is the one a restart finds
            server.kill();
            server.start();
            check(server, workers, report);
        } finally {
            server.stop();
        }
        out.println(report);
        report.violations.forEach(v -> out.println("VIOLATION " + v));
        return report;
    }

    private static Worker setUp(Server server, SignedHttpClient operator, int index, Settings settings,
            Report report, AtomicBoolean running) throws Exception {
        String account = String.format("%012d", 100_000_000_000L + index);
        Path root = Files.createDirectories(settings.dir().resolve("roots").resolve(account)).toRealPath();
        StringBuilder csv = new StringBuilder("k,v\n");
        for (int i = 0; i < 20_000; i++) {
            csv.append(i).append(',').append(i % 13).append('\n');
        }
        Path file = Files.writeString(root.resolve("solo.csv"), csv);
        SignedHttpClient.Response created = operator.send("POST", "/admin/accounts", Map.of(), Map.of(),
                "{\"accountId\":\"" + account + "\",\"name\":\"soak" + index + "\",\"dataRoots\":["
                        + MAPPER.writeValueAsString(root.toString()) + "]}", "cleanroom");
        if (!created.ok()) {
            throw new IllegalStateException("create account: " + created);
        }
        JsonNode keys = MAPPER.readTree(created.body());
        SignedHttpClient http = new SignedHttpClient(URI.create(server.endpoint()), keys.get("accessKeyId").asText(),
                keys.get("secretAccessKey").asText(), "us-east-1", Clock.systemUTC());
        Client client = new Client(http, report, Duration.ofMinutes(2));
        Worker w = new Worker(index, account, client, settings.seed(), report, running);
        w.location = file.toString();
        must(client.glue("CreateDatabase", "{\"DatabaseInput\":{\"Name\":\"soak\"}}"));
        must(client.glue("CreateTable", "{\"DatabaseName\":\"soak\",\"TableInput\":{\"Name\":\"solo\","
                + "\"Parameters\":{\"classification\":\"csv\"},\"StorageDescriptor\":{\"Location\":"
                + MAPPER.writeValueAsString(file.toString()) + "}}}"));
        String collaboration = must(client.api("POST", "/collaborations", "{\"name\":\"solo\",\"description\":\"d\","
                + "\"creatorDisplayName\":\"w\",\"creatorMemberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"],"
                + "\"members\":[],\"queryLogStatus\":\"DISABLED\"}")).at("/collaboration/id").asText();
        w.soloMembership = must(client.api("POST", "/memberships", "{\"collaborationIdentifier\":\"" + collaboration
                + "\",\"queryLogStatus\":\"DISABLED\"}")).at("/membership/id").asText();
        String table = must(client.api("POST", "/configuredTables", "{\"name\":\"solo\",\"tableReference\":{\"glue\":"
                + "{\"databaseName\":\"soak\",\"tableName\":\"solo\"}},\"allowedColumns\":[\"k\",\"v\"],"
                + "\"analysisMethod\":\"DIRECT_QUERY\"}")).at("/configuredTable/id").asText();
        must(client.api("POST", "/configuredTables/" + table + "/analysisRule", "{\"analysisRuleType\":\"CUSTOM\","
                + "\"analysisRulePolicy\":{\"v1\":{\"custom\":{\"allowedAnalyses\":[\"ANY_QUERY\"],"
                + "\"allowedAnalysisProviders\":[\"" + account + "\"]}}}}"));
        must(client.api("POST", "/memberships/" + w.soloMembership + "/configuredTableAssociations", "{\"name\":"
                + "\"solo\",\"configuredTableIdentifier\":\"" + table + "\",\"roleArn\":\"arn:aws:iam::" + account
                + ":role/soak\"}"));
        return w;
    }

    private static JsonNode must(Result r) {
        if (!r.ok()) {
            throw new IllegalStateException("set-up call failed: " + r);
        }
        return r.body();
    }

    // ---------------------------------------------------------------- what must hold

    private static void check(Server server, List<Worker> workers, Report report) throws Exception {
        Set<String> succeeded = new HashSet<>();
        Map<String, String> s3Queries = new HashMap<>();
        for (Worker w : workers) {
            Client c = w.client;
            // configured tables: exactly the ones it was told exist, each as last told
            Map<String, JsonNode> listed = new HashMap<>();
            for (JsonNode t : c.all("/configuredTables", "configuredTableSummaries")) {
                if (!t.get("name").asText().equals("solo")) {
                    listed.put(t.get("id").asText(), t);
                }
            }
            if (!listed.keySet().equals(w.tables.keySet())) {
                Set<String> extra = new HashSet<>(listed.keySet());
                extra.removeAll(w.tables.keySet());
                Set<String> missing = new HashSet<>(w.tables.keySet());
                missing.removeAll(listed.keySet());
                report.violation("account " + w.account + ": configured tables missing " + missing + ", unexpected "
                        + extra);
            }
            for (Table t : w.tables.values()) {
                JsonNode now = w.readTable(t.id);
                if (now == null) {
                    continue;
                }
                if (!now.get("description").asText().equals(t.description)
                        || !now.get("name").asText().equals(t.name)) {
                    report.violation("configured table " + t.id + " is " + now.get("name") + "/"
                            + now.get("description") + ", expected " + t.name + "/" + t.description);
                }
                if (w.ruleState(t.id, "the rule of " + t.id) != t.rule) {
                    report.violation("configured table " + t.id + (t.rule ? " lost its rule" : " has a rule"));
                }
                String path = "/tags/" + java.net.URLEncoder.encode(w.arnPrefix + "configuredtable/" + t.id,
                        StandardCharsets.UTF_8);
                Set<String> tags = new HashSet<>();
                c.read(path).body().get("tags").fieldNames().forEachRemaining(tags::add);
                if (!tags.equals(t.tags)) {
                    report.violation("configured table " + t.id + " has tags " + tags + ", expected " + t.tags);
                }
            }
            // collaborations it created: the ones it was told exist, with the names it gave last
            Map<String, String> created = new HashMap<>();
            for (JsonNode col : c.all("/collaborations", "collaborationList")) {
                if (col.get("creatorAccountId").asText().equals(w.account) && !col.get("name").asText().equals("solo")
                        && !col.get("name").asText().startsWith("s-")) {
                    created.put(col.get("id").asText(), col.get("name").asText());
                }
            }
            if (!created.equals(w.collaborations)) {
                report.violation("account " + w.account + ": collaborations " + created + ", expected "
                        + w.collaborations);
            }
            // memberships of collaborations shared with it
            Set<String> joined = new HashSet<>();
            for (JsonNode m : c.all("/memberships", "membershipSummaries")) {
                joined.add(m.get("collaborationId").asText());
            }
            for (String collaboration : w.joined) {
                if (!joined.contains(collaboration)) {
                    report.violation("account " + w.account + " lost its membership of " + collaboration);
                }
            }
            // catalog tables
            Set<String> catalog = new HashSet<>();
            JsonNode tablesPage = c.read("POST", "/", Map.of(), "{\"DatabaseName\":\"soak\"}", "glue",
                    Map.of("X-Amz-Target", "AWSGlue.GetTables", "Content-Type", "application/x-amz-json-1.1")).body();
            tablesPage.get("TableList").forEach(t -> catalog.add(t.get("Name").asText()));
            catalog.remove("solo");
            if (!catalog.equals(w.catalog)) {
                report.violation("account " + w.account + ": catalog tables " + catalog + ", expected " + w.catalog);
            }
            // queries: none left SUBMITTED or STARTED; those that succeeded have their result
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            List<JsonNode> queries;
            while (true) {
                queries = c.all("/memberships/" + w.soloMembership + "/protectedQueries", "protectedQueries");
                boolean ongoing = queries.stream().anyMatch(q -> !terminal(q.get("status").asText()));
                if (!ongoing || System.nanoTime() > deadline) {
                    break;
                }
                sleep(200);
            }
            Set<String> listedQueries = new HashSet<>();
            for (JsonNode q : queries) {
                String id = q.get("id").asText();
                listedQueries.add(id);
                String status = q.get("status").asText();
                if (!terminal(status)) {
                    report.violation("query " + id + " is stuck " + status);
                }
                if (status.equals("SUCCESS")) {
                    succeeded.add(id);
                    Result result = c.read("/memberships/" + w.soloMembership + "/protectedQueries/" + id + "/result");
                    if (!result.ok()) {
                        report.violation("query " + id + " succeeded but its result answers " + result.status());
                    }
                    JsonNode full = c.read("/memberships/" + w.soloMembership + "/protectedQueries/" + id).body();
                    if (full.at("/protectedQuery/result/output/s3").isObject()) {
                        s3Queries.put(id, "w" + w.index);
                    }
                }
            }
            if (!listedQueries.equals(w.queries.keySet())) {
                report.violation("account " + w.account + ": queries " + listedQueries.size() + " listed, "
                        + w.queries.size() + " started");
            }
        }
        // results at rest: exactly the results of queries that succeeded, nothing partial
        try (Stream<Path> files = Files.list(server.dataDir.resolve("results"))) {
            Set<String> stored = new HashSet<>();
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".result")) {
                    report.violation("results directory holds " + name);
                } else {
                    stored.add(name.substring(0, name.length() - ".result".length()));
                }
            }
            if (!stored.equals(succeeded)) {
                Set<String> orphans = new HashSet<>(stored);
                orphans.removeAll(succeeded);
                Set<String> missing = new HashSet<>(succeeded);
                missing.removeAll(stored);
                report.violation("results directory: orphans " + orphans + ", missing " + missing);
            }
        }
        try (Stream<Path> files = Files.walk(server.bucket)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String query = f.getParent().getFileName().toString();
                if (!f.getFileName().toString().equals("result.csv") || !s3Queries.containsKey(query)) {
                    report.violation("bucket holds " + server.bucket.relativize(f) + " of a query that did not "
                            + "succeed");
                }
            }
        }
        for (String id : s3Queries.keySet()) {
            if (!Files.exists(server.bucket.resolve(s3Queries.get(id)).resolve(id).resolve("result.csv"))) {
                report.violation("query " + id + " succeeded but its S3 output is missing");
            }
        }
        checkAudit(server, workers, report);
    }

    /** Writes whose request carries no marker: their events are found by the resource in their path. */
    private static final Set<String> BY_RESOURCE = Set.of("DeleteConfiguredTable", "DeleteCollaboration",
            "CreateConfiguredTableAnalysisRule");

    private static String key(Write write) {
        return BY_RESOURCE.contains(write.operation()) ? write.resource() : write.marker();
    }

    private static String json(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean terminal(String status) {
        return status.equals("SUCCESS") || status.equals("FAILED") || status.equals("CANCELLED")
                || status.equals("TIMED_OUT");
    }

    /**
     * The trail verifies with the packaged command, and each write that took effect has exactly one
     * successful event (the change and its event commit together); others have none.
     */
    private static void checkAudit(Server server, List<Worker> workers, Report report) throws Exception {
        Object[] verify = server.command("audit", "verify", "--endpoint", server.endpoint(), "--data-dir",
                server.dataDir.toString());
        if ((int) verify[0] != 0) {
            report.violation("cleanroom audit verify failed: " + verify[1]);
        }
        Object[] export = server.command("audit", "export", "--endpoint", server.endpoint(), "--data-dir",
                server.dataDir.toString());
        if ((int) export[0] != 0) {
            report.violation("cleanroom audit export failed: " + export[1]);
            return;
        }
        List<JsonNode> successes = new ArrayList<>();
        for (String line : ((String) export[1]).split("\n")) {
            if (line.startsWith("{")) {
                JsonNode event = MAPPER.readTree(line);
                if (event.get("errorCode").isNull()) {
                    successes.add(event);
                }
            }
        }
        for (Worker w : workers) {
            // writes without a body of their own are told apart by their resource; the others by their marker
            Map<String, Long> applied = new LinkedHashMap<>();
            for (Write write : w.writes) {
                applied.merge(write.operation() + " " + key(write), write.applied() ? 1L : 0L, Long::sum);
            }
            for (Map.Entry<String, Long> expected : applied.entrySet()) {
                String operation = expected.getKey().substring(0, expected.getKey().indexOf(' '));
                String key = expected.getKey().substring(operation.length() + 1);
                long events = successes.stream().filter(e -> e.get("eventName").asText().equals(operation)
                        && e.get("accountId").asText().equals(w.account) && (BY_RESOURCE.contains(operation)
                                ? e.get("resources").toString().contains("\"" + key + "\"")
                                : e.get("requestParameters").asText().contains(key))).count();
                if (events != expected.getValue()) {
                    report.violation(operation + " " + key + " took effect " + expected.getValue()
                            + " times but has " + events + " successful audit events");
                }
            }
        }
    }
}
