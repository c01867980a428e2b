package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.engine.duckdb.Oracle.Verdict;
import io.cleanroom.engine.duckdb.World.Ref;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Leaks the hunt found, kept as regression cases in src/test/resources/leaks.cases (in the format
 * the hunt prints them): each query must now be refused, or give the same output on the hidden-data
 * variants. A case fails as long as its leak is open.
 *
 * <pre>
 * == name
 * world: custom               (a world of Worlds)
 * permute: users.age          (optional: disallowed columns placed only where values flow)
 * # comments                  (anywhere)
 * sql:
 * SELECT ...                  (to the next == or the end)
 * </pre>
 */
class LeakCorpusIT {
    record Case(String name, String world, Set<Ref> permute, String sql) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Path dir;
    private static Oracle oracle;
    private static Map<String, World> worlds;

    static List<Case> load() throws IOException {
        try (InputStream in = LeakCorpusIT.class.getResourceAsStream("/leaks.cases")) {
            if (in == null) {
                throw new IllegalStateException("missing leaks.cases");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static List<Case> parse(String text) {
        List<Case> out = new ArrayList<>();
        for (String block : text.split("(?m)^== ")) {
            if (block.isBlank() || block.startsWith("#")) {
                continue;
            }
            String[] lines = block.split("\n");
            String name = lines[0].trim();
            String world = null;
            Set<Ref> permute = new LinkedHashSet<>();
            StringBuilder sql = new StringBuilder();
            boolean inSql = false;
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                if (line.startsWith("#")) {
                    continue;
                }
                if (inSql) {
                    sql.append(line).append('\n');
                } else if (line.startsWith("world:")) {
                    world = line.substring(6).trim();
                } else if (line.startsWith("permute:")) {
                    Arrays.stream(line.substring(8).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                            .forEach(s -> permute.add(new Ref(s.substring(0, s.indexOf('.')),
                                    s.substring(s.indexOf('.') + 1))));
                } else if (line.startsWith("sql:")) {
                    inSql = true;
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    throw new IllegalStateException("leaks.cases: case " + name + ": unexpected line " + line);
                }
            }
            if (world == null || sql.toString().isBlank()) {
                throw new IllegalStateException("leaks.cases: case " + name + " lacks world or sql");
            }
            out.add(new Case(name, world, permute, sql.toString().strip()));
        }
        return out;
    }

    static Stream<Case> cases() throws IOException {
        return load().stream();
    }

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("leak-corpus");
        List<World> all = Worlds.all();
        worlds = all.stream().collect(Collectors.toMap(World::name, Function.identity()));
        oracle = new Oracle(all, dir, LeakHunt.LIMITS, LeakHunt.TIMEOUT_MILLIS);
    }

    @AfterAll
    static void stop() throws IOException {
        oracle.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void leakIsClosed(Case c) {
        World world = worlds.get(c.world());
        assertThat(world).as("world " + c.world()).isNotNull();
        Verdict verdict = oracle.judge(world, c.sql(), c.permute());
        // refused, or admitted with equal outputs; a checker crash, non-determinism or a time-out decides nothing
        assertThat(verdict).as(c.name() + ": " + c.sql()).isInstanceOfAny(Verdict.Refused.class, Verdict.Clean.class);
    }

    @Test
    void casesParseAndNameKnownWorlds() throws IOException {
        List<Case> cases = load();
        assertThat(cases).isNotEmpty();
        assertThat(cases.stream().map(Case::name).distinct().count()).as("unique names").isEqualTo(cases.size());
        Set<String> names = Worlds.all().stream().map(World::name).collect(Collectors.toSet());
        for (Case c : cases) {
            assertThat(names).as(c.name()).contains(c.world());
            for (Ref ref : c.permute()) {
                assertThat(worlds.get(c.world()).permutable()).as(c.name()).contains(ref);
            }
        }
    }
}
