package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.client.Operation;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    @Test
    void operationNamesBecomeKebabCaseCommands() {
        assertThat(Main.kebab("CreateCollaboration")).isEqualTo("create-collaboration");
        assertThat(Main.kebab("BatchGetSchemaAnalysisRule")).isEqualTo("batch-get-schema-analysis-rule");
        assertThat(Main.kebab("collaborationIdentifier")).isEqualTo("collaboration-identifier");
        assertThat(Main.camel("configured-table-association-identifier"))
                .isEqualTo("configuredTableAssociationIdentifier");
        CommandLine cl = Main.commandLine();
        for (Operation op : Operation.values()) {
            assertThat(cl.getSubcommands()).containsKey(Main.kebab(op.operationName()));
            for (String p : op.pathParameters()) {
                assertThat(Main.camel(Main.kebab(p))).isEqualTo(p);
            }
        }
    }

    @Test
    void missingPathParameterIsAUsageError() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("get-collaboration", "--endpoint", "http://127.0.0.1:1");
        assertThat(code).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("--collaboration-identifier");
    }

    @Test
    void unknownCommandSuggestsAndFails() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("create-colaboration")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("create-collaboration");
    }

    @Test
    void everyCommandAnswersHelpAndAWrongOptionPointsToIt() {
        for (String[] args : new String[][] {{"audit", "--help"}, {"audit", "prune", "--help"},
                {"admin", "create-account", "--help"}, {"create-collaboration", "--help"}}) {
            CommandLine cl = Main.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            assertThat(cl.execute(args)).as(String.join(" ", args)).isZero();
            assertThat(out.toString()).startsWith("Usage: cleanroom " + args[0]);
        }
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("audit", "prune", "--older-than-dayz", "3")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("See 'cleanroom audit prune --help'.");
    }

    @Test
    void theServersCommandsAreNotInTheClientJarAndSaySo() {
        for (String command : new String[] {"server", "demo"}) {
            CommandLine cl = Main.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));
            assertThat(cl.execute(command, "--port", "0")).isEqualTo(Main.USAGE_ERROR);
            assertThat(err.toString()).contains("'" + command + "' is a command of the full jar (cleanroom.jar");
        }
    }

    @Test
    void encodesArnsAsOnePathSegment() {
        assertThat(Calls.encodeSegment("arn:aws:cleanrooms:us-east-1:111111111111:configuredtable/abc"))
                .isEqualTo("arn%3Aaws%3Acleanrooms%3Aus-east-1%3A111111111111%3Aconfiguredtable%2Fabc");
    }
}
