package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databases kept bound to small tables: a query over the same tables and the same bytes reuses
 * one, and anything that would make its views differ (a byte of a file, an allowed column, a type,
 * the limits) gets a new one, as does a query after one that failed.
 */
class SmallTableDatabasesIT {
    private static final AccountId RUNNER = new AccountId("222222222222");
    private static final Limits LIMITS = Engines.limits("512MB", 1);

    @TempDir
    Path dir;

    private static CheckedQuery check(String sql, List<Column> columns) {
        TableSpec spec = new TableSpec("t", RUNNER, columns, Optional.of(new AnalysisRulePolicy.Custom(
                List.of("ANY_QUERY"), List.of(RUNNER), null, List.of(), null, List.of(), null)), true);
        return new QueryChecker().check(QueryRequest.adHoc(sql, RUNNER, List.of(spec)));
    }

    /** Runs the query on table t over file with the given columns; the rows as text. */
    private static List<List<String>> run(DuckDbEngine engine, String sql, Path file, List<Column> columns,
            Limits limits) {
        List<List<String>> rows = new ArrayList<>();
        Engines.Table table = new Engines.Table("t", List.of(file), TableFormat.CSV, columns);
        engine.execute(check(sql, columns).executable(Engines.bind(List.of(table)), limits), new ResultSink() {
            @Override
            public void columns(List<ResultSink.Column> columns) {
                rows.add(columns.stream().map(ResultSink.Column::name).toList());
            }

            @Override
            public void row(List<Object> values) {
                rows.add(values.stream().map(String::valueOf).toList());
            }
        }, Cancellation.NEVER);
        return rows;
    }

    /** An engine keeping databases over plain files too (the server keeps them over pinned descriptors only). */
    private static DuckDbEngine engine(int spares) {
        return new DuckDbEngine(spares, SmallTableDatabases.KEPT, path -> true);
    }

    private static final List<Column> KV = List.of(new Column("k", "string"), new Column("v", "string"));

