package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Column;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A query checked again as it starts: the earlier answer only for the very same request. */
class QueryControlTest {
    private static final AccountId RUNNER = new AccountId("222222222222");
    private static final String SQL = "SELECT segment, COUNT(DISTINCT user_id_hash) AS users FROM audience "
            + "GROUP BY segment";
    private final QueryChecker checker = new QueryChecker();

    private static QueryRequest request(List<String> dimensions, int minimum, boolean ready) {
        AnalysisRulePolicy rule = new AnalysisRulePolicy.Aggregation(List.of(new AnalysisRulePolicy.AggregateColumn(
                List.of("user_id_hash"), AggregateFunction.COUNT_DISTINCT)), List.of("user_id_hash"), null, null,
                new ArrayList<>(dimensions), List.of(), List.of(new AnalysisRulePolicy.OutputConstraint("user_id_hash",
                        minimum)), null);
        TableSpec table = new TableSpec("audience", RUNNER, List.of(new Column("user_id_hash", "string"),
                new Column("segment", "string")), Optional.of(rule), ready, Optional.of(List.of(RUNNER)));
        return new QueryRequest(SQL, RUNNER, List.of(table), Optional.empty(), List.of(RUNNER));
    }

    private QueryControl.Checked first() {
        QueryRequest request = request(List.of("segment"), 2, true);
        return new QueryControl.Checked(request, checker.check(request));
    }

    @Test
    void anEqualRequestGetsTheEarlierAnswer() {
        QueryControl.Checked first = first();
        // built again from scratch, as the worker does from the store
        assertThat(first.again(request(List.of("segment"), 2, true), checker)).isSameAs(first);
    }

    @Test
    void anyChangeIsCheckedInFull() {
        QueryControl.Checked first = first();
        QueryControl.Checked stricter = first.again(request(List.of("segment"), 50, true), checker);
        assertThat(stricter).isNotSameAs(first);
        assertThat(stricter.query().sql()).contains(">= 50").doesNotContain(">= 2");
        assertThatThrownBy(() -> first.again(request(List.of(), 2, true), checker))
                .isInstanceOf(CleanroomException.class).hasMessageContaining("segment");
        assertThatThrownBy(() -> first.again(request(List.of("segment"), 2, false), checker))
                .isInstanceOf(CleanroomException.class);
    }
}
