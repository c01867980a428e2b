package io.cleanroom.bench;

import io.cleanroom.core.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * Where a protected query's milliseconds go: streams the server's {@link Stage} events (Java
 * Flight Recorder, in this process) and the client's own timings, and summarises a phase of runs
 * as the median of each stage per query.
 */
final class Stages implements AutoCloseable {
    /** The stages in the order of a query's life; others are listed after them. */
    private static final List<String> ORDER = List.of("client.start", "submit.context", "submit.check",
            "submit.locate", "submit.record", "queue", "start.record", "recheck", "pin", "engine.prepare",
            "engine.open", "engine.bind", "engine.run", "engine.release", "engine.close", "result.store",
            "finish.record", "client.wait", "client.poll", "client.result", "call", "call.verify", "call.audit");
    private static final String MARK = "bench.mark";

    /** One timed stage. */
    record Timed(String stage, Instant start, double millis) {
    }

    private final RecordingStream stream = new RecordingStream();
    private final ConcurrentLinkedQueue<Timed> events = new ConcurrentLinkedQueue<>();
    private volatile CountDownLatch marked = new CountDownLatch(1);

    Stages() {
        stream.enable(Stage.NAME).withoutStackTrace().withThreshold(Duration.ZERO);
        stream.onEvent(Stage.NAME, this::accept);
        stream.startAsync();
    }

    private void accept(RecordedEvent e) {
        String stage = e.getString("stage");
        if (MARK.equals(stage)) {
            marked.countDown();
        } else {
            events.add(new Timed(stage, e.getStartTime(), e.getDuration().toNanos() / 1e6));
        }
    }

    /** A stage the client timed itself. */
    void client(String stage, Instant start, double millis) {
        events.add(new Timed(stage, start, millis));
    }

    /** Waits until every event recorded so far has been streamed (the stream flushes about once a second). */
    void flush() throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        marked = latch;
        Stage.begin(MARK).close();
        if (!latch.await(10, TimeUnit.SECONDS)) {
            System.out.println("(the flight recorder did not deliver the stage events in time)");
        }
    }

    /**
     * The median of each stage per query over the runs that started between from and to: each
     * query's stages of one name are added up first (a query polls several times).
     */
    Map<String, double[]> summary(Instant from, Instant to, int queries) {
        Map<String, List<Double>> byStage = new LinkedHashMap<>();
        for (Timed t : events) {
            if (!t.start().isBefore(from) && t.start().isBefore(to)) {
                byStage.computeIfAbsent(t.stage(), s -> new ArrayList<>()).add(t.millis());
            }
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(ORDER);
        byStage.keySet().stream().filter(s -> !ORDER.contains(s)).sorted().forEach(names::add);
        for (String name : names) {
            List<Double> values = byStage.get(name);
            if (values != null) {
                // {median of one event, events per query, total per query}
                double total = values.stream().mapToDouble(Double::doubleValue).sum();
                out.put(name, new double[] {Stats.median(values.stream().mapToDouble(Double::doubleValue).toArray()),
                        (double) values.size() / queries, total / queries});
            }
        }
        return out;
    }

    /** Prints a phase's stages, one a line: median, and per query the count and mean total. */
    void print(Instant from, Instant to, int queries) {
        System.out.println("  stage            median ms  per query: count, mean total ms");
        summary(from, to, queries).forEach((stage, v) -> System.out.printf("  %-16s %9.2f  %9.1f %10.2f%n", stage,
                v[0], v[1], v[2]));
    }

    /** The machine's load averages over 1, 5 and 15 minutes (/proc/loadavg), to say how busy it was. */
    static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2] + " (" + Runtime.getRuntime().availableProcessors()
                    + " cores)";
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }

    @Override
    public void close() {
        stream.close();
    }
}
