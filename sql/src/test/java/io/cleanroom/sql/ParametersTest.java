package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.core.model.ParameterType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ParametersTest {
    private static final String SQL = "SELECT AVG(score) FROM reviewed WHERE id > :min_id AND 'x:y' <> :label -- :nope\n"
            + "AND score < :max";

    private static QueryRequest run(Map<String, String> values) {
        QueryRequest.Template template = new QueryRequest.Template(Fixtures.TEMPLATE, List.of(
                new AnalysisParameter("min_id", ParameterType.BIGINT, "0"),
                new AnalysisParameter("label", ParameterType.VARCHAR, null),
                new AnalysisParameter("max", ParameterType.DOUBLE, "10.5")), values);
        return new QueryRequest(SQL, Fixtures.ADVERTISER, Fixtures.custom(), Optional.of(template));
    }

    @Test
    void marksPlaceholdersOutsideLiteralsAndComments() {
        Parameters.Marked marked = Parameters.mark(SQL + " AND x::int = 1 AND \"a:b\" = 2");
        assertThat(marked.names()).containsExactly("min_id", "label", "max");
        assertThat(marked.sql()).contains("'x:y'").contains("-- :nope").contains("x::int").contains("\"a:b\"");
    }

    @Test
    void bindsTypedValuesAsLiteralsInTheTree() {
        String sql = new QueryChecker().check(run(Map.of("label", "it's ' OR 1=1 --"))).sql();
        assertThat(sql).contains("> CAST(0 AS BIGINT)").contains("'it''s '' OR 1=1 --'").contains("< 1.05E1");
    }

    @Test
    void refusesValuesOfTheWrongType() {
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> new QueryChecker().check(run(Map.of("label", "a", "min_id", "1 OR 1=1"))));
        assertThat(e.getMessage()).contains(":min_id must be a value of type BIGINT");
    }

    @Test
    void refusesMissingAndUndeclaredValues() {
        assertThat(catchThrowableOfType(CleanroomException.class, () -> new QueryChecker().check(run(Map.of())))
                .getMessage()).contains(":label has no value");
        assertThat(catchThrowableOfType(CleanroomException.class, () -> new QueryChecker().check(
                run(Map.of("label", "a", "other", "1")))).getMessage()).contains("other is not declared");
    }

    @Test
    void plainQueriesMayNotUseQuestionMarks() {
        assertThat(catchThrowableOfType(CleanroomException.class, () -> new QueryChecker().check(
                QueryRequest.adHoc("SELECT email FROM users WHERE id = ?", Fixtures.ADVERTISER, Fixtures.custom())))
                .getMessage()).contains("Dynamic parameters");
    }
}
