package io.cleanroom.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Connection;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.model.S3Location;
import io.cleanroom.core.service.ConnectionService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 client against a real S3-protocol server: listing, fetching, writing, and each kind of failure. */
class S3StorageIT {
    private static S3TestServer s3;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start();
        s3.put("lake", "t/dt=2026-11-01/part-0.csv", "a,b\n1,2\n", "t/dt=2026-11-02/part-0.csv", "a,b\n3,4\n",
                "t/_SUCCESS", "", "other/x.csv", "a\n1\n", "tt/y.csv", "a\n1\n");
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    static ConnectionService.Opened connection(String endpoint, String secret) {
        Instant now = Instant.now();
        return new ConnectionService.Opened(new Connection(new AccountId("111111111111"), "lake-reader",
                ConnectionType.S3, null, endpoint, "us-east-1", S3TestServer.ACCESS_KEY, true, null, null, "sealed",
                now, now), secret);
    }

    private static S3Storage storage(String secret) {
        return S3Storage.open(connection(s3.endpoint().toString(), secret), S3Storage.Timeouts.defaults());
    }

    private static S3Location folder(String text) {
        return S3Location.parse(text).location().orElseThrow();
    }

    @Test
    void listsTheObjectsOfAFolderOnlyAndFetchesThem() throws IOException {
        try (S3Storage storage = storage(S3TestServer.SECRET_KEY)) {
            List<S3Storage.Listed> listed = storage.list(folder("s3://lake/t/"), 100);
            assertThat(listed).extracting(S3Storage.Listed::key).containsExactly("t/_SUCCESS",
                    "t/dt=2026-11-01/part-0.csv", "t/dt=2026-11-02/part-0.csv");
            assertThat(listed.get(1).size()).isEqualTo(8);
            Path file = dir.resolve("part.csv");
            assertThat(storage.fetch("lake", "t/dt=2026-11-02/part-0.csv", file)).isEqualTo(8);
            assertThat(Files.readString(file)).isEqualTo("a,b\n3,4\n");
            // a staged file is never overwritten
            assertThat(catchThrowableOfType(java.io.UncheckedIOException.class,
                    () -> storage.fetch("lake", "t/dt=2026-11-01/part-0.csv", file))).isNotNull();
            SourceException many = catchThrowableOfType(SourceException.class,
                    () -> storage.list(folder("s3://lake/t/"), 2));
            assertThat(many.category()).isEqualTo(SourceException.Category.LIMIT);
        }
    }

