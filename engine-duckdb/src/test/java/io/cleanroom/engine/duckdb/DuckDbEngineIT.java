package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.JoinRequired;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checked queries on real files through DuckDB, and the sandbox around them. */
class DuckDbEngineIT {
    private static final AccountId PUBLISHER = new AccountId("111111111111");
    private static final AccountId ADVERTISER = new AccountId("222222222222");
    private static final io.cleanroom.engine.spi.Limits LIMITS = Engines.limits("512MB", 2);

    @TempDir
    Path dir;

    static Aggregation rule(String dimension, int minimum, JoinRequired join) {
        return new Aggregation(List.of(new AggregateColumn(List.of("user_id_hash"),
                AggregateFunction.COUNT_DISTINCT)), List.of("user_id_hash"), join, List.of(), List.of(dimension),
                List.of(), List.of(new OutputConstraint("user_id_hash", minimum)), null);
    }

    /** Generated audiences: users 0..n-1 in the publisher, every third user also in the advertiser. */
    private Map<String, Engines.Table> data(int users) throws Exception {
        Path publisher = dir.resolve("publisher.csv");
        Path advertiser = dir.resolve("advertiser.csv");
        StringBuilder p = new StringBuilder("user_id_hash,segment\n");
        StringBuilder a = new StringBuilder("user_id_hash,campaign\n");
        for (int i = 0; i < users; i++) {
            p.append("u").append(i).append(',').append(i % 2 == 0 ? "news" : "sports").append('\n');
            if (i % 3 == 0) {
                a.append("u").append(i).append(',').append(i % 4 < 2 ? "spring" : "brand").append('\n');
            }
        }
        Files.writeString(publisher, p);
        Files.writeString(advertiser, a);
        return Map.of(
                "publisher_audience", new Engines.Table("publisher_audience", List.of(publisher),
                        TableFormat.CSV, List.of(new Column("user_id_hash", "string"), new Column("segment", "string"))),
                "advertiser_audience", new Engines.Table("advertiser_audience", List.of(advertiser),
                        TableFormat.CSV, List.of(new Column("user_id_hash", "string"),
                                new Column("campaign", "string"))));
    }

    private static List<TableSpec> specs(int publisherMinimum) {
        return List.of(
                new TableSpec("publisher_audience", PUBLISHER, List.of(new Column("user_id_hash", "string"),
                        new Column("segment", "string")), Optional.of(rule("segment", publisherMinimum,
                                JoinRequired.QUERY_RUNNER)), true),
                new TableSpec("advertiser_audience", ADVERTISER, List.of(new Column("user_id_hash", "string"),
                        new Column("campaign", "string")), Optional.of(rule("campaign", 2, null)), true));
    }

    record Collected(List<io.cleanroom.engine.spi.ResultSink.Column> columns, List<List<Object>> rows) {
    }

    private static Collected run(CheckedQuery query, Map<String, Engines.Table> tables,
            io.cleanroom.engine.spi.Cancellation cancellation) {
        List<List<Object>> rows = new ArrayList<>();
        AtomicReference<List<io.cleanroom.engine.spi.ResultSink.Column>> columns = new AtomicReference<>();
        Engines.execute(new DuckDbEngine(), query, tables, LIMITS, new io.cleanroom.engine.spi.ResultSink() {
            @Override
            public void columns(List<io.cleanroom.engine.spi.ResultSink.Column> c) {
                columns.set(c);
            }

            @Override
            public void row(List<Object> values) {
                rows.add(values);
            }
        }, cancellation);
        return new Collected(columns.get(), rows);
    }


    private static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "GROUP BY 1, 2 ORDER BY overlap_count DESC";

    @Test
    void tutorialOverlapRunsAndMatchesAPlainComputation() throws Exception {
        Map<String, Engines.Table> tables = data(1200);
        CheckedQuery checked = new QueryChecker().check(QueryRequest.adHoc(OVERLAP, ADVERTISER, specs(2)));
        Collected result = run(checked, tables, Engines.never());
        assertThat(result.columns()).extracting(io.cleanroom.engine.spi.ResultSink.Column::name)
                .containsExactly("campaign", "segment", "overlap_count");
        // users divisible by 3 are in both; segment by parity, campaign by i % 4
        long expected = 0;
        for (int i = 0; i < 1200; i += 3) {
            expected++;
        }
        long total = result.rows().stream().mapToLong(r -> ((Number) r.get(2)).longValue()).sum();
        assertThat(total).isEqualTo(expected);
        assertThat(result.rows()).hasSize(4);
    }

    @Test
    void outputConstraintsSuppressSmallGroupsInTheEngine() throws Exception {
        Map<String, Engines.Table> tables = data(1200);
        CheckedQuery strict = new QueryChecker().check(QueryRequest.adHoc(OVERLAP, ADVERTISER, specs(150)));
        // each of the 4 groups has 100 users: all are below 150 and none may leave the engine
        assertThat(run(strict, tables, Engines.never()).rows()).isEmpty();
        CheckedQuery lenient = new QueryChecker().check(QueryRequest.adHoc(OVERLAP, ADVERTISER, specs(100)));
        assertThat(run(lenient, tables, Engines.never()).rows()).hasSize(4);
    }

