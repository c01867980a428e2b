package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No error oracle: a query over a thresholded table whose only unusual row belongs to a group the
 * threshold suppresses must end the same way, with the same rows, whatever that row holds. Each
 * case puts in the suppressed row a value that makes the naive evaluation fail (overflow, a cast,
 * a division by zero, a date out of range, a scalar subquery of several rows) and compares the
 * run with a run where the row is harmless.
 */
class ErrorOracleIT {
    private static final AccountId PUBLISHER = new AccountId("111111111111");
    private static final AccountId ADVERTISER = new AccountId("222222222222");
    private static final List<Column> COLUMNS = List.of(new Column("user_id_hash", "string"),
            new Column("segment", "string"), new Column("region", "string"), new Column("birth_year", "int"),
            new Column("big", "bigint"), new Column("spend", "decimal(38,0)"), new Column("joined", "string"),
            new Column("signup", "date"));

    @TempDir
    Path dir;

    private static TableSpec spec() {
        Custom rule = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null,
                List.of(new AnalysisRulePolicy.AggregationThreshold(List.of("user_id_hash"), 3, "ANY_EXPRESSION",
                        List.of())), null);
        return new TableSpec("pub", PUBLISHER, COLUMNS, Optional.of(rule), true);
    }

    /**
     * Ten ordinary users in segment news, and two users in segment solo (suppressed by the
     * threshold of 3), the first of whom holds the given values.
     */
    private Engines.Table table(String name, String soloRow) throws Exception {
        StringBuilder csv = new StringBuilder("user_id_hash,segment,region,birth_year,big,spend,joined,signup\n");
        for (int i = 0; i < 10; i++) {
            csv.append("u").append(i).append(",news,").append(i % 3).append(',').append(1960 + i).append(',')
                    .append(i).append(',').append(i * 10).append(",2001-01-0").append(i % 9 + 1)
                    .append(",2020-01-0").append(i % 9 + 1).append('\n');
        }
        csv.append("s1,solo,").append(soloRow).append('\n');
        csv.append("s2,solo,7,1970,5,5,2001-02-01,2020-02-01\n");
        Path file = dir.resolve(name + ".csv");
        Files.writeString(file, csv);
        return new Engines.Table("pub", List.of(file), TableFormat.CSV, COLUMNS);
    }

    private static String run(CheckedQuery query, Engines.Table data) {
        List<List<Object>> rows = new ArrayList<>();
        try (DuckDbEngine engine = new DuckDbEngine()) {
            List<List<Object>> raw = new ArrayList<>();
            Engines.execute(engine, query, Map.of("pub", data), Engines.limits("512MB", 1), Engines.rowsInto(raw),
                    Engines.never());
            raw.forEach(r -> rows.add(r.stream().map(String::valueOf).map(Object.class::cast).toList()));
        } catch (CleanroomException e) {
            return "FAILED: " + e.getMessage();
        }
        rows.sort(java.util.Comparator.comparing(Object::toString));
        return "SUCCESS: " + rows;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "integer overflow in a filter | SELECT p.segment, COUNT(*) AS n FROM pub p WHERE p.birth_year * 1000000 > 0 "
                + "GROUP BY p.segment | 1,1990,5,5,2001-01-01,2020-01-01 | 1,3000,5,5,2001-01-01,2020-01-01",
        "failing cast | SELECT p.segment, COUNT(*) AS n FROM pub p WHERE CAST(p.region AS INTEGER) >= 0 "
                + "GROUP BY p.segment | 2,1990,5,5,2001-01-01,2020-01-01 | x,1990,5,5,2001-01-01,2020-01-01",
        "modulo by zero | SELECT p.segment, COUNT(*) AS n FROM pub p WHERE MOD(100, p.birth_year - 3000) >= 0 "
                + "GROUP BY p.segment | 1,1990,5,5,2001-01-01,2020-01-01 | 1,3000,5,5,2001-01-01,2020-01-01",
        "division by zero | SELECT p.segment, SUM(100 / (p.birth_year - 3000)) AS s, COUNT(*) AS n FROM pub p "
                + "GROUP BY p.segment | 1,1990,5,5,2001-01-01,2020-01-01 | 1,3000,5,5,2001-01-01,2020-01-01",
        "date parsing | SELECT p.segment, COUNT(*) AS n FROM pub p WHERE CAST(p.joined AS DATE) > DATE '2000-01-01' "
                + "GROUP BY p.segment | 1,1990,5,5,2001-01-01,2020-01-01 | 1,1990,5,5,not a date,2020-01-01",
        "negation overflow | SELECT p.segment, COUNT(*) AS n FROM pub p WHERE -p.big < 0 GROUP BY p.segment "
                + "| 1,1990,5,5,2001-01-01,2020-01-01 | 1,1990,-9223372036854775808,5,2001-01-01,2020-01-01",
        "abs overflow | SELECT p.segment, COUNT(*) AS n FROM pub p WHERE ABS(p.big) >= 0 GROUP BY p.segment "
                + "| 1,1990,5,5,2001-01-01,2020-01-01 | 1,1990,-9223372036854775808,5,2001-01-01,2020-01-01",
        "date arithmetic out of range | SELECT p.segment, COUNT(*) AS n FROM pub p "
                + "WHERE p.signup + INTERVAL '290000' YEAR > DATE '2000-01-01' GROUP BY p.segment "
                + "| 1,1990,5,5,2001-01-01,2020-01-01 | 1,1990,5,5,2001-01-01,9999-01-01",
        "decimal sum overflow | SELECT p.segment, SUM(p.spend) AS s, COUNT(*) AS n FROM pub p GROUP BY p.segment "
                + "| 1,1990,5,5,2001-01-01,2020-01-01 "
                + "| 1,1990,5,99999999999999999999999999999999999999,2001-01-01,2020-01-01",
        "arithmetic over aggregates | SELECT p.segment, MAX(p.big) * MAX(p.big) AS x, COUNT(*) AS n FROM pub p "
                + "GROUP BY p.segment | 1,1990,5,5,2001-01-01,2020-01-01 "
                + "| 1,1990,9223372036854775807,5,2001-01-01,2020-01-01",
        "constant cast reached by one row | SELECT p.segment, COUNT(*) AS n FROM pub p WHERE CASE WHEN "
                + "p.region = 'x' THEN CAST('abc' AS INTEGER) ELSE 1 END = 1 GROUP BY p.segment "
                + "| 1,1990,5,5,2001-01-01,2020-01-01 | x,1990,5,5,2001-01-01,2020-01-01",
        "scalar subquery of several rows | SELECT p.segment, COUNT(*) AS n FROM pub p WHERE p.birth_year > "
                + "(SELECT q.birth_year FROM pub q WHERE q.region = '9') GROUP BY p.segment "
                + "| 1,1990,5,5,2001-01-01,2020-01-01 | 9,1990,5,5,2001-01-01,2020-01-01",
    })
    void failureDoesNotDependOnSuppressedRows(String name, String sql, String harmless, String hostile)
            throws Exception {
        CheckedQuery query = new QueryChecker().check(QueryRequest.adHoc(sql, ADVERTISER, List.of(spec())));
        String quiet = run(query, table("harmless", harmless));
        String loud = run(query, table("hostile", hostile));
        assertThat(quiet).startsWith("SUCCESS");
        assertThat(loud).as(query.sql()).isEqualTo(quiet);
    }
}
