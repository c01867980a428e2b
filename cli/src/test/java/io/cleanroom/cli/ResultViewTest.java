package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultViewTest {
    private static ResultView view(String json) throws IOException {
        JsonNode node = Calls.MAPPER.readTree(json);
        List<JsonNode> rows = new ArrayList<>();
        node.get("rows").forEach(rows::add);
        return new ResultView(node.get("columns"), rows);
    }

    private static String print(ResultView view, ResultView.Format format) {
        StringWriter text = new StringWriter();
        view.print(new PrintWriter(text), format);
        return text.toString();
    }

    @Test
    void aTableAlignsColumnsToTheirWidestCellAndRightAlignsNumbers() throws IOException {
        ResultView view = view("{\"columns\":[{\"name\":\"segment\",\"type\":\"VARCHAR\"},"
                + "{\"name\":\"n\",\"type\":\"BIGINT\"},{\"name\":\"share\",\"type\":\"DOUBLE\"}],"
                + "\"rows\":[[\"news\",2,0.5],[\"sports_and_games\",1234,null],[null,7,12.25]]}");
        assertThat(print(view, ResultView.Format.TABLE).lines()).containsExactly(
                "+------------------+------+-------+",
                "| segment          | n    | share |",
                "+------------------+------+-------+",
                "| news             |    2 |   0.5 |",
                "| sports_and_games | 1234 |  NULL |",
                "| NULL             |    7 | 12.25 |",
                "+------------------+------+-------+",
                "3 rows");
    }

    @Test
    void aColumnWithAnyTextIsLeftAlignedAndAnEmptyResultHasItsHeader() throws IOException {
        ResultView mixed = view("{\"columns\":[{\"name\":\"code\",\"type\":\"VARCHAR\"}],"
                + "\"rows\":[[\"10\"],[\"7\"]]}");
        assertThat(print(mixed, ResultView.Format.TABLE).lines()).contains("| 10   |", "| 7    |");
        ResultView empty = view("{\"columns\":[{\"name\":\"n\",\"type\":\"BIGINT\"}],\"rows\":[]}");
        assertThat(print(empty, ResultView.Format.TABLE).lines()).containsExactly("+---+", "| n |", "+---+", "+---+",
                "0 rows");
        ResultView one = view("{\"columns\":[{\"name\":\"n\",\"type\":\"BIGINT\"}],\"rows\":[[1]]}");
        assertThat(print(one, ResultView.Format.TABLE)).endsWith("1 row" + System.lineSeparator());
    }

    @Test
    void wideCharactersTakeTwoCellsAndCombiningMarksNone() throws IOException {
        // 東京 is four cells wide, e + COMBINING ACUTE ACCENT one
        ResultView view = view("{\"columns\":[{\"name\":\"city\",\"type\":\"VARCHAR\"}],"
                + "\"rows\":[[\"東京\"],[\"Mu\\u0308nchen\"],[\"Rome\"]]}");
        assertThat(print(view, ResultView.Format.TABLE).lines()).containsSubsequence(
                "+---------+",
                "| city    |",
                "| 東京    |",
                "| Mu\u0308nchen |",
                "| Rome    |");
        assertThat(ResultView.width("東京")).isEqualTo(4);
        assertThat(ResultView.width("Mu\u0308nchen")).isEqualTo(7);
    }

    @Test
    void controlAndFormattingCharactersInCellsAreShownAsEscapesNotObeyed() throws IOException {
        // a newline would break the row, an escape sequence would redraw the screen, U+202E reverses text
        ResultView view = view("{\"columns\":[{\"name\":\"v\",\"type\":\"VARCHAR\"}],"
                + "\"rows\":[[\"a\\nb\"],[\"\\u001b[2Jx\"],[\"\\u202Eabc\"],[\"tab\\there\"]]}");
        String table = print(view, ResultView.Format.TABLE);
        assertThat(table).doesNotContain("\u001b").doesNotContain("\u202E").doesNotContain("\t");
        assertThat(table.lines()).contains("| a\\nb      |", "| \\x1b[2Jx  |", "| \\u202eabc |", "| tab\\there |");
        assertThat(ResultView.visible("plain text, é, 東京")).isEqualTo("plain text, é, 東京");
        assertThat(ResultView.visible("\u0085\uD800")).isEqualTo("\\x85\\ud800");
    }

    @Test
    void csvQuotesFieldsWithSeparatorsQuotesLineBreaksOrEdgeSpacesAndNullIsEmpty() throws IOException {
        ResultView view = view("{\"columns\":[{\"name\":\"name, full\",\"type\":\"VARCHAR\"},"
                + "{\"name\":\"n\",\"type\":\"BIGINT\"}],\"rows\":[[\"plain\",1],[\"a,b\",2],[\"say \\\"hi\\\"\",3],"
                + "[\"two\\nlines\",4],[\"cr\\rhere\",5],[\" padded \",6],[null,null],[\"\",8]]}");
        assertThat(print(view, ResultView.Format.CSV)).isEqualTo("\"name, full\",n\n"
                + "plain,1\n"
                + "\"a,b\",2\n"
                + "\"say \"\"hi\"\"\",3\n"
                + "\"two\nlines\",4\n"
                + "\"cr\rhere\",5\n"
                + "\" padded \",6\n"
                + ",\n"
                + ",8\n");
    }

    @Test
    void csvKeepsTheExactValuesTheTableEscapes() throws IOException {
        ResultView view = view("{\"columns\":[{\"name\":\"v\",\"type\":\"VARCHAR\"}],\"rows\":[[\"\\u001bx\"]]}");
        assertThat(print(view, ResultView.Format.CSV)).isEqualTo("v\n\u001bx\n");
    }

    @Test
    void jsonHasTheColumnsWithTheirTypesAndTheRowsAsTyped() throws IOException {
        ResultView view = view("{\"columns\":[{\"name\":\"segment\",\"type\":\"VARCHAR\"},"
                + "{\"name\":\"n\",\"type\":\"BIGINT\"}],\"rows\":[[\"news\",2],[null,3]]}");
        JsonNode json = Calls.MAPPER.readTree(print(view, ResultView.Format.JSON));
        assertThat(json.at("/columns/1/name").asText()).isEqualTo("n");
        assertThat(json.at("/columns/1/type").asText()).isEqualTo("BIGINT");
        assertThat(json.get("rows")).hasSize(2);
        assertThat(json.at("/rows/0/1").isIntegralNumber()).isTrue();
        assertThat(json.at("/rows/0/1").asLong()).isEqualTo(2);
        assertThat(json.at("/rows/1/0").isNull()).isTrue();
    }

    @Test
    void formatNamesAreTableCsvOrJsonInAnyCase() {
        assertThat(ResultView.Format.of("CSV")).isEqualTo(ResultView.Format.CSV);
        assertThat(ResultView.Format.of("table")).isEqualTo(ResultView.Format.TABLE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResultView.Format.of("xml"))
                .isInstanceOf(CliException.class).hasMessage("error: --format must be table, csv or json");
    }
}