    @Test
    void sandboxRefusesFilesOutsideTheTables() throws Exception {
        Map<String, Engines.Table> tables = data(10);
        Path secret = dir.resolve("secret.csv");
        Files.writeString(secret, "a\nsecret\n");
        try (Connection c = DuckDbEngine.sandbox(Engines.bind(tables.values()), LIMITS); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM publisher_audience")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(10);
            }
            for (String attempt : List.of("SELECT * FROM read_csv('" + secret + "')",
                    "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('" + secret + "')",
                    "COPY publisher_audience TO '" + dir.resolve("out.csv") + "'",
                    "ATTACH '" + dir.resolve("x.db") + "'", "INSTALL httpfs", "LOAD httpfs",
                    "SET enable_external_access = true", "SET allowed_paths = ['/']", "SET memory_limit = '20GB'")) {
                try (Statement st = c.createStatement()) {
                    assertThatThrownBy(() -> st.execute(attempt)).as(attempt).isInstanceOf(java.sql.SQLException.class);
                }
            }
        }
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

    @Test
    void exhaustingMemoryFailsCleanlyAndTheEngineKeepsWorking() throws Exception {
        Path file = dir.resolve("wide.csv");
        StringBuilder wide = new StringBuilder("k,v\n");
        for (int i = 0; i < 20_000; i++) {
            wide.append(i).append(',').append(i % 3).append('\n');
        }
        Files.writeString(file, wide);
        Map<String, Engines.Table> tables = Map.of("wide", new Engines.Table("wide", List.of(file),
                TableFormat.CSV, List.of(new Column("k", "bigint"), new Column("v", "bigint"))));
        TableSpec spec = new TableSpec("wide", ADVERTISER, tables.get("wide").columns(),
                Optional.of(new AnalysisRulePolicy.Custom(List.of("ANY_QUERY"), List.of(ADVERTISER), null, List.of(),
                        null, List.of(), null)), true);
        CheckedQuery hungry = new QueryChecker().check(QueryRequest.adHoc(
                "SELECT COUNT(*) FROM (SELECT a.k, b.k AS k2, a.v FROM wide a JOIN wide b ON a.v = b.v "
                        + "ORDER BY a.k, k2 DESC) x", ADVERTISER, List.of(spec)));
        DuckDbEngine small = new DuckDbEngine();
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> Engines.execute(small, hungry, tables, Engines.limits("16MB", 1),
                new io.cleanroom.engine.spi.ResultSink() {
                    @Override
                    public void columns(List<io.cleanroom.engine.spi.ResultSink.Column> c) {
                    }

                    @Override
                    public void row(List<Object> values) {
                    }
                }, Engines.never()));
        assertThat(e).as("the query should exhaust 16 MB").isNotNull();
        assertThat(e.getMessage()).startsWith("The query ran out of memory");
        CheckedQuery light = new QueryChecker().check(QueryRequest.adHoc("SELECT COUNT(*) FROM wide", ADVERTISER,
                List.of(spec)));
        assertThat(run(light, tables, Engines.never()).rows()).containsExactly(List.of(20000L));
    }

    @Test
    void cancellationStopsARunningQuery() throws Exception {
        Path file = dir.resolve("big.csv");
        StringBuilder big = new StringBuilder("k,v\n");
        for (int i = 0; i < 200_000; i++) {
            big.append(i).append(',').append(i % 7).append('\n');
        }
        Files.writeString(file, big);
        Map<String, Engines.Table> tables = Map.of("big", new Engines.Table("big", List.of(file),
                TableFormat.CSV, List.of(new Column("k", "bigint"), new Column("v", "bigint"))));
        TableSpec spec = new TableSpec("big", ADVERTISER, tables.get("big").columns(),
                Optional.of(new AnalysisRulePolicy.Custom(List.of("ANY_QUERY"), List.of(ADVERTISER), null, List.of(),
                        null, List.of(), null)), true);
        CheckedQuery slow = new QueryChecker().check(QueryRequest.adHoc(
                "SELECT COUNT(*) FROM big a JOIN big b ON a.k <> b.k", ADVERTISER, List.of(spec)));
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Runnable> stop = new AtomicReference<>();
        io.cleanroom.engine.spi.Cancellation cancellation = new io.cleanroom.engine.spi.Cancellation() {
            @Override
            public void onCancel(Runnable s) {
                stop.set(s);
            }

            @Override
            public boolean cancelled() {
                return cancelled.get();
            }
        };
        Thread canceller = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            cancelled.set(true);
            stop.get().run();
        });
        canceller.start();
        long start = System.nanoTime();
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> run(slow, tables, cancellation));
        canceller.join();
        assertThat(e.getMessage()).isEqualTo("The query was cancelled");
        assertThat((System.nanoTime() - start) / 1_000_000_000.0).isLessThan(60);
    }
}
