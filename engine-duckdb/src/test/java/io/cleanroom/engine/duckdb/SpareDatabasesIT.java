package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.spi.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databases opened ahead of their queries: each query still gets a database no query has used,
 * so nothing of an earlier query (its views, its allowed files, its locked settings) reaches the
 * next one.
 */
class SpareDatabasesIT {
    private static final Limits LIMITS = Engines.limits("512MB", 2);

    @TempDir
    Path dir;

    private Engines.Table table(String name, String value) throws Exception {
        Path file = dir.toRealPath().resolve(name + ".csv");
        Files.writeString(file, "k\n" + value + "\n");
        return new Engines.Table(name, List.of(file), TableFormat.CSV, List.of(new Column("k", "string")));
    }

    private static List<String> strings(Statement s, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void aQueryAfterAnotherSeesNoneOfItsTablesFilesOrSettings() throws Exception {
        Engines.Table first = table("first_table", "first-secret");
        Engines.Table second = table("second_table", "second-value");
        try (DuckDbEngine engine = new DuckDbEngine(2)) {
            Connection before = engine.sandboxed(Engines.bind(List.of(first)), LIMITS);
            try (Statement s = before.createStatement()) {
                assertThat(strings(s, "SELECT k FROM first_table")).containsExactly("first-secret");
            }
            engine.databases().retire(before, LIMITS);
            engine.databases().settle();
            // the next query takes a database opened ahead, the path under test
            assertThat(engine.databases().ready()).isPositive();
            assertThat(before.isClosed()).as("a used database is closed, never handed out again").isTrue();

            Connection after = engine.sandboxed(Engines.bind(List.of(second)), LIMITS);
            try (Statement s = after.createStatement()) {
                assertThat(after).isNotSameAs(before);
                assertThat(strings(s, "SELECT k FROM second_table")).containsExactly("second-value");
                assertThat(strings(s, "SELECT view_name FROM duckdb_views() WHERE NOT internal"))
                        .containsExactly("second_table");
                assertThat(strings(s, "SELECT table_name FROM duckdb_tables()")).isEmpty();
                String firstFile = first.files().get(0).toString();
                for (String attempt : List.of("SELECT * FROM first_table",
                        "SELECT * FROM read_csv('" + firstFile + "')",
                        "SET lock_configuration = false", "SET enable_external_access = true",
                        "SET allowed_paths = ['" + firstFile + "']", "SET memory_limit = '20GB'")) {
                    try (Statement st = after.createStatement()) {
                        assertThatThrownBy(() -> st.execute(attempt)).as(attempt).isInstanceOf(SQLException.class);
                    }
                }
                assertThat(strings(s, "SELECT current_setting('allowed_paths')").get(0))
                        .contains(second.files().get(0).toString()).doesNotContain(firstFile);
            } finally {
                engine.databases().retire(after, LIMITS);
            }
        }
    }

    @Test
    void aSpareOpenedForOtherLimitsTakesTheQuerysLimits() throws Exception {
        Engines.Table t = table("t", "v");
        try (DuckDbEngine engine = new DuckDbEngine(1)) {
            engine.databases().retire(engine.sandboxed(Engines.bind(List.of(t)), Engines.limits("512MB", 2)),
                    Engines.limits("512MB", 2));
            engine.databases().settle();
            assertThat(engine.databases().ready()).isEqualTo(1);
            Limits small = Engines.limits("64MB", 1);
            List<String> expected;
            try (Connection fresh = DuckDbEngine.open(small); Statement s = fresh.createStatement()) {
                expected = strings(s, "SELECT current_setting('memory_limit') || ' ' || current_setting('threads')");
            }
            Connection c = engine.sandboxed(Engines.bind(List.of(t)), small);
            try (Statement s = c.createStatement()) {
                assertThat(strings(s, "SELECT current_setting('memory_limit') || ' ' || current_setting('threads')"))
                        .isEqualTo(expected).isNotEqualTo(List.of("488.2 MiB 2"));
            } finally {
                engine.databases().retire(c, LIMITS);
            }
        }
    }

    @Test
    void closingTheEngineClosesItsSpares() throws Exception {
        Engines.Table t = table("t", "v");
        DuckDbEngine engine = new DuckDbEngine(2);
        engine.databases().retire(engine.sandboxed(Engines.bind(List.of(t)), LIMITS), LIMITS);
        engine.databases().settle();
        assertThat(engine.databases().ready()).isEqualTo(1);
        engine.close();
        assertThat(engine.databases().ready()).isZero();
    }
}
