package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.server.Operation;
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
                {"admin", "create-account", "--help"}, {"create-collaboration", "--help"}, {"server", "-h"}}) {
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

    private static ServerCommand serverCommand(String... options) {
        String[] args = new String[options.length + 1];
        args[0] = "server";
        System.arraycopy(options, 0, args, 1, options.length);
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
        return parsed.subcommand().commandSpec().commandLine().getCommand();
    }

    @Test
    void everyQuotaIsAServerOptionDefaultingToAwsValue() {
        CommandLine server = Main.commandLine().getSubcommands().get("server");
        for (Quota quota : Quota.values()) {
            assertThat(server.getCommandSpec().findOption(quota.option())).as(quota.option()).isNotNull();
        }
        Quotas quotas = serverCommand("--quota-collaborations-per-account", "20", "--quota-tables-per-query", "0")
                .quotas();
        assertThat(quotas.get(Quota.COLLABORATIONS_CREATED_PER_ACCOUNT)).isEqualTo(20);
        assertThat(quotas.get(Quota.CONFIGURED_TABLES_PER_QUERY)).isZero();
        assertThat(quotas.get(Quota.MEMBERS_INVITED_PER_COLLABORATION)).isEqualTo(5);
        assertThat(quotas.get(Quota.CONCURRENT_QUERIES_PER_ACCOUNT)).isEqualTo(5);

        assertThat(serverCommand("--region", "eu-west-1").quotas().get(Quota.CONCURRENT_QUERIES_PER_ACCOUNT))
                .isEqualTo(2);

        CommandLine negative = Main.commandLine();
        StringWriter err = new StringWriter();
        negative.setErr(new PrintWriter(err));
        assertThat(negative.execute("server", "--quota-collaborations-per-account", "-1")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("--quota-collaborations-per-account must be zero or more");

        StringWriter help = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(help));
        cl.execute("server", "--help");
        assertThat(help.toString()).contains("--quota-members-per-collaboration=N")
                .contains("CLEANROOM_QUOTA_MEMBERS_PER_COLLABORATION").contains("Members invited per collaboration");
    }

    @Test
    void encodesArnsAsOnePathSegment() {
        assertThat(Calls.encodeSegment("arn:aws:cleanrooms:us-east-1:111111111111:configuredtable/abc"))
                .isEqualTo("arn%3Aaws%3Acleanrooms%3Aus-east-1%3A111111111111%3Aconfiguredtable%2Fabc");
    }
}
