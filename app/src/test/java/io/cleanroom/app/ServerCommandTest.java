package io.cleanroom.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The full jar's command line: the client's commands and the server's, with its options. */
class ServerCommandTest {
    @Test
    void theFullJarHasTheClientsCommandsAndTheServers() {
        CommandLine cl = Main.commandLine();
        assertThat(cl.getSubcommands()).containsKeys("server", "demo", "admin", "catalog", "audit",
                "create-collaboration", "start-protected-query");
        for (String[] args : new String[][] {{"server", "-h"}, {"demo", "--help"}, {"admin", "--help"}}) {
            CommandLine each = Main.commandLine();
            StringWriter out = new StringWriter();
            each.setOut(new PrintWriter(out));
            assertThat(each.execute(args)).as(String.join(" ", args)).isZero();
            assertThat(out.toString()).startsWith("Usage: cleanroom " + args[0]);
        }
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
    void theEnginesAndWhereSparkRunsAreServerOptions() {
        io.cleanroom.server.ServerConfig.Backends defaults = serverCommand().backends();
        assertThat(defaults.defaultName()).isEqualTo("duckdb");
        assertThat(defaults.running()).containsExactly("duckdb");

        io.cleanroom.server.ServerConfig.Backends spark = serverCommand("--engine", "Spark", "--spark-master",
                "spark://10.0.0.5:7077", "--spark-executor-memory", "4g", "--spark-executor-cores", "2",
                "--spark-conf", "spark.kubernetes.namespace=cleanroom,spark.locality.wait=1s").backends();
        assertThat(spark.defaultName()).isEqualTo("spark");
        assertThat(spark.running()).containsExactly("spark", "duckdb");
        assertThat(spark.settings().get("spark")).containsEntry("master", "spark://10.0.0.5:7077")
                .containsEntry("executor-memory", "4g").containsEntry("executor-cores", "2")
                .containsEntry("spark.kubernetes.namespace", "cleanroom").containsEntry("spark.locality.wait", "1s")
                .doesNotContainKey("staging-dir");

        assertThat(serverCommand("--engines", "duckdb,spark").backends().running()).containsExactly("duckdb",
                "spark");

        CommandLine bad = Main.commandLine();
        StringWriter err = new StringWriter();
        bad.setErr(new PrintWriter(err));
        assertThat(bad.execute("server", "--spark-conf", "master=local")).isEqualTo(Main.USAGE_ERROR);
        assertThat(err.toString()).contains("--spark-conf must be spark.KEY=VALUE");
    }
}
