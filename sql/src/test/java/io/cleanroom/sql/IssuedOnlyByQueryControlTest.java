package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only query control issues executable queries, and the server, the query pipeline and the
 * clients reach engines only through the SPI: every module's main sources and the POMs are read
 * (this test runs in sql/, whose parent is the project). The compiler enforces the same: no engine
 * is on those modules' compile class path.
 */
class IssuedOnlyByQueryControlTest {
    private static final Path PROJECT = Path.of("").toAbsolutePath().getParent();

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> modules = Files.list(PROJECT)) {
            return modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).flatMap(dir -> {
                try (Stream<Path> files = Files.walk(dir)) {
                    return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void onlyQueryControlIssuesExecutableQueries() throws IOException {
        List<Path> sources = mainSources();
        assertThat(sources).as("sources found under " + PROJECT).hasSizeGreaterThan(50);
        List<String> callers = sources.stream().filter(f -> read(f).contains("ExecutableQuery.issue("))
                .map(f -> PROJECT.relativize(f).toString()).toList();
        assertThat(callers).containsExactly("sql/src/main/java/io/cleanroom/sql/CheckedQuery.java");
    }

    /** The modules that must reach engines only through the SPI, found by name at run time. */
    private static final List<String> ENGINE_FREE = List.of("server", "query", "client", "cli", "app");

    private static boolean namesAnEngine(String source) {
        return source.contains("io.cleanroom.engine.duckdb") || source.contains("io.cleanroom.engine.spark")
                || source.contains("org.duckdb") || source.contains("org.apache.spark");
    }

    @Test
    void theServerAndTheQueryPipelineImportNoEngine() throws IOException {
        List<Path> sources = mainSources();
        for (String module : ENGINE_FREE) {
            assertThat(sources).as("main sources of " + module)
                    .anyMatch(f -> PROJECT.relativize(f).startsWith(module));
        }
        List<String> offenders = sources.stream()
                .filter(f -> ENGINE_FREE.stream().anyMatch(m -> PROJECT.relativize(f).startsWith(m)))
                .filter(f -> namesAnEngine(read(f)))
                .map(f -> PROJECT.relativize(f).toString()).toList();
        assertThat(offenders).isEmpty();
    }

    /** A module's dependencies on Cleanroom modules and others, as artifactId to scope. */
    private static Map<String, String> dependencies(String module) throws Exception {
        org.w3c.dom.Document pom = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(PROJECT.resolve(module).resolve("pom.xml").toFile());
        org.w3c.dom.NodeList all = pom.getDocumentElement().getElementsByTagName("dependencies");
        Map<String, String> out = new TreeMap<>();
        for (int i = 0; i < all.getLength(); i++) {
            org.w3c.dom.Element list = (org.w3c.dom.Element) all.item(i);
            if (!list.getParentNode().equals(pom.getDocumentElement())) {
                continue; // dependencyManagement, profiles, plugins
            }
            org.w3c.dom.NodeList each = list.getElementsByTagName("dependency");
            for (int j = 0; j < each.getLength(); j++) {
                org.w3c.dom.Element dependency = (org.w3c.dom.Element) each.item(j);
                org.w3c.dom.NodeList scope = dependency.getElementsByTagName("scope");
                out.put(dependency.getElementsByTagName("artifactId").item(0).getTextContent().trim(),
                        scope.getLength() == 0 ? "compile" : scope.item(0).getTextContent().trim());
            }
        }
        return out;
    }

    @Test
    void noEngineIsOnACompileClassPathButTheEnginesOwn() throws Exception {
        for (String module : ENGINE_FREE) {
            Map<String, String> engines = new TreeMap<>(dependencies(module));
            engines.keySet().removeIf(a -> !a.startsWith("cleanroom-engine-") || a.equals("cleanroom-engine-spi"));
            assertThat(engines.values()).as(module + " depends on " + engines).allMatch(
                    scope -> scope.equals("runtime") || scope.equals("test"));
        }
        Map<String, String> spi = dependencies("engine-spi");
        spi.values().removeIf(scope -> scope.equals("test"));
        assertThat(spi).as("engine-spi's dependencies besides tests").containsOnlyKeys("cleanroom-core");
    }

    @Test
    void theClientModulesCarryNoServer() throws Exception {
        for (String module : List.of("client", "cli")) {
            Map<String, String> compile = dependencies(module);
            compile.values().removeIf(scope -> scope.equals("test"));
            assertThat(compile.keySet()).as(module).noneMatch(a -> List.of("cleanroom-server", "cleanroom-query",
                    "cleanroom-sql", "cleanroom-store", "cleanroom-core", "cleanroom-app").contains(a)
                    || a.startsWith("cleanroom-engine-") || a.startsWith("calcite") || a.contains("jdbc")
                    || a.equals("postgresql"));
        }
    }
}
