package io.cleanroom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * End-to-end protected queries against the raw engine, side by side: the tutorial-sized query
 * (StartProtectedQuery to SUCCESS with the result read back), then the overlap-by-segment query on
 * generated Parquet data at each size given (rows per party), run protected and raw over the same
 * files. Prints medians, the ratio, where the milliseconds of a query go (the server's
 * {@link io.cleanroom.core.Stage} events and the client's own calls), and the process's peak RSS.
 *
 * <p>Per engine: on DuckDB, raw is a plain DuckDB connection in this process; on Spark, protected
 * queries run in a collaboration pinned to Spark (tag cleanroom:engine) on the server's Spark
 * (local[2], a driver process of its own started once with the server), and raw is plain Spark SQL
 * ({@link RawSpark}) in another JVM with the same master and shuffle partitions, a fresh session per
 * run reading the same Parquet files.
 *
 * <p>Arguments: sizes (default 1000000,10000000; "none" runs the tutorial-sized query only), runs
 * per size (default 3), measured runs of the tutorial-sized query (default 50; Spark: a fifth of
 * it), its warm-up runs before them (default 200; Spark: a twentieth), engines (default duckdb;
 * duckdb,spark or spark), and the Spark driver's heap (default 4g, for both Spark JVMs).
 */
public final class QueryBench {

    private final List<Double> serverMillis = new ArrayList<>();
    private Stages stages;
    private List<String> engines = List.of("duckdb");
    private String sparkMemory = "4g";
    private RawSparkProcess rawSpark;

    private QueryBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Long> sizes = new ArrayList<>();
        for (String s : (args.length > 0 ? args[0] : "1000000,10000000").split(",")) {
            if (!s.isBlank() && !s.equals("none")) {
                sizes.add(Long.parseLong(s.trim()));
            }
        }
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int tutorialRuns = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        QueryBench bench = new QueryBench();
        if (args.length > 4) {
            bench.engines = Arrays.stream(args[4].split(",")).map(String::trim).toList();
        }
        if (args.length > 5) {
            bench.sparkMemory = args[5];
        }
        bench.run(sizes, runs, tutorialRuns, warmUp);
    }

    /** Times one client step as a stage of the run that started at runStart. */
    private interface Step<T> {
        T run() throws Exception;
    }

    private <T> T timed(String stage, Instant runStart, Step<T> step) throws Exception {
        long t0 = System.nanoTime();
        try {
            return step.run();
        } finally {
            stages.client(stage, runStart, (System.nanoTime() - t0) / 1e6);
        }
    }

    /** StartProtectedQuery, poll to SUCCESS, read the whole result; milliseconds. */
    private double protectedRun(SignedHttpClient adv, Lab.Party party, String sql) throws Exception {
        Instant runStart = Instant.now();
        long start = System.nanoTime();
        String path = "/memberships/" + party.membership() + "/protectedQueries";
        String body = Lab.MAPPER.writeValueAsString(Map.of("type", "SQL", "sqlParameters", Map.of("queryString", sql),
                "resultConfiguration", Map.of("outputConfiguration", Map.of("member",
                        Map.of("accountId", party.accountId())))));
        String id = timed("client.start", runStart, () -> Lab.api(adv, "POST", path, body))
                .at("/protectedQuery/id").asText();
        String status;
        JsonNode query;
        long pause = 0;
        do {
            // the first poll at once (the server waits up to 50 ms for a running query's end before it
            // answers), then back off from 1 ms to 32 ms: tight polling would take the CPU the engine needs
            if (pause > 0) {
                long wait = pause;
                timed("client.wait", runStart, () -> {
                    Thread.sleep(wait);
                    return null;
                });
            }
            pause = Math.min(32, Math.max(1, pause * 2));
            query = timed("client.poll", runStart, () -> Lab.api(adv, "GET", path + "/" + id, null))
                    .get("protectedQuery");
            status = query.get("status").asText();
        } while (status.equals("SUBMITTED") || status.equals("STARTED"));
        serverMillis.add(query.at("/statistics/totalDurationInMillis").asDouble());
        if (!status.equals("SUCCESS")) {
            throw new IllegalStateException("query ended " + status);
        }
        timed("client.result", runStart, () -> Lab.api(adv, "GET", path + "/" + id + "/result", null));
        return (System.nanoTime() - start) / 1e6;
    }

    private static String rounded(double[] values) {
        StringBuilder out = new StringBuilder();
        for (double v : values) {
            out.append(out.length() == 0 ? "" : " ").append(Math.round(v));
        }
        return out.toString();
    }

    private static double[] last(List<Double> values, int from) {
        return values.subList(from, values.size()).stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** CPU time this process (server, engine and client) has used, in milliseconds. */
    private static double cpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e6;
    }

    private ServerConfig.Engine engineConfig() {
        ServerConfig.Engine engine = new ServerConfig.Engine("2GB", 2, 1, Duration.ofHours(1));
        if (!engines.contains("spark")) {
            return engine;
        }
        return engine.withBackends(new ServerConfig.Backends("duckdb", List.of("spark"), Map.of("spark",
                Map.of("master", "local[2]", "driver-memory", sparkMemory, "shuffle-partitions", "4"))));
    }

    private double rawRun(String engine, Path publisher, Path advertiser, String sql) throws Exception {
        if (engine.equals("spark")) {
            return rawSpark.run(Map.of("publisher_audience", publisher, "advertiser_audience", advertiser), sql);
        }
        return Lab.raw(publisher, advertiser, sql);
    }

    private void run(List<Long> sizes, int runs, int tutorialRuns, int warmUp) throws Exception {
        Path dir = Files.createTempDirectory("cleanroom-bench");
        CleanroomServer server = CleanroomServer.start(ServerConfig.defaults().withPort(0)
                .withDataDir(dir.resolve("server")).withEngine(engineConfig()));
        if (engines.contains("spark")) {
            rawSpark = RawSparkProcess.start(dir.resolve("raw-spark"), "local[2]", "4", sparkMemory);
        }
        stages = new Stages();
        try {
            System.out.printf("load average at start: %s%n", Stages.loadAverage());
            Lab lab = new Lab(URI.create(server.endpoint()),
                    Lab.MAPPER.readTree(server.config().operatorCredentialsFile().toFile()));
            Path publisherDir = Files.createDirectories(dir.resolve("publisher"));
            Path advertiserDir = Files.createDirectories(dir.resolve("advertiser"));
            Path[] files = Lab.tutorialFiles(publisherDir, advertiserDir);
            int tag = 0;
            for (String engine : engines) {
                Lab.Party tutorial = lab.collaboration(String.format("%011d", tag++), files[0], files[1], "csv",
                        engine);
                SignedHttpClient adv = lab.client(tutorial);
                boolean spark = engine.equals("spark");
                int warm = spark ? warmUp / 20 : warmUp;
                for (int i = 0; i < warm; i++) {
                    protectedRun(adv, tutorial, Lab.OVERLAP);
                }
                double[] times = new double[Math.max(1, spark ? tutorialRuns / 5 : tutorialRuns)];
                int before = serverMillis.size();
                Instant from = Instant.now();
                double cpu = cpuMillis();
                for (int i = 0; i < times.length; i++) {
                    times[i] = protectedRun(adv, tutorial, Lab.OVERLAP);
                }
                cpu = cpuMillis() - cpu;
                System.out.printf("%s: tutorial-sized query, StartProtectedQuery to result read: median %.1f ms, "
                        + "min %.1f ms; server-side totalDurationInMillis median %.1f ms; this process's CPU %.1f ms "
                        + "a query (%d runs after %d warm-up)%n", engine, Stats.median(times),
                        Arrays.stream(times).min().orElse(0), Stats.median(last(serverMillis, before)),
                        cpu / times.length, times.length, warm);
                stages.flush();
                stages.print(from, Instant.now(), times.length);
            }

            for (long rows : sizes) {
                Path p = publisherDir.resolve("publisher_" + rows + ".parquet");
                Path a = advertiserDir.resolve("advertiser_" + rows + ".parquet");
                Lab.generate(p, a, rows);
                for (String engine : engines) {
                    Lab.Party party = lab.collaboration(String.format("%011d", tag++), p, a, "parquet", engine);
                    SignedHttpClient client = lab.client(party);
                    rawRun(engine, p, a, Lab.OVERLAP);
                    protectedRun(client, party, Lab.OVERLAP);
                    double[] raw = new double[runs];
                    double[] prot = new double[runs];
                    int before = serverMillis.size();
                    Instant sizeFrom = Instant.now();
                    for (int i = 0; i < runs; i++) {
                        // alternate which goes first, so neither always follows the other's memory release
                        if (i % 2 == 0) {
                            raw[i] = rawRun(engine, p, a, Lab.OVERLAP);
                            prot[i] = protectedRun(client, party, Lab.OVERLAP);
                        } else {
                            prot[i] = protectedRun(client, party, Lab.OVERLAP);
                            raw[i] = rawRun(engine, p, a, Lab.OVERLAP);
                        }
                    }
                    System.out.printf("%s, %,d rows per party: raw median %.0f ms, protected median %.0f ms "
                            + "(server-side %.0f ms), ratio %.2fx (%d runs each, interleaved; raw %s, protected %s)%n",
                            engine, rows, Stats.median(raw), Stats.median(prot),
                            Stats.median(last(serverMillis, before)), Stats.median(prot) / Stats.median(raw), runs,
                            rounded(raw), rounded(prot));
                    stages.flush();
                    stages.print(sizeFrom, Instant.now(), runs);
                }
            }
            System.out.println("peak resident memory of this process: " + Lab.peakRss()
                    + (engines.contains("spark") ? " (the Spark driver and RawSpark are processes of their own)" : ""));
            System.out.printf("load average at the end: %s%n", Stages.loadAverage());
        } finally {
            stages.close();
            server.close();
            if (rawSpark != null) {
                rawSpark.close();
            }
        }
    }
}