    @Test
    void fetchesTheTailAndRangesOfAnObjectIntoAFileAsLongAsItWithHolesElsewhere() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            text.append(String.format("%09d\n", i));
        }
        s3.put("lake", "ranges/object.txt", text.toString());
        byte[] all = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (S3Storage storage = storage(S3TestServer.SECRET_KEY)) {
            S3Storage.Listed object = storage.list(folder("s3://lake/ranges/"), 10).get(0);
            assertThat(object.size()).isEqualTo(10_000);
            assertThat(object.etag()).isNotBlank();
            assertThat(storage.tail(object, "lake", 20)).contains(java.util.Arrays.copyOfRange(all, 9980, 10_000));
            assertThat(storage.tail(object, "lake", 50_000)).contains(all);

            Path file = dir.resolve("ranges.txt");
            long fetched = storage.fetchRanges(object, "lake", List.of(new S3Storage.Range(0, 10),
                    new S3Storage.Range(5000, 5020)), file);
            assertThat(fetched).isEqualTo(30);
            byte[] staged = Files.readAllBytes(file);
            assertThat(staged).hasSize(10_000);
            for (int i = 0; i < staged.length; i++) {
                boolean fetchedByte = i < 10 || (i >= 5000 && i < 5020);
                assertThat(staged[i]).as("byte %d", i).isEqualTo(fetchedByte ? all[i] : (byte) 0);
            }

            // one request over 0..100 keeping 0..10 and 50..60: the rest it brings is never written
            Path kept = dir.resolve("kept.txt");
            assertThat(storage.fetchRanges(object, "lake", List.of(new S3Storage.Range(0, 100)),
                    List.of(new S3Storage.Range(0, 10), new S3Storage.Range(50, 60)), kept)).isEqualTo(100);
            byte[] keptBytes = Files.readAllBytes(kept);
            assertThat(keptBytes).hasSize(10_000);
            for (int i = 0; i < keptBytes.length; i++) {
                boolean keptByte = i < 10 || (i >= 50 && i < 60);
                assertThat(keptBytes[i]).as("byte %d", i).isEqualTo(keptByte ? all[i] : (byte) 0);
            }

            // an object replaced since it was listed is not read in pieces of two versions
            s3.put("lake", "ranges/object.txt", text.toString().replace('7', '8'));
            SourceException changed = catchThrowableOfType(SourceException.class, () -> storage.fetchRanges(object,
                    "lake", List.of(new S3Storage.Range(0, 10)), dir.resolve("changed.txt")));
            assertThat(changed.getMessage()).contains("412");
            assertThat(catchThrowableOfType(SourceException.class, () -> storage.tail(object, "lake", 10)))
                    .isNotNull();
        }
    }

    @Test
    void rangesOfAnObjectWithoutAnEntityTagAreNeverFetchedOneAfterAnother() throws IOException {
        // without If-Match, a second range could come from another version of the object than the first
        try (S3Storage storage = storage(S3TestServer.SECRET_KEY)) {
            S3Storage.Listed untagged = new S3Storage.Listed("ranges/untagged.txt", 100, null);
            assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> storage.fetchRanges(untagged, "lake",
                    List.of(new S3Storage.Range(0, 10)), dir.resolve("untagged.txt")))).isNotNull();
            assertThat(dir.resolve("untagged.txt")).doesNotExist();
        }
    }

    @Test
    void aStorageThatIgnoresRangesIsNotReadOnForATail() throws Exception {
        // a member's own S3-compatible endpoint may answer a ranged GET with the whole object: a tail
        // read into memory whole would take as much heap as the object is long (here 3 GiB)
        long huge = 3L << 30;
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().add("ETag", "\"v1\"");
                exchange.sendResponseHeaders(200, huge);
                byte[] zeros = new byte[1 << 16];
                try (var out = exchange.getResponseBody()) {
                    for (long sent = 0; sent < huge; sent += zeros.length) {
                        out.write(zeros);
                    }
                } catch (IOException closed) {
                    // the client stopped reading
                }
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        try (S3Storage storage = S3Storage.open(connection("http://127.0.0.1:" + server.getAddress().getPort(),
                S3TestServer.SECRET_KEY), S3Storage.Timeouts.defaults())) {
            S3Storage.Listed object = new S3Storage.Listed("big.parquet", huge, "\"v1\"");
            assertThat(storage.tail(object, "lake", 16 * 1024)).isEmpty();
            // ranges it would answer with more bytes than asked fail, without reading on
            SourceException more = catchThrowableOfType(SourceException.class, () -> storage.fetchRanges(object,
                    "lake", List.of(new S3Storage.Range(0, 4)), dir.resolve("big.parquet")));
            assertThat(more.getMessage()).contains("more bytes than the range asked for");
        } finally {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    @Test
    void writesAndDeletesObjects() throws IOException {
        Path file = Files.writeString(dir.resolve("result.csv"), "n\n42\n");
        try (S3Storage storage = storage(S3TestServer.SECRET_KEY)) {
            storage.put("lake", "results/q1/result.csv", file);
            assertThat(new String(s3.get("lake", "results/q1/result.csv"))).isEqualTo("n\n42\n");
            storage.delete("lake", "results/q1/result.csv");
            storage.delete("lake", "results/q1/result.csv");
            assertThat(s3.keys("lake", "results/")).isEmpty();
        }
    }

    @Test
    void eachFailureHasItsCategoryAndAnOwnerDetailWithoutTheSecret() throws Exception {
        String wrong = "not-the-secret-0a1b2c";
        try (S3Storage storage = storage(wrong)) {
            SourceException e = catchThrowableOfType(SourceException.class,
                    () -> storage.list(folder("s3://lake/t/"), 100));
            assertThat(e.category()).isEqualTo(SourceException.Category.CREDENTIALS);
            assertThat(e.ownerDetail()).contains("s3://lake/t/").contains("lake-reader").contains("403")
                    .doesNotContain(wrong);
        }
        try (S3Storage storage = storage(S3TestServer.SECRET_KEY)) {
            assertThat(catchThrowableOfType(SourceException.class, () -> storage.list(folder("s3://gone/t/"), 100))
                    .category()).isEqualTo(SourceException.Category.MISSING);
            assertThat(catchThrowableOfType(SourceException.class,
                    () -> storage.fetch("lake", "t/missing.csv", dir.resolve("m"))).category())
                    .isEqualTo(SourceException.Category.MISSING);
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        try (S3Storage storage = S3Storage.open(connection("http://127.0.0.1:" + closed, "x"),
                S3Storage.Timeouts.defaults())) {
            SourceException e = catchThrowableOfType(SourceException.class,
                    () -> storage.list(folder("s3://lake/t/"), 100));
            assertThat(e.category()).isEqualTo(SourceException.Category.UNREACHABLE);
        }
        // a server that accepts and never answers: the bounded read time-out, not a hang
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException stopped) {
                    // closed
                }
            });
            acceptor.start();
            try (S3Storage storage = S3Storage.open(connection("http://127.0.0.1:" + silent.getLocalPort(), "x"),
                    new S3Storage.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(5)))) {
                SourceException e = catchThrowableOfType(SourceException.class,
                        () -> storage.list(folder("s3://lake/t/"), 100));
                assertThat(e.category()).isEqualTo(SourceException.Category.TIMEOUT);
            } finally {
                silent.close();
                acceptor.join(5000);
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
