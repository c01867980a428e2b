package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.ParameterType;
import io.cleanroom.engine.spi.Dialect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The second attack pass on query control, against what landed after the first: differentially
 * private queries (the allow-listed shape, user lineage, the contribution bounding rewrite), filters
 * pushed down to sources, and the Spark rendering. Each test is an attack; most are stopped by the
 * design and pinned here, the ones that got through are named in their test's comment.
 */
class AttackPass2Test {
    private static final Custom DP = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null,
            List.of(), "user_id", List.of(), null);
    private static final Custom PLAIN = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null,
            List.of(), null, List.of(), null);

    /**
     * members (the publisher's, DP on user_id): salary bounded [0, 1000], 5 rows per user, bonus
     * bounded [-2.5, 2.5]; visits (the advertiser's, the querier's own, no DP).
     */
    private static List<TableSpec> dpTables() {
        Map<String, Map<String, String>> members = Map.of(
                "salary", Map.of("cleanroom.dp.min", "0", "cleanroom.dp.max", "1000", "cleanroom.dp.rows-per-user", "5"),
                "bonus", Map.of("cleanroom.dp.min", "-2.5", "cleanroom.dp.max", "2.5"));
        List<TableSpec> out = new ArrayList<>();
        out.add(new TableSpec("members", Fixtures.PUBLISHER, Fixtures.columns("user_id", "salary:bigint",
                "bonus:double", "age:bigint", "city"), Optional.of(DP), true, Optional.empty(), List.of(),
                new TableSpec.CatalogParameters(Map.of(), members)));
        out.add(new TableSpec("visits", Fixtures.ADVERTISER, Fixtures.columns("user_id", "page", "weight:bigint"),
                Optional.of(PLAIN), true, Optional.empty(), List.of(), new TableSpec.CatalogParameters(Map.of(),
                        Map.of("weight", Map.of("cleanroom.dp.min", "0", "cleanroom.dp.max", "1048576")))));
        return out;
    }

    private static CheckedQuery check(String sql, List<TableSpec> tables, Dialect dialect) {
        return new QueryChecker().check(new QueryRequest(sql, Fixtures.ADVERTISER, tables, Optional.empty(),
                List.of(Fixtures.ADVERTISER), dialect));
    }

    private static String refused(String sql, List<TableSpec> tables, Dialect dialect) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> check(sql, tables, dialect));
        assertThat(e).as(sql).isNotNull();
        assertThat(e.code()).as(sql).isEqualTo(ErrorCode.INVALID_QUERY);
        return e.getMessage();
    }

    // ---- Spark rendering ----

    /**
     * Found and fixed: Spark substitutes ${env:NAME}, ${system:name} and ${spark.conf.key} in the
     * text of a query before it parses it (spark.sql.variable.substitute, on by default), inside
     * string literals and quoted identifiers too. A literal '${env:AWS_SECRET_ACCESS_KEY}' became the
     * driver's secret, output as a constant or probed by a WHERE; a query ran other than the one
     * checked. A dollar sign in a literal is now rendered as the escape backslash-u0024, which Spark reads as
     * a dollar sign after substitution; an identifier holding "${" is refused.
     */
    @Test
    void sparkNeverSeesAVariableReferenceInTheText() {
        for (String sql : List.of(
                "SELECT species, '${env:AWS_SECRET_ACCESS_KEY}' AS k FROM pets",
                "SELECT species FROM pets WHERE owner_name = '${system:user.name}'",
                "SELECT species FROM pets WHERE owner_name LIKE '$${spark.hadoop.fs.s3a.secret.key}%'")) {
            String rendered = new QueryChecker().check(QueryRequest.adHoc(sql, Fixtures.ADVERTISER, Fixtures.custom())
                    .forDialect(Dialect.SPARK)).sql();
            assertThat(rendered).as(sql).doesNotContain("${").contains("\\u0024");
        }
        // the same on a differentially private query
        assertThat(check("SELECT COUNT(*) FROM members WHERE city = '${env:HOME}'", dpTables(), Dialect.SPARK).sql())
                .doesNotContain("${").contains("'\\u0024{env:HOME}'");
        // and in an analysis template's value
        QueryRequest.Template template = new QueryRequest.Template(Fixtures.TEMPLATE, List.of(
                new AnalysisParameter("label", ParameterType.VARCHAR, null)), Map.of("label", "${env:HOME}"));
        String sql = new QueryChecker().check(new QueryRequest("SELECT AVG(score) FROM reviewed WHERE ssn <> :label",
                Fixtures.ADVERTISER, Fixtures.custom(), Optional.of(template)).forDialect(Dialect.SPARK)).sql();
        assertThat(sql).doesNotContain("${");
        // DuckDB substitutes nothing: its literals stay as written
        assertThat(new QueryChecker().check(QueryRequest.adHoc("SELECT species FROM pets WHERE owner_name = "
                + "'${env:HOME}'", Fixtures.ADVERTISER, Fixtures.custom())).sql()).contains("'${env:HOME}'");
        // an identifier cannot be escaped inside backquotes: refused, by name
        assertThat(catchThrowableOfType(CleanroomException.class, () -> new QueryChecker().check(QueryRequest.adHoc(
                "SELECT species AS \"${env:HOME}\" FROM pets", Fixtures.ADVERTISER, Fixtures.custom())
                .forDialect(Dialect.SPARK))).getMessage()).contains("${");
        // and the last check on the text refuses any that would remain
        assertThatThrownBy(() -> SparkDialect.checked("SELECT `${env:HOME}` FROM t"))
                .isInstanceOf(IllegalStateException.class);
    }

    // ---- filters pushed down to sources ----

    private static final List<TableSpec> EVENTS = List.of(Fixtures.table("events", Fixtures.PUBLISHER, PLAIN,
            "user_id:bigint", "kind", "amount:decimal(10,2)", "dt:date", "ts:timestamp"));

    private static List<io.cleanroom.core.model.ColumnFilter> filters(String where) {
        return new QueryChecker().check(QueryRequest.adHoc("SELECT COUNT(*) FROM events WHERE " + where,
                Fixtures.ADVERTISER, EVENTS)).filters("events");
    }

    private static io.cleanroom.core.model.ColumnFilter filter(String column,
            io.cleanroom.core.model.ColumnFilter.Operator operator, io.cleanroom.core.model.ColumnFilter.Literal.Kind kind,
            String value) {
        return new io.cleanroom.core.model.ColumnFilter(column, operator,
                List.of(new io.cleanroom.core.model.ColumnFilter.Literal(kind, value)));
    }

    /**
     * Found and fixed: a filter carried the literal as written, or named the column, where the query
     * compares a cast that changes the value. CAST(amount AS INTEGER) = 2 holds of 2.4, and the filter
     * amount = 2 made the source drop that row; CAST(7.6 AS BIGINT) is 8 to the engines, CAST(1e1 AS
     * VARCHAR) is '10.0', a timestamp cast to text loses its trailing zeros, and the engines keep
     * microseconds of a timestamp literal. Each such conjunct now gives no filter (the engine alone
     * decides); casts that keep every value still give one.
     */
    @Test
    void aFilterIsTheValueTheEngineComparesOrNone() {
        for (String where : List.of("CAST(amount AS INTEGER) = 2", "CAST(amount AS DECIMAL(10,1)) >= 2.5",
                "CAST(amount AS DECIMAL) = 2", "user_id = CAST(7.6 AS BIGINT)",
                "amount = CAST(2.499 AS DECIMAL(10,2))", "kind = CAST(1e1 AS VARCHAR)",
                "kind = CAST(TIMESTAMP '2024-01-01 00:00:00.500' AS VARCHAR)", "kind = CAST(12 AS VARCHAR)",
                "kind = CAST('abc   ' AS CHAR(3))", "ts > TIMESTAMP '2024-01-01 00:00:00.9999999'",
                "ts > CAST('2024-01-01 00:00:00.9999999' AS TIMESTAMP)", "dt = CAST(TIMESTAMP '2024-01-01 10:00:00' AS DATE)")) {
            assertThat(filters(where)).as(where).isEmpty();
        }
        var ge = io.cleanroom.core.model.ColumnFilter.Operator.GE;
        var eq = io.cleanroom.core.model.ColumnFilter.Operator.EQ;
        var number = io.cleanroom.core.model.ColumnFilter.Literal.Kind.NUMBER;
        assertThat(filters("CAST(amount AS DECIMAL(12,3)) >= 2.5")).containsExactly(filter("amount", ge, number, "2.5"));
        assertThat(filters("amount >= 2.5")).containsExactly(filter("amount", ge, number, "2.5"));
        assertThat(filters("CAST(user_id AS DECIMAL(20,0)) = 8")).containsExactly(filter("user_id", eq, number, "8"));
        assertThat(filters("user_id = CAST(8.0 AS BIGINT)")).containsExactly(filter("user_id", eq, number, "8.0"));
        assertThat(filters("amount = CAST(2.5 AS DECIMAL(10,2))")).containsExactly(filter("amount", eq, number,
                "2.5"));
        assertThat(filters("kind = CAST('x' AS VARCHAR)")).containsExactly(filter("kind", eq,
                io.cleanroom.core.model.ColumnFilter.Literal.Kind.STRING, "x"));
        assertThat(filters("ts >= TIMESTAMP '2024-01-01 00:00:00.123456'")).containsExactly(filter("ts", ge,
                io.cleanroom.core.model.ColumnFilter.Literal.Kind.TIMESTAMP, "2024-01-01 00:00:00.123456"));
    }

    // ---- differentially private queries: attacks that are stopped ----

    /**
     * Stopped: ways to count one user more than L times or to read other users' rows from a user's
     * row, each refused by name (the generative DifferentialPrivacyPropertyTest mixes them).
     */
    @Test
    void launderingAUsersIdentityIsRefused() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        // a window inside an aggregation would read all users' rows: not valid SQL
        cases.put("SELECT COUNT(DISTINCT LAG(city) OVER (ORDER BY salary)) FROM members", "cannot be nested");
        // an expression that is the identifier for some rows only
        cases.put("WITH c AS (SELECT CASE WHEN age > 3 THEN user_id ELSE city END AS user_id FROM members) "
                + "SELECT COUNT(*) FROM c", "must keep its user identifier column");
        // the identifier of one row, the data of another user's
        cases.put("WITH c AS (SELECT user_id, LAG(salary) OVER (ORDER BY user_id) AS s FROM members) "
                + "SELECT COUNT(*) FROM c WHERE s > 500", "must PARTITION BY its user identifier column");
        // a self join pairing a user's rows with others'
        cases.put("SELECT COUNT(*) FROM members a JOIN members b ON a.user_id = b.user_id OR a.city = b.city",
                "only be joined with each other on their user identifier");
        cases.put("SELECT COUNT(*) FROM members a JOIN members b ON a.user_id <> b.user_id",
                "only be joined with each other on their user identifier");
        // a union whose identifier column is another column in one branch
        cases.put("WITH u AS (SELECT user_id, city FROM members UNION ALL SELECT city, user_id FROM members) "
                + "SELECT COUNT(DISTINCT user_id) FROM u", "same position");
        // an aggregation over users before the final SELECT
        cases.put("WITH c AS (SELECT MAX(user_id) AS user_id, city FROM members GROUP BY city) "
                + "SELECT city, COUNT(*) FROM c GROUP BY city", "GROUP BY its user identifier");
        // rows of no user from the querier's own table
        cases.put("SELECT COUNT(*) FROM members m RIGHT JOIN visits v ON m.user_id = v.user_id",
                "may not keep the unmatched rows");
        // exact statistics through a scalar subquery, HAVING or a MAX
        cases.put("SELECT COUNT(*) FROM visits WHERE (SELECT COUNT(*) FROM members) > 10", "subquery");
        cases.put("SELECT city, COUNT(*) FROM members GROUP BY city HAVING COUNT(*) > 1", "HAVING");
        cases.put("SELECT MAX(salary) FROM members", "Aggregation MAX is not allowed");
        // a sum of something that is not the owner's column as it is
        cases.put("SELECT SUM(salary * 7) FROM members", "takes a column of a table as it is");
        cases.put("WITH c AS (SELECT user_id, MAX(salary) AS salary FROM members GROUP BY user_id) "
                + "SELECT SUM(salary) FROM c", "takes a column of a table as it is");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            for (Dialect dialect : List.of(Dialect.DUCKDB, Dialect.SPARK)) {
                assertThat(refused(c.getKey(), dpTables(), dialect)).as(c.getKey()).contains(c.getValue())
                        .doesNotContain("1000 ").doesNotContain("1048576");
            }
        }
    }

    /**
     * Stopped: a column that carries the identifier in one branch of a union and something else in
     * the other is not the user: COUNT(DISTINCT) of it has the sensitivity of L rows, not of one user,
     * and the rows are ranked by the column that is the user in every branch.
     */
    @Test
    void onlyAColumnThatIsTheUserInEveryBranchCountsUsers() {
        CheckedQuery q = check("WITH u AS (SELECT user_id, user_id AS x FROM members UNION ALL "
                + "SELECT city, user_id FROM members) SELECT COUNT(DISTINCT user_id) FROM u", dpTables(),
                Dialect.DUCKDB);
        DifferentialPrivacyPlan plan = q.differentialPrivacy().orElseThrow();
        assertThat(plan.aggregates()).singleElement().satisfies(a -> assertThat(a.countSensitivity())
                .isEqualTo(java.math.BigInteger.valueOf(plan.contributionLimit())));
        assertThat(q.sql()).contains("\"u\".\"x\" AS \"dp_user\"");
    }

    /**
     * Stopped: a value that could fail in the engine (an overflow confined to one user's row) is
     * evaluated under TRY, and the clamp of SUM keeps NaN and infinities within the bounds; no
     * engine error depends on the data.
     */
    @Test
    void noEngineErrorDependsOnTheRowsOfAUser() {
        String sql = check("SELECT SUM(bonus) FROM members WHERE CASE WHEN user_id = 'alice' THEN salary * "
                + "9223372036854775807 ELSE 0 END > 3 AND CAST(city AS INTEGER) > 0", dpTables(), Dialect.DUCKDB).sql();
        assertThat(sql).contains("TRY(\"members\".\"salary\" * 9223372036854775807)")
                .contains("TRY_CAST(\"members\".\"city\" AS INTEGER)")
                .contains("> CAST(250000000 AS DOUBLE) THEN 250000000");
    }
}
