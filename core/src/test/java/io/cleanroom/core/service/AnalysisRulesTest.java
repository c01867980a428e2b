package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRulePolicy.ListRule;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.JoinOperator;
import io.cleanroom.core.model.JoinRequired;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalysisRulesTest {
    private static final List<String> COLUMNS = List.of("user_id", "segment", "spend", "email");

    private static Aggregation aggregation(List<String> join, List<String> dimensions, int minimum) {
        return new Aggregation(List.of(new AggregateColumn(List.of("user_id"), AggregateFunction.COUNT_DISTINCT)),
                join, JoinRequired.QUERY_RUNNER, List.of(JoinOperator.AND), dimensions, List.of(),
                List.of(new OutputConstraint("user_id", minimum)), null);
    }

    private static List<String> fields(AnalysisRulePolicy policy) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> AnalysisRules.validate(policy, COLUMNS));
        assertThat(e).as("expected a rejection").isNotNull();
        return e.fieldErrors().stream().map(CleanroomException.FieldError::name).toList();
    }

    @Test
    void validAggregationRulePasses() {
        assertThatCode(() -> AnalysisRules.validate(aggregation(List.of("user_id"), List.of("segment"), 2), COLUMNS))
                .doesNotThrowAnyException();
    }

    @Test
    void aggregationRuleRejections() {
        assertThat(fields(aggregation(List.of("user_id"), List.of("user_id"), 2)))
                .containsExactly("analysisRulePolicy.v1.aggregation.dimensionColumns[0]");
        assertThat(fields(aggregation(List.of("user_id"), List.of("segment"), 1)))
                .containsExactly("analysisRulePolicy.v1.aggregation.outputConstraints[0].minimum");
        assertThat(fields(aggregation(List.of("nope"), List.of("segment"), 2)))
                .containsExactly("analysisRulePolicy.v1.aggregation.joinColumns[0]");
        assertThat(fields(aggregation(List.of(), List.of("segment"), 2)))
                .containsExactly("analysisRulePolicy.v1.aggregation.joinRequired");
        assertThat(fields(aggregation(List.of("user_id"), List.of("segment", "segment"), 2)))
                .containsExactly("analysisRulePolicy.v1.aggregation.dimensionColumns[1]");
        Aggregation noConstraints = new Aggregation(
                List.of(new AggregateColumn(List.of("spend"), AggregateFunction.SUM)), List.of(), null, null,
                List.of("segment"), List.of(), List.of(), null);
        assertThat(fields(noConstraints)).containsExactly("analysisRulePolicy.v1.aggregation.outputConstraints");
    }

    @Test
    void listRuleJoinAndListColumnsAreDisjoint() {
        ListRule overlap = new ListRule(List.of("user_id"), null, List.of("segment", "user_id"), null);
        assertThat(fields(overlap)).containsExactly("analysisRulePolicy.v1.list.listColumns[1]");
        ListRule noJoin = new ListRule(List.of(), null, List.of("segment"), null);
        assertThat(fields(noJoin)).containsExactly("analysisRulePolicy.v1.list.joinColumns");
    }

    @Test
    void customRuleModesAreExclusive() {
        String template = "arn:aws:cleanrooms:us-east-1:111111111111:membership/"
                + "11111111-1111-1111-1111-111111111111/analysistemplate/22222222-2222-2222-2222-222222222222";
        Custom both = new Custom(List.of("ANY_QUERY", template), List.of(new AccountId("111111111111")), null,
                List.of(), null, List.of(), null);
        assertThat(fields(both)).containsExactly("analysisRulePolicy.v1.custom.allowedAnalyses");
        Custom noProviders = new Custom(List.of("ANY_QUERY"), List.of(), null, List.of(), null, List.of(), null);
        assertThat(fields(noProviders)).containsExactly("analysisRulePolicy.v1.custom.allowedAnalysisProviders");
        Custom bad = new Custom(List.of("SOMETHING"), List.of(), null, List.of("ghost"), "ghost",
                List.of(new AggregationThreshold(List.of("user_id", "email"), 1, "COLUMNS_ONLY", null)), null);
        assertThat(fields(bad)).contains("analysisRulePolicy.v1.custom.allowedAnalyses[0]",
                "analysisRulePolicy.v1.custom.disallowedOutputColumns[0]",
                "analysisRulePolicy.v1.custom.differentialPrivacy.columns[0].name",
                "analysisRulePolicy.v1.custom.aggregationThresholds[0].identityColumns",
                "analysisRulePolicy.v1.custom.aggregationThresholds[0].minimumIdentityCount");
        Custom templates = new Custom(List.of(template), List.of(), null, List.of("email"), null, List.of(), null);
        assertThatCode(() -> AnalysisRules.validate(templates, COLUMNS)).doesNotThrowAnyException();
    }

    @Test
    void columnsUsedByTheRuleMustStayAllowed() {
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> AnalysisRules.checkColumnsAllowed(
                aggregation(List.of("user_id"), List.of("segment"), 2), List.of("user_id")));
        assertThat(e.getMessage()).contains("segment");
    }
}
