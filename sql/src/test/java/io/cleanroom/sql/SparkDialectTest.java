package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.core.model.ParameterType;
import io.cleanroom.engine.spi.Dialect;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What query control renders for Spark: SQL Spark reads as written (literals cannot end early,
 * no comment hides a clause) and with DuckDB's meaning where the two engines differ. The engine
 * conformance suite runs these renderings on Spark; this test pins the text.
 */
class SparkDialectTest {
    private static String spark(String sql) {
        return new QueryChecker().check(QueryRequest.adHoc(sql, Fixtures.ADVERTISER, Fixtures.custom())
                .forDialect(Dialect.SPARK)).sql();
    }

    private static String oneLine(String sql) {
        return sql.replaceAll("\\s+", " ");
    }

    @Test
    void stringLiteralsEscapeQuotesAndBackslashesSoTheyCannotEndEarly() {
        // Spark reads a backslash in a literal as an escape: the standard rendering '\' would swallow
        // its closing quote and turn the next literal's text into SQL
        String sql = spark("SELECT species FROM pets WHERE owner_name = '\\' AND species = ' OR 1 = 1 UNION SELECT "
                + "name FROM users'");
        assertThat(oneLine(sql)).contains("= '\\\\'").contains("= ' OR 1 = 1 UNION SELECT name FROM users'");
        assertThat(oneLine(spark("SELECT species FROM pets WHERE owner_name = 'it''s'"))).contains("'it\\'s'");
    }

    @Test
    void templateValuesAreEscapedTheSameWay() {
        QueryRequest.Template template = new QueryRequest.Template(Fixtures.TEMPLATE, List.of(
                new AnalysisParameter("label", ParameterType.VARCHAR, null)), Map.of("label", "x\\' OR 1=1 --"));
        String sql = new QueryChecker().check(new QueryRequest("SELECT AVG(score) FROM reviewed WHERE ssn <> :label",
                Fixtures.ADVERTISER, Fixtures.custom(), Optional.of(template)).forDialect(Dialect.SPARK)).sql();
        assertThat(sql).contains("'x\\\\\\' OR 1=1 --'");
    }

