package io.cleanroom.cli;

import io.cleanroom.client.Operation;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Lists the Clean Rooms operation commands with their path and query options. */
@Command(name = "operations", description = "List the Clean Rooms operation commands and their parameters.")
final class OperationsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Operation op : Operation.values()) {
            StringBuilder line = new StringBuilder(Main.kebab(op.operationName()));
            op.pathParameters().forEach(p -> line.append(" --").append(Main.kebab(p)).append(" V"));
            op.queryParameters().forEach(p -> line.append(" [--").append(Main.kebab(p)).append(" V]"));
            line.append("   (").append(op.method()).append(' ').append(op.template()).append(')');
            out.println(line);
        }
        out.println();
        out.println("Body fields are options too: --name lab --query-log-status DISABLED --members '[{...}]'.");
        out.flush();
        return 0;
    }
}
