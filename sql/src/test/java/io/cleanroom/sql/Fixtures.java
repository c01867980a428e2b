package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRulePolicy.ListRule;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.JoinOperator;
import io.cleanroom.core.model.JoinRequired;
import io.cleanroom.core.model.ScalarFunction;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Named sets of collaboration tables with rules, shared by the corpus and the property tests. */
final class Fixtures {
    static final AccountId PUBLISHER = new AccountId("111111111111");
    static final AccountId ADVERTISER = new AccountId("222222222222");
    static final AccountId THIRD = new AccountId("333333333333");
    static final String TEMPLATE = "arn:aws:cleanrooms:us-east-1:222222222222:membership/"
            + "11111111-1111-1111-1111-111111111111/analysistemplate/22222222-2222-2222-2222-222222222222";

    private Fixtures() {
    }

    static List<Column> columns(String... nameTypes) {
        return java.util.Arrays.stream(nameTypes).map(nt -> {
            String[] p = nt.split(":");
            return new Column(p[0], p.length > 1 ? p[1] : "string");
        }).toList();
    }

    static TableSpec table(String name, AccountId owner, AnalysisRulePolicy rule, String... columns) {
        return new TableSpec(name, owner, columns(columns), Optional.ofNullable(rule), true);
    }

    /**
     * The tutorial, with aggregation rules and a few more columns: the advertiser runs queries;
     * both tables join on user_id_hash; the publisher requires the join and allows SUM/AVG on
     * age and spend; output constraints of 100 (publisher) and 150 (advertiser).
     */
    static List<TableSpec> aggregation() {
        Aggregation publisher = new Aggregation(List.of(
                new AggregateColumn(List.of("user_id_hash"), AggregateFunction.COUNT_DISTINCT),
                new AggregateColumn(List.of("age", "spend"), AggregateFunction.SUM),
                new AggregateColumn(List.of("age"), AggregateFunction.AVG),
                new AggregateColumn(List.of("spend"), AggregateFunction.COUNT)),
                List.of("user_id_hash", "email_hash"), JoinRequired.QUERY_RUNNER, List.of(JoinOperator.AND,
                        JoinOperator.OR),
                List.of("segment", "city", "signup_date"),
                List.of(ScalarFunction.LOWER, ScalarFunction.UPPER, ScalarFunction.ROUND, ScalarFunction.CAST,
                        ScalarFunction.COALESCE, ScalarFunction.TRUNC, ScalarFunction.SUBSTRING,
                        ScalarFunction.EXTRACT),
                List.of(new OutputConstraint("user_id_hash", 100)), null);
        Aggregation advertiser = new Aggregation(List.of(
                new AggregateColumn(List.of("user_id_hash"), AggregateFunction.COUNT_DISTINCT),
                new AggregateColumn(List.of("purchases"), AggregateFunction.SUM),
                new AggregateColumn(List.of("purchases"), AggregateFunction.SUM_DISTINCT)),
                List.of("user_id_hash", "email_hash"), null, List.of(),
                List.of("campaign", "region"),
                List.of(ScalarFunction.LOWER, ScalarFunction.UPPER, ScalarFunction.ROUND, ScalarFunction.CAST,
                        ScalarFunction.COALESCE, ScalarFunction.EXTRACT),
                List.of(new OutputConstraint("user_id_hash", 150)), null);
        Aggregation partner = new Aggregation(List.of(
                new AggregateColumn(List.of("user_id_hash"), AggregateFunction.COUNT_DISTINCT)),
                List.of("user_id_hash"), JoinRequired.QUERY_RUNNER, List.of(),
                List.of("tier"), List.of(ScalarFunction.LOWER, ScalarFunction.UPPER, ScalarFunction.ROUND,
                        ScalarFunction.CAST, ScalarFunction.COALESCE, ScalarFunction.SUBSTRING,
                        ScalarFunction.EXTRACT),
                List.of(new OutputConstraint("user_id_hash", 50)), null);
        return List.of(
                table("publisher_audience", PUBLISHER, publisher, "user_id_hash", "email_hash", "segment", "city",
                        "signup_date:date", "age:bigint", "spend:double", "notes"),
                table("advertiser_audience", ADVERTISER, advertiser, "user_id_hash", "email_hash", "campaign",
                        "region", "purchases:bigint"),
                table("partner_tiers", THIRD, partner, "user_id_hash", "tier"));
    }

