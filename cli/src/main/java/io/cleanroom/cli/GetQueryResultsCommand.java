package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Reads a protected query's result, every page of it, as a table, CSV or JSON. */
@Command(name = "get-query-results", description = "Print the result of a protected query you receive, "
        + "as a table (default), CSV or JSON. Pages through the whole result.")
public final class GetQueryResultsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Option(names = "--membership-identifier", required = true, description = "Your membership in the collaboration")
    String membership;

    @Option(names = "--protected-query-identifier", required = true)
    String query;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--page-size", defaultValue = "1000", description = "Rows per request (1-10000)")
    int pageSize;

    @Override
    public Integer call() {
        ResultView.Format chosen = ResultView.Format.of(format);
        ResultView.fetch(client.client(), membership, query, pageSize).print(spec.commandLine().getOut(), chosen);
        return 0;
    }

    /** Prints rows as an aligned text table (also used by the demo). */
    public static void table(PrintWriter out, List<String> names, List<JsonNode> rows) {
        ResultView.table(out, names, rows);
    }
}
