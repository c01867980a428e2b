package io.cleanroom.bench;

import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The server as LoadBench starts it, in a JVM of its own so that its CPU time can be read apart
 * from the load generator's: default configuration (SQLite store) on a free loopback port, data in
 * the directory given. Prints "ENDPOINT url" once it serves, then runs until its input closes.
 *
 * <p>Arguments: data directory, and optionally "tls" to serve HTTPS with a self-signed
 * development certificate.
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerConfig config = ServerConfig.defaults().withPort(0).withDataDir(Path.of(args[0]));
        if (args.length > 1 && args[1].equals("tls")) {
            config = config.withTls(ServerConfig.Tls.development());
        }
        CleanroomServer server = CleanroomServer.start(config);
        System.out.println("ENDPOINT " + server.endpoint());
        System.out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent holds our input open while it wants us running
                }
            } catch (java.io.IOException e) {
                // parent gone
            }
            done.countDown();
        });
        watcher.setDaemon(true);
        watcher.start();
        done.await();
        server.close();
    }
}