    /** The tutorial with list rules: join on user_id_hash (and email_hash), list segment/campaign. */
    static List<TableSpec> list() {
        ListRule publisher = new ListRule(List.of("user_id_hash", "email_hash"), List.of(JoinOperator.AND,
                JoinOperator.OR), List.of("segment", "city", "age"), null);
        ListRule advertiser = new ListRule(List.of("user_id_hash", "email_hash"), List.of(), List.of("campaign",
                "region"), null);
        ListRule partner = new ListRule(List.of("user_id_hash"), List.of(), List.of("tier"), null);
        return List.of(
                table("publisher_audience", PUBLISHER, publisher, "user_id_hash", "email_hash", "segment", "city",
                        "age:bigint", "notes"),
                table("advertiser_audience", ADVERTISER, advertiser, "user_id_hash", "email_hash", "campaign",
                        "region"),
                table("partner_tiers", THIRD, partner, "user_id_hash", "tier"));
    }

    /** The reference's users/pets example: users.age and users.name are disallowed outputs. */
    static List<TableSpec> custom() {
        Custom users = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of("age", "name"),
                null, List.of(), null);
        Custom pets = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null, List.of(),
                null);
        Custom templated = new Custom(List.of(TEMPLATE), List.of(), null, List.of("ssn"), null, List.of(), null);
        return List.of(
                table("users", PUBLISHER, users, "id:bigint", "name", "email", "age:bigint", "gender"),
                table("pets", ADVERTISER, pets, "owner_name", "gender", "age:bigint", "species"),
                table("reviewed", PUBLISHER, templated, "id:bigint", "ssn", "score:double"));
    }

    /**
     * The reference's vNext example: impressions (publisher) with an aggregation threshold of 100
     * distinct user_id (campaign_id exempted down to 5) and comparison controls allowing literal
     * comparisons on campaign_id and event_date and column comparisons on user_id; audience
     * (advertiser) allowing column comparisons on user_id and literal ones on segment.
     */
    static List<TableSpec> controls() {
        Custom impressions = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null,
                List.of(new AnalysisRulePolicy.AggregationThreshold(List.of("user_id"), 100, "COLUMNS_ONLY",
                        List.of(new AnalysisRulePolicy.OutputColumnThreshold("campaign_id", 5)))),
                new AnalysisRulePolicy.ComparisonControls(List.of("campaign_id", "event_date"), List.of("user_id")));
        Custom audience = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null,
                List.of(), new AnalysisRulePolicy.ComparisonControls(List.of("segment"), List.of("user_id")));
        Custom employees = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null,
                List.of(new AnalysisRulePolicy.AggregationThreshold(List.of("employee_id"), 10, "ANY_EXPRESSION",
                        List.of())),
                new AnalysisRulePolicy.ComparisonControls(List.of("department"), List.of()));
        return List.of(
                table("impressions", PUBLISHER, impressions, "user_id", "campaign_id", "event_date:date",
                        "cost:double", "quantity:bigint", "email"),
                table("audience", ADVERTISER, audience, "user_id", "email", "segment"),
                table("employees", PUBLISHER, employees, "employee_id", "zip_code", "department", "salary:double"));
    }

    /**
     * The public lab's airline example: flight_history (provider, the publisher here) with AVG/SUM
     * on points columns, COUNT_DISTINCT on loyalty_number, join required, every other column a
     * dimension and loyalty_number >= 10; members (the advertiser, who queries) with AVG on salary
     * and clv.
     */
    static List<TableSpec> lab() {
        Aggregation flights = new Aggregation(List.of(
                new AggregateColumn(List.of("points_accumulated", "points_redeemed"), AggregateFunction.AVG),
                new AggregateColumn(List.of("points_accumulated", "points_redeemed"), AggregateFunction.SUM),
                new AggregateColumn(List.of("loyalty_number"), AggregateFunction.COUNT_DISTINCT)),
                List.of("loyalty_number"), JoinRequired.QUERY_RUNNER, List.of(),
                List.of("year", "month", "flights_booked", "flights_with_companions", "total_flights",
                        "distance", "dollar_cost_points_redeemed"),
                List.of(), List.of(new OutputConstraint("loyalty_number", 10)), null);
        Aggregation members = new Aggregation(List.of(
                new AggregateColumn(List.of("salary", "clv"), AggregateFunction.AVG),
                new AggregateColumn(List.of("loyalty_number"), AggregateFunction.COUNT_DISTINCT)),
                List.of("loyalty_number"), null, List.of(),
                List.of("city", "gender", "education", "marital_status", "loyalty_card"), List.of(),
                List.of(new OutputConstraint("loyalty_number", 10)), null);
        return List.of(
                table("flight_history", PUBLISHER, flights, "loyalty_number", "year", "month", "flights_booked:bigint",
                        "flights_with_companions:bigint", "total_flights:bigint", "distance:bigint",
                        "points_accumulated:double", "points_redeemed:double", "dollar_cost_points_redeemed:bigint"),
                table("members", ADVERTISER, members, "loyalty_number", "city", "gender", "education",
                        "marital_status", "loyalty_card", "salary:double", "clv:double"));
    }

    /**
     * The red team's tables: pub (publisher) with a custom rule that disallows user_id_hash and age
     * as outputs and allows ANY_QUERY from the advertiser or the fixture's template; adv
     * (advertiser, ANY_QUERY).
     */
    static List<TableSpec> redteam() {
        Custom pub = new Custom(List.of(Custom.ANY_QUERY, TEMPLATE), List.of(ADVERTISER), null,
                List.of("user_id_hash", "age"), null, List.of(), null);
        Custom adv = new Custom(List.of(Custom.ANY_QUERY, TEMPLATE), List.of(ADVERTISER), null, List.of(), null,
                List.of(), null);
        return List.of(
                table("pub", PUBLISHER, pub, "user_id_hash", "age:bigint", "birth_year:bigint", "segment", "region",
                        "signup:date", "spend:decimal(10,2)"),
                table("adv", ADVERTISER, adv, "user_id_hash", "campaign", "clicks:bigint"));
    }

    /**
     * The red team's thresholded tables: pub with an aggregation threshold of 3 distinct
     * user_id_hash (segment exempted), no comparison controls; adv as in {@link #redteam()};
     * ctl, with comparison controls allowing literal comparisons on segment only and column
     * comparisons on user_id_hash, and age disallowed as output.
     */
    static List<TableSpec> thresholds() {
        Custom pub = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null,
                List.of(new AnalysisRulePolicy.AggregationThreshold(List.of("user_id_hash"), 3, "ANY_EXPRESSION",
                        List.of(new AnalysisRulePolicy.OutputColumnThreshold("segment", 0)))), null);
        Custom adv = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null, List.of(),
                null);
        Custom ctl = new Custom(List.of(Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of("age"), null,
                List.of(new AnalysisRulePolicy.AggregationThreshold(List.of("user_id_hash"), 3, "ANY_EXPRESSION",
                        List.of())),
                new AnalysisRulePolicy.ComparisonControls(List.of("segment"), List.of("user_id_hash")));
        return List.of(
                table("pub", PUBLISHER, pub, "user_id_hash", "birth_year:bigint", "segment", "region", "spend:bigint"),
                table("adv", ADVERTISER, adv, "user_id_hash", "campaign", "clicks:bigint"),
                table("ctl", PUBLISHER, ctl, "user_id_hash", "age:bigint", "segment", "region", "spend:bigint"));
    }

    /** One aggregation table, one list table, one table without a rule, one not ready. */
    static List<TableSpec> mixed() {
        List<TableSpec> out = new java.util.ArrayList<>();
        out.add(aggregation().get(0));
        out.add(list().get(1));
        out.add(new TableSpec("unruled", ADVERTISER, columns("user_id_hash"), Optional.empty(), true));
        out.add(new TableSpec("pending", PUBLISHER, columns("user_id_hash", "segment"),
                aggregation().get(0).rule(), false));
        return out;
    }

    static final Map<String, java.util.function.Supplier<List<TableSpec>>> SETS = Map.of(
            "aggregation", Fixtures::aggregation,
            "list", Fixtures::list,
            "custom", Fixtures::custom,
            "controls", Fixtures::controls,
            "lab", Fixtures::lab,
            "redteam", Fixtures::redteam,
            "thresholds", Fixtures::thresholds,
            "mixed", Fixtures::mixed);

    static AccountId account(String name) {
        return switch (name) {
            case "publisher" -> PUBLISHER;
            case "advertiser" -> ADVERTISER;
            case "third" -> THIRD;
            default -> throw new IllegalArgumentException("unknown account " + name);
        };
    }
}
