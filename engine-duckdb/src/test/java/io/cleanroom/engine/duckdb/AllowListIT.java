package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operator and function of query control's allow-list, rendered for DuckDB by the checker
 * (with its TRY/TRY_CAST rewrite), runs on DuckDB over a real file. A new entry without a sample
 * here fails the test.
 */
class AllowListIT {
    private static final AccountId OWNER = new AccountId("111111111111");
    private static final AccountId RUNNER = new AccountId("222222222222");
    private static final List<Column> COLUMNS = List.of(new Column("s", "string"), new Column("n", "bigint"),
            new Column("i", "int"), new Column("d", "double"), new Column("m", "decimal(10,2)"),
            new Column("dt", "date"), new Column("ts", "timestamp"), new Column("b", "boolean"));

    /** Operators that only the plan uses (Calcite makes them from other syntax) or that have no syntax of their own. */
    private static final Set<String> INTERNAL = Set.of("SEARCH", "SINGLE_VALUE", "$SUM0", "GROUPING", "ITEM",
            "IS UNKNOWN", "IS NOT UNKNOWN");

    /** One expression per operator name, in the select list of SELECT ... FROM t. */
    private static final Map<String, String> SAMPLES = new LinkedHashMap<>();

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

    private static void sample(String name, String expression) {
        SAMPLES.put(name, expression);
    }

    @TempDir
    Path dir;

    @Test
    void everyAllowedOperatorHasASample() {
        Set<String> missing = new TreeSet<>();
        for (QueryChecker.AllowedOperator op : QueryChecker.allowList()) {
            if (!SAMPLES.containsKey(op.name()) && !INTERNAL.contains(op.name())) {
                missing.add(op.name());
            }
        }
        assertThat(missing).as("allowed operators without a sample in this test").isEmpty();
    }

    @Test
    void everySampleRunsOnDuckDb() throws Exception {
        Path file = dir.resolve("t.csv");
        Files.writeString(file, "s,n,i,d,m,dt,ts,b\n"
                + "abc,5,2,2.5,10.25,2024-03-01,2024-03-01 10:20:30,true\n"
                + "xyz,-9,0,-1.5,-3.10,1999-12-31,1999-12-31 23:59:59,false\n"
                + ",,,,,,,\n");
        Custom rule = new Custom(List.of(Custom.ANY_QUERY), List.of(RUNNER), null, List.of(), null, List.of(), null);
        TableSpec spec = new TableSpec("t", OWNER, COLUMNS, Optional.of(rule), true);
        Engines.Table data = new Engines.Table("t", List.of(file), TableFormat.CSV, COLUMNS);
        List<String> failures = new ArrayList<>();
        try (DuckDbEngine engine = new DuckDbEngine()) {
            for (Map.Entry<String, String> sample : SAMPLES.entrySet()) {
                String sql = sample.getValue().endsWith("--") ? "SELECT " + sample.getValue().replace("--", "")
                        : "SELECT " + sample.getValue() + " FROM t";
                String rendered = "";
                try {
                    CheckedQuery query = new QueryChecker().check(QueryRequest.adHoc(sql, RUNNER, List.of(spec)));
                    rendered = query.sql();
                    List<List<Object>> rows = new ArrayList<>();
                    Engines.execute(engine, query, Map.of("t", data), Engines.limits("256MB", 1), Engines.rowsInto(rows),
                            Engines.never());
                    if (rows.isEmpty()) {
                        failures.add(sample.getKey() + ": no rows from " + rendered);
                    }
                } catch (CleanroomException e) {
                    failures.add(sample.getKey() + ": " + e.getMessage() + " [" + sql + "] rendered as [" + rendered
                            + "]");
                }
            }
        }
        assertThat(failures).isEmpty();
    }

}
