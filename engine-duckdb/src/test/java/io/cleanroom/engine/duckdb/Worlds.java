package io.cleanroom.engine.duckdb;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.ComparisonControls;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRulePolicy.ListRule;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputColumnThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.JoinOperator;
import io.cleanroom.core.model.JoinRequired;
import io.cleanroom.core.model.ParameterType;
import io.cleanroom.core.model.ScalarFunction;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.duckdb.World.Domain;
import io.cleanroom.engine.duckdb.World.Kind;
import io.cleanroom.engine.duckdb.World.WorldColumn;
import io.cleanroom.engine.duckdb.World.WorldTable;
import io.cleanroom.sql.QueryRequest;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The worlds of the non-interference hunt, with fixed data (independent of the hunt's seed): one
 * of aggregation rules, one of list rules, and custom rules with disallowed output columns (ad hoc
 * and through an analysis template), with comparison controls, and with aggregation thresholds.
 * The member who runs queries is always the advertiser.
 */
final class Worlds {
    static final AccountId PUBLISHER = new AccountId("111111111111");
    static final AccountId ADVERTISER = new AccountId("222222222222");
    static final AccountId THIRD = new AccountId("333333333333");
    static final String TEMPLATE_ARN = "arn:aws:cleanrooms:us-east-1:222222222222:membership/"
            + "11111111-1111-1111-1111-111111111111/analysistemplate/33333333-3333-3333-3333-333333333333";

    static final Domain PERSON = new Domain("person", 'z');
    static final Domain EMAIL = new Domain("email", 'y');
    static final Domain EMPLOYEE = new Domain("employee", 'x');

    static final List<String> SEGMENTS = List.of("news", "sports", "finance", "travel", "games");
    static final List<String> REGIONS = List.of("north", "south", "east", "west");
    static final List<String> CITIES = List.of("paris", "lima", "oslo", "cairo", "quito", "delhi");
    static final List<String> CAMPAIGNS = List.of("spring", "brand", "summer", "launch");

    private Worlds() {
    }

    /** One person of the shared population; some values are null or tiny on purpose. */
    record Person(int n, String id, String email, String name, String segment, String region, String city,
            Integer age, Integer birthYear, BigDecimal spend, LocalDate signup, Boolean active) {
    }

    static List<World> all() {
        List<Person> people = people(72, new Random(20240808L));
        return List.of(aggregation(people), list(people), custom(people, false), custom(people, true),
                controls(people), thresholds(people));
    }

    static List<Person> people(int count, Random random) {
        List<Person> out = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            String id;
            do {
                id = "z" + hex(random, 10);
            } while (!ids.add(id));
            String email = "y" + hex(random, 12);
            String name = name(random);
            String segment = i == 7 ? "solo" : SEGMENTS.get(random.nextInt(SEGMENTS.size()));
            String region = i == 11 ? "solo" : REGIONS.get(random.nextInt(REGIONS.size()));
            String city = CITIES.get(random.nextInt(CITIES.size()));
            Integer age = random.nextInt(12) == 0 ? null : random.nextInt(10) == 0 ? random.nextInt(2)
                    : 18 + random.nextInt(60);
            Integer birthYear = random.nextInt(15) == 0 ? null : random.nextInt(8) == 0 ? random.nextInt(2)
                    : 1940 + random.nextInt(66);
            BigDecimal spend = random.nextInt(14) == 0 ? null : BigDecimal.valueOf(random.nextInt(100000), 2);
            LocalDate signup = random.nextInt(16) == 0 ? null : LocalDate.of(2023, 1, 1).plusDays(random.nextInt(700));
            Boolean active = random.nextInt(10) == 0 ? null : random.nextBoolean();
            out.add(new Person(i, id, random.nextInt(20) == 0 ? null : email, name, segment, region, city, age,
                    birthYear, spend, signup, active));
        }
        return out;
    }

    private static String hex(Random random, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(Character.forDigit(random.nextInt(16), 16));
        }
        return s.toString();
    }

    private static String name(Random random) {
        String[] first = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v"};
        String[] vowels = {"a", "e", "i", "o", "u"};
        StringBuilder s = new StringBuilder();
        int syllables = 2 + random.nextInt(2);
        for (int i = 0; i < syllables; i++) {
            s.append(first[random.nextInt(first.length)]).append(vowels[random.nextInt(vowels.length)]);
        }
        return s.toString();
    }

    /** Persons with index in [from, to). */
    private static List<Person> slice(List<Person> people, int from, int to) {
        return people.subList(from, Math.min(to, people.size()));
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    private static int count(Person p, int modulo) {
        return p.n() % modulo;
    }

    private static final List<ScalarFunction> ALL_FUNCTIONS = List.of(ScalarFunction.values());

    static World aggregation(List<Person> people) {
        Aggregation adv = new Aggregation(List.of(
                new AggregateColumn(List.of("user_id"), AggregateFunction.COUNT_DISTINCT),
                new AggregateColumn(List.of("purchases"), AggregateFunction.SUM),
                new AggregateColumn(List.of("purchases"), AggregateFunction.SUM_DISTINCT),
                new AggregateColumn(List.of("purchases"), AggregateFunction.COUNT),
                new AggregateColumn(List.of("spend"), AggregateFunction.SUM),
                new AggregateColumn(List.of("spend"), AggregateFunction.AVG)),
                List.of("user_id", "email"), null, List.of(JoinOperator.AND, JoinOperator.OR),
                List.of("campaign", "region", "first_seen"), ALL_FUNCTIONS,
                List.of(new OutputConstraint("user_id", 2)), null);
        Aggregation pub = new Aggregation(List.of(
                new AggregateColumn(List.of("user_id"), AggregateFunction.COUNT_DISTINCT),
                new AggregateColumn(List.of("age", "birth_year"), AggregateFunction.SUM),
                new AggregateColumn(List.of("age", "score"), AggregateFunction.AVG),
                new AggregateColumn(List.of("email"), AggregateFunction.COUNT)),
                List.of("user_id", "email"), JoinRequired.QUERY_RUNNER, List.of(JoinOperator.AND, JoinOperator.OR),
                List.of("segment", "city", "signup", "active"), ALL_FUNCTIONS,
                List.of(new OutputConstraint("user_id", 3)), null);
        Aggregation partner = new Aggregation(List.of(
                new AggregateColumn(List.of("user_id"), AggregateFunction.COUNT_DISTINCT)),
                List.of("user_id"), JoinRequired.QUERY_RUNNER, List.of(),
                List.of("tier", "label"), List.of(ScalarFunction.LOWER, ScalarFunction.UPPER, ScalarFunction.CAST,
                        ScalarFunction.ROUND, ScalarFunction.COALESCE, ScalarFunction.SUBSTRING, ScalarFunction.ABS),
                List.of(new OutputConstraint("user_id", 2)), null);
        return new World("aggregation", "aggregation rules: adv (runner) and pub joined on user_id/email, partner",
                ADVERTISER, Optional.empty(), TableFormat.PARQUET, List.of(
                        advertiserTable(people, adv),
                        new WorldTable("pub", PUBLISHER, List.of(WorldColumn.of("user_id", PERSON),
                                WorldColumn.of("email", EMAIL), WorldColumn.of("segment", Kind.STRING),
                                WorldColumn.of("city", Kind.STRING), WorldColumn.of("age", Kind.INT),
                                WorldColumn.of("birth_year", Kind.INT), WorldColumn.of("score", Kind.DECIMAL),
                                WorldColumn.of("signup", Kind.DATE), WorldColumn.of("active", Kind.BOOLEAN)), pub,
                                slice(people, 9, 67).stream().map(p -> row(p.id(), p.email(), p.segment(), p.city(),
                                        p.age(), p.birthYear(), p.spend() == null ? null : p.spend().movePointLeft(1),
                                        p.signup(), p.active())).toList()),
                        new WorldTable("partner", THIRD, List.of(WorldColumn.of("user_id", PERSON),
                                WorldColumn.of("tier", Kind.INT), WorldColumn.of("label", Kind.STRING)), partner,
                                slice(people, 0, 72).stream().filter(p -> p.n() % 3 != 1)
                                        .map(p -> row(p.id(), count(p, 4), p.n() % 5 == 0 ? "gold" : "basic"))
                                        .toList())));
    }

    /** The advertiser's table of the aggregation and list worlds: persons 0..99. */
    private static WorldTable advertiserTable(List<Person> people, io.cleanroom.core.model.AnalysisRulePolicy rule) {
        return new WorldTable("adv", ADVERTISER, List.of(WorldColumn.of("user_id", PERSON),
                WorldColumn.of("email", EMAIL), WorldColumn.of("campaign", Kind.STRING),
                WorldColumn.of("region", Kind.STRING), WorldColumn.of("purchases", Kind.INT),
                WorldColumn.of("spend", Kind.DECIMAL), WorldColumn.of("first_seen", Kind.DATE)), rule,
                slice(people, 0, 45).stream().map(p -> row(p.id(), p.email(), CAMPAIGNS.get(p.n() % CAMPAIGNS.size()),
                        p.region(), p.n() % 9 == 0 ? null : p.n() % 7, p.spend(),
                        p.signup() == null ? null : p.signup().plusDays(p.n() % 30))).toList());
    }

    static World list(List<Person> people) {
        ListRule adv = new ListRule(List.of("user_id", "email"), List.of(JoinOperator.AND, JoinOperator.OR),
                List.of("campaign", "region", "first_seen", "purchases"), null);
        ListRule pub = new ListRule(List.of("user_id", "email"), List.of(JoinOperator.AND, JoinOperator.OR),
                List.of("segment", "city", "age", "signup"), null);
        ListRule partner = new ListRule(List.of("user_id"), List.of(), List.of("tier", "label"), null);
        return new World("list", "list rules: adv (runner), pub and partner joined on user_id/email", ADVERTISER,
                Optional.empty(), TableFormat.PARQUET, List.of(
                        advertiserTable(people, adv),
                        new WorldTable("pub", PUBLISHER, List.of(WorldColumn.of("user_id", PERSON),
                                WorldColumn.of("email", EMAIL), WorldColumn.of("segment", Kind.STRING),
                                WorldColumn.of("city", Kind.STRING), WorldColumn.of("age", Kind.INT),
                                WorldColumn.of("signup", Kind.DATE)), pub,
                                slice(people, 13, 72).stream().map(p -> row(p.id(), p.email(), p.segment(), p.city(),
                                        p.age(), p.signup())).toList()),
                        new WorldTable("partner", THIRD, List.of(WorldColumn.of("user_id", PERSON),
                                WorldColumn.of("tier", Kind.INT), WorldColumn.of("label", Kind.STRING)), partner,
                                slice(people, 0, 72).stream().filter(p -> p.n() % 2 == 0)
                                        .map(p -> row(p.id(), count(p, 3), p.n() % 4 == 0 ? "gold" : "basic"))
                                        .toList())));
    }

    /**
     * The reference's users/pets example with more columns: users.name, age, birth_year and income
     * are disallowed outputs, without comparison controls (so they may be filtered on with
     * literals, and none is renamed); pets belong to the runner; visits.clinic is disallowed too.
     * As a template world, every rule allows only the template, which declares :segment and :year.
     */
    static World custom(List<Person> people, boolean template) {
        List<String> analyses = template ? List.of(TEMPLATE_ARN) : List.of(Custom.ANY_QUERY);
        List<AccountId> providers = template ? List.of() : List.of(ADVERTISER);
        Custom users = new Custom(analyses, providers, null, List.of("name", "age", "birth_year", "income"), null,
                List.of(), null);
        Custom pets = new Custom(analyses, providers, null, List.of(), null, List.of(), null);
        Custom visits = new Custom(analyses, providers, null, List.of("clinic"), null, List.of(), null);
        List<Person> owners = slice(people, 0, 40);
        List<List<Object>> petRows = new ArrayList<>();
        String[] species = {"cat", "dog", "bird", "fish", "horse"};
        for (Person p : slice(people, 18, 63)) {
            int pets2 = p.n() % 4 == 0 ? 2 : 1;
            for (int k = 0; k < pets2; k++) {
                petRows.add(row(p.name(), species[(p.n() + k) % species.length], p.n() % 17,
                        BigDecimal.valueOf(100 + p.n() * 7L % 4000, 2), p.signup()));
            }
        }
        List<List<Object>> visitRows = new ArrayList<>();
        String[] clinics = {"north clinic", "riverside", "old town", "harbor"};
        for (Person p : slice(people, 0, 54)) {
            if (p.n() % 3 == 0) {
                continue;
            }
            visitRows.add(row(p.n(), clinics[p.n() % clinics.length], BigDecimal.valueOf(p.n() * 13L % 9000, 2),
                    p.signup() == null ? null : p.signup().plusDays(p.n() % 11)));
        }
        Optional<QueryRequest.Template> t = template ? Optional.of(new QueryRequest.Template(TEMPLATE_ARN,
                List.of(new AnalysisParameter("segment", ParameterType.VARCHAR, "news"),
                        new AnalysisParameter("year", ParameterType.INTEGER, "1980")),
                Map.of("segment", "sports", "year", "1975"))) : Optional.empty();
        return new World(template ? "template" : "custom", "custom rules" + (template ? " allowing only an analysis "
                + "template" : "") + ": users.name/age/birth_year/income and visits.clinic disallowed, no controls",
                ADVERTISER, t, TableFormat.PARQUET, List.of(
                        new WorldTable("users", PUBLISHER, List.of(WorldColumn.of("id", Kind.INT),
                                WorldColumn.of("name", Kind.STRING), WorldColumn.of("email", Kind.STRING),
                                WorldColumn.of("age", Kind.INT), WorldColumn.of("birth_year", Kind.INT),
                                WorldColumn.of("gender", Kind.STRING), WorldColumn.of("city", Kind.STRING),
                                WorldColumn.of("income", Kind.DECIMAL), WorldColumn.of("joined", Kind.DATE),
                                WorldColumn.of("segment", Kind.STRING)), users,
                                owners.stream().map(p -> row(p.n(), p.name(), p.name() + "@mail.example",
                                        p.age(), p.birthYear(), p.n() % 2 == 0 ? "f" : "m", p.city(), p.spend(),
                                        p.signup(), p.segment())).toList()),
                        new WorldTable("pets", ADVERTISER, List.of(WorldColumn.of("owner_name", Kind.STRING),
                                WorldColumn.of("species", Kind.STRING), WorldColumn.of("age", Kind.INT),
                                WorldColumn.of("weight", Kind.DECIMAL), WorldColumn.of("adopted", Kind.DATE)), pets,
                                petRows),
                        new WorldTable("visits", THIRD, List.of(WorldColumn.of("user_id", Kind.INT),
                                WorldColumn.of("clinic", Kind.STRING), WorldColumn.of("cost", Kind.DECIMAL),
                                WorldColumn.of("visited", Kind.DATE)), visits, visitRows)));
    }

    /**
     * Comparison controls (the vNext reference example, extended): pub.user_id and pub.email are
     * disallowed outputs that may only be compared with columns (renamed), birth_year and income are
     * disallowed outputs (birth_year may be compared with literals); the runner's adv table keeps
     * its own user_id and email the same way.
     */
    static World controls(List<Person> people) {
        Custom pub = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null,
                List.of("user_id", "email", "birth_year", "income"), null, List.of(),
                new ComparisonControls(List.of("segment", "region", "birth_year", "signup"),
                        List.of("user_id", "email", "age")));
        Custom adv = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of("user_id", "email"),
                null, List.of(), new ComparisonControls(List.of("campaign", "purchases", "spend"),
                        List.of("user_id", "email", "campaign")));
        return new World("controls", "custom rules with comparison controls: pub.user_id/email column comparisons "
                + "only, birth_year/income disallowed", ADVERTISER, Optional.empty(), TableFormat.PARQUET, List.of(
                        new WorldTable("pub", PUBLISHER, List.of(WorldColumn.of("user_id", PERSON),
                                WorldColumn.of("email", EMAIL), WorldColumn.of("segment", Kind.STRING),
                                WorldColumn.of("region", Kind.STRING), WorldColumn.of("birth_year", Kind.INT),
                                WorldColumn.of("age", Kind.INT), WorldColumn.of("income", Kind.DECIMAL),
                                WorldColumn.of("signup", Kind.DATE)), pub,
                                slice(people, 11, 72).stream().map(p -> row(p.id(), p.email(), p.segment(), p.region(),
                                        p.birthYear(), p.age(), p.spend(), p.signup())).toList()),
                        new WorldTable("adv", ADVERTISER, List.of(WorldColumn.of("user_id", PERSON),
                                WorldColumn.of("email", EMAIL), WorldColumn.of("campaign", Kind.STRING),
                                WorldColumn.of("purchases", Kind.INT), WorldColumn.of("spend", Kind.DECIMAL)), adv,
                                slice(people, 0, 50).stream().map(p -> row(p.id(), p.email(),
                                        CAMPAIGNS.get(p.n() % CAMPAIGNS.size()), p.n() % 9 == 0 ? null : p.n() % 6,
                                        p.spend())).toList())));
    }

    /**
     * Aggregation thresholds: pub.user_id is an identity column (3 distinct identities, segment
     * exempted down to 2 and region to 0, COLUMNS_ONLY), pub.email and birth_year are disallowed
     * outputs; emp.employee_id is an identity (2, ANY_EXPRESSION) without comparison controls. The
     * region and segment "solo" hold one person each, for the self-join and error-oracle attacks.
     */
    static World thresholds(List<Person> people) {
        Custom pub = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of("email", "birth_year"),
                null, List.of(new AggregationThreshold(List.of("user_id"), 3, "COLUMNS_ONLY",
                        List.of(new OutputColumnThreshold("segment", 2), new OutputColumnThreshold("region", 0)))),
                new ComparisonControls(List.of("segment", "region", "birth_year", "signup", "age"),
                        List.of("user_id", "email")));
        Custom adv = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of("user_id"), null,
                List.of(), new ComparisonControls(List.of("campaign", "purchases"), List.of("user_id")));
        Custom emp = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null,
                List.of(new AggregationThreshold(List.of("employee_id"), 2, "ANY_EXPRESSION", List.of())), null);
        List<List<Object>> employees = new ArrayList<>();
        String[] departments = {"sales", "legal", "ops", "hr"};
        Random random = new Random(7);
        for (int i = 0; i < 30; i++) {
            employees.add(row("x" + hex(random, 6), i == 5 ? "board" : departments[i % departments.length],
                    String.valueOf(10000 + i % 7), BigDecimal.valueOf(300000 + random.nextInt(900000), 2)));
        }
        return new World("thresholds", "custom rules with aggregation thresholds: pub.user_id identity (3; segment 2, "
                + "region 0), emp.employee_id identity (2, ANY_EXPRESSION)", ADVERTISER, Optional.empty(),
                TableFormat.PARQUET, List.of(
                        new WorldTable("pub", PUBLISHER, List.of(WorldColumn.of("user_id", PERSON),
                                WorldColumn.of("email", EMAIL), WorldColumn.of("segment", Kind.STRING),
                                WorldColumn.of("region", Kind.STRING), WorldColumn.of("birth_year", Kind.INT),
                                WorldColumn.of("age", Kind.INT), WorldColumn.of("spend", Kind.DECIMAL),
                                WorldColumn.of("signup", Kind.DATE)), pub,
                                slice(people, 0, 63).stream().map(p -> row(p.id(), p.email(), p.segment(), p.region(),
                                        p.birthYear(), p.age(), p.spend(), p.signup())).toList()),
                        new WorldTable("adv", ADVERTISER, List.of(WorldColumn.of("user_id", PERSON),
                                WorldColumn.of("campaign", Kind.STRING), WorldColumn.of("purchases", Kind.INT)), adv,
                                slice(people, 27, 72).stream().map(p -> row(p.id(),
                                        CAMPAIGNS.get(p.n() % CAMPAIGNS.size()), p.n() % 5)).toList()),
                        new WorldTable("emp", THIRD, List.of(WorldColumn.of("employee_id", EMPLOYEE),
                                WorldColumn.of("dept", Kind.STRING), WorldColumn.of("zip", Kind.STRING),
                                WorldColumn.of("salary", Kind.DECIMAL)), emp, employees)));
    }
}
