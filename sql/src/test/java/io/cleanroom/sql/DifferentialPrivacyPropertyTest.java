package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.privacy.Aggregation;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random differentially private queries mixing the ways a user's identity could be laundered (an
 * expression on the identifier, another column named like it, a window or an aggregation over
 * other users' rows, a self join or a union that pairs rows of different users, an outer join that
 * keeps rows of no user) with harmless CTEs, joins and groupings. Each construct is modelled as
 * keeping or breaking the rule that every row belongs to one user. A query with a breaking construct
 * must be refused; a query that passes has a plan that bounds each user to the declared rows over
 * the whole query, with the sensitivities that bound implies, in both dialects.
 */
class DifferentialPrivacyPropertyTest {
    private static final Custom DP = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null,
            List.of(), "user_id", List.of(), null);
    private static final Custom PLAIN = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null,
            List.of(), null, List.of(), null);
    /** members declares 3 rows per user, salary 5: a query that sums salary counts 3 rows per user either way. */
    private static final long L = 3;

    private static final List<TableSpec> TABLES = List.of(
            new TableSpec("members", Fixtures.PUBLISHER, Fixtures.columns("user_id", "salary:bigint", "age:bigint",
                    "city"), Optional.of(DP), true, Optional.empty(), List.of(), new TableSpec.CatalogParameters(
                            Map.of("cleanroom.dp.rows-per-user", "3"), Map.of("salary", Map.of("cleanroom.dp.min",
                                    "0", "cleanroom.dp.max", "1000", "cleanroom.dp.rows-per-user", "5")))),
            new TableSpec("visits", Fixtures.ADVERTISER, Fixtures.columns("user_id", "page"), Optional.of(PLAIN),
                    true));

    /** A construct and whether it keeps every row one user's. */
    record Part(String sql, boolean keeps) {
        @Override
        public String toString() {
            return sql;
        }
    }

    private static Part keeps(String sql) {
        return new Part(sql, true);
    }

    private static Part breaks(String sql) {
        return new Part(sql, false);
    }

    /** The user column the CTE outputs, as user_id. */
    private static final List<Part> USER = List.of(keeps("m.user_id"), keeps("m.user_id"),
            breaks("UPPER(m.user_id)"), breaks("m.city"), breaks("COALESCE(m.user_id, m.city)"),
            breaks("CONCAT(m.user_id, '')"), breaks("CASE WHEN m.age > 3 THEN m.user_id ELSE m.city END"));
    /** An extra column of the CTE, k. */
    private static final List<Part> EXTRA = List.of(keeps("m.age"),
            keeps("ROW_NUMBER() OVER (PARTITION BY m.user_id ORDER BY m.age)"),
            keeps("COUNT(*) OVER (PARTITION BY m.city, m.user_id)"),
            breaks("ROW_NUMBER() OVER (ORDER BY m.age)"), breaks("COUNT(*) OVER (PARTITION BY m.city)"),
            breaks("LAG(m.age) OVER (ORDER BY m.user_id)"), breaks("SUM(m.age) OVER ()"));
    /** How the CTE's rows come: as they are, or grouped. */
    private static final List<Part> SHAPE = List.of(keeps("rows"), keeps("rows"), keeps("group by user"),
            breaks("group by city"), keeps("union all"), breaks("union swapped"));
    /** What the final SELECT reads besides c. */
    private static final List<Part> JOIN = List.of(keeps(""), keeps(""),
            keeps(" JOIN c AS d ON c.user_id = d.user_id"),
            breaks(" JOIN c AS d ON c.city = d.city"),
            breaks(" JOIN c AS d ON c.user_id = d.user_id OR c.city = d.city"),
            breaks(" JOIN c AS d ON c.user_id <> d.user_id"),
            keeps(" LEFT JOIN visits AS v ON c.user_id = v.user_id"),
            keeps(" JOIN visits AS v ON c.city = v.page"),
            breaks(" RIGHT JOIN visits AS v ON c.user_id = v.user_id"),
            breaks(" FULL JOIN visits AS v ON c.user_id = v.user_id"),
            breaks(" CROSS JOIN c AS d"));
    private static final List<String> AGGREGATION = List.of("COUNT(*)", "COUNT(DISTINCT c.user_id)", "COUNT(c.k)",
            "SUM(c.salary)", "AVG(c.salary)", "COUNT(DISTINCT c.city)");
    private static final List<String> GROUP = List.of("", "", "c.city", "c.user_id", "UPPER(c.user_id)", "c.k");

    record Query(Part user, Part extra, Part shape, Part join, String aggregation, String group) {
        boolean keeps() {
            // a grouped CTE has no extra column of its own (its k is a count per group)
            boolean extraUsed = !shape.sql().startsWith("group by");
            return user.keeps() && (extra.keeps() || !extraUsed) && shape.keeps() && join.keeps();
        }

        String sql() {
            String select = user.sql() + " AS user_id, m.salary AS salary, m.city AS city, ";
            String cte = switch (shape.sql()) {
                case "rows" -> "SELECT " + select + extra.sql() + " AS k FROM members AS m";
                case "group by user" -> "SELECT " + user.sql() + " AS user_id, MAX(m.salary) AS salary, "
                        + "MAX(m.city) AS city, COUNT(*) AS k FROM members AS m GROUP BY " + user.sql();
                case "group by city" -> "SELECT MAX(" + user.sql() + ") AS user_id, MAX(m.salary) AS salary, "
                        + "m.city AS city, COUNT(*) AS k FROM members AS m GROUP BY m.city";
                case "union all" -> "SELECT " + select + extra.sql() + " AS k FROM members AS m UNION ALL "
                        + "SELECT m.user_id, m.salary, m.city, m.age FROM members AS m";
                default -> "SELECT " + select + extra.sql() + " AS k FROM members AS m UNION ALL "
                        + "SELECT m.city, m.salary, m.user_id, m.age FROM members AS m";
            };
            String sql = "WITH c AS (" + cte + ") SELECT " + (group.isEmpty() ? "" : group + " AS g, ") + aggregation
                    + " AS a FROM c" + join.sql();
            return group.isEmpty() ? sql : sql + " GROUP BY " + group;
        }
    }

    /** Mostly constructs that keep users apart, so that a good share of the queries pass. */
    private static Arbitrary<Part> mostlyKeeping(List<Part> parts) {
        List<Part> keeping = parts.stream().filter(Part::keeps).toList();
        List<Part> breaking = parts.stream().filter(p -> !p.keeps()).toList();
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, Arbitraries.of(keeping)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(breaking)));
    }

    @Provide
    Arbitrary<Query> queries() {
        return Combinators.combine(mostlyKeeping(USER), mostlyKeeping(EXTRA), mostlyKeeping(SHAPE),
                mostlyKeeping(JOIN), Arbitraries.of(AGGREGATION), Arbitraries.of(GROUP)).as(Query::new);
    }

    @Property(tries = 300)
    void aQueryThatMixesUsersIsRefusedAndOneThatPassesIsBounded(@ForAll("queries") Query query) {
        String sql = query.sql();
        Statistics.collect(query.keeps() ? "keeps users apart" : "mixes users");
        Statistics.coverage(coverage -> {
            coverage.check("keeps users apart").percentage(p -> p > 20);
            coverage.check("mixes users").percentage(p -> p > 20);
        });
        boolean passed = false;
        for (Dialect dialect : List.of(Dialect.DUCKDB, Dialect.SPARK)) {
            CheckedQuery checked;
            try {
                checked = new QueryChecker().check(new QueryRequest(sql, Fixtures.ADVERTISER, TABLES,
                        Optional.empty(), List.of(Fixtures.ADVERTISER), dialect));
            } catch (CleanroomException e) {
                assertThat(e.code()).as(sql).isEqualTo(ErrorCode.INVALID_QUERY);
                // never a bound or a value in a refusal
                assertThat(e.getMessage()).as(sql).doesNotContain("1000");
                continue;
            }
            assertThat(query.keeps()).as("passed though it mixes users' rows: %s", sql).isTrue();
            passed = true;
            DifferentialPrivacyPlan plan = checked.differentialPrivacy().orElseThrow();
            assertThat(plan.contributionLimit()).as(sql).isEqualTo(L);
            String q = dialect == Dialect.SPARK ? "`" : "\"";
            // each user's rows ranked within the user, and at most L of them kept, over the whole query
            assertThat(checked.sql()).as(sql)
                    .contains("ROW_NUMBER() OVER (PARTITION BY " + q + "dp_values" + q + "." + q + "dp_user" + q)
                    .contains(q + "dp_rank" + q + " <= CAST(" + L + " AS BIGINT)")
                    .contains(q + "dp_user" + q + " IS NOT NULL");
            for (DifferentialPrivacyPlan.Aggregate a : plan.aggregates()) {
                boolean users = a.type() == Aggregation.COUNT_DISTINCT && a.expression().endsWith(".user_id)");
                BigInteger count = users && !plan.grouped() ? BigInteger.ONE : BigInteger.valueOf(L);
                if (a.type() != Aggregation.SUM) {
                    assertThat(a.countSensitivity()).as(sql).isEqualTo(count);
                }
                if (a.type() == Aggregation.SUM) {
                    assertThat(a.sumSensitivity()).as(sql).isEqualTo(BigInteger.valueOf(L * 1000));
                }
                if (a.type() == Aggregation.AVG) {
                    assertThat(a.sumSensitivity()).as(sql).isEqualTo(BigInteger.valueOf(L * 1000));
                }
            }
        }
        // the model allows refusing what keeps users apart (query control may be stricter); a good share passes
        Statistics.label("verdict").collect(passed ? "passed" : "refused");
        Statistics.label("verdict").coverage(coverage -> coverage.check("passed").percentage(p -> p > 15));
    }
}
