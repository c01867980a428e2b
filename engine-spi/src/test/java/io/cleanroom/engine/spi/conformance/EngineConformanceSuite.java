package io.cleanroom.engine.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.JoinRequired;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.TableSource;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.ExecutableQuery;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.conformance.QueryControlFixture.Checked;
import io.cleanroom.engine.spi.conformance.QueryControlFixture.CorpusCase;
import io.cleanroom.engine.spi.conformance.QueryControlFixture.RuledTable;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine conformance suite: what every engine must do the same way, whatever it runs on. An
 * engine module extends it with its engine, query control (sql's test jar) and a test-only way to
 * submit SQL that query control never produced; see docs/engines.md.
 *
 * <ul>
 *   <li>every allowed query of the query-control corpus returns exactly the rows that plain DuckDB
 *       computes for the same checked query over the same data;</li>
 *   <li>output constraints suppress inside the engine;</li>
 *   <li>every operator query control allows runs, with the rows plain DuckDB computes;</li>
 *   <li>no error oracle: whether a query fails, and its rows, do not depend on a row the output
 *       constraints suppress;</li>
 *   <li>a query reads its bound tables and nothing else (files, other tables, settings), in the
 *       engine's own SQL;</li>
 *   <li>typed columns and NULLs read the same from CSV, JSON and Parquet;</li>
 *   <li>cancellation, deadlines, memory exhaustion and the result-row bound end queries with the
 *       same safe messages, and the engine keeps working;</li>
 *   <li>a result larger than the engine's memory is streamed, never held whole.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EngineConformanceSuite {
    protected static final AccountId PUBLISHER = new AccountId("111111111111");
    protected static final AccountId ADVERTISER = new AccountId("222222222222");

    /** The safe messages every engine ends a failed query with. */
    public static final String CANCELLED = "The query was cancelled";
    public static final String OUT_OF_MEMORY = "The query ran out of memory in the engine; raise the engine memory "
            + "limit or simplify the query";

    public static String tooManyRows(long maxRows) {
        return "The result has more than " + maxRows + " rows; narrow the query (the server's limit is "
                + "--max-result-rows)";
    }

    /** The engine under test, shared by the suite's tests. */
    protected abstract QueryEngine engine();

    /** Query control, from sql's test jar. */
    protected abstract QueryControlFixture queryControl();

    /**
     * Runs SQL that query control did not produce with the given tables bound, through the engine's
     * test-only entry point; throws when the engine refuses or fails it.
     */
    protected abstract void executeUnchecked(String sql, List<TableBinding> tables, ResultSink sink) throws Exception;

    /**
     * Ways out of a query's tables in the engine's own SQL (reading a file, a table function, a
     * setting, loading code), given a secret file the query must not read and a directory it must
     * not write; each must fail.
     */
    protected abstract List<String> escapes(Path secret, Path directory);

    /** The limits of the suite's queries. */
    protected Limits limits() {
        return new Limits(512L << 20, 2, Duration.ofMinutes(5), 1_000_000);
    }

    @TempDir
    protected Path dir;

    private Path corpusDir;
    private final Map<String, Corpus> corpora = new TreeMap<>();

    /** A corpus fixture's data: its tables as files, and in a plain DuckDB database. */
    private record Corpus(Map<String, TableBinding> bindings, Connection plain) {
    }

    @BeforeAll
    void generateCorpusData() throws Exception {
        corpusDir = Files.createTempDirectory("conformance-corpus");
        for (CorpusCase c : queryControl().allowedCorpus()) {
            if (corpora.containsKey(c.fixture())) {
                continue;
            }
            Map<String, TableBinding> bindings = new LinkedHashMap<>();
            List<SuiteData.Table> tables = new ArrayList<>();
            for (int i = 0; i < c.tables().size(); i++) {
                RuledTable t = c.tables().get(i);
                SuiteData.Table data = SuiteData.generate(t.name(), t.columns(), i, 1000);
                tables.add(data);
                Path file = SuiteData.writeCsv(data, corpusDir.resolve(c.fixture() + "-" + t.name() + ".csv"));
                bindings.put(t.name().toLowerCase(Locale.ROOT), SuiteData.bind(t.name(), t.columns(), TableFormat.CSV,
                        file));
            }
            corpora.put(c.fixture(), new Corpus(bindings, SuiteData.plain(tables)));
        }
    }

    @AfterAll
    void closeCorpusData() throws Exception {
        for (Corpus c : corpora.values()) {
            c.plain().close();
        }
        if (corpusDir != null) {
            try (Stream<Path> files = Files.walk(corpusDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** What a query ended with: its columns and rows, or its failure's message. */
    protected record Outcome(List<ResultSink.Column> columns, List<List<Object>> rows, String failure) {
        boolean succeeded() {
            return failure == null;
        }

        @Override
        public String toString() {
            return succeeded() ? "SUCCESS: " + SuiteData.normal(rows) : "FAILED: " + failure;
        }
    }

    /** Runs an executable query on the engine, collecting its result or its failure. */
    protected Outcome run(ExecutableQuery query, Cancellation cancellation) {
        List<List<Object>> rows = new ArrayList<>();
        AtomicReference<List<ResultSink.Column>> columns = new AtomicReference<>();
        try {
            engine().execute(query, new ResultSink() {
                @Override
                public void columns(List<ResultSink.Column> c) {
                    columns.set(List.copyOf(c));
                }

                @Override
                public void row(List<Object> values) {
                    rows.add(new ArrayList<>(values));
                }
            }, cancellation);
        } catch (CleanroomException e) {
            assertThat(e.code()).as("an engine fails a query with QUERY_FAILED").isEqualTo(ErrorCode.QUERY_FAILED);
            return new Outcome(null, null, e.getMessage());
        }
        return new Outcome(columns.get(), rows, null);
    }

    /** Checks and runs a query as the advertiser over the tables, bound to the data. */
    protected Outcome check(String sql, List<RuledTable> tables, Map<String, TableBinding> data, Limits limits,
            Cancellation cancellation) {
        Checked checked = queryControl().check(sql, ADVERTISER, tables, Optional.empty(), engine().dialect());
        return run(checked.executable(bound(checked, data), limits), cancellation);
    }

    private static List<TableBinding> bound(Checked checked, Map<String, TableBinding> data) {
        List<TableBinding> out = new ArrayList<>();
        for (String t : checked.tables()) {
            TableBinding b = data.get(t.toLowerCase(Locale.ROOT));
            if (b == null) {
                throw new IllegalStateException("no data for table " + t);
            }
            out.add(b);
        }
        return out;
    }

    /** The rows plain DuckDB computes for the query as query control renders it for DuckDB. */
    private static List<List<Object>> plain(Connection c, String sql) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static Custom anyQuery() {
        return new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null, List.of(), null);
    }

    protected static RuledTable open(String name, List<Column> columns) {
        return new RuledTable(name, ADVERTISER, columns, Optional.of(anyQuery()));
    }

    // ---------------------------------------------------------------- the corpus

    @TestFactory
    Stream<DynamicTest> everyAllowedCorpusQueryReturnsThePlainComputationsRows() {
        return queryControl().allowedCorpus().stream().map(c -> DynamicTest.dynamicTest(c.fixture() + ": " + c.name(),
                () -> {
                    Corpus corpus = corpora.get(c.fixture());
                    Checked reference = queryControl().check(c.sql(), c.runner(), c.tables(), c.templateArn(),
                            Dialect.DUCKDB);
                    List<List<Object>> expected = plain(corpus.plain(), reference.sql());
                    Checked checked = queryControl().check(c.sql(), c.runner(), c.tables(), c.templateArn(),
                            engine().dialect());
                    Outcome actual = run(checked.executable(bound(checked, corpus.bindings()), limits()),
                            Cancellation.NEVER);
                    assertThat(actual.failure()).as(checked.sql()).isNull();
                    assertThat(SuiteData.normal(actual.rows())).as(checked.sql())
                            .isEqualTo(SuiteData.normal(expected));
                    assertThat(actual.columns()).hasSize(reference.executable(bound(reference, corpus.bindings()),
                            limits()).outputColumns().size());
                }));
    }

    /** The generated data is such that most allowed queries return rows (else the comparison proves little). */
    @Test
    void corpusDataGivesMostQueriesRows() throws Exception {
        int withRows = 0;
        List<CorpusCase> cases = queryControl().allowedCorpus();
        for (CorpusCase c : cases) {
            Checked reference = queryControl().check(c.sql(), c.runner(), c.tables(), c.templateArn(), Dialect.DUCKDB);
            if (!plain(corpora.get(c.fixture()).plain(), reference.sql()).isEmpty()) {
                withRows++;
            }
        }
        assertThat(cases).hasSizeGreaterThan(50);
        assertThat(withRows).as("cases with rows").isGreaterThan(cases.size() * 2 / 3);
    }

    // ---------------------------------------------------------------- output constraints

    private static Aggregation overlapRule(String dimension, int minimum, JoinRequired join) {
        return new Aggregation(List.of(new AggregateColumn(List.of("user_id_hash"), AggregateFunction.COUNT_DISTINCT)),
                List.of("user_id_hash"), join, List.of(), List.of(dimension), List.of(),
                List.of(new OutputConstraint("user_id_hash", minimum)), null);
    }

    private static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "GROUP BY 1, 2 ORDER BY overlap_count DESC";

    @Test
    void outputConstraintsSuppressSmallGroupsInsideTheEngine() throws Exception {
        // users 0..1199 in the publisher, every third in the advertiser; 4 groups of 100 users each
        StringBuilder p = new StringBuilder("user_id_hash,segment\n");
        StringBuilder a = new StringBuilder("user_id_hash,campaign\n");
        for (int i = 0; i < 1200; i++) {
            p.append('u').append(i).append(',').append(i % 2 == 0 ? "news" : "sports").append('\n');
            if (i % 3 == 0) {
                a.append('u').append(i).append(',').append(i % 4 < 2 ? "spring" : "brand").append('\n');
            }
        }
        Path publisher = Files.writeString(dir.resolve("publisher.csv"), p);
        Path advertiser = Files.writeString(dir.resolve("advertiser.csv"), a);
        List<Column> pc = List.of(new Column("user_id_hash", "string"), new Column("segment", "string"));
        List<Column> ac = List.of(new Column("user_id_hash", "string"), new Column("campaign", "string"));
        Map<String, TableBinding> data = Map.of(
                "publisher_audience", SuiteData.bind("publisher_audience", pc, TableFormat.CSV, publisher),
                "advertiser_audience", SuiteData.bind("advertiser_audience", ac, TableFormat.CSV, advertiser));
        for (int minimum : List.of(150, 100)) {
            List<RuledTable> tables = List.of(
                    new RuledTable("publisher_audience", PUBLISHER, pc, Optional.of(overlapRule("segment", minimum,
                            JoinRequired.QUERY_RUNNER))),
                    new RuledTable("advertiser_audience", ADVERTISER, ac, Optional.of(overlapRule("campaign", 2,
                            null))));
            Outcome outcome = check(OVERLAP, tables, data, limits(), Cancellation.NEVER);
            assertThat(outcome.failure()).isNull();
            if (minimum == 150) {
                assertThat(outcome.rows()).as("every group is below 150 users").isEmpty();
            } else {
                assertThat(SuiteData.normal(outcome.rows())).containsExactly("[brand, news, 100]",
                        "[brand, sports, 100]", "[spring, news, 100]", "[spring, sports, 100]");
            }
        }
    }

    // ---------------------------------------------------------------- the allow-list

    /** One sample per operator of query control's allow-list, in the select list of SELECT ... FROM t. */
    static final Map<String, String> SAMPLES = new LinkedHashMap<>();

    /** Samples whose value depends on when they run: they must run, their values are not compared. */
    private static final Set<String> UNSTABLE = Set.of("CURRENT_DATE", "CURRENT_TIMESTAMP");

    private static void sample(String name, String expression) {
        SAMPLES.put(name, expression);
    }

    static {
        sample("AND", "b AND n > 1");
        sample("OR", "b OR n > 1");
        sample("NOT", "NOT b");
        sample("IS TRUE", "b IS TRUE");
        sample("IS NOT TRUE", "b IS NOT TRUE");
        sample("IS FALSE", "b IS FALSE");
        sample("IS NOT FALSE", "b IS NOT FALSE");
        sample("=", "n = i");
        sample("<>", "n <> i");
        sample("<", "n < i");
        sample("<=", "n <= i");
        sample(">", "n > i");
        sample(">=", "n >= i");
        sample("IS DISTINCT FROM", "n IS DISTINCT FROM i");
        sample("IS NOT DISTINCT FROM", "n IS NOT DISTINCT FROM i");
        sample("IS NULL", "s IS NULL");
        sample("IS NOT NULL", "s IS NOT NULL");
        sample("IN", "n IN (1, 2, 3)");
        sample("NOT IN", "n NOT IN (1, 2, 3)");
        sample("BETWEEN ASYMMETRIC", "n BETWEEN 1 AND 5");
        sample("NOT BETWEEN ASYMMETRIC", "n NOT BETWEEN 1 AND 5");
        sample("EXISTS", "EXISTS (SELECT 1 FROM t AS u WHERE u.n = t.n)");
        sample("LIKE", "s LIKE 'a%'");
        sample("NOT LIKE", "s NOT LIKE 'a%'");
        sample("ILIKE", "s ILIKE 'A%'");
        sample("NOT ILIKE", "s NOT ILIKE 'A%'");
        sample("SIMILAR TO", "s SIMILAR TO 'a%'");
        sample("NOT SIMILAR TO", "s NOT SIMILAR TO 'a%'");
        sample("STARTS_WITH", "STARTS_WITH(s, 'a')");
        sample("ENDS_WITH", "ENDS_WITH(s, 'a')");
        sample("+", "n + i");
        sample("-", "n - i, -n, dt - INTERVAL '1' DAY, ts - INTERVAL '1' HOUR");
        sample("*", "n * i");
        sample("/", "n / i");
        sample("%", "n % i");
        sample("MOD", "MOD(n, i)");
        sample("CASE", "CASE WHEN n > 1 THEN s ELSE 'x' END");
        sample("NULLIF", "NULLIF(n, 1)");
        sample("COALESCE", "COALESCE(s, 'x')");
        sample("CAST", "CAST(n AS VARCHAR), CAST(s AS INTEGER), CAST(m AS DOUBLE), CAST(s AS DATE)");
        sample("LOWER", "LOWER(s)");
        sample("UPPER", "UPPER(s)");
        sample("TRIM", "TRIM(s), TRIM(BOTH 'x' FROM s), TRIM(LEADING 'x' FROM s)");
        sample("LTRIM", "LTRIM(s)");
        sample("RTRIM", "RTRIM(s)");
        sample("SUBSTRING", "SUBSTRING(s FROM 2 FOR 3), SUBSTRING(s FROM 2)");
        sample("POSITION", "POSITION('a' IN s)");
        sample("CHAR_LENGTH", "CHAR_LENGTH(s)");
        sample("CHARACTER_LENGTH", "CHARACTER_LENGTH(s)");
        sample("LENGTH", "LENGTH(s)");
        sample("||", "s || 'x'");
        sample("CONCAT", "CONCAT(s, 'x', s)");
        sample("REPLACE", "REPLACE(s, 'a', 'b')");
        sample("REVERSE", "REVERSE(s)");
        sample("MD5", "MD5(s)");
        sample("SHA256", "SHA256(s)");
        sample("LEFT", "LEFT(s, 2)");
        sample("RIGHT", "RIGHT(s, 2)");
        sample("ABS", "ABS(n), ABS(m), ABS(d)");
        sample("CEIL", "CEIL(d), CEIL(m)");
        sample("FLOOR", "FLOOR(d), FLOOR(m)");
        sample("ROUND", "ROUND(d, 1), ROUND(m, 1), ROUND(d)");
        sample("SQRT", "SQRT(d)");
        sample("LN", "LN(d)");
        sample("LOG10", "LOG10(d)");
        sample("EXP", "EXP(d)");
        sample("POWER", "POWER(d, 2)");
        sample("SIGN", "SIGN(n)");
        sample("GREATEST", "GREATEST(n, i)");
        sample("LEAST", "LEAST(n, i)");
        sample("PI", "PI");
        sample("EXTRACT", "EXTRACT(YEAR FROM dt), EXTRACT(MONTH FROM ts), EXTRACT(DAY FROM dt)");
        sample("CURRENT_DATE", "CURRENT_DATE");
        sample("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP");
        sample("YEAR", "YEAR(dt)");
        sample("QUARTER", "QUARTER(dt)");
        sample("MONTH", "MONTH(dt)");
        sample("DAYOFMONTH", "DAYOFMONTH(dt)");
        sample("HOUR", "HOUR(ts)");
        sample("MINUTE", "MINUTE(ts)");
        sample("SECOND", "SECOND(ts)");
        sample("ARRAY", "x FROM t CROSS JOIN UNNEST(ARRAY[n, i]) AS a(x) --");
        sample("COUNT", "COUNT(*), COUNT(s), COUNT(DISTINCT s)");
        sample("SUM", "SUM(n), SUM(m), SUM(d), SUM(DISTINCT i)");
        sample("AVG", "AVG(n), AVG(m), AVG(d)");
        sample("MIN", "MIN(s), MIN(dt)");
        sample("MAX", "MAX(n), MAX(ts)");
        sample("STDDEV_POP", "STDDEV_POP(d)");
        sample("STDDEV_SAMP", "STDDEV_SAMP(n)");
        sample("STDDEV", "STDDEV(m)");
        sample("VAR_POP", "VAR_POP(d)");
        sample("VAR_SAMP", "VAR_SAMP(n)");
        sample("VARIANCE", "VARIANCE(i)");
        sample("ROW_NUMBER", "ROW_NUMBER() OVER (PARTITION BY s ORDER BY n)");
        sample("RANK", "RANK() OVER (ORDER BY n)");
        sample("DENSE_RANK", "DENSE_RANK() OVER (ORDER BY n)");
        sample("PERCENT_RANK", "PERCENT_RANK() OVER (ORDER BY n)");
        sample("CUME_DIST", "CUME_DIST() OVER (ORDER BY n)");
        sample("NTILE", "NTILE(2) OVER (ORDER BY n)");
        sample("LAG", "LAG(n) OVER (ORDER BY n), LAG(n, 2, 0) OVER (ORDER BY n)");
        sample("LEAD", "LEAD(s) OVER (ORDER BY n)");
        sample("FIRST_VALUE", "FIRST_VALUE(s) OVER (PARTITION BY i ORDER BY n)");
        sample("LAST_VALUE", "LAST_VALUE(s) OVER (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)");
    }

    @Test
    void everyAllowedOperatorHasASample() {
        Set<String> missing = new TreeSet<>(queryControl().allowedOperators());
        missing.removeAll(SAMPLES.keySet());
        assertThat(missing).as("allowed operators without a sample in this suite").isEmpty();
    }

    private static final List<Column> TYPED = List.of(new Column("s", "string"), new Column("n", "bigint"),
            new Column("i", "int"), new Column("d", "double"), new Column("m", "decimal(10,2)"),
            new Column("dt", "date"), new Column("ts", "timestamp"), new Column("b", "boolean"));

    @Test
    void everyAllowedOperatorRunsWithThePlainComputationsRows() throws Exception {
        SuiteData.Table table = new SuiteData.Table("t", TYPED, List.of(
                java.util.Arrays.asList("abc", 5L, 2, 2.5, new BigDecimal("10.25"), LocalDate.of(2024, 3, 1),
                        java.time.LocalDateTime.of(2024, 3, 1, 10, 20, 30), true),
                java.util.Arrays.asList("xyz", -9L, 0, -1.5, new BigDecimal("-3.10"), LocalDate.of(1999, 12, 31),
                        java.time.LocalDateTime.of(1999, 12, 31, 23, 59, 59), false),
                java.util.Arrays.asList(null, null, null, null, null, null, null, null)));
        Path file = SuiteData.writeCsv(table, dir.resolve("t.csv"));
        Map<String, TableBinding> data = Map.of("t", SuiteData.bind("t", TYPED, TableFormat.CSV, file));
        List<RuledTable> tables = List.of(open("t", TYPED));
        List<String> failures = new ArrayList<>();
        try (Connection plain = SuiteData.plain(List.of(table))) {
            for (Map.Entry<String, String> sample : SAMPLES.entrySet()) {
                String sql = sample.getValue().endsWith("--") ? "SELECT " + sample.getValue().replace("--", "")
                        : "SELECT " + sample.getValue() + " FROM t";
                Checked checked = queryControl().check(sql, ADVERTISER, tables, Optional.empty(), engine().dialect());
                Outcome outcome = run(checked.executable(bound(checked, data), limits()), Cancellation.NEVER);
                if (!outcome.succeeded() || outcome.rows().isEmpty()) {
                    failures.add(sample.getKey() + ": " + outcome + " from " + checked.sql());
                    continue;
                }
                if (UNSTABLE.contains(sample.getKey())) {
                    continue;
                }
                Checked reference = queryControl().check(sql, ADVERTISER, tables, Optional.empty(), Dialect.DUCKDB);
                List<String> expected = SuiteData.normal(plain(plain, reference.sql()));
                if (!SuiteData.normal(outcome.rows()).equals(expected)) {
                    failures.add(sample.getKey() + ": " + SuiteData.normal(outcome.rows()) + " but plain DuckDB gives "
                            + expected + " from " + checked.sql());
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    // ---------------------------------------------------------------- no error oracle

    private static final List<Column> ORACLE = List.of(new Column("user_id_hash", "string"),
            new Column("segment", "string"), new Column("region", "string"), new Column("birth_year", "int"),
            new Column("big", "bigint"), new Column("spend", "decimal(38,0)"), new Column("joined", "string"),
            new Column("signup", "date"));

    static Stream<Arguments> oracleCases() {
        return Stream.of(
                Arguments.of("integer overflow in a filter", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE "
                        + "p.birth_year * 1000000 > 0 GROUP BY p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "1,3000,5,5,2001-01-01,2020-01-01"),
                Arguments.of("failing cast", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE CAST(p.region AS INTEGER) "
                        + ">= 0 GROUP BY p.segment", "2,1990,5,5,2001-01-01,2020-01-01",
                        "x,1990,5,5,2001-01-01,2020-01-01"),
                Arguments.of("modulo by zero", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE MOD(100, p.birth_year - "
                        + "3000) >= 0 GROUP BY p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "1,3000,5,5,2001-01-01,2020-01-01"),
                Arguments.of("division by zero", "SELECT p.segment, SUM(100 / (p.birth_year - 3000)) AS s, COUNT(*) AS n "
                        + "FROM pub p GROUP BY p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "1,3000,5,5,2001-01-01,2020-01-01"),
                Arguments.of("date parsing", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE CAST(p.joined AS DATE) > "
                        + "DATE '2000-01-01' GROUP BY p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "1,1990,5,5,not a date,2020-01-01"),
                Arguments.of("negation overflow", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE -p.big < 0 GROUP BY "
                        + "p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "1,1990,-9223372036854775808,5,2001-01-01,2020-01-01"),
                Arguments.of("abs overflow", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE ABS(p.big) >= 0 GROUP BY "
                        + "p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "1,1990,-9223372036854775808,5,2001-01-01,2020-01-01"),
                Arguments.of("date arithmetic out of range", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE p.signup + "
                        + "INTERVAL '290000' YEAR > DATE '2000-01-01' GROUP BY p.segment",
                        "1,1990,5,5,2001-01-01,2020-01-01", "1,1990,5,5,2001-01-01,9999-01-01"),
                Arguments.of("decimal sum overflow", "SELECT p.segment, SUM(p.spend) AS s, COUNT(*) AS n FROM pub p GROUP "
                        + "BY p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "1,1990,5,99999999999999999999999999999999999999,2001-01-01,2020-01-01"),
                Arguments.of("arithmetic over aggregates", "SELECT p.segment, MAX(p.big) * MAX(p.big) AS x, COUNT(*) AS n "
                        + "FROM pub p GROUP BY p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "1,1990,9223372036854775807,5,2001-01-01,2020-01-01"),
                Arguments.of("constant cast reached by one row", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE CASE "
                        + "WHEN p.region = 'x' THEN CAST('abc' AS INTEGER) ELSE 1 END = 1 GROUP BY p.segment",
                        "1,1990,5,5,2001-01-01,2020-01-01", "x,1990,5,5,2001-01-01,2020-01-01"),
                Arguments.of("scalar subquery of several rows", "SELECT p.segment, COUNT(*) AS n FROM pub p WHERE "
                        + "p.birth_year > (SELECT q.birth_year FROM pub q WHERE q.region = '9') GROUP BY p.segment",
                        "1,1990,5,5,2001-01-01,2020-01-01", "9,1990,5,5,2001-01-01,2020-01-01"),
                Arguments.of("scalar subquery of several rows, both present", "SELECT p.segment, COUNT(*) AS n FROM pub p "
                        + "WHERE p.birth_year > (SELECT q.birth_year FROM pub q WHERE q.region IN ('7', '9')) "
                        + "GROUP BY p.segment", "1,1990,5,5,2001-01-01,2020-01-01",
                        "9,1990,5,5,2001-01-01,2020-01-01"));
    }

    /**
     * Ten ordinary users in segment news and two in segment solo (suppressed by the threshold of 3),
     * the first of whom holds the given values.
     */
    private TableBinding oracleTable(String name, String soloRow) throws Exception {
        StringBuilder csv = new StringBuilder("user_id_hash,segment,region,birth_year,big,spend,joined,signup\n");
        for (int i = 0; i < 10; i++) {
            csv.append('u').append(i).append(",news,").append(i % 3).append(',').append(1960 + i).append(',')
                    .append(i).append(',').append(i * 10).append(",2001-01-0").append(i % 9 + 1)
                    .append(",2020-01-0").append(i % 9 + 1).append('\n');
        }
        csv.append("s1,solo,").append(soloRow).append('\n');
        csv.append("s2,solo,7,1970,5,5,2001-02-01,2020-02-01\n");
        Path file = Files.writeString(dir.resolve(name + ".csv"), csv);
        return SuiteData.bind("pub", ORACLE, TableFormat.CSV, file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oracleCases")
    void failureDoesNotDependOnSuppressedRows(String name, String sql, String harmless, String hostile)
            throws Exception {
        Custom rule = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null,
                List.of(new AnalysisRulePolicy.AggregationThreshold(List.of("user_id_hash"), 3, "ANY_EXPRESSION",
                        List.of())), null);
        List<RuledTable> tables = List.of(new RuledTable("pub", PUBLISHER, ORACLE, Optional.of(rule)));
        Checked checked = queryControl().check(sql, ADVERTISER, tables, Optional.empty(), engine().dialect());
        Outcome quiet = run(checked.executable(List.of(oracleTable("harmless", harmless)), limits()),
                Cancellation.NEVER);
        Outcome loud = run(checked.executable(List.of(oracleTable("hostile", hostile)), limits()),
                Cancellation.NEVER);
        assertThat(quiet.succeeded()).as(quiet + " from " + checked.sql()).isTrue();
        assertThat(loud.toString()).as(checked.sql()).isEqualTo(quiet.toString());
    }

    // ---------------------------------------------------------------- nothing beyond the bound tables

    @Test
    void aQueryReadsItsBoundTablesAndNothingElse() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.csv"), "a\nSECRET-VALUE\n");
        List<Column> columns = List.of(new Column("k", "string"));
        TableBinding mine = SuiteData.bind("mine", columns, TableFormat.CSV,
                Files.writeString(dir.resolve("mine.csv"), "k\nmine\n"));
        TableBinding other = SuiteData.bind("other", columns, TableFormat.CSV,
                Files.writeString(dir.resolve("other.csv"), "k\nOTHER-VALUE\n"));
        // the entry point works: a plain read of the bound table answers
        List<List<Object>> rows = new ArrayList<>();
        executeUnchecked("SELECT k FROM mine", List.of(mine), rowsInto(rows));
        assertThat(rows).containsExactly(List.of("mine"));
        // a table another query bound is not this query's
        executeUnchecked("SELECT k FROM other", List.of(other), rowsInto(new ArrayList<>()));
        List<String> attempts = new ArrayList<>(escapes(secret, dir));
        attempts.add("SELECT k FROM other");
        attempts.add("SELECT * FROM mine JOIN other ON true");
        for (String attempt : attempts) {
            List<List<Object>> leaked = new ArrayList<>();
            assertThatThrownBy(() -> executeUnchecked(attempt, List.of(mine), rowsInto(leaked))).as(attempt)
                    .isInstanceOf(Exception.class);
            assertThat(leaked.toString()).as(attempt).doesNotContain("SECRET-VALUE").doesNotContain("OTHER-VALUE");
        }
        // and the engine still answers after every refusal
        rows.clear();
        executeUnchecked("SELECT k FROM mine", List.of(mine), rowsInto(rows));
        assertThat(rows).containsExactly(List.of("mine"));
    }

    protected static ResultSink rowsInto(List<List<Object>> rows) {
        return new ResultSink() {
            @Override
            public void columns(List<ResultSink.Column> columns) {
            }

            @Override
            public void row(List<Object> values) {
                rows.add(values);
            }
        };
    }

    // ---------------------------------------------------------------- typed columns and NULLs

    private static final List<Column> ALL_TYPES = List.of(new Column("s", "string"), new Column("n", "bigint"),
            new Column("i", "int"), new Column("sm", "smallint"), new Column("ti", "tinyint"),
            new Column("d", "double"), new Column("f", "float"), new Column("m", "decimal(10,2)"),
            new Column("b", "boolean"), new Column("dt", "date"), new Column("ts", "timestamp"));

    @Test
    void typedColumnsAndNullsReadTheSameFromEveryFormat() throws Exception {
        String header = "s,n,i,sm,ti,d,f,m,b,dt,ts,extra";
        List<String> good = List.of("abc", "9000000000", "-7", "300", "12", "2.5", "1.25", "10.25", "true",
                "2024-03-01", "2024-03-01 10:20:30", "hidden");
        List<String> bad = List.of(" padded ", "x", "one", "99999", "999", "nan-ish", "y", "abc", "maybe",
                "not a date", "never", "hidden");
        Path csv = dir.resolve("typed.csv");
        Files.writeString(csv, header + "\n" + String.join(",", good) + "\n" + String.join(",", bad) + "\n"
                + ",,,,,,,,,,,hidden\n");
        Path json = dir.resolve("typed.json");
        StringBuilder lines = new StringBuilder();
        String[] names = header.split(",");
        for (List<String> row : List.of(good, bad)) {
            lines.append('{');
            for (int i = 0; i < names.length; i++) {
                lines.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":\"").append(row.get(i))
                        .append('"');
            }
            lines.append("}\n");
        }
        lines.append("{\"extra\":\"hidden\"}\n");
        Files.writeString(json, lines);
        Path parquet = dir.resolve("typed.parquet");
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (SELECT * FROM read_csv('" + csv + "', header = true, all_varchar = true)) TO '" + parquet
                    + "' (FORMAT parquet)");
        }
        List<String> expected = List.of(
                "[abc, 9000000000, -7, 300, 12, 2.5, 1.25, 10.25, true, 2024-03-01, 2024-03-01T10:20:30]",
                "[ padded , NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL]",
                "[NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL]");
        List<Class<?>> classes = List.of(String.class, Long.class, Integer.class, Short.class, Byte.class,
                Double.class, Float.class, BigDecimal.class, Boolean.class, LocalDate.class, java.sql.Timestamp.class);
        List<String> types = List.of("VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT",
                "DECIMAL(10,2)", "BOOLEAN", "DATE", "TIMESTAMP");
        // rows the server wrote (a PostgreSQL table's): keys exactly the columns, every value text or null
        Path written = dir.resolve("written.json");
        StringBuilder rowsWritten = new StringBuilder();
        for (List<String> row : java.util.Arrays.asList(good, bad, null)) {
            rowsWritten.append('{');
            for (int i = 0; i < ALL_TYPES.size(); i++) {
                rowsWritten.append(i == 0 ? "" : ",").append('"').append(ALL_TYPES.get(i).name()).append("\":")
                        .append(row == null ? "null" : "\"" + row.get(i) + "\"");
            }
            rowsWritten.append("}\n");
        }
        Files.writeString(written, rowsWritten);
        List<RuledTable> tables = List.of(open("typed", ALL_TYPES));
        for (Map.Entry<TableFormat, Path> file : Map.of(TableFormat.CSV, csv, TableFormat.JSON, json,
                TableFormat.PARQUET, parquet, TableFormat.POSTGRESQL, written).entrySet()) {
            Outcome outcome = check("SELECT * FROM typed", tables, Map.of("typed", SuiteData.bind("typed", ALL_TYPES,
                    file.getKey(), file.getValue())), limits(), Cancellation.NEVER);
            assertThat(outcome.failure()).as(file.getKey().name()).isNull();
            List<String> got = new ArrayList<>();
            for (List<Object> row : outcome.rows()) {
                got.add(row.stream().map(SuiteData::normal).toList().toString());
                for (int i = 0; i < row.size(); i++) {
                    if (row.get(i) != null) {
                        assertThat(row.get(i)).as(file.getKey() + " " + ALL_TYPES.get(i)).isInstanceOf(classes.get(i));
                    }
                }
            }
            assertThat(got).as(file.getKey().name()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(outcome.columns()).extracting(ResultSink.Column::name)
                    .containsExactly("s", "n", "i", "sm", "ti", "d", "f", "m", "b", "dt", "ts");
            assertThat(outcome.columns()).extracting(c -> c.type().replace(" ", "")).containsExactlyElementsOf(types);
        }
    }

    @Test
    void rowsTheServerWroteKeepEmptyTextApartFromNull() throws Exception {
        List<Column> columns = List.of(new Column("s", "string"), new Column("note", "string"));
        Path written = Files.writeString(dir.resolve("empty-text.json"), "{\"s\":\"\",\"note\":\"a,\\nb \\\"q\\\"\"}\n"
                + "{\"s\":null,\"note\":\"  \"}\n");
        Path nothing = Files.writeString(dir.resolve("no-rows.json"), "");
        Outcome outcome = check("SELECT s, note FROM t", List.of(open("t", columns)), Map.of("t", SuiteData.bind("t",
                columns, TableFormat.POSTGRESQL, written, nothing)), limits(), Cancellation.NEVER);
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.rows()).containsExactlyInAnyOrder(java.util.Arrays.asList("", "a,\nb \"q\""),
                java.util.Arrays.asList(null, "  "));
    }

    @Test
    void aPartitionColumnTakesEachFilesValueConvertedToItsType() throws Exception {
        List<Column> columns = List.of(new Column("k", "string"), new Column("dt", "date"), new Column("n", "bigint"));
        // the second file holds a dt column of its own: the partition's value wins
        Path first = Files.writeString(dir.resolve("p1.csv"), "k\na\nb\n");
        Path second = Files.writeString(dir.resolve("p2.csv"), "k,dt\nc,1999-01-01\n");
        Path third = Files.writeString(dir.resolve("p3.csv"), "k\nd\n");
        TableBinding binding = new TableBinding("parts", columns.stream()
                .map(c -> new BoundColumn(c.name(), ColumnType.parse(c.type()))).toList(),
                new TableSource.Files(List.of(first.toUri(), second.toUri(), third.toUri()), TableFormat.CSV,
                        List.of("dt", "n"), List.of(List.of("2026-11-01", "7"),
                                java.util.Arrays.asList("2026-11-02", null), List.of("not-a-date", "x"))));
        Outcome outcome = check("SELECT k, dt, n FROM parts", List.of(open("parts", columns)), Map.of("parts", binding),
                limits(), Cancellation.NEVER);
        assertThat(outcome.failure()).isNull();
        List<String> got = outcome.rows().stream().map(r -> r.stream().map(SuiteData::normal).toList().toString())
                .toList();
        assertThat(got).containsExactlyInAnyOrder("[a, 2026-11-01, 7]", "[b, 2026-11-01, 7]", "[c, 2026-11-02, NULL]",
                "[d, NULL, NULL]");
        assertThat(outcome.rows().get(0).get(1)).isInstanceOf(LocalDate.class);
        assertThat(outcome.rows().get(0).get(2)).isInstanceOf(Long.class);
    }

    // ---------------------------------------------------------------- stopping queries

    /** A cancellation the test fires, as the server's is: a stop registered late runs at once. */
    protected static final class Stopper implements Cancellation {
        private final AtomicReference<Runnable> stop = new AtomicReference<>();
        private final AtomicBoolean stopped = new AtomicBoolean();

        public Stopper() {
        }

        @Override
        public void onCancel(Runnable s) {
            stop.set(s);
            if (stopped.get()) {
                s.run();
            }
        }

        @Override
        public boolean cancelled() {
            return stopped.get();
        }

        public void stop() {
            if (stopped.compareAndSet(false, true)) {
                Runnable s = stop.get();
                if (s != null) {
                    s.run();
                }
            }
        }
    }

    protected Map<String, TableBinding> bigTable(int rows) throws Exception {
        Path file = dir.resolve("big-" + rows + ".csv");
        if (!Files.exists(file)) {
            StringBuilder big = new StringBuilder("k,v\n");
            for (int i = 0; i < rows; i++) {
                big.append(i).append(',').append(i % 7).append('\n');
            }
            Files.writeString(file, big);
        }
        return Map.of("big", SuiteData.bind("big", BIG, TableFormat.CSV, file));
    }

    protected static final List<Column> BIG = List.of(new Column("k", "bigint"), new Column("v", "bigint"));

    /** A query that runs for hours: every pair of 200,000 rows. */
    protected static final String ENDLESS = "SELECT COUNT(*) FROM big a JOIN big b ON a.k <> b.k";

    @Test
    void cancellationStopsARunningQueryAndTheEngineKeepsWorking() throws Exception {
        Map<String, TableBinding> data = bigTable(200_000);
        Stopper stopper = new Stopper();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            timer.schedule(stopper::stop, 2, TimeUnit.SECONDS);
            Outcome outcome = check(ENDLESS, List.of(open("big", BIG)), data, limits(), stopper);
            assertThat(outcome.failure()).isEqualTo(CANCELLED);
        } finally {
            timer.shutdownNow();
        }
        Outcome after = check("SELECT COUNT(*) AS n FROM big", List.of(open("big", BIG)), data, limits(),
                Cancellation.NEVER);
        assertThat(SuiteData.normal(after.rows())).containsExactly("[200000]");
    }

    @Test
    void theDeadlineStopsARunningQuery() throws Exception {
        Map<String, TableBinding> data = bigTable(200_000);
        Limits shortLimits = new Limits(limits().memoryBytes(), limits().threads(), Duration.ofSeconds(3),
                limits().maxRows());
        // the caller cancels a query at its deadline (the server's timer does)
        Stopper deadline = new Stopper();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            timer.schedule(deadline::stop, shortLimits.timeout().toMillis(), TimeUnit.MILLISECONDS);
            Outcome outcome = check(ENDLESS, List.of(open("big", BIG)), data, shortLimits, deadline);
            assertThat(outcome.failure()).isEqualTo(CANCELLED);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aQueryCancelledBeforeItStartsDoesNotRun() throws Exception {
        Map<String, TableBinding> data = bigTable(200_000);
        Stopper stopper = new Stopper();
        stopper.stop();
        assertThat(check(ENDLESS, List.of(open("big", BIG)), data, limits(), stopper).failure()).isEqualTo(CANCELLED);
    }

    /**
     * A query that needs far more memory than 16 MB: it either spills and answers correctly, or ends
     * with the memory message; never another message, and the engine answers the next query.
     */
    @Test
    void exhaustingMemoryEndsSafelyAndTheEngineKeepsWorking() throws Exception {
        Path file = dir.resolve("wide.csv");
        StringBuilder wide = new StringBuilder("k,v\n");
        for (int i = 0; i < 20_000; i++) {
            wide.append(i).append(',').append(i % 3).append('\n');
        }
        Files.writeString(file, wide);
        Map<String, TableBinding> data = Map.of("wide", SuiteData.bind("wide", BIG, TableFormat.CSV, file));
        Outcome hungry = check("SELECT COUNT(*) FROM (SELECT a.k, b.k AS k2, a.v FROM wide a JOIN wide b ON a.v = b.v "
                + "ORDER BY a.k, k2 DESC) x", List.of(open("wide", BIG)), data, new Limits(16L << 20, 1,
                        Duration.ofMinutes(5), 1000), Cancellation.NEVER);
        if (hungry.succeeded()) {
            // 3 groups of about 6,667 rows each, every pair within a group
            long expected = 0;
            for (int v = 0; v < 3; v++) {
                long n = (20_000 - v + 2) / 3;
                expected += n * n;
            }
            assertThat(SuiteData.normal(hungry.rows())).containsExactly("[" + expected + "]");
        } else {
            assertThat(hungry.failure()).isEqualTo(OUT_OF_MEMORY);
        }
        memoryOutcome(hungry);
        Outcome light = check("SELECT COUNT(*) FROM wide", List.of(open("wide", BIG)), data, limits(),
                Cancellation.NEVER);
        assertThat(SuiteData.normal(light.rows())).containsExactly("[20000]");
    }

    /** What an engine adds to the memory test: DuckDB, whose memory limit is per query, must run out. */
    protected void memoryOutcome(Outcome hungry) {
    }

    @Test
    void theResultRowBoundEndsTheQueryWithASafeMessage() throws Exception {
        Map<String, TableBinding> data = bigTable(200_000);
        Limits five = new Limits(limits().memoryBytes(), limits().threads(), limits().timeout(), 5);
        Outcome over = check("SELECT k FROM big WHERE k < 10", List.of(open("big", BIG)), data, five,
                Cancellation.NEVER);
        assertThat(over.failure()).isEqualTo(tooManyRows(5));
        Outcome within = check("SELECT k FROM big WHERE k < 5", List.of(open("big", BIG)), data, five,
                Cancellation.NEVER);
        assertThat(SuiteData.normal(within.rows())).containsExactly("[0]", "[1]", "[2]", "[3]", "[4]");
    }

    /** The memory the engine may use for the streaming test's query (its result is larger: about 670 MB). */
    protected long streamingMemoryBytes() {
        return 64L << 20;
    }

    @Test
    void aResultLargerThanTheEnginesMemoryIsStreamed() throws Exception {
        Path file = dir.resolve("pad.csv");
        StringBuilder pad = new StringBuilder("k,g,pad\n");
        String filler = "x".repeat(120);
        for (int i = 0; i < 7_000; i++) {
            pad.append(i).append(',').append(i % 10).append(',').append(filler).append('\n');
        }
        Files.writeString(file, pad);
        List<Column> columns = List.of(new Column("k", "bigint"), new Column("g", "bigint"),
                new Column("pad", "string"));
        Map<String, TableBinding> data = Map.of("pad", SuiteData.bind("pad", columns, TableFormat.CSV, file));
        // 10 groups of 700 rows: 4.9 million rows of about 140 bytes, about 670 MB
        Checked checked = queryControl().check("SELECT a.k, b.k AS k2, a.pad FROM pad a JOIN pad b ON a.g = b.g",
                ADVERTISER, List.of(open("pad", columns)), Optional.empty(), engine().dialect());
        long memory = streamingMemoryBytes();
        AtomicLong rows = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        engine().execute(checked.executable(bound(checked, data), new Limits(memory, 1, Duration.ofMinutes(10),
                10_000_000)), new ResultSink() {
                    @Override
                    public void columns(List<ResultSink.Column> c) {
                    }

                    @Override
                    public void row(List<Object> values) {
                        rows.incrementAndGet();
                        bytes.addAndGet(16 + ((String) values.get(2)).length());
                    }
                }, Cancellation.NEVER);
        assertThat(rows.get()).isEqualTo(4_900_000L);
        assertThat(bytes.get()).isGreaterThan(memory);
    }
}
