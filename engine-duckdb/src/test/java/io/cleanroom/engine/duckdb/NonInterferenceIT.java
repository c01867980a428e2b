package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.engine.duckdb.Datasets.Outcome;
import io.cleanroom.engine.duckdb.Datasets.Variant;
import io.cleanroom.engine.duckdb.OperatorCatalog.Role;
import io.cleanroom.engine.duckdb.QueryGenerator.Node;
import io.cleanroom.engine.duckdb.World.Ref;
import io.cleanroom.engine.duckdb.World.WorldTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generative test of query control (docs/query-control.md, "Generative test"): a fixed seed,
 * 10,000 random queries over the worlds of {@link Worlds}; every query the checker admits must
 * give the same output on data that differs only in what the rules hide. The other tests here
 * prove that the oracle can see what it looks for.
 */
class NonInterferenceIT {
    static final long SEED = 20240808L;
    static final int QUERIES = 10_000;

    @TempDir
    Path dir;

    @Test
    void admittedQueriesDoNotDependOnHiddenData() {
        try (LeakHunt hunt = new LeakHunt(dir)) {
            hunt.run(SEED, QUERIES);
            hunt.report(System.out, SEED);
            assertThat(hunt.generated).isEqualTo(QUERIES);
            // a hunter whose queries are all refused would find nothing
            assertThat(hunt.admittedShare()).as("share of generated queries the checker admits").isGreaterThan(0.15);
            for (Node node : Node.values()) {
                assertThat(hunt.byNode).as("queries with " + node).containsKey(node);
            }
            long generatable = OperatorCatalog.get().operators().stream().filter(o -> o.role() != Role.NONE).count();
            long called = OperatorCatalog.get().operators().stream()
                    .filter(o -> hunt.byFunction.containsKey(o.id())).count();
            assertThat(called).as("operators called").isGreaterThan(generatable * 7 / 10);
            int n = 0;
            StringBuilder cases = new StringBuilder();
            for (LeakHunt.Found found : hunt.leaks) {
                cases.append(found.asCase(++n)).append('\n');
            }
            assertThat(hunt.leaks.size()).as("admitted queries whose output depends on hidden data (seed " + SEED
                    + "):\n" + cases).isZero();
        }
    }

    @Test
    void renamingKeepsEqualityAndOrderAcrossTablesButChangesEveryValue() {
        for (World world : Worlds.all()) {
            try (Datasets data = new Datasets(world, dir.resolve(world.name()), LeakHunt.LIMITS,
                    LeakHunt.TIMEOUT_MILLIS)) {
                // every string of the world (renamed or not) keeps its order against every other one;
                // a numeric or date column renamed on its own keeps the order of its values
                List<Object[]> strings = new ArrayList<>();
                java.util.Map<Ref, List<Object[]>> own = new java.util.HashMap<>();
                for (WorldTable table : world.tables()) {
                    List<List<Object>> before = data.rows(table, Variant.BASE);
                    List<List<Object>> after = data.rows(table, Variant.RENAMED);
                    for (int i = 0; i < table.columns().size(); i++) {
                        Ref ref = new Ref(table.name(), table.columns().get(i).name());
                        boolean renamed = world.renamed().contains(ref);
                        for (int row = 0; row < before.size(); row++) {
                            Object b = before.get(row).get(i);
                            Object a = after.get(row).get(i);
                            if (b == null) {
                                assertThat(a).isNull();
                                continue;
                            }
                            assertThat(a.equals(b)).as(world + " " + ref + " " + b).isEqualTo(!renamed);
                            if (b instanceof String) {
                                strings.add(new Object[] {b, a});
                            } else if (renamed) {
                                own.computeIfAbsent(ref, k -> new ArrayList<>()).add(new Object[] {b, a});
                            }
                        }
                    }
                }
                assertSameOrder(world, strings);
                own.values().forEach(pairs -> assertSameOrder(world, pairs));
            }
        }
    }

