package io.cleanroom.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Cleanroom server in a JVM of its own, on this test's class path, with a bounded heap: what a
 * test needs to see whether inputs make the process run out of memory or die. {@link #main} is the
 * child's entry point: it starts the server on a free port and prints that port.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("CLEANROOM-TEST-PORT (\\d+)");

    final Process process;
    final int port;
    final Path log;

    private ServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts a server on dataDir (SQLite there, or the PostgreSQL store at storeUrl when not null)
     * in a JVM limited to heapMegabytes, which exits on running out of memory.
     */
    static ServerProcess start(Path dataDir, String storeUrl, int heapMegabytes) throws IOException,
            InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heapMegabytes + "m",
                "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                ServerProcess.class.getName(), dataDir.toString()));
        if (storeUrl != null) {
            command.add(storeUrl);
        }
        Files.createDirectories(dataDir);
        Path log = Files.createTempFile(dataDir.getParent(), "server-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = PORT.matcher(Files.readString(log));
            if (m.find()) {
                return new ServerProcess(process, Integer.parseInt(m.group(1)), log);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the server did not start in 90 s:\n" + Files.readString(log));
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Arguments: data directory, and optionally a PostgreSQL store URL. */
    public static void main(String[] args) throws Exception {
        ServerConfig config = ServerConfig.defaults().withPort(0).withDataDir(Path.of(args[0]));
        if (args.length > 1) {
            config = config.withStore(args[1], null, null);
        }
        CleanroomServer server = CleanroomServer.start(config);
        System.out.println("CLEANROOM-TEST-PORT " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
