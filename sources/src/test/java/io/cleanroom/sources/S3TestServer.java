package io.cleanroom.sources;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-protocol server for tests: s3proxy (SigV4, ListObjectsV2, ranged GETs...) over a folder
 * of a temporary directory (bucket = folder, object = file), in a JVM of its own on a free loopback
 * port, its class path the one this module's build wrote ({@code s3proxy.classpath}), so its
 * libraries never meet the server's. Stopped, it leaves nothing behind.
 */
public final class S3TestServer implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIDCLEANROOMTEST";
    public static final String SECRET_KEY = "cleanroom-test-secret-6f1d0c";

    private final Process process;
    private final Path directory;
    private final int port;

    private S3TestServer(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /** Starts a server and waits until it answers (a few seconds). */
    public static S3TestServer start() throws IOException, InterruptedException {
        String classpath;
        try (InputStream in = S3TestServer.class.getResourceAsStream("/s3proxy.classpath")) {
            if (in == null) {
                throw new IllegalStateException("s3proxy.classpath is missing: build the sources module's test jar");
            }
            classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        Path directory = Files.createTempDirectory("cleanroom-s3");
        Path data = Files.createDirectory(directory.resolve("data"));
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path properties = directory.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data) + "\n");
        Path logging = directory.resolve("logback.xml");
        Files.writeString(logging, "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%d %level %logger %msg%n</pattern></encoder></appender>"
                + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-Dlogback.configurationFile=" + logging,
                "-cp", classpath, "org.gaul.s3proxy.Main", "--properties", properties.toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("s3proxy.log").toFile()).start();
        S3TestServer server = new S3TestServer(process, directory, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return server;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.exists(directory.resolve("s3proxy.log"))
                            ? Files.readString(directory.resolve("s3proxy.log")) : "";
                    server.close();
                    throw new IllegalStateException("s3proxy did not start: " + log);
                }
                Thread.sleep(100);
            }
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Where the objects lie: one folder per bucket. */
    public Path dataDirectory() {
        return directory.resolve("data");
    }

    /** A client with the server's key, path-style, for a test's own set-up and checks. */
    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .build();
    }

    /** Creates a bucket and puts objects into it: key, then its content, repeated. */
    public void put(String bucket, String... keysAndContents) {
        try (S3Client client = client()) {
            if (client.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                client.createBucket(r -> r.bucket(bucket));
            }
            for (int i = 0; i < keysAndContents.length; i += 2) {
                String key = keysAndContents[i];
                client.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromString(keysAndContents[i + 1]));
            }
        }
    }

    /** Puts a file as an object. */
    public void putFile(String bucket, String key, Path file) {
        try (S3Client client = client()) {
            if (client.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                client.createBucket(r -> r.bucket(bucket));
            }
            client.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromFile(file));
        }
    }

    /** The keys of a bucket under a prefix. */
    public List<String> keys(String bucket, String prefix) {
        try (S3Client client = client()) {
            return client.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().stream()
                    .map(o -> o.key()).filter(k -> !k.endsWith("/")).toList();
        }
    }

    /** An object's bytes. */
    public byte[] get(String bucket, String key) {
        try (S3Client client = client()) {
            return client.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
