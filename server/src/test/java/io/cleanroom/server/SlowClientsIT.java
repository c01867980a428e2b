package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;

/**
 * Slow clients (slowloris): connections that send a request's headers or body a byte at a time
 * hold no thread (the server, with two request threads, serves others while a dozen of them
 * dribble), and are closed when their headers or body take longer than the configured timeouts, as
 * are a TLS handshake that never finishes and a connection on which nothing happens.
 */
class SlowClientsIT {
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Duration SHORT = Duration.ofSeconds(1);

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Socket> sockets = new ArrayList<>();
    private TestCluster cluster;

    @AfterEach
    void stop() throws Exception {
        threads.shutdownNow();
        for (Socket s : sockets) {
            s.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private TestCluster start(Duration headerAndBody, Duration idle, boolean tls) throws Exception {
        return TestCluster.start(TestCluster.StoreKind.SQLITE, c -> {
            ServerConfig.Transport transport = c.transport().withTimeouts(idle, headerAndBody, headerAndBody);
            return c.withThreads(2).withTransport(tls ? transport.withTls(ServerConfig.Tls.development()) : transport);
        });
    }

    /**
     * A connection that sends the first part of a request at once, then the rest one byte every
     * 100 ms (two minutes' worth: far longer than any timeout under test, and than the wait for it). Returns once the first
     * dribbled byte is sent.
     */
    private Socket dribble(String first, String rest) throws Exception {
        Socket socket = new Socket("127.0.0.1", cluster.server.port());
        sockets.add(socket);
        socket.setSoTimeout((int) Duration.ofMinutes(2).toMillis());
        OutputStream out = socket.getOutputStream();
        out.write(first.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        CountDownLatch started = new CountDownLatch(1);
        threads.submit(() -> {
            try {
                for (byte b : rest.getBytes(StandardCharsets.ISO_8859_1)) {
                    out.write(b);
                    out.flush();
                    started.countDown();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // the server closed it, or the test is over
            }
            return null;
        });
        assertThat(started.await(1, TimeUnit.MINUTES)).isTrue();
        return socket;
    }

    private Socket slowHeaders() throws Exception {
        return dribble("GET /collaborations HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: " + "a".repeat(1200));
    }

    private Socket slowBody() throws Exception {
        String body = "{\"name\":\"" + "b".repeat(1200) + "\"}";
        return dribble("POST /collaborations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n", body);
    }

    /** Whether the server has closed the connection (reading gives end of stream or a reset). */
    private static boolean closedByServer(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
                // a response (there should be none before the request is whole): read on to the close
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private void listCollaborations(TestCluster.Keys keys) {
        try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
            assertThat(client.listCollaborations(r -> r.maxResults(10)).collaborationList()).isNotNull();
        }
    }

    @Test
    void aDozenClientsDribblingHeadersOrBodiesHoldNoThreadOfTheTwo() throws Exception {
        cluster = start(LONG, LONG, false);
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            slow.add(slowHeaders());
            slow.add(slowBody());
        }

        for (int i = 0; i < 5; i++) {
            listCollaborations(keys);
        }

        // they were all still dribbling, unanswered, while the calls were served
        for (Socket s : slow) {
            assertThat(closedByServer(s, Duration.ofMillis(50))).isFalse();
        }
    }

    @Test
    void slowHeadersAreCutOffAndOthersServedMeanwhile() throws Exception {
        cluster = start(SHORT, LONG, false);
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        Socket headers = slowHeaders();

        listCollaborations(keys);

        assertThat(closedByServer(headers, Duration.ofMinutes(1))).as("slow headers closed").isTrue();
        listCollaborations(keys);
    }

    @Test
    void aSlowBodyIsCutOffAndOthersServedMeanwhile() throws Exception {
        cluster = start(SHORT, LONG, false);
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        Socket body = slowBody();

        listCollaborations(keys);

        assertThat(closedByServer(body, Duration.ofMinutes(1))).as("slow body closed").isTrue();
        listCollaborations(keys);
    }

    @Test
    void aConnectionOnWhichNothingHappensIsClosed() throws Exception {
        cluster = start(LONG, SHORT, false);
        Socket idle = new Socket("127.0.0.1", cluster.server.port());
        sockets.add(idle);
        assertThat(closedByServer(idle, Duration.ofMinutes(1))).isTrue();
    }

    @Test
    void aTlsHandshakeThatNeverFinishesIsCutOff() throws Exception {
        cluster = start(SHORT, LONG, true);
        // the start of a TLS record (16 KiB) holding a ClientHello, then bytes that never complete it
        Socket handshake = dribble("\u0016\u0003\u0001\u003f\u00ff\u0001\u0000\u003f\u00fb\u0003\u0003",
                "r".repeat(1200));
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");

        listCollaborations(keys);

        assertThat(closedByServer(handshake, Duration.ofMinutes(1))).as("slow handshake closed").isTrue();
    }
}
