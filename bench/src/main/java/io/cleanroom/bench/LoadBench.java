package io.cleanroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cleanroom.client.SignedHttpClient;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Control-plane load generator: many keep-alive clients, each on its own connection, send
 * SigV4-signed GetCollaboration (a read) and TagResource (a small write) as fast as the server
 * answers, one request in flight per client, and it prints calls/s, p50 and p99 latency, and the
 * CPU time the server process and this generator spent per call.
 *
 * <p>The generator costs little beside the server: requests are signed ahead (a signature stays
 * valid within the server's clock-skew window, 15 minutes by default, so a signed request can be
 * sent again; each phase signs afresh) and kept as bytes, and responses are parsed only far enough
 * to find their status and length. It still shares the machine's cores with the server, which is why
 * its own CPU is printed too.
 *
 * <p>By default it starts the server itself ({@link BenchServer}, default configuration, SQLite
 * store, in a fresh data directory) in a second JVM, so that the server's CPU time can be read
 * from the operating system per process ({@code ProcessHandle.Info.totalCpuDuration}, i.e.
 * {@code /proc/<pid>/stat} utime + stime). With {@code --endpoint} and {@code --data-dir} it drives
 * a running server instead (the operator credentials are read from its data directory), and with
 * {@code --server-pid} it reports that process's CPU.
 *
 * <p>Options: {@code --clients 8,32,128} {@code --seconds 10} (measured, per phase)
 * {@code --warmup 3} (seconds, per phase) {@code --jit-warmup 30} (seconds per operation before the first
 * phase, unreported: the JIT compiles both processes' hot paths) {@code --operations GetCollaboration,TagResource}
 * {@code --server-jvm "-Xmx1g"} {@code --tls} (the started server serves HTTPS with its
 * self-signed development certificate) {@code --wrk} (then also runs Debian's {@code wrk}
 * at the same client counts, replaying one signed request of each operation, as a cross-check).
 */
public final class LoadBench {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ACCOUNT = "111111111111";
    private static final int SIGNED_VARIANTS = 64;

    private final Options options;
    private URI endpoint;
    private Path dataDir;
    private Process server;
    private long serverPid = -1;
    private SSLSocketFactory tls;
    private String accessKeyId;
    private String secretAccessKey;
    private String collaborationId;
    private String collaborationArn;

    private LoadBench(Options options) {
        this.options = options;
    }

    record Options(List<Integer> clients, int seconds, int warmup, int jitWarmup, List<String> operations,
            String serverJvm, boolean tls, URI endpoint, Path dataDir, long serverPid, boolean wrk) {
        static Options parse(String[] args) {
            List<Integer> clients = List.of(8, 32, 128);
            int seconds = 10;
            int warmup = 3;
            int jitWarmup = 30;
            List<String> operations = List.of("GetCollaboration", "TagResource");
            String serverJvm = "";
            boolean tls = false;
            URI endpoint = null;
            Path dataDir = null;
            long pid = -1;
            boolean wrk = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--clients" -> clients = Arrays.stream(args[++i].split(",")).map(String::trim)
                            .map(Integer::parseInt).toList();
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--jit-warmup" -> jitWarmup = Integer.parseInt(args[++i]);
                    case "--operations" -> operations = List.of(args[++i].split(","));
                    case "--server-jvm" -> serverJvm = args[++i];
                    case "--tls" -> tls = true;
                    case "--endpoint" -> endpoint = URI.create(args[++i]);
                    case "--data-dir" -> dataDir = Path.of(args[++i]);
                    case "--server-pid" -> pid = Long.parseLong(args[++i]);
                    case "--wrk" -> wrk = true;
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see the class comment)");
                }
            }
            for (String op : operations) {
                if (!op.equals("GetCollaboration") && !op.equals("TagResource")) {
                    throw new IllegalArgumentException("operations are GetCollaboration and TagResource, not " + op);
                }
            }
            if (endpoint != null && dataDir == null) {
                throw new IllegalArgumentException("--endpoint needs --data-dir (for the operator credentials)");
            }
            return new Options(clients, seconds, warmup, jitWarmup, operations, serverJvm, tls, endpoint, dataDir, pid,
                    wrk);
        }
    }

    /** One measured phase. */
    record Result(String operation, int clients, long calls, long errors, double seconds, double p50Millis,
            double p99Millis, double serverCpuMicrosPerCall, double generatorCpuMicrosPerCall) {
        double callsPerSecond() {
            return calls / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        run(args, System.out);
    }

    /** Runs the benchmark as main does, printing to out, and returns what it measured. */
    static List<Result> run(String[] args, java.io.PrintStream out) throws Exception {
        LoadBench bench = new LoadBench(Options.parse(args));
        try {
            bench.start();
            bench.setUp();
            bench.warmUp();
            List<Result> results = new ArrayList<>();
            out.printf(Locale.ROOT, "%-17s %7s %9s %8s %8s %10s %10s %7s%n", "operation", "clients", "calls/s",
                    "p50 ms", "p99 ms", "server µs", "client µs", "errors");
            for (String operation : bench.options.operations()) {
                for (int clients : bench.options.clients()) {
                    Result r = bench.measure(operation, clients);
                    results.add(r);
                    out.printf(Locale.ROOT, "%-17s %7d %9.0f %8.2f %8.2f %10s %10.0f %7d%n", r.operation(),
                            r.clients(), r.callsPerSecond(), r.p50Millis(), r.p99Millis(),
                            r.serverCpuMicrosPerCall() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f",
                                    r.serverCpuMicrosPerCall()), r.generatorCpuMicrosPerCall(), r.errors());
                }
            }
            out.println("(server µs, client µs: CPU time of the server process and of this generator per call;"
                    + " both share this machine's " + Runtime.getRuntime().availableProcessors() + " cores)");
            if (bench.options.wrk()) {
                bench.crossCheckWithWrk();
            }
            return results;
        } finally {
            bench.stop();
        }
    }

    private void start() throws IOException, InterruptedException {
        if (options.endpoint() != null) {
            endpoint = options.endpoint();
            dataDir = options.dataDir();
            serverPid = options.serverPid();
        } else {
            dataDir = Files.createTempDirectory("cleanroom-loadbench");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String opt : options.serverJvm().split("\\s+")) {
                if (!opt.isBlank()) {
                    command.add(opt);
                }
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchServer.class.getName(),
                    dataDir.toString()));
            if (options.tls()) {
                command.add("tls");
            }
            server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            serverPid = server.pid();
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("ENDPOINT ")) {
                System.err.println("server: " + line);
            }
            if (line == null) {
                throw new IllegalStateException("the server did not start");
            }
            endpoint = URI.create(line.substring("ENDPOINT ".length()).trim());
            Thread drain = new Thread(() -> {
                try {
                    out.transferTo(Writer.NULL);
                } catch (IOException e) {
                    // server gone
                }
            });
            drain.setDaemon(true);
            drain.start();
        }
        if (endpoint.getScheme().equals("https")) {
            tls = trusting(dataDir.resolve("tls").resolve("ca.pem"));
        }
        System.err.println("server " + endpoint + (serverPid > 0 ? " (pid " + serverPid + ")" : "")
                + ", data in " + dataDir);
    }

    /** Drains a reader into nothing. */
    private static final class Writer extends java.io.Writer {
        static final Writer NULL = new Writer();

        @Override
        public void write(char[] cbuf, int off, int len) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** A socket factory trusting exactly the certificate in the given PEM file. */
    private static SSLSocketFactory trusting(Path pem) {
        try {
            return contextTrusting(pem).getSocketFactory();
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust the server certificate " + pem, e);
        }
    }

    private void stop() {
        if (server != null) {
            try {
                server.getOutputStream().close();
                if (!server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    server.destroy();
                }
            } catch (IOException | InterruptedException e) {
                server.destroy();
            }
        }
    }

    private SignedHttpClient client(String key, String secret) {
        return new SignedHttpClient(endpoint, key, secret, "us-east-1", Clock.systemUTC());
    }

    private static JsonNode call(SignedHttpClient c, String method, String path, String body, String service)
            throws Exception {
        SignedHttpClient.Response r = c.send(method, path, Map.of(), Map.of(), body, service);
        if (!r.ok()) {
            throw new IllegalStateException(method + " " + path + " -> " + r.status() + " " + r.body());
        }
        return r.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
    }

    /** An account with a collaboration to read and tag. */
    private void setUp() throws Exception {
        if (tls != null) {
            // SignedHttpClient uses the JDK's default trust: give it the server's certificate
            SSLContext.setDefault(contextTrusting(dataDir.resolve("tls").resolve("ca.pem")));
        }
        JsonNode operatorKeys = MAPPER.readTree(Files.readString(dataDir.resolve("operator-credentials.json")));
        SignedHttpClient operator = client(operatorKeys.get("accessKeyId").asText(),
                operatorKeys.get("secretAccessKey").asText());
        String account = ACCOUNT;
        JsonNode keys;
        try {
            keys = call(operator, "POST", "/admin/accounts", "{\"accountId\":\"" + account + "\",\"name\":\"bench\"}",
                    "cleanroom");
        } catch (IllegalStateException e) {
            // a running server that has seen this bench before: a fresh account id
            account = String.format(Locale.ROOT, "%012d", Math.floorMod(System.nanoTime(), 1_000_000_000_000L));
            keys = call(operator, "POST", "/admin/accounts", "{\"accountId\":\"" + account + "\",\"name\":\"bench\"}",
                    "cleanroom");
        }
        accessKeyId = keys.get("accessKeyId").asText();
        secretAccessKey = keys.get("secretAccessKey").asText();
        JsonNode collaboration = call(client(accessKeyId, secretAccessKey), "POST", "/collaborations",
                "{\"name\":\"load\",\"description\":\"load bench\",\"creatorDisplayName\":\"bench\","
                        + "\"creatorMemberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"],\"members\":[],"
                        + "\"queryLogStatus\":\"DISABLED\"}", "cleanrooms").get("collaboration");
        collaborationId = collaboration.get("id").asText();
        collaborationArn = collaboration.get("arn").asText();
    }

    private static SSLContext contextTrusting(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("c" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        }
    }

    /** A signed request, as method, encoded path, headers and body. */
    record Signed(String method, String path, Map<String, List<String>> headers, byte[] body) {
        /** The request as HTTP/1.1 bytes on a keep-alive connection. */
        byte[] bytes(String hostHeader) {
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            head.append("Host: ").append(hostHeader).append("\r\n");
            headers.forEach((name, values) -> {
                if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                    values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n"));
                }
            });
            if (body.length > 0 || method.equals("POST")) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
            byte[] out = Arrays.copyOf(h, h.length + body.length);
            System.arraycopy(body, 0, out, h.length, body.length);
            return out;
        }
    }

    private Signed sign(String method, String encodedPath, String body) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        SdkHttpFullRequest.Builder builder = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(method)).uri(endpoint).encodedPath(encodedPath);
        if (body != null) {
            builder.putHeader("Content-Type", "application/json");
        }
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(accessKeyId, secretAccessKey))
                .request(builder.build())
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "cleanrooms")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
        return new Signed(method, encodedPath, signed.request().headers(), bytes);
    }

    /** Requests of one operation, signed now; TagResource sets one tag to varying values. */
    private List<Signed> signed(String operation) {
        List<Signed> out = new ArrayList<>();
        for (int i = 0; i < SIGNED_VARIANTS; i++) {
            out.add(switch (operation) {
                case "GetCollaboration" -> sign("GET", "/collaborations/" + collaborationId, null);
                case "TagResource" -> sign("POST", "/tags/" + URLEncoder.encode(collaborationArn,
                        StandardCharsets.UTF_8), "{\"tags\":{\"bench\":\"v" + i + "\"}}");
                default -> throw new IllegalArgumentException(operation);
            });
        }
        return out;
    }

    private String hostHeader() {
        return endpoint.getHost() + ":" + endpoint.getPort();
    }

    private static Duration cpu(long pid) {
        if (pid <= 0) {
            return null;
        }
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).orElse(null);
    }

    /** Both JVMs compile the hot paths before anything is measured: each operation, unreported. */
    private void warmUp() throws Exception {
        if (options.jitWarmup() <= 0) {
            return;
        }
        System.err.println("warming up for " + options.jitWarmup() + " s per operation (--jit-warmup)");
        for (String operation : options.operations()) {
            run(operation, 32, options.jitWarmup(), 0);
        }
    }

    private Result measure(String operation, int clients) throws Exception {
        return run(operation, clients, options.seconds(), options.warmup());
    }

    private Result run(String operation, int clients, int seconds, int warmup) throws Exception {
        List<Signed> signed = signed(operation);
        byte[][] requests = signed.stream().map(s -> s.bytes(hostHeader())).toArray(byte[][]::new);
        Client[] workers = new Client[clients];
        for (int i = 0; i < clients; i++) {
            workers[i] = new Client(requests, i);
        }
        for (Client c : workers) {
            c.thread.start();
        }
        Thread.sleep(warmup * 1000L);
        Duration serverBefore = cpu(serverPid);
        Duration selfBefore = cpu(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        for (Client c : workers) {
            c.recording = true;
        }
        Thread.sleep(seconds * 1000L);
        for (Client c : workers) {
            c.recording = false;
        }
        long t1 = System.nanoTime();
        Duration serverAfter = cpu(serverPid);
        Duration selfAfter = cpu(ProcessHandle.current().pid());
        for (Client c : workers) {
            c.running = false;
        }
        for (Client c : workers) {
            c.thread.join(30_000);
            c.close();
        }
        long calls = 0;
        long errors = 0;
        int n = 0;
        for (Client c : workers) {
            calls += c.calls;
            errors += c.errors.get();
            n += c.latencies.size();
        }
        long[] all = new long[n];
        int at = 0;
        for (Client c : workers) {
            for (int i = 0; i < c.latencies.size(); i++) {
                all[at++] = c.latencies.get(i);
            }
        }
        Arrays.sort(all);
        double elapsed = (t1 - t0) / 1e9;
        double serverCpu = serverBefore == null || serverAfter == null || calls == 0 ? -1
                : serverAfter.minus(serverBefore).toNanos() / 1e3 / calls;
        double selfCpu = selfBefore == null || selfAfter == null || calls == 0 ? -1
                : selfAfter.minus(selfBefore).toNanos() / 1e3 / calls;
        for (Client c : workers) {
            if (c.failure != null) {
                System.err.println("a client failed: " + c.failure);
                break;
            }
        }
        return new Result(operation, clients, calls, errors, elapsed, percentile(all, 0.50), percentile(all, 0.99),
                serverCpu, selfCpu);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** A growable array of longs. */
    private static final class Longs {
        private long[] values = new long[4096];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }

    /** One client: one keep-alive connection, one request in flight. */
    private final class Client implements Runnable {
        final Thread thread;
        final byte[][] requests;
        final Longs latencies = new Longs();
        final AtomicLong errors = new AtomicLong();
        volatile boolean running = true;
        volatile boolean recording;
        long calls;
        String failure;
        private int next;
        private Socket socket;
        private OutputStream out;
        private InputStream in;

        Client(byte[][] requests, int index) {
            this.requests = requests;
            this.next = index % requests.length;
            this.thread = new Thread(this, "load-" + index);
            this.thread.setDaemon(true);
        }

        private void connect() throws IOException {
            close();
            socket = tls != null ? tls.createSocket(endpoint.getHost(), endpoint.getPort())
                    : new Socket(endpoint.getHost(), endpoint.getPort());
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
                socket = null;
            }
        }

        @Override
        public void run() {
            try {
                connect();
                while (running) {
                    byte[] request = requests[next];
                    next = (next + 1) % requests.length;
                    long t = System.nanoTime();
                    out.write(request);
                    out.flush();
                    Response r = readResponse(in);
                    long d = System.nanoTime() - t;
                    if (recording) {
                        calls++;
                        latencies.add(d);
                        if (r.status() < 200 || r.status() > 299) {
                            errors.incrementAndGet();
                        }
                    }
                    if (r.close()) {
                        connect();
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (running) {
                    failure = e.toString();
                }
            }
        }
    }

    record Response(int status, boolean close) {
    }

    /** Reads one response: status line, headers, and a Content-Length body (or none). */
    static Response readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            throw new IOException("connection closed by the server");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = 0;
        boolean close = false;
        boolean chunked = false;
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
                close = true;
            } else if (name.equalsIgnoreCase("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            while (true) {
                String size = readLine(in);
                long n = Long.parseLong(size.split(";")[0].trim(), 16);
                skip(in, n);
                readLine(in);
                if (n == 0) {
                    break;
                }
            }
        } else {
            skip(in, length);
        }
        return new Response(status, close);
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long skipped = in.skip(n);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in a body");
                }
                skipped = 1;
            }
            n -= skipped;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    /**
     * Runs wrk (2 threads) at each client count, replaying one signed request of each operation,
     * and prints its throughput and latency lines.
     */
    private void crossCheckWithWrk() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("cleanroom-wrk");
        for (String operation : options.operations()) {
            for (int clients : options.clients()) {
                Signed s = signed(operation).get(0);
                StringBuilder lua = new StringBuilder();
                lua.append("wrk.method = \"").append(s.method()).append("\"\n");
                lua.append("wrk.path = \"").append(s.path()).append("\"\n");
                lua.append("wrk.body = ").append(luaString(new String(s.body(), StandardCharsets.UTF_8)))
                        .append('\n');
                lua.append("wrk.headers[\"Host\"] = \"").append(hostHeader()).append("\"\n");
                s.headers().forEach((name, values) -> {
                    if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                        lua.append("wrk.headers[\"").append(name).append("\"] = ").append(luaString(values.get(0)))
                                .append('\n');
                    }
                });
                Path script = dir.resolve(operation + ".lua");
                Files.writeString(script, lua.toString());
                List<String> command = List.of("wrk", "-t2", "-c" + clients, "-d" + options.seconds() + "s",
                        "--latency", "-s", script.toString(), endpoint.toString());
                Duration before = cpu(serverPid);
                Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                wrk.waitFor();
                Duration after = cpu(serverPid);
                StringBuilder summary = new StringBuilder();
                long requests = -1;
                for (String line : output.split("\n")) {
                    String t = line.trim();
                    if (t.startsWith("50%") || t.startsWith("99%") || t.startsWith("Requests/sec")
                            || t.startsWith("Non-2xx") || t.startsWith("Socket errors")) {
                        summary.append(t.replaceAll("\\s+", " ")).append("; ");
                    }
                    if (t.matches("\\d+ requests in .*")) {
                        requests = Long.parseLong(t.substring(0, t.indexOf(' ')));
                    }
                }
                String cpu = before == null || after == null || requests <= 0 ? "" : String.format(Locale.ROOT,
                        "server %.0f µs/call", after.minus(before).toNanos() / 1e3 / requests);
                System.out.printf(Locale.ROOT, "wrk %-17s %4d clients: %s%s%n", operation, clients, summary, cpu);
            }
        }
    }

    private static String luaString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
