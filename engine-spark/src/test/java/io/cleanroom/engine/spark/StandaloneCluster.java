package io.cleanroom.engine.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster for tests: a master and two workers, each a JVM of its own on
 * 127.0.0.1, started with Spark's own launcher classes from the jars the build resolved (no Spark
 * distribution). Workers find no jars under their SPARK_HOME and launch executors on the class
 * path the driver gives them ({@code spark.executor.extraClassPath}).
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Duration START = Duration.ofMinutes(3);

    private final Path directory;
    private final List<Process> processes = new ArrayList<>();
    private final String masterUrl;

    private StandaloneCluster(Path directory, String masterUrl) {
        this.directory = directory;
        this.masterUrl = masterUrl;
    }

    /** Starts the master and the workers and waits until both workers have registered. */
    static StandaloneCluster start(int workers) throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("spark-cluster");
        Path home = Files.createDirectories(directory.resolve("spark-home").resolve("jars")).getParent();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StandaloneCluster cluster = new StandaloneCluster(directory, "spark://127.0.0.1:" + port);
        try {
            Path masterLog = directory.resolve("master.log");
            cluster.launch(home, masterLog, List.of("-Dspark.master.rest.enabled=false",
                    "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--webui-port", "0"));
            cluster.await(masterLog, "I have been elected leader");
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                Path log = directory.resolve("worker-" + i + ".log");
                Path work = Files.createDirectories(directory.resolve("work-" + i));
                cluster.launch(home, log, List.of("org.apache.spark.deploy.worker.Worker", cluster.masterUrl,
                        "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", "0", "--work-dir",
                        work.toString()));
                logs.add(log);
            }
            for (Path log : logs) {
                cluster.await(log, "Successfully registered with master");
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    String masterUrl() {
        return masterUrl;
    }

    private void launch(Path home, Path log, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(SparkSettings.builtClasspath());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        processes.add(builder.start());
    }

    private void await(Path log, String line) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (text.contains(line)) {
                return;
            }
            if (processes.stream().anyMatch(p -> !p.isAlive())) {
                throw new IllegalStateException("a Spark cluster process ended; its log:\n" + tail(text));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no '" + line + "' in " + log.getFileName() + " within " + START + ":\n"
                + tail(Files.readString(log, StandardCharsets.UTF_8)));
    }

    private static String tail(String text) {
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    /** Stops the workers (and the executors they launched), then the master. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        try (var walk = Files.walk(directory)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }
}
