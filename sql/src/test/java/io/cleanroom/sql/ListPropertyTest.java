package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy.ListRule;
import io.cleanroom.core.model.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/** Random list rules and queries against a reference model of the list rule. */
class ListPropertyTest {
    private static final AccountId RUNNER = new AccountId("222222222222");
    private static final AccountId PROVIDER = new AccountId("111111111111");
    private static final List<String> COLUMNS = List.of("c1", "c2", "c3", "c4");

    enum Role { LIST, JOIN, NONE }

    record Rule(List<Role> roles) {
        ListRule policy() {
            List<String> join = new ArrayList<>(List.of("k"));
            List<String> list = new ArrayList<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                if (roles.get(i) == Role.LIST) {
                    list.add(COLUMNS.get(i));
                } else if (roles.get(i) == Role.JOIN) {
                    join.add(COLUMNS.get(i));
                }
            }
            return new ListRule(join, List.of(), list, null);
        }
    }

    /** Selected columns, an optional WHERE column, whether DISTINCT, whether joined to the runner. */
    record Query(List<Integer> select, int where, boolean distinct, boolean join) {
        String sql() {
            List<String> items = select.stream().map(i -> "p." + COLUMNS.get(i)).distinct().toList();
            StringBuilder sql = new StringBuilder("SELECT ").append(distinct ? "DISTINCT " : "")
                    .append(String.join(", ", items)).append(" FROM provider p");
            if (join) {
                sql.append(" JOIN runner r ON p.k = r.k");
            }
            if (where >= 0) {
                sql.append(" WHERE p.").append(COLUMNS.get(where)).append(" <> 'v'");
            }
            return sql.toString();
        }
    }

    static boolean modelAllows(Rule rule, Query q) {
        if (!q.distinct() || !q.join()) {
            return false;
        }
        if (q.select().stream().anyMatch(i -> rule.roles().get(i) != Role.LIST)) {
            return false;
        }
        return q.where() < 0 || rule.roles().get(q.where()) == Role.LIST;
    }

    @Provide
    Arbitrary<Tuple.Tuple2<Rule, Query>> cases() {
        return Arbitraries.of(Role.class).list().ofSize(COLUMNS.size()).map(Rule::new).flatMap(rule -> {
            List<Integer> listColumns = new ArrayList<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                if (rule.roles().get(i) == Role.LIST) {
                    listColumns.add(i);
                }
            }
            Arbitrary<Integer> any = Arbitraries.integers().between(0, COLUMNS.size() - 1);
            Arbitrary<Integer> column = listColumns.isEmpty() ? any
                    : Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(listColumns)), Tuple.of(1, any));
            Arbitrary<Integer> where = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(-1)),
                    Tuple.of(2, column));
            Arbitrary<Boolean> mostly = Arbitraries.frequency(Tuple.of(6, true), Tuple.of(1, false));
            return Combinators.combine(column.list().ofMinSize(1).ofMaxSize(3), where, mostly, mostly)
                    .as(Query::new).map(q -> Tuple.of(rule, q));
        });
    }

    @Property(tries = 600)
    void checkerAgreesWithTheModel(@ForAll("cases") Tuple.Tuple2<Rule, Query> pair) {
        Rule rule = pair.get1();
        Query query = pair.get2();
        List<Column> columns = new ArrayList<>();
        COLUMNS.forEach(c -> columns.add(new Column(c, "string")));
        columns.add(new Column("k", "string"));
        List<TableSpec> tables = List.of(
                new TableSpec("provider", PROVIDER, columns, Optional.of(rule.policy()), true),
                new TableSpec("runner", RUNNER, List.of(new Column("k", "string"), new Column("x", "string")),
                        Optional.of(new ListRule(List.of("k"), List.of(), List.of("x"), null)), true));
        boolean expected = modelAllows(rule, query);
        Statistics.collect(expected ? "allowed" : "rejected");
        Statistics.coverage(coverage -> {
            coverage.check("allowed").percentage(p -> p > 10);
            coverage.check("rejected").percentage(p -> p > 10);
        });
        boolean allowed;
        String detail;
        try {
            detail = new QueryChecker().check(QueryRequest.adHoc(query.sql(), RUNNER, tables)).sql();
            allowed = true;
        } catch (CleanroomException e) {
            allowed = false;
            detail = e.getMessage();
        }
        assertThat(allowed).as("%s%nrule %s%n-> %s", query.sql(), rule, detail).isEqualTo(expected);
    }
}
