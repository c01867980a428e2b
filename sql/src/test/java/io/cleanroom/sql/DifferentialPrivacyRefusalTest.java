package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Until the stage that adds noise and spends the privacy budget exists, query control refuses every
 * query that reads a table with differential privacy, however the query is written, and says so; a
 * table whose schema is NOT_READY is refused with the reasons of its status.
 */
class DifferentialPrivacyRefusalTest {
    private static final Custom DP = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null,
            List.of(), "user_id", List.of(), null);
    private static final Custom PLAIN = new Custom(List.of(Custom.ANY_QUERY), List.of(Fixtures.ADVERTISER), null,
            List.of(), null, List.of(), null);

    private static List<TableSpec> tables(boolean membersReady, List<String> reasons) {
        List<TableSpec> out = new ArrayList<>();
        out.add(new TableSpec("members", Fixtures.PUBLISHER, Fixtures.columns("user_id", "salary:bigint", "city"),
                Optional.of(DP), membersReady, Optional.empty(), reasons));
        out.add(Fixtures.table("visits", Fixtures.ADVERTISER, PLAIN, "user_id", "page"));
        return out;
    }

    private static CleanroomException refused(String sql, List<TableSpec> tables) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> new QueryChecker().check(
                new QueryRequest(sql, Fixtures.ADVERTISER, tables, Optional.empty(), List.of(Fixtures.ADVERTISER))));
        assertThat(e).as(sql).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
        return e;
    }

    @Test
    void everyQueryReadingATableWithDifferentialPrivacyIsRefusedSayingWhy() {
        for (String sql : List.of(
                "SELECT COUNT(DISTINCT user_id) FROM members",
                "SELECT AVG(salary) FROM members",
                "SELECT v.page, COUNT(*) FROM visits v JOIN members m ON v.user_id = m.user_id GROUP BY v.page",
                "WITH m AS (SELECT user_id, city FROM members) SELECT city, COUNT(user_id) FROM m GROUP BY city",
                "SELECT page FROM visits WHERE user_id IN (SELECT user_id FROM members)")) {
            assertThat(refused(sql, tables(true, List.of())).getMessage()).as(sql)
                    .contains("Table members is protected by differential privacy",
                            "does not run differentially private queries yet");
        }
        // the other table alone is queried as before
        assertThat(new QueryChecker().check(new QueryRequest("SELECT page, COUNT(*) FROM visits GROUP BY page",
                Fixtures.ADVERTISER, tables(true, List.of()), Optional.empty(), List.of(Fixtures.ADVERTISER)))
                .tables()).containsExactly("visits");
    }

    @Test
    void aTableThatIsNotReadyIsRefusedWithTheReasonsOfItsStatus() {
        String reason = "The table uses differential privacy, and the collaboration has no differential privacy "
                + "policy (privacy budget template) yet";
        assertThat(refused("SELECT COUNT(*) FROM members", tables(false, List.of(reason))).getMessage())
                .isEqualTo("Table members is not ready to be queried (its schema is NOT_READY: " + reason + ")");
        assertThat(refused("SELECT COUNT(*) FROM members", tables(false, List.of())).getMessage())
                .isEqualTo("Table members is not ready to be queried (its schema is NOT_READY)");
    }

    @Test
    void explainShowsTheRefusal() {
        Explanation explanation = new QueryChecker().explain(new QueryRequest("SELECT COUNT(*) FROM members",
                Fixtures.ADVERTISER, tables(true, List.of()), Optional.empty(), List.of()));
        assertThat(explanation.allowed()).isFalse();
        assertThat(explanation.rejection()).hasValueSatisfying(r -> assertThat(r)
                .contains("protected by differential privacy"));
    }
}
