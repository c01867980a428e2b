package io.cleanroom.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.server.wire.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsolePartsTest {
    @Test
    void formsDecodeAndRefuseMalformedEscapes() {
        Form f = Form.parse("a=1+2&b=%3Cx%3E&c=&c=y&d");
        assertThat(f.get("a")).isEqualTo("1 2");
        assertThat(f.get("b")).isEqualTo("<x>");
        assertThat(f.all("c")).containsExactly("y");
        assertThat(f.has("d")).isTrue();
        assertThat(f.get("missing")).isEmpty();
        assertThatThrownBy(() -> Form.parse("a=%zz")).isInstanceOf(ConsoleError.class);
    }

    @Test
    void theFaultIsTheFirstNameTheRejectionMentionsThatTheQuerySpells() {
        String sql = "SELECT a.user_id_hash, COUNT(*) FROM advertiser_audience a GROUP BY a.user_id_hash";
        QueryPages.Marked m = Fault.locate(sql, "Join column advertiser_audience.user_id_hash can only be used in "
                + "INNER JOIN ON conditions (found in SELECT)");
        assertThat(m.fault()).isEqualTo("a.user_id_hash");
        assertThat(m.before()).isEqualTo("SELECT ");
        assertThat(m.before() + m.fault() + m.after()).isEqualTo(sql);
        assertThat(Fault.locate(sql, "Something else entirely").found()).isFalse();
    }

    private static JsonNode rows(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    @Test
    void oneDimensionMakesBarsAndTwoMakeGroupedBars() throws Exception {
        Charts.Chart bar = Charts.of(List.of("segment", "n"), List.of("VARCHAR", "BIGINT"),
                rows("[[\"news\",3],[\"sports\",5]]"));
        assertThat(Json.MAPPER.readTree(bar.json()).path("kind").asText()).isEqualTo("bar");
        assertThat(Json.MAPPER.readTree(bar.json()).path("datasets").get(0).path("data").toString())
                .isEqualTo("[3.0,5.0]");
        Charts.Chart grouped = Charts.of(List.of("campaign", "segment", "n"), List.of("VARCHAR", "VARCHAR", "BIGINT"),
                rows("[[\"a\",\"news\",3],[\"a\",\"sports\",4],[\"b\",\"news\",5]]"));
        JsonNode g = Json.MAPPER.readTree(grouped.json());
        assertThat(g.path("kind").asText()).isEqualTo("grouped");
        assertThat(g.path("labels").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(g.path("datasets").get(1).path("data").toString()).isEqualTo("[4.0,null]");
        assertThat(Charts.of(List.of("a", "b"), List.of("VARCHAR", "VARCHAR"), rows("[[\"x\",\"y\"]]"))).isNull();
        assertThat(Charts.of(List.of("n"), List.of("BIGINT"), rows("[[1]]"))).isNull();
    }

    @Test
    void csvCellsAreQuotedAndFormulasDisarmed() {
        assertThat(QueryPages.cell("plain")).isEqualTo("plain");
        assertThat(QueryPages.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(QueryPages.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(QueryPages.cell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(QueryPages.cell("-42")).isEqualTo("-42");
        assertThat(QueryPages.cell("@cmd")).isEqualTo("'@cmd");
    }

    @Test
    void ruleFieldsTheApiNamesAreTheFormsFields() {
        assertThat(RulePages.formField("analysisRulePolicy.v1.aggregation.outputConstraints[0].minimum"))
                .isEqualTo("oc[0].minimum");
        assertThat(RulePages.formField("analysisRulePolicy.v1.aggregation.aggregateColumns[1].columnNames"))
                .isEqualTo("agg[1].columns");
        assertThat(RulePages.formField("analysisRulePolicy.v1.list.joinColumns")).isEqualTo("joinColumns");
        assertThat(RulePages.formField("analysisRulePolicy.v1.aggregation.dimensionColumns[0]"))
                .isEqualTo("dimensionColumns");
        assertThat(RulePages.formField("analysisRulePolicy.v1")).isEqualTo("policy");
    }

    @Test
    void aRuleInPlainLanguage() throws Exception {
        List<String> lines = RuleSummary.describe(Json.MAPPER.readTree("{\"v1\":{\"aggregation\":{"
                + "\"aggregateColumns\":[{\"columnNames\":[\"user_id_hash\"],\"function\":\"COUNT_DISTINCT\"}],"
                + "\"joinColumns\":[\"user_id_hash\"],\"joinRequired\":\"QUERY_RUNNER\",\"dimensionColumns\":"
                + "[\"segment\"],\"scalarFunctions\":[],\"outputConstraints\":[{\"columnName\":\"user_id_hash\","
                + "\"minimum\":2,\"type\":\"COUNT_DISTINCT\"}]}}}"));
        assertThat(String.join("\n", lines)).contains("COUNT_DISTINCT of user_id_hash")
                .contains("joined on user_id_hash only, and a query must join it with a table of the member")
                .contains("grouped by: segment").contains("at least 2 distinct user_id_hash");
    }

    @Test
    void glueErrorsNameTheirFieldsInTheirMessage() {
        assertThat(Api.glueFields("TableInput.StorageDescriptor.Location: The location is outside your S3 roots"))
                .containsExactly(new ApiError.FieldError("TableInput.StorageDescriptor.Location",
                        "The location is outside your S3 roots"));
        assertThat(Api.glueFields("ConnectionInput.ConnectionProperties.REGION: Value at 'region' must be x; "
                + "TableInput.StorageDescriptor.Columns[2].Name: Column a: b appears twice"))
                .extracting(ApiError.FieldError::name).containsExactly("ConnectionInput.ConnectionProperties.REGION",
                        "TableInput.StorageDescriptor.Columns[2].Name");
        assertThat(Api.glueFields("Table lab.t already exists")).isEmpty();
    }
}
