package io.cleanroom.engine.duckdb;

import io.cleanroom.engine.duckdb.Oracle.Verdict;
import io.cleanroom.engine.duckdb.OperatorCatalog.Operator;
import io.cleanroom.engine.duckdb.OperatorCatalog.Role;
import io.cleanroom.engine.duckdb.QueryGenerator.Generated;
import io.cleanroom.engine.duckdb.QueryGenerator.Node;
import io.cleanroom.engine.duckdb.World.Ref;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The hunt for leaks: generates queries over the worlds, has the checker judge them and the
 * oracle run the admitted ones on the data variants, and reports what it saw. A leak is printed as
 * a case ready to paste into {@code src/test/resources/leaks.cases}.
 *
 * <p>Run a long hunt with {@code LeakHunt <seed> <count>} (see the README's "Hunting leaks");
 * {@code -Dhunt.debug=true} prints every query with its verdict.
 */
final class LeakHunt implements AutoCloseable {
    static final io.cleanroom.engine.spi.Limits LIMITS = Engines.limits("256MB", 1);
    static final long TIMEOUT_MILLIS = 2_000;
    private static final boolean DEBUG = Boolean.getBoolean("hunt.debug");

    /** A leak found: the world, the query as generated, the columns permuted and the verdict. */
    record Found(World world, String sql, Set<Ref> permuted, Verdict.Leak leak, Set<Node> nodes) {
        /** The leak as a case of leaks.cases. */
        String asCase(int number) {
            StringBuilder s = new StringBuilder();
            s.append("== ").append(world.name()).append(": ").append(leak.variant()).append(" #").append(number)
                    .append('\n');
            s.append("world: ").append(world.name()).append('\n');
            if (!permuted.isEmpty()) {
                s.append("permute: ").append(permuted.stream().map(Ref::toString).collect(Collectors.joining(", ")))
                        .append('\n');
            }
            s.append("# nodes: ").append(nodes).append('\n');
            s.append("# ran: ").append(leak.checkedSql().replace('\n', ' ')).append('\n');
            s.append("# base: ").append(leak.base()).append('\n');
            s.append("# ").append(leak.variant()).append(": ").append(leak.other()).append('\n');
            s.append("sql:\n").append(sql).append('\n');
            return s.toString();
        }
    }

    /** Counts of one category: generated and admitted. */
    static final class Count {
        int generated;
        int admitted;
    }

    private final List<World> worlds;
    private final List<Oracle> oracles = new ArrayList<>();
    private final OperatorCatalog catalog;
    private final Path dir;

    final List<Found> leaks = new ArrayList<>();
    final Map<String, Count> byWorld = new TreeMap<>();
    final Map<String, Count> byMode = new TreeMap<>();
    final Map<Node, Count> byNode = new EnumMap<>(Node.class);
    final Map<String, Count> byFunction = new TreeMap<>();
    final Map<String, Integer> refusals = new LinkedHashMap<>();
    final Map<String, Integer> checkerErrors = new LinkedHashMap<>();
    final Map<String, String> checkerErrorExamples = new LinkedHashMap<>();
    final Map<String, Integer> engineFailures = new LinkedHashMap<>();
    int generated;
    int admitted;
    int clean;
    int noVariant;
    int failedOnBase;
    int nonDeterministic;
    int inconclusive;
    int comparedPermuted;
    long millis;

    LeakHunt(Path dir) {
        this.dir = dir;
        this.worlds = Worlds.all();
        this.catalog = OperatorCatalog.get();
        int workers = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        for (int w = 0; w < workers; w++) {
            oracles.add(new Oracle(worlds, dir.resolve("worker-" + w), LIMITS, TIMEOUT_MILLIS));
        }
    }

    List<World> worlds() {
        return worlds;
    }

    /** Generates and judges count queries from the seed. */
    void run(long seed, int count) {
        long start = System.nanoTime();
        Random random = new Random(seed);
        Map<String, QueryGenerator> generators = new LinkedHashMap<>();
        for (World world : worlds) {
            generators.put(world.name(), new QueryGenerator(world, catalog, new Random(random.nextLong())));
        }
        // generate in order, judge on every core (each worker with its own checker and connections), count
        // in order: the same seed gives the same report however the work is shared
        List<World> chosen = new ArrayList<>();
        List<Generated> queries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            World world = worlds.get(random.nextInt(worlds.size()));
            chosen.add(world);
            queries.add(generators.get(world.name()).next());
        }
        Verdict[] verdicts = new Verdict[count];
        ExecutorService pool = Executors.newFixedThreadPool(oracles.size());
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < oracles.size(); w++) {
                Oracle oracle = oracles.get(w);
                int first = w;
                work.add(pool.submit(() -> {
                    for (int i = first; i < count; i += oracles.size()) {
                        verdicts[i] = oracle.judge(chosen.get(i), queries.get(i).sql(), queries.get(i).flowOnly());
                    }
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < count; i++) {
            World world = chosen.get(i);
            Generated g = queries.get(i);
            Verdict verdict = verdicts[i];
            generated++;
            if (DEBUG) {
                System.err.println("### " + world.name() + " " + g.mode() + "\n" + g.sql() + "\n=> " + verdict);
            }
            boolean in = !(verdict instanceof Verdict.Refused) && !(verdict instanceof Verdict.CheckerError);
            count(byWorld, world.name(), in);
            count(byMode, g.mode(), in);
            for (Node node : g.nodes()) {
                Count c = byNode.computeIfAbsent(node, n -> new Count());
                c.generated++;
                c.admitted += in ? 1 : 0;
            }
            for (String f : new LinkedHashSet<>(g.functions())) {
                count(byFunction, f, in);
            }
            if (in) {
                admitted++;
            }
            if (verdict instanceof Verdict.Refused refused) {
                refusals.merge(reason(refused.message()), 1, Integer::sum);
            } else if (verdict instanceof Verdict.CheckerError error) {
                String key = Datasets.shorten(error.message());
                checkerErrors.merge(key, 1, Integer::sum);
                checkerErrorExamples.merge(key, world.name() + ": " + g.sql(), (a, b) -> a.length() <= b.length() ? a
                        : b);
            } else if (verdict instanceof Verdict.Clean c) {
                clean++;
                if (c.base() instanceof Datasets.Outcome.Failed failed) {
                    failedOnBase++;
                    engineFailures.merge(reason(failed.raw()), 1, Integer::sum);
                }
                if (!g.flowOnly().stream().filter(world.permutable()::contains).toList().isEmpty()) {
                    comparedPermuted++;
                }
            } else if (verdict instanceof Verdict.NoVariant) {
                noVariant++;
            } else if (verdict instanceof Verdict.NonDeterministic) {
                nonDeterministic++;
            } else if (verdict instanceof Verdict.Inconclusive) {
                inconclusive++;
            } else if (verdict instanceof Verdict.Leak leak) {
                Set<Ref> permuted = new LinkedHashSet<>(g.flowOnly());
                permuted.retainAll(world.permutable());
                leaks.add(new Found(world, g.sql(), leak.variant().startsWith("permuted") ? permuted : Set.of(), leak,
                        g.nodes()));
            }
        }
        millis += (System.nanoTime() - start) / 1_000_000;
    }

    private static void count(Map<String, Count> map, String key, boolean admitted) {
        Count c = map.computeIfAbsent(key, k -> new Count());
        c.generated++;
        c.admitted += admitted ? 1 : 0;
    }

    /** A message without its specifics (numbers, names after the first words), to group by. */
    static String reason(String message) {
        String m = message == null ? "" : message.replace('\n', ' ').replaceAll("\\d+", "#");
        m = m.replaceAll("\"[^\"]*\"", "\"_\"").replaceAll("'[^']*'", "'_'");
        return m.length() > 110 ? m.substring(0, 110) : m;
    }

    double admittedShare() {
        return generated == 0 ? 0 : (double) admitted / generated;
    }

    /** The report: counts, coverage of node kinds and operators, and every leak as a case. */
    void report(PrintStream out, long seed) {
        out.printf("Leak hunt, seed %d: %d queries in %.1f s (%d worlds)%n", seed, generated, millis / 1000.0,
                worlds.size());
        out.printf("  LEAKS %d; admitted %d (%.1f%%): no variant applies %d, ran clean %d (of which failed the same "
                + "way on every variant %d, permuted variant compared %d), non-deterministic (skipped) %d, "
                + "inconclusive (time-out, memory or too many rows) %d%n", leaks.size(), admitted,
                100 * admittedShare(), noVariant, clean, failedOnBase, comparedPermuted, nonDeterministic,
                inconclusive);
        out.printf("  checker errors other than refusals: %d%n", checkerErrors.values().stream()
                .mapToInt(Integer::intValue).sum());
        checkerErrors.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8)
                .forEach(e -> out.printf("    %5d  %s%n           e.g. %s%n", e.getValue(), e.getKey(),
                        checkerErrorExamples.get(e.getKey()).replace('\n', ' ')));
        out.println("  by world (generated / admitted):");
        byWorld.forEach((k, v) -> out.printf("    %-12s %6d / %6d%n", k, v.generated, v.admitted));
        out.println("  by mode:");
        byMode.forEach((k, v) -> out.printf("    %-20s %6d / %6d%n", k, v.generated, v.admitted));
        out.println("  node kinds (generated / admitted):");
        StringBuilder line = new StringBuilder();
        for (Node node : Node.values()) {
            Count c = byNode.get(node);
            line.append(String.format("%s %d/%d; ", node, c == null ? 0 : c.generated, c == null ? 0 : c.admitted));
            if (line.length() > 100) {
                out.println("    " + line);
                line.setLength(0);
            }
        }
        if (line.length() > 0) {
            out.println("    " + line);
        }
        List<Operator> operators = catalog.operators();
        long reachable = operators.stream().filter(o -> o.role() != Role.NONE).count();
        long called = operators.stream().filter(o -> byFunction.containsKey(o.id())).count();
        long admittedOnce = operators.stream().filter(o -> byFunction.containsKey(o.id())
                && byFunction.get(o.id()).admitted > 0).count();
        out.printf("  operators of the dialect: %d enumerated, %d generatable, %d called, %d in an admitted query%n",
                operators.size(), reachable, called, admittedOnce);
        out.println("    not generatable: " + operators.stream().filter(o -> o.role() == Role.NONE)
                .map(o -> o.id().replace("SqlStdOperatorTable.", "Std.").replace("SqlLibraryOperators.", "Lib.")
                        + " (" + o.note() + ")").collect(Collectors.joining(", ")));
        out.println("    generatable but not called in this run: " + operators.stream()
                .filter(o -> o.role() != Role.NONE && !byFunction.containsKey(o.id())).map(Operator::id)
                .collect(Collectors.joining(", ")));
        out.println("    calls per operator (generated/admitted): " + byFunction.entrySet().stream()
                .map(e -> e.getKey().replace("SqlStdOperatorTable.", "Std.").replace("SqlLibraryOperators.", "Lib.")
                        + " " + e.getValue().generated + "/" + e.getValue().admitted)
                .collect(Collectors.joining(", ")));
        out.println("  most common refusals:");
        refusals.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
                .forEach(e -> out.printf("    %5d  %s%n", e.getValue(), e.getKey()));
        out.println("  most common engine failures of admitted queries (same on every variant):");
        engineFailures.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8)
                .forEach(e -> out.printf("    %5d  %s%n", e.getValue(), e.getKey()));
        if (!leaks.isEmpty()) {
            out.println("LEAKS (" + leaks.size() + "), as cases for engine-duckdb/src/test/resources/leaks.cases:");
            int n = 0;
            for (Found found : leaks.stream().sorted(Comparator.comparing(f -> f.sql().length())).toList()) {
                out.println(found.asCase(++n));
            }
        }
    }

    @Override
    public void close() {
        oracles.forEach(Oracle::close);
    }

    Path dir() {
        return dir;
    }

    /** LeakHunt [seed] [count]: a longer hunt; exits 1 when it finds a leak. */
    public static void main(String[] args) throws IOException {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : System.currentTimeMillis();
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Path dir = Files.createTempDirectory("leak-hunt");
        int leaks;
        try (LeakHunt hunt = new LeakHunt(dir)) {
            int batch = 5_000;
            for (int done = 0; done < count; done += batch) {
                hunt.run(seed + done, Math.min(batch, count - done));
                System.err.printf("... %d queries, %d admitted, %d leaks%n", hunt.generated, hunt.admitted,
                        hunt.leaks.size());
            }
            hunt.report(System.out, seed);
            leaks = hunt.leaks.size();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(leaks == 0 ? 0 : 1);
    }
}
