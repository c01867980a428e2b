package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExplainTest {
    private final QueryChecker checker = new QueryChecker();

    @Test
    void explainsAnAllowedQueryPartByPart() {
        Explanation e = checker.explain(QueryRequest.adHoc(
                "SELECT p.segment, COUNT(DISTINCT a.user_id_hash) FROM advertiser_audience a "
                        + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash WHERE p.city = 'Paris' "
                        + "GROUP BY p.segment", Fixtures.ADVERTISER, Fixtures.aggregation()));
        assertThat(e.allowed()).isTrue();
        assertThat(e.ruleType()).hasValue("AGGREGATION");
        assertThat(e.tables()).containsExactlyInAnyOrder("advertiser_audience", "publisher_audience");
        assertThat(e.decisions()).extracting(d -> d.clause() + " " + d.part()).contains(
                "ON advertiser_audience.user_id_hash = publisher_audience.user_id_hash",
                "SELECT publisher_audience.segment",
                "SELECT COUNT DISTINCT(advertiser_audience.user_id_hash)",
                "WHERE publisher_audience.city",
                "FROM publisher_audience");
        assertThat(e.addedConstraints()).containsExactly(
                "COUNT(DISTINCT advertiser_audience.user_id_hash) >= 150",
                "COUNT(DISTINCT publisher_audience.user_id_hash) >= 100");
        assertThat(e.rewrittenSql()).hasValueSatisfying(sql -> assertThat(sql).contains("HAVING"));
        assertThat(e.rejection()).isEmpty();
    }

    @Test
    void explainsARejectionWithWhatWasAdmittedBeforeIt() {
        Explanation e = checker.explain(QueryRequest.adHoc(
                "SELECT p.segment, COUNT(*) FROM advertiser_audience a JOIN publisher_audience p "
                        + "ON a.user_id_hash = p.user_id_hash WHERE p.age > 3 GROUP BY p.segment",
                Fixtures.ADVERTISER, Fixtures.aggregation()));
        assertThat(e.allowed()).isFalse();
        assertThat(e.rejection()).hasValueSatisfying(m -> assertThat(m)
                .contains("Aggregate column publisher_audience.age").contains("WHERE"));
        assertThat(e.decisions()).extracting(Explanation.Decision::clause).contains("ON", "SELECT");
        assertThat(e.rewrittenSql()).isEmpty();
    }

    @Test
    void boundsQueryLengthAndDepth() {
        String padding = " ".repeat(Frontend.MAX_SQL_LENGTH);
        io.cleanroom.core.CleanroomException tooLong = org.assertj.core.api.Assertions.catchThrowableOfType(
                io.cleanroom.core.CleanroomException.class, () -> checker.check(QueryRequest.adHoc(
                        "SELECT email FROM users" + padding, Fixtures.ADVERTISER, Fixtures.custom())));
        assertThat(tooLong.getMessage()).contains("longer than 500000 characters");
        String deep = "SELECT email FROM users WHERE " + "NOT (".repeat(5000) + "email = 'x'" + ")".repeat(5000);
        io.cleanroom.core.CleanroomException tooDeep = org.assertj.core.api.Assertions.catchThrowableOfType(
                io.cleanroom.core.CleanroomException.class, () -> checker.check(QueryRequest.adHoc(deep,
                        Fixtures.ADVERTISER, Fixtures.custom())));
        assertThat(tooDeep.getMessage()).contains("nested too deeply");
    }

    @Test
    void explainsCustomRules() {
        Explanation e = checker.explain(QueryRequest.adHoc("SELECT name FROM users", Fixtures.ADVERTISER,
                Fixtures.custom()));
        assertThat(e.allowed()).isFalse();
        assertThat(e.ruleType()).hasValue("CUSTOM");
        assertThat(e.rejection()).hasValueSatisfying(m -> assertThat(m).contains("users.name"));
    }
}
