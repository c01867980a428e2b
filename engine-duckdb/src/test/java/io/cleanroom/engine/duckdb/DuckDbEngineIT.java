package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only DuckDB does: reading the pinned descriptors the server hands it, and errors that never
 * quote data. Everything every engine must do is in the conformance suite ({@link DuckDbConformanceIT}).
 */
class DuckDbEngineIT {
    private static final AccountId PUBLISHER = new AccountId("111111111111");
    private static final AccountId ADVERTISER = new AccountId("222222222222");
    private static final io.cleanroom.engine.spi.Limits LIMITS = Engines.limits("512MB", 2);

    @TempDir
    Path dir;

    record Collected(List<io.cleanroom.engine.spi.ResultSink.Column> columns, List<List<Object>> rows) {
    }

    private static Collected run(CheckedQuery query, Map<String, Engines.Table> tables,
            io.cleanroom.engine.spi.Cancellation cancellation) {
        List<List<Object>> rows = new ArrayList<>();
        AtomicReference<List<io.cleanroom.engine.spi.ResultSink.Column>> columns = new AtomicReference<>();
        try (DuckDbEngine engine = new DuckDbEngine()) {
            Engines.execute(engine, query, tables, LIMITS, new io.cleanroom.engine.spi.ResultSink() {
                @Override
                public void columns(List<io.cleanroom.engine.spi.ResultSink.Column> c) {
                    columns.set(c);
                }

                @Override
                public void row(List<Object> values) {
                    rows.add(values);
                }
            }, cancellation);
        }
        return new Collected(columns.get(), rows);
    }


    /** The number of this process's descriptor open on file (found through /proc/self/fd). */
    private static int descriptorOf(Path file) throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (java.io.IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        throw new AssertionError("no descriptor open on " + file);
    }

    /**
     * The server hands the engine pinned files as /proc/self/fd/N (Linux): the engine must read
     * them in every format under its sandbox, read the opened file even after its path was
     * swapped for a link, and still refuse any other descriptor's file.
     */
    @Test
    void readsPinnedDescriptorPathsInEveryFormatAndNothingElse() throws Exception {
        Path real = dir.toRealPath();
        Path csv = real.resolve("mine.csv");
        Path json = real.resolve("mine.json");
        Path parquet = real.resolve("mine.parquet");
        Path secret = real.resolve("secret.csv");
        Files.writeString(csv, "k\nmine-csv\n");
        Files.writeString(json, "{\"k\":\"mine-json\"}\n");
        Files.writeString(secret, "k\nSECRET\n");
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 'mine-parquet' AS k) TO '" + parquet + "' (FORMAT parquet)");
        }
        try (var csvIn = new java.io.FileInputStream(csv.toFile());
                var jsonIn = new java.io.FileInputStream(json.toFile());
                var parquetIn = new java.io.FileInputStream(parquet.toFile());
                var secretIn = new java.io.FileInputStream(secret.toFile())) {
            Path csvFd = Path.of("/proc/self/fd/" + descriptorOf(csv));
            Path jsonFd = Path.of("/proc/self/fd/" + descriptorOf(json));
            Path parquetFd = Path.of("/proc/self/fd/" + descriptorOf(parquet));
            Path secretFd = Path.of("/proc/self/fd/" + descriptorOf(secret));
            // after the server pinned it, the member swaps its file for a link to another member's
            Files.move(csv, real.resolve("moved-away.csv"));
            Files.createSymbolicLink(csv, secret);
            List<Column> k = List.of(new Column("k", "string"));
            List<Engines.Table> tables = List.of(
                    new Engines.Table("c", List.of(csvFd), TableFormat.CSV, k),
                    new Engines.Table("j", List.of(jsonFd), TableFormat.JSON, k),
                    new Engines.Table("p", List.of(parquetFd), TableFormat.PARQUET, k));
            try (Connection c = DuckDbEngine.sandbox(Engines.bind(tables), LIMITS); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT k FROM c UNION ALL SELECT k FROM j UNION ALL SELECT k FROM p "
                            + "ORDER BY k")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
                assertThat(rows).containsExactly("mine-csv", "mine-json", "mine-parquet");
                for (String attempt : List.of("SELECT * FROM read_csv('" + secretFd + "')",
                        "SELECT * FROM read_csv('" + csv + "')", "SELECT * FROM read_csv('/proc/self/fd/*')")) {
                    try (Statement st = c.createStatement()) {
                        assertThatThrownBy(() -> st.executeQuery(attempt)).as(attempt)
                                .isInstanceOf(java.sql.SQLException.class);
                    }
                }
            }
            assertThat(secretIn.available()).isPositive();
            assertThat(csvIn.available() + jsonIn.available() + parquetIn.available()).isPositive();
        }
    }

    @Test
    void engineErrorsNeverQuoteData() throws Exception {
        Path file = dir.resolve("typed.csv");
        Files.writeString(file, "user_id_hash,segment\nSECRET-VALUE,news\n");
        Map<String, Engines.Table> tables = Map.of("t", new Engines.Table("t", List.of(file),
                TableFormat.CSV, List.of(new Column("user_id_hash", "bigint"), new Column("segment", "string"))));
        // the value does not fit bigint: it becomes NULL instead of an error quoting it
        TableSpec spec = new TableSpec("t", ADVERTISER, tables.get("t").columns(),
                Optional.of(new AnalysisRulePolicy.Custom(List.of("ANY_QUERY"), List.of(ADVERTISER), null, List.of(),
                        null, List.of(), null)), true);
        CheckedQuery checked = new QueryChecker().check(QueryRequest.adHoc("SELECT user_id_hash, segment FROM t",
                ADVERTISER, List.of(spec)));
        assertThat(run(checked, tables, Engines.never()).rows()).containsExactly(java.util.Arrays.asList(null, "news"));
        Files.delete(file);
        CleanroomException missing = catchThrowableOfType(CleanroomException.class,
                () -> run(checked, tables, Engines.never()));
        assertThat(missing.getMessage()).doesNotContain(file.toString()).isNotBlank();
    }
}