    @Test
    void renderedSqlWithACommentOutsideLiteralsIsRefused() {
        assertThat(SparkDialect.checked("SELECT '--' AS `a--b`, 'it\\'s -- fine' FROM t")).isNotNull();
        assertThatThrownBy(() -> SparkDialect.checked("SELECT 1 -- HAVING COUNT(*) >= 100"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SparkDialect.checked("SELECT 1 /* x */")).isInstanceOf(IllegalStateException.class);
        // '\'' is a quote inside a literal, '\\\\' a backslash: after it, Spark would read a comment
        assertThat(SparkDialect.checked("SELECT '\\' -- x'")).isNotNull();
        assertThatThrownBy(() -> SparkDialect.checked("SELECT '\\\\' -- x'"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SparkDialect.checked("SELECT \"x\"")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void divisionIsIeeeDivisionAsInDuckDb() {
        assertThat(oneLine(spark("SELECT p.age / u.id AS r FROM users u JOIN pets p ON u.email = p.owner_name")))
                .contains("(CASE WHEN CAST(`u`.`id` AS DOUBLE) = 0 THEN CAST(`p`.`age` AS DOUBLE) * "
                        + "power(CAST(`u`.`id` AS DOUBLE), -1) ELSE CAST(`p`.`age` AS DOUBLE) / "
                        + "CAST(`u`.`id` AS DOUBLE) END)");
    }

    @Test
    void overflowingArithmeticUsesSparksTryFunctions() {
        String sql = oneLine(spark("SELECT p.age * 1000 + p.age AS x, -p.age AS y FROM pets p"));
        assertThat(sql).contains("TRY_ADD(TRY_MULTIPLY(`p`.`age`, 1000), `p`.`age`)").contains("TRY_SUBTRACT(0, `p`.`age`)");
    }

    @Test
    void sortKeysPutNullsLastAsDuckDbDoes() {
        String sql = oneLine(spark("SELECT species, ROW_NUMBER() OVER (ORDER BY age DESC) AS r FROM pets "
                + "ORDER BY species, age NULLS FIRST"));
        assertThat(sql).contains("ORDER BY `pets`.`age` DESC NULLS LAST)")
                .contains("ORDER BY `species` NULLS LAST, `pets`.`age` NULLS FIRST");
    }

    @Test
    void aGroupedQueryWithHavingSortsByOrdinalsOrADerivedTable() {
        // Spark's analyzer cannot sort a query with HAVING by an aggregate expression
        assertThat(oneLine(spark("SELECT gender, COUNT(*) AS n FROM users GROUP BY gender HAVING COUNT(*) > 1 "
                + "ORDER BY COUNT(*) DESC"))).endsWith("ORDER BY 2 DESC NULLS LAST");
        String sql = oneLine(spark("SELECT gender, COUNT(*) FROM users GROUP BY gender HAVING COUNT(*) > 1 "
                + "ORDER BY COUNT(DISTINCT id) DESC"));
        assertThat(sql).startsWith("SELECT `cleanroom_c0` AS `gender`, `cleanroom_c1` AS `EXPR$1` FROM (SELECT "
                + "`users`.`gender` AS `cleanroom_c0`, COUNT(*) AS `cleanroom_c1`, COUNT(DISTINCT `users`.`id`) AS "
                + "`cleanroom_o0` FROM").endsWith(") AS `cleanroom_q` ORDER BY `cleanroom_o0` DESC NULLS LAST");
    }

    @Test
    void aScalarSubqueryReadsOneRowUnlessItAggregates() {
        String sql = oneLine(spark("SELECT species FROM pets WHERE age > (SELECT age FROM users WHERE gender = 'f') "
                + "AND age < (SELECT MAX(age) FROM users) AND owner_name IN (SELECT email FROM users)"));
        assertThat(sql).contains("WHERE `users`.`gender` = 'f' LIMIT 1)")
                .contains("(SELECT MAX(`users`.`age`) FROM `users` AS `users`)")
                .contains("IN (SELECT `users`.`email` FROM `users` AS `users`)");
    }

    @Test
    void castsTakeSparksTypeNamesAndRoundFractionsToIntegers() {
        String sql = oneLine(spark("SELECT CAST(p.age AS VARCHAR) AS a, CAST(u.email AS INTEGER) AS b, "
                + "CAST(CAST(p.age AS DOUBLE) / 2 AS BIGINT) AS c FROM users u JOIN pets p ON u.email = p.owner_name"));
        assertThat(sql).contains("TRY_CAST(`p`.`age` AS STRING)").contains("TRY_CAST(`u`.`email` AS INT)")
                .contains("TRY_CAST(BROUND(");
    }

    @Test
    void duckDbsBuiltInsBecomeSparksEquivalents() {
        String sql = oneLine(spark("SELECT CONCAT(species, 'x') AS c, species SIMILAR TO 'c.t' AS s, "
                + "species LIKE 'c%' AS l, STARTS_WITH(species, 'c') AS w, EXTRACT(DOW FROM CURRENT_DATE) AS d, "
                + "age BETWEEN 1 AND 5 AS b FROM pets"));
        assertThat(sql).contains("concat_ws('', CAST(`pets`.`species` AS STRING), CAST('x' AS STRING))")
                .contains("(`pets`.`species` RLIKE '^(?:c.t)\\u0024')").contains("LIKE 'c%' ESCAPE '!'")
                .contains("STARTSWITH(`pets`.`species`, 'c')").contains("(dayofweek(CURRENT_DATE ) - 1)")
                .contains("BETWEEN").doesNotContain("ASYMMETRIC");
    }

    @Test
    void whatSparkCannotMeanTheSameWayIsRefusedBeforeItRuns() {
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> spark("SELECT species SIMILAR TO '(' AS s FROM pets"));
        assertThat(e).isNotNull();
        assertThat(catchThrowableOfType(CleanroomException.class,
                () -> spark("SELECT EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) AS s FROM pets")).getMessage())
                .contains("EXTRACT(EPOCH");
    }
}
