package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.ColumnFilter;
import io.cleanroom.core.model.ColumnFilter.Literal;
import io.cleanroom.core.model.ColumnFilter.Literal.Kind;
import io.cleanroom.core.model.ColumnFilter.Operator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conditions query control hands to readers: only what holds of every row that counts. */
class FiltersTest {
    private static final List<TableSpec> TABLES = List.of(
            Fixtures.table("events", Fixtures.PUBLISHER, new Custom(List.of(Custom.ANY_QUERY),
                    List.of(Fixtures.ADVERTISER), null, List.of(), null, List.of(), null),
                    "user_id:bigint", "kind", "amount:decimal(10,2)", "dt:date", "ts:timestamp", "ok:boolean"),
            Fixtures.table("people", Fixtures.ADVERTISER, new Custom(List.of(Custom.ANY_QUERY),
                    List.of(Fixtures.ADVERTISER), null, List.of(), null, List.of(), null), "user_id:bigint", "city"));

    private static CheckedQuery check(String sql) {
        return new QueryChecker().check(QueryRequest.adHoc(sql, Fixtures.ADVERTISER, TABLES));
    }

    private static ColumnFilter filter(String column, Operator operator, Kind kind, String... values) {
        return new ColumnFilter(column, operator, java.util.Arrays.stream(values).map(v -> new Literal(kind, v))
                .toList());
    }

    @Test
    void conjunctsOfTheWhereOnTheTablesColumns() {
        CheckedQuery q = check("SELECT e.kind, COUNT(*) FROM events e JOIN people p ON e.user_id = p.user_id "
                + "WHERE e.dt = DATE '2026-11-01' AND e.kind IN ('a', 'b') AND 5 < e.user_id "
                + "AND e.amount BETWEEN 1 AND 2.5 AND p.city = 'Paris' AND e.ok = TRUE GROUP BY e.kind");
        assertThat(q.filters("events")).containsExactlyInAnyOrder(
                filter("dt", Operator.EQ, Kind.DATE, "2026-11-01"),
                filter("kind", Operator.IN, Kind.STRING, "a", "b"),
                filter("user_id", Operator.GT, Kind.NUMBER, "5"),
                filter("amount", Operator.BETWEEN, Kind.NUMBER, "1", "2.5"),
                filter("ok", Operator.EQ, Kind.BOOLEAN, "true"));
        assertThat(q.filters("People")).containsExactly(filter("city", Operator.EQ, Kind.STRING, "Paris"));
    }

    @Test
    void aStringComparedWithADateColumnIsTheDateItIsCastTo() {
        CheckedQuery q = check("SELECT COUNT(*) FROM events WHERE dt >= '2026-11-01' AND ts < TIMESTAMP "
                + "'2026-11-02 10:00:00' AND user_id = -3");
        assertThat(q.filters("events")).contains(filter("user_id", Operator.EQ, Kind.NUMBER, "-3"));
        assertThat(q.filters("events")).anySatisfy(f -> {
            assertThat(f.column()).isEqualTo("dt");
            assertThat(f.operator()).isEqualTo(Operator.GE);
            assertThat(f.values().get(0).text()).isEqualTo("2026-11-01");
        });
        assertThat(q.filters("events")).contains(filter("ts", Operator.LT, Kind.TIMESTAMP, "2026-11-02 10:00:00"));
    }

    @Test
    void nothingThatMightHoldOfARowOutsideTheCondition() {
        // an OR, a NOT, an expression on the column, a NOT BETWEEN, a comparison of two columns
        assertThat(check("SELECT COUNT(*) FROM events WHERE dt = DATE '2026-11-01' OR kind = 'a'").filters("events"))
                .isEmpty();
        assertThat(check("SELECT COUNT(*) FROM events WHERE NOT (kind = 'a')").filters("events")).isEmpty();
        assertThat(check("SELECT COUNT(*) FROM events WHERE UPPER(kind) = 'A'").filters("events")).isEmpty();
        assertThat(check("SELECT COUNT(*) FROM events WHERE kind NOT BETWEEN 'a' AND 'b'").filters("events")).isEmpty();
        assertThat(check("SELECT COUNT(*) FROM events WHERE kind NOT IN ('a')").filters("events")).isEmpty();
        assertThat(check("SELECT COUNT(*) FROM events WHERE kind <> 'a'").filters("events")).isEmpty();
        assertThat(check("SELECT COUNT(*) FROM events WHERE user_id = amount").filters("events")).isEmpty();
        // a join condition is not a WHERE: on an outer join it keeps rows either way
        assertThat(check("SELECT COUNT(*) FROM people p LEFT JOIN events e ON p.user_id = e.user_id "
                + "AND e.kind = 'a'").filters("events")).isEmpty();
    }

    @Test
    void aTableReadTwiceGetsNone() {
        CheckedQuery q = check("SELECT a.kind, COUNT(*) FROM events a JOIN events b ON a.user_id = b.user_id "
                + "WHERE a.kind = 'x' GROUP BY a.kind");
        assertThat(q.filters("events")).isEmpty();
        CheckedQuery sub = check("SELECT COUNT(*) FROM events WHERE kind = 'x' AND user_id IN "
                + "(SELECT user_id FROM events WHERE kind = 'y')");
        assertThat(sub.filters("events")).isEmpty();
    }

    @Test
    void aSubqueryOrCteOverTheTableHasItsOwnWhere() {
        CheckedQuery q = check("WITH recent AS (SELECT user_id, kind FROM events WHERE dt > DATE '2026-10-01') "
                + "SELECT r.kind, COUNT(*) FROM recent r JOIN people p ON r.user_id = p.user_id "
                + "WHERE p.city = 'Oslo' GROUP BY r.kind");
        assertThat(q.filters("events")).containsExactly(filter("dt", Operator.GT, Kind.DATE, "2026-10-01"));
        CheckedQuery derived = check("SELECT k, COUNT(*) FROM (SELECT kind AS k FROM events WHERE kind = 'a') t "
                + "WHERE k = 'b' GROUP BY k");
        assertThat(derived.filters("events")).containsExactly(filter("kind", Operator.EQ, Kind.STRING, "a"));
    }
}