    @Test
    void theSameTablesOverTheSameBytesReuseTheirDatabase() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "k,v\na,1\nb,2\n");
        try (DuckDbEngine engine = engine(1)) {
            assertThat(run(engine, "SELECT k, v FROM t ORDER BY k", file, KV, LIMITS))
                    .containsExactly(List.of("k", "v"), List.of("a", "1"), List.of("b", "2"));
            assertThat(run(engine, "SELECT COUNT(*) AS n FROM t", file, KV, LIMITS))
                    .containsExactly(List.of("n"), List.of("2"));
            assertThat(engine.small().counts()).containsExactly(1, 1);
            assertThat(engine.small().kept()).isEqualTo(1);
        }
    }

    @Test
    void aFileChangedInAnyByteIsReadAgainEvenWithItsSizeAndTimes() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "k,v\na,1\nb,2\n");
        try (DuckDbEngine engine = engine(1)) {
            assertThat(run(engine, "SELECT k, v FROM t ORDER BY k", file, KV, LIMITS))
                    .containsExactly(List.of("k", "v"), List.of("a", "1"), List.of("b", "2"));
            FileTime modified = Files.getLastModifiedTime(file);
            // the same size, the same modification time: only the bytes tell
            Files.writeString(file, "k,v\na,1\nb,3\n");
            Files.setLastModifiedTime(file, modified);
            assertThat(run(engine, "SELECT k, v FROM t ORDER BY k", file, KV, LIMITS))
                    .containsExactly(List.of("k", "v"), List.of("a", "1"), List.of("b", "3"));
            assertThat(engine.small().counts()).as("hits, misses").containsExactly(0, 2);
        }
    }

    @Test
    void aChangedBindingGetsDatabaseOfItsOwn() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "k,v\na,1\nb,2\n");
        try (DuckDbEngine engine = engine(1)) {
            assertThat(run(engine, "SELECT * FROM t ORDER BY k", file, KV, LIMITS))
                    .containsExactly(List.of("k", "v"), List.of("a", "1"), List.of("b", "2"));
            // the rule now allows k only: the view holds k only
            assertThat(run(engine, "SELECT * FROM t ORDER BY k", file, List.of(new Column("k", "string")), LIMITS))
                    .containsExactly(List.of("k"), List.of("a"), List.of("b"));
            // v is now typed: its values are numbers, summed as numbers
            assertThat(run(engine, "SELECT SUM(v) AS s FROM t", file,
                    List.of(new Column("k", "string"), new Column("v", "bigint")), LIMITS))
                    .containsExactly(List.of("s"), List.of("3"));
            // other limits are other settings of the database
            assertThat(run(engine, "SELECT * FROM t ORDER BY k", file, KV, Engines.limits("256MB", 1)))
                    .containsExactly(List.of("k", "v"), List.of("a", "1"), List.of("b", "2"));
            assertThat(engine.small().counts()).as("hits, misses").containsExactly(0, 4);
            // and the first binding still finds its own
            run(engine, "SELECT * FROM t ORDER BY k", file, KV, LIMITS);
            assertThat(engine.small().counts()).as("hits, misses").containsExactly(1, 4);
        }
    }

    @Test
    void aCopyIsReadAsTheFileItCopies() throws Exception {
        // DuckDB tells a CSV file's compression by how its name ends
        Path file = dir.resolve("t.csv.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("k,v\na,1\nb,2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        try (DuckDbEngine engine = engine(1)) {
            for (int i = 0; i < 2; i++) {
                assertThat(run(engine, "SELECT k, v FROM t ORDER BY k", file, KV, LIMITS))
                        .containsExactly(List.of("k", "v"), List.of("a", "1"), List.of("b", "2"));
            }
            assertThat(engine.small().counts()).as("hits, misses").containsExactly(1, 1);
        }
    }

    @Test
    void aDatabaseIsKeptOnlyAfterAQueryThatSucceeded() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "k,v\na,1\nb,2\n");
        try (DuckDbEngine engine = engine(1)) {
            Engines.Table table = new Engines.Table("t", List.of(file), TableFormat.CSV, KV);
            ResultSink failing = new ResultSink() {
                @Override
                public void columns(List<ResultSink.Column> columns) {
                }

                @Override
                public void row(List<Object> values) {
                    throw new IllegalStateException("the sink gives up");
                }
            };
            assertThatThrownBy(() -> engine.execute(check("SELECT k FROM t", KV)
                    .executable(Engines.bind(List.of(table)), LIMITS), failing, Cancellation.NEVER))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(engine.small().kept()).isZero();
            run(engine, "SELECT k FROM t", file, KV, LIMITS);
            assertThat(engine.small().kept()).isEqualTo(1);
            assertThat(engine.small().counts()).as("hits, misses").containsExactly(0, 2);
        }
    }

    @Test
    void aKeptDatabaseReadsOnlyItsCopiesAndIsLockedDown() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "k,v\na,1\nb,2\n");
        Path other = Files.writeString(dir.resolve("other.csv"), "secret\nx\n");
        try (DuckDbEngine engine = engine(1)) {
            run(engine, "SELECT k FROM t", file, KV, LIMITS);
            Engines.Table table = new Engines.Table("t", List.of(file), TableFormat.CSV, KV);
            SmallTableDatabases.Tables tables = engine.small().read(Engines.bind(List.of(table)), LIMITS).orElseThrow();
            SmallTableDatabases.Bound bound = engine.small().take(tables).orElseThrow();
            for (String attempt : List.of("SELECT * FROM read_csv('" + other + "')",
                    "SELECT * FROM read_csv('" + file + "')", "SET lock_configuration = false",
                    "SET enable_external_access = true")) {
                try (var s = bound.connection().createStatement()) {
                    assertThatThrownBy(() -> s.execute(attempt)).as(attempt).isInstanceOf(java.sql.SQLException.class);
                }
            }
            try (var s = bound.connection().createStatement()) {
                try (var rs = s.executeQuery("SELECT current_setting('allowed_paths')")) {
                    rs.next();
                    assertThat(rs.getString(1)).contains(bound.copies().toString()).doesNotContain(file.toString());
                }
            }
            assertThat(Files.getPosixFilePermissions(bound.copies()))
                    .containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString(
                            "rwx------"));
            engine.small().discard(bound);
            engine.databases().settle();
            assertThat(bound.connection().isClosed()).isTrue();
            assertThat(bound.copies()).doesNotExist();
        }
    }

    @Test
    void aFileIsNeverReadBeyondTheSmallLimitWhateverItsSizeSaidBefore() throws Exception {
        // a file that grows after its size was read, at the extreme a device whose size reads 0 and that
        // never ends: reading it whole was an OutOfMemoryError that escaped the query
        Engines.Table endless = new Engines.Table("t", List.of(Path.of("/dev/zero")), TableFormat.CSV, KV);
        Path file = Files.writeString(dir.resolve("t.csv"), "k,v\na,1\n");
        Engines.Table small = new Engines.Table("u", List.of(file), TableFormat.CSV, KV);
        try (DuckDbEngine engine = engine(0)) {
            assertThat(engine.small().read(Engines.bind(List.of(endless)), LIMITS)).isEmpty();
            assertThat(engine.small().read(Engines.bind(List.of(small, endless)), LIMITS)).isEmpty();
            assertThat(engine.small().read(Engines.bind(List.of(small)), LIMITS)).isPresent();
            // a file of exactly the limit is not small
            Path limit = Files.write(dir.resolve("limit.csv"), new byte[(int) DuckDbEngine.SMALL_INPUT_BYTES]);
            assertThat(engine.small().read(Engines.bind(List.of(new Engines.Table("t", List.of(limit),
                    TableFormat.CSV, KV))), LIMITS)).isEmpty();
        }
    }

    @Test
    void keysOfBindingsThatConcatenateAlikeDiffer() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "ab,c,a,bc\n1,2,3,4\n");
        try (DuckDbEngine engine = engine(0)) {
            java.util.function.Function<List<Engines.Table>, String> key = tables -> engine.small()
                    .read(Engines.bind(tables), LIMITS).orElseThrow().key();
            // columns "ab", "c" against "a", "bc"; table "t" with column "x" against table "tx"...
            List<String> keys = List.of(
                    key.apply(List.of(new Engines.Table("t", List.of(file), TableFormat.CSV,
                            List.of(new Column("ab", "string"), new Column("c", "string"))))),
                    key.apply(List.of(new Engines.Table("t", List.of(file), TableFormat.CSV,
                            List.of(new Column("a", "string"), new Column("bc", "string"))))),
                    key.apply(List.of(new Engines.Table("t", List.of(file), TableFormat.CSV,
                            List.of(new Column("a", "string"))), new Engines.Table("t2", List.of(file),
                            TableFormat.CSV, List.of(new Column("bc", "string"))))),
                    key.apply(List.of(new Engines.Table("t", List.of(file), TableFormat.CSV,
                            List.of(new Column("a", "string"), new Column("bc", "string"))), new Engines.Table("t2",
                            List.of(file), TableFormat.CSV, List.of()))),
                    // the same file read twice by one table, against once
                    key.apply(List.of(new Engines.Table("t", List.of(file, file), TableFormat.CSV,
                            List.of(new Column("a", "string"), new Column("bc", "string"))))),
                    // the same columns, another type; the same bytes read as JSON
                    key.apply(List.of(new Engines.Table("t", List.of(file), TableFormat.CSV,
                            List.of(new Column("a", "bigint"), new Column("bc", "string"))))),
                    key.apply(List.of(new Engines.Table("t", List.of(file), TableFormat.JSON,
                            List.of(new Column("a", "string"), new Column("bc", "string"))))));
            assertThat(keys).doesNotHaveDuplicates();
        }
    }

    @Test
    void aKeptDatabaseServesOneQueryAtATime() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "k,v\na,1\nb,2\n");
        try (DuckDbEngine engine = engine(1)) {
            run(engine, "SELECT k FROM t", file, KV, LIMITS);
            Engines.Table table = new Engines.Table("t", List.of(file), TableFormat.CSV, KV);
            SmallTableDatabases.Tables tables = engine.small().read(Engines.bind(List.of(table)), LIMITS).orElseThrow();
            SmallTableDatabases.Bound bound = engine.small().take(tables).orElseThrow();
            // while one query holds it, another over the same tables binds a database of its own
            assertThat(engine.small().take(tables)).isEmpty();
            assertThat(run(engine, "SELECT k FROM t ORDER BY k", file, KV, LIMITS))
                    .containsExactly(List.of("k"), List.of("a"), List.of("b"));
            // the first given back finds the second kept: one of the two is closed, never both kept
            engine.small().keep(bound);
            assertThat(engine.small().kept()).isEqualTo(1);
            engine.databases().settle();
            assertThat(bound.connection().isClosed()).isTrue();
        }
    }

    @Test
    void onlyAMembersOwnFileReadThroughItsPinnedDescriptorIsKeptNeverAFileAQueryStaged() throws Exception {
        // a staged file (an S3 object, a PostgreSQL table's rows) is deleted when its query ends and never
        // cached: a copy kept for the next query would outlive it, in a directory a crash leaves behind
        Path staged = Files.writeString(dir.resolve("part-0.csv"), "k,v\na,1\nb,2\n");
        try (DuckDbEngine engine = new DuckDbEngine(1, SmallTableDatabases.KEPT)) {
            assertThat(run(engine, "SELECT k FROM t ORDER BY k", staged, KV, LIMITS))
                    .containsExactly(List.of("k"), List.of("a"), List.of("b"));
            assertThat(engine.small().kept()).isZero();
            assertThat(engine.small().counts()).as("hits, misses").containsExactly(0, 0);
            // the same bytes through a descriptor the server holds open, as a local table is read
            try (java.nio.channels.FileChannel open = java.nio.channels.FileChannel.open(staged)) {
                Path pinned = null;
                try (var descriptors = Files.list(Path.of("/proc/self/fd"))) {
                    for (Path fd : descriptors.toList()) {
                        try {
                            if (Files.readSymbolicLink(fd).equals(staged)) {
                                pinned = fd;
                            }
                        } catch (java.io.IOException gone) {
                            // a descriptor closed while listed
                        }
                    }
                }
                assertThat(pinned).isNotNull();
                for (int i = 0; i < 2; i++) {
                    assertThat(run(engine, "SELECT k FROM t ORDER BY k", pinned, KV, LIMITS))
                            .containsExactly(List.of("k"), List.of("a"), List.of("b"));
                }
                assertThat(engine.small().kept()).isEqualTo(1);
                assertThat(engine.small().counts()).as("hits, misses").containsExactly(1, 1);
            }
        }
    }
}
