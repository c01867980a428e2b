package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.JoinRequired;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random aggregation rules over a provider table, random queries over it joined (or not) with the
 * runner's table, and a small reference model of the rule: the checker must agree with the model
 * on every pair, and every allowed query must carry the provider's output constraint.
 */
class AggregationPropertyTest {
    private static final AccountId RUNNER = new AccountId("222222222222");
    private static final AccountId PROVIDER = new AccountId("111111111111");
    private static final List<String> COLUMNS = List.of("c1", "c2", "c3", "c4", "c5");

    enum Role { DIMENSION, JOIN, AGGREGATE, NONE }

    /** A rule: the role of each column, the functions allowed on aggregate columns, join required. */
    record Rule(List<Role> roles, List<Set<AggregateFunction>> functions, boolean joinRequired, int minimum) {
        Aggregation policy() {
            List<AggregateColumn> aggregates = new ArrayList<>();
            List<String> joins = new ArrayList<>();
            List<String> dimensions = new ArrayList<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                switch (roles.get(i)) {
                    case DIMENSION -> dimensions.add(COLUMNS.get(i));
                    case JOIN -> joins.add(COLUMNS.get(i));
                    case AGGREGATE -> {
                        String column = COLUMNS.get(i);
                        functions.get(i).forEach(f -> aggregates.add(new AggregateColumn(List.of(column), f)));
                    }
                    default -> { }
                }
            }
            joins.add("k");
            aggregates.add(new AggregateColumn(List.of("k"), AggregateFunction.COUNT_DISTINCT));
            return new Aggregation(aggregates, joins, joinRequired ? JoinRequired.QUERY_RUNNER : null, List.of(),
                    dimensions, List.of(), List.of(new OutputConstraint("k", minimum)), null);
        }
    }

    /** A select item: a bare column, or a column inside a function (COUNT, COUNT_DISTINCT, SUM, SUM_DISTINCT, AVG, MIN). */
    record Item(int column, String function) {
        String sql() {
            String col = "p." + (column < 0 ? "k" : COLUMNS.get(column));
            return switch (function) {
                case "NONE" -> col;
                case "COUNT_DISTINCT" -> "COUNT(DISTINCT " + col + ")";
                case "SUM_DISTINCT" -> "SUM(DISTINCT " + col + ")";
                default -> function + "(" + col + ")";
            };
        }

        boolean aggregate() {
            return !function.equals("NONE");
        }
    }

    record Query(List<Item> items, int whereColumn, boolean join) {
        String sql() {
            List<String> select = new ArrayList<>();
            List<String> group = new ArrayList<>();
            for (Item item : items) {
                select.add(item.sql());
                if (!item.aggregate()) {
                    group.add(item.sql());
                }
            }
            StringBuilder sql = new StringBuilder("SELECT ").append(String.join(", ", select))
                    .append(" FROM provider p");
            if (join) {
                sql.append(" JOIN runner r ON p.k = r.k");
            }
            if (whereColumn >= 0) {
                sql.append(" WHERE p.").append(COLUMNS.get(whereColumn)).append(" = 'v'");
            }
            if (!group.isEmpty()) {
                sql.append(" GROUP BY ").append(String.join(", ", group));
            }
            return sql.toString();
        }
    }

    /** The reference model: what the aggregation rule allows, stated plainly. */
    static boolean modelAllows(Rule rule, Query query) {
        if (rule.joinRequired() && !query.join()) {
            return false;
        }
        if (query.items().stream().noneMatch(Item::aggregate)) {
            return false;
        }
        if (query.whereColumn() >= 0 && rule.roles().get(query.whereColumn()) != Role.DIMENSION) {
            return false;
        }
        for (Item item : query.items()) {
            if (item.column() < 0) {
                continue;
            }
            Role role = rule.roles().get(item.column());
            if (!item.aggregate()) {
                if (role != Role.DIMENSION) {
                    return false;
                }
            } else {
                if (item.function().equals("MIN")) {
                    return false;
                }
                if (role != Role.AGGREGATE
                        || !rule.functions().get(item.column()).contains(AggregateFunction.valueOf(item.function()))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Provide
    Arbitrary<Rule> rules() {
        Arbitrary<List<Role>> roles = Arbitraries.of(Role.class).list().ofSize(COLUMNS.size());
        Arbitrary<Set<AggregateFunction>> functionSet = Arbitraries.of(AggregateFunction.class).set().ofMinSize(1);
        return Combinators.combine(roles, functionSet.list().ofSize(COLUMNS.size()), Arbitraries.of(true, false),
                Arbitraries.integers().between(2, 1000)).as(Rule::new);
    }

    private static final List<String> FUNCTIONS = List.of("COUNT", "COUNT_DISTINCT", "SUM", "SUM_DISTINCT", "AVG",
            "MIN");

    /** Queries biased towards the rule: most items use a column in a way the rule allows. */
    static Arbitrary<Query> queriesFor(Rule rule) {
        Arbitrary<Item> anyItem = Combinators.combine(Arbitraries.integers().between(0, COLUMNS.size() - 1),
                Arbitraries.of(List.of("NONE", "COUNT", "COUNT_DISTINCT", "SUM", "SUM_DISTINCT", "AVG", "MIN")))
                .as(Item::new);
        List<Integer> usable = new ArrayList<>();
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (rule.roles().get(i) == Role.DIMENSION || rule.roles().get(i) == Role.AGGREGATE) {
                usable.add(i);
            }
        }
        Arbitrary<Item> fittingItem = usable.isEmpty() ? Arbitraries.just(new Item(-1, "COUNT_DISTINCT"))
                : Arbitraries.of(usable).flatMap(i -> {
            Role role = rule.roles().get(i);
            if (role == Role.AGGREGATE) {
                List<String> allowed = rule.functions().get(i).stream().map(Enum::name).toList();
                return Arbitraries.of(allowed).map(f -> new Item(i, f));
            }
            return Arbitraries.just(new Item(i, "NONE"));
        });
        Arbitrary<Item> item = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(14, fittingItem),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(new Item(-1, "COUNT_DISTINCT"))),
                net.jqwik.api.Tuple.of(1, anyItem));
        List<Integer> dimensions = new ArrayList<>();
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (rule.roles().get(i) == Role.DIMENSION) {
                dimensions.add(i);
            }
        }
        Arbitrary<Integer> where = dimensions.isEmpty()
                ? Arbitraries.integers().between(-1, COLUMNS.size() - 1)
                : Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.of(dimensions)),
                        net.jqwik.api.Tuple.of(2, Arbitraries.just(-1)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, COLUMNS.size() - 1)));
        Arbitrary<Boolean> join = Arbitraries.frequency(net.jqwik.api.Tuple.of(5, true),
                net.jqwik.api.Tuple.of(1, false));
        return Combinators.combine(item.list().ofMinSize(1).ofMaxSize(4), where, join).as(Query::new);
    }

    @Provide
    Arbitrary<net.jqwik.api.Tuple.Tuple2<Rule, Query>> cases() {
        return rules().flatMap(rule -> queriesFor(rule).map(q -> net.jqwik.api.Tuple.of(rule, q)));
    }

    @Property(tries = 1000)
    @net.jqwik.api.statistics.StatisticsReport(format = net.jqwik.api.statistics.Histogram.class)
    void checkerAgreesWithTheModel(@ForAll("cases") net.jqwik.api.Tuple.Tuple2<Rule, Query> pair) {
        Rule rule = pair.get1();
        Query query = pair.get2();
        List<io.cleanroom.core.model.Column> columns = new ArrayList<>();
        COLUMNS.forEach(c -> columns.add(new io.cleanroom.core.model.Column(c, "bigint")));
        columns.add(new io.cleanroom.core.model.Column("k", "string"));
        Aggregation runnerRule = new Aggregation(
                List.of(new AggregateColumn(List.of("k"), AggregateFunction.COUNT_DISTINCT)), List.of("k"), null,
                List.of(), List.of(), List.of(), List.of(new OutputConstraint("k", 2)), null);
        List<TableSpec> tables = List.of(
                new TableSpec("provider", PROVIDER, columns, java.util.Optional.of(rule.policy()), true),
                new TableSpec("runner", RUNNER, List.of(new io.cleanroom.core.model.Column("k", "string")),
                        java.util.Optional.of(runnerRule), true));
        boolean expected = modelAllows(rule, query);
        net.jqwik.api.statistics.Statistics.collect(expected ? "allowed" : "rejected");
        net.jqwik.api.statistics.Statistics.coverage(coverage -> {
            coverage.check("allowed").percentage(p -> p > 10);
            coverage.check("rejected").percentage(p -> p > 10);
        });
        boolean allowed;
        String detail;
        try {
            CheckedQuery checked = new QueryChecker().check(QueryRequest.adHoc(query.sql(), RUNNER, tables));
            allowed = true;
            detail = checked.sql();
            assertThat(detail).contains("COUNT(DISTINCT \"p\".\"k\") >= " + rule.minimum());
        } catch (CleanroomException e) {
            allowed = false;
            detail = e.getMessage();
        }
        assertThat(allowed).as("%s%nrule %s%n-> %s", query.sql(), rule, detail).isEqualTo(expected);
    }
}
