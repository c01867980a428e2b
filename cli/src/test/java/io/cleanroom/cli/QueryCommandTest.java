package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class QueryCommandTest {
    private static final String TEMPLATE = "arn:aws:cleanrooms:us-east-1:111111111111:membership/"
            + "806c56ca-7120-43a1-8469-6e6a01440139/analysistemplate/6b25e4c6-d962-4531-9630-52fa772d857c";

    @Test
    void sqlIsSentAsTheQueryStringAndTheServerChoosesWhereTheResultGoes() {
        JsonNode body = QueryCommand.body("SELECT 1", null, List.of(), null, null);
        assertThat(body.toString()).isEqualTo("{\"type\":\"SQL\",\"sqlParameters\":{\"queryString\":\"SELECT 1\"}}");
    }

    @Test
    void aTemplateIsSentWithItsParameterValues() {
        JsonNode body = QueryCommand.body(null, TEMPLATE, List.of("min=20", "since=2024-01-01", "expr=a=b", "empty="),
                null, null);
        assertThat(body.at("/sqlParameters/analysisTemplateArn").asText()).isEqualTo(TEMPLATE);
        assertThat(body.at("/sqlParameters/parameters").toString())
                .isEqualTo("{\"min\":\"20\",\"since\":\"2024-01-01\",\"expr\":\"a=b\",\"empty\":\"\"}");
        assertThat(QueryCommand.body(null, TEMPLATE, List.of(), null, null).at("/sqlParameters").has("parameters"))
                .isFalse();
    }

    @Test
    void outputNamesAMemberOrAnS3Location() {
        assertThat(QueryCommand.body("SELECT 1", null, List.of(), "member:111111111111", null)
                .at("/resultConfiguration/outputConfiguration").toString())
                .isEqualTo("{\"member\":{\"accountId\":\"111111111111\"}}");
        assertThat(QueryCommand.output("s3://results/overlap/2024", null).toString())
                .isEqualTo("{\"s3\":{\"resultFormat\":\"CSV\",\"bucket\":\"results\",\"keyPrefix\":\"overlap/2024\"}}");
        assertThat(QueryCommand.output("s3://results", "parquet").toString())
                .isEqualTo("{\"s3\":{\"resultFormat\":\"PARQUET\",\"bucket\":\"results\"}}");
    }

    @Test
    void wrongUsageIsOneClearLine() {
        assertUsage(() -> QueryCommand.body("SELECT 1", TEMPLATE, List.of(), null, null),
                "error: give either --sql or --template, not both");
        assertUsage(() -> QueryCommand.body(null, null, List.of(), null, null),
                "error: give the query with --sql 'SELECT ...' or an analysis template with --template ARN");
        assertUsage(() -> QueryCommand.body(" ", null, List.of(), null, null), "error: --sql is empty");
        assertUsage(() -> QueryCommand.body("SELECT 1", null, List.of("a=1"), null, null),
                "error: --param gives a value to a parameter of an analysis template; use it with --template");
        assertUsage(() -> QueryCommand.parameters(List.of("min")), "error: --param must be NAME=VALUE, got 'min'");
        assertUsage(() -> QueryCommand.parameters(List.of("=3")),
                "error: --param name '' must be 1 to 100 letters, digits or _");
        assertUsage(() -> QueryCommand.parameters(List.of("bad-name=3")),
                "error: --param name 'bad-name' must be 1 to 100 letters, digits or _");
        assertUsage(() -> QueryCommand.parameters(List.of("min=1", "min=2")), "error: --param min is given twice");
        assertUsage(() -> QueryCommand.output("member:12", null),
                "error: --output member: needs a 12-digit account id, e.g. member:111111111111");
        assertUsage(() -> QueryCommand.output("s3://", null),
                "error: --output s3:// needs a bucket, e.g. s3://results/overlap/");
        assertUsage(() -> QueryCommand.output("s3://b", "orc"), "error: --output-format must be CSV or PARQUET");
        assertUsage(() -> QueryCommand.output(null, "CSV"), "error: --output-format is for an s3:// --output");
        assertUsage(() -> QueryCommand.output("member:111111111111", "CSV"),
                "error: --output-format is for an s3:// --output");
        assertUsage(() -> QueryCommand.output("/tmp/out", null),
                "error: --output must be member:ACCOUNT_ID or s3://BUCKET[/PREFIX], got '/tmp/out'");
    }

    private static void assertUsage(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e).hasMessage(message);
            assertThat(e.exitCode()).isEqualTo(Main.USAGE_ERROR);
        });
    }

    @Test
    void wrongUsageFailsBeforeAnyRequest() {
        // nothing listens on port 1: a request would fail with "cannot connect" instead
        for (String[] args : new String[][] {
                {"query", "--membership-identifier", "m", "--sql", "SELECT 1", "--template", TEMPLATE},
                {"query", "--membership-identifier", "m"},
                {"query", "--membership-identifier", "m", "--template", TEMPLATE, "--param", "min"},
                {"query", "--membership-identifier", "m", "--sql", "SELECT 1", "--format", "xml"}}) {
            CommandLine cl = Main.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));
            List<String> all = new java.util.ArrayList<>(List.of(args));
            all.addAll(List.of("--endpoint", "http://127.0.0.1:1"));
            assertThat(cl.execute(all.toArray(String[]::new))).as(String.join(" ", args)).isEqualTo(Main.USAGE_ERROR);
            assertThat(err.toString()).as(String.join(" ", args)).startsWith("error: ").doesNotContain("connect");
        }
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("query", "--sql", "SELECT 1")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("Missing required option: '--membership-identifier=ID'");
    }

    @Test
    void progressFollowsTheTerminalUnlessForcedOnOrOff() {
        for (Object[] given : new Object[][] {{new String[0], null}, {new String[] {"--progress"}, Boolean.TRUE},
                {new String[] {"--no-progress"}, Boolean.FALSE}}) {
            CommandLine cl = Main.commandLine();
            List<String> args = new java.util.ArrayList<>(List.of("query", "--membership-identifier", "m", "--sql",
                    "SELECT 1"));
            args.addAll(List.of((String[]) given[0]));
            CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
            QueryCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
            assertThat(command.progress).as(args.toString()).isEqualTo(given[1]);
        }
    }

    @Test
    void anExplanationListsEachDecisionThenTheRejection() throws IOException {
        JsonNode explanation = Calls.MAPPER.readTree("{\"allowed\":false,\"analysisRuleType\":\"AGGREGATION\","
                + "\"decisions\":[{\"clause\":\"SELECT\",\"part\":\"p.segment\",\"verdict\":\"ALLOWED\","
                + "\"reason\":\"dimension column of publisher_audience\"}],"
                + "\"rejection\":\"Column user_id_hash of publisher_audience cannot be in SELECT\"}");
        assertThat(QueryCommand.explanation(explanation, "Column user_id_hash of publisher_audience cannot be in SELECT"))
                .isEqualTo("How query control decided, part by part (AGGREGATION rules):\n"
                        + "  ALLOWED  SELECT p.segment: dimension column of publisher_audience\n"
                        + "  REFUSED  Column user_id_hash of publisher_audience cannot be in SELECT\n");
        // nothing decided and nothing new to say: the refusal printed already is all
        JsonNode nothing = Calls.MAPPER.readTree("{\"allowed\":false,\"decisions\":[],\"rejection\":\"Only SELECT\"}");
        assertThat(QueryCommand.explanation(nothing, "Only SELECT")).isEmpty();
        // what the query said is shown, not obeyed
        JsonNode hostile = Calls.MAPPER.readTree("{\"allowed\":false,\"decisions\":[],"
                + "\"rejection\":\"Column \\u001b[31mx not found\"}");
        assertThat(QueryCommand.explanation(hostile, "other")).contains("Column \\x1b[31mx not found")
                .doesNotContain("\u001b");
    }
}