    private static void assertSameOrder(World world, List<Object[]> pairs) {
        for (Object[] x : pairs) {
            for (Object[] y : pairs) {
                if (Integer.signum(compare(x[0], y[0])) != Integer.signum(compare(x[1], y[1]))) {
                    throw new AssertionError(world + ": the renaming does not keep the order of " + x[0] + " and "
                            + y[0]);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static int compare(Object a, Object b) {
        return ((Comparable<Object>) a).compareTo(b);
    }

    @Test
    void probesOfRenamedValuesShowWhileJoinsDoNot() {
        World world = Worlds.all().stream().filter(w -> w.name().equals("aggregation")).findFirst().orElseThrow();
        try (Datasets data = new Datasets(world, dir, LeakHunt.LIMITS, LeakHunt.TIMEOUT_MILLIS)) {
            String join = "SELECT a.campaign, COUNT(*), COUNT(DISTINCT p.email) FROM adv a JOIN pub p "
                    + "ON a.user_id = p.user_id GROUP BY a.campaign ORDER BY 1";
            assertThat(data.run(Variant.RENAMED, join).sameAs(data.run(Variant.BASE, join))).isTrue();
            String prefix = ((String) world.table("pub").rows().get(0).get(0)).substring(0, 2);
            String probe = "SELECT COUNT(*) FROM pub WHERE STARTS_WITH(user_id, '" + prefix + "')";
            assertThat(data.run(Variant.RENAMED, probe).sameAs(data.run(Variant.BASE, probe))).isFalse();
            String length = "SELECT SUM(LENGTH(email)) FROM pub";
            assertThat(data.run(Variant.RENAMED, length).sameAs(data.run(Variant.BASE, length))).isFalse();
        }
    }

    @Test
    void permutationShowsValuesThatReachTheOutputButKeepsTheirMultiset() {
        World world = Worlds.all().stream().filter(w -> w.name().equals("custom")).findFirst().orElseThrow();
        Ref age = new Ref("users", "age");
        assertThat(world.permutable()).contains(age);
        try (Datasets data = new Datasets(world, dir, LeakHunt.LIMITS, LeakHunt.TIMEOUT_MILLIS)) {
            Variant permuted = Variant.permuted(Set.of(age));
            String paired = "SELECT id, age FROM users";
            assertThat(data.run(permuted, paired).sameAs(data.run(Variant.BASE, paired))).isFalse();
            String multiset = "SELECT COUNT(age), SUM(age), MIN(age), MAX(age) FROM users";
            assertThat(data.run(permuted, multiset).sameAs(data.run(Variant.BASE, multiset))).isTrue();
            // an overflow confined to one row whose age is 0 or 1 in the base data and not once permuted
            WorldTable users = world.table("users");
            int ageAt = users.index("age");
            List<List<Object>> before0 = data.rows(users, Variant.BASE);
            List<List<Object>> after0 = data.rows(users, permuted);
            int row = 0;
            while (!(small(before0.get(row).get(ageAt)) && after0.get(row).get(ageAt) != null
                    && !small(after0.get(row).get(ageAt)))) {
                row++;
            }
            String overflow = "SELECT SUM(CASE WHEN id = " + before0.get(row).get(users.index("id"))
                    + " THEN age * 2147483647 ELSE 0 END) FROM users";
            Outcome before = data.run(Variant.BASE, overflow);
            Outcome after = data.run(permuted, overflow);
            assertThat(before.sameAs(after)).as(before + " vs " + after).isFalse();
        }
    }

    private static boolean small(Object age) {
        return age != null && (Integer) age < 2;
    }

    @Test
    void storageOrderTellsNonDeterminismApart() {
        World world = Worlds.all().stream().filter(w -> w.name().equals("custom")).findFirst().orElseThrow();
        try (Datasets data = new Datasets(world, dir, LeakHunt.LIMITS, LeakHunt.TIMEOUT_MILLIS)) {
            String first = "SELECT name FROM users LIMIT 1";
            Outcome base = data.run(Variant.BASE, first);
            assertThat(base.sameAs(data.run(Variant.REVERSED, first)) && base.sameAs(data.run(Variant.SHUFFLED, first)))
                    .isFalse();
            String all = "SELECT name FROM users";
            assertThat(data.run(Variant.REVERSED, all).sameAs(data.run(Variant.BASE, all))).isTrue();
        }
    }

    @Test
    void theGeneratorIsDeterministicAndKnowsWhereValuesFlow() {
        World world = Worlds.all().stream().filter(w -> w.name().equals("custom")).findFirst().orElseThrow();
        QueryGenerator a = new QueryGenerator(world, OperatorCatalog.get(), new Random(3));
        QueryGenerator b = new QueryGenerator(world, OperatorCatalog.get(), new Random(3));
        int flowOnly = 0;
        for (int i = 0; i < 300; i++) {
            QueryGenerator.Generated ga = a.next();
            assertThat(b.next().sql()).isEqualTo(ga.sql());
            flowOnly += ga.flowOnly().size();
        }
        assertThat(flowOnly).as("references placed only in the output").isPositive();
        String listed = OperatorCatalog.get().operators().stream().filter(o -> o.role() == Role.NONE)
                .map(o -> o.id() + " (" + o.note() + ")").collect(Collectors.joining(", "));
        assertThat(OperatorCatalog.get().operators().stream().filter(o -> o.role() != Role.NONE).count())
                .as("operators the generator can call; not: " + listed).isGreaterThan(400);
    }
}
