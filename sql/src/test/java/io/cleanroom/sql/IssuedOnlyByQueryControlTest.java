package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only query control issues executable queries, and the server reaches engines only through the
 * SPI: every module's main sources are scanned (this test runs in sql/, whose parent is the
 * project).
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

    @Test
    void theServerImportsNoEngine() throws IOException {
        List<String> offenders = mainSources().stream()
                .filter(f -> PROJECT.relativize(f).startsWith("server"))
                .filter(f -> read(f).contains("io.cleanroom.engine.duckdb") || read(f).contains("org.apache.spark")
                        || read(f).contains("org.duckdb"))
                .map(f -> PROJECT.relativize(f).toString()).toList();
        assertThat(offenders).isEmpty();
    }
}
