package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        if (!List.of("table", "csv", "json").contains(format)) {
            throw new CliException("error: --format must be table, csv or json", Main.USAGE_ERROR);
        }
        JsonNode columns = null;
        List<JsonNode> rows = new ArrayList<>();
        String token = null;
        do {
            Map<String, List<String>> params = new LinkedHashMap<>();
            params.put("maxResults", List.of(String.valueOf(pageSize)));
            if (token != null) {
                params.put("nextToken", List.of(token));
            }
            JsonNode page = Calls.call(client.client(), "GetProtectedQueryResult", "GET",
                    "/memberships/" + Calls.encodeSegment(membership) + "/protectedQueries/"
                            + Calls.encodeSegment(query) + "/result", params, Map.of(), null, "cleanrooms");
            columns = page.get("columns");
            page.get("rows").forEach(rows::add);
            token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        PrintWriter out = spec.commandLine().getOut();
        List<String> names = new ArrayList<>();
        columns.forEach(c -> names.add(c.get("name").asText()));
        switch (format) {
            case "json" -> {
                com.fasterxml.jackson.databind.node.ObjectNode json = Calls.MAPPER.createObjectNode();
                json.set("columns", columns);
                json.putArray("rows").addAll(rows);
                Calls.print(out, json);
            }
            case "csv" -> {
                out.println(String.join(",", names.stream().map(GetQueryResultsCommand::csv).toList()));
                for (JsonNode row : rows) {
                    List<String> cells = new ArrayList<>();
                    row.forEach(v -> cells.add(v.isNull() ? "" : csv(v.asText())));
                    out.println(String.join(",", cells));
                }
            }
            default -> table(out, names, rows);
        }
        out.flush();
        return 0;
    }

    static String csv(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
            return "\"" + value.replace("\"", "\"\"") + "\"";
        }
        return value;
    }

    /** Prints rows as an aligned text table (also used by the demo). */
    public static void table(PrintWriter out, List<String> names, List<JsonNode> rows) {
        int[] widths = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            widths[i] = names.get(i).length();
        }
        List<List<String>> cells = new ArrayList<>();
        for (JsonNode row : rows) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String text = row.get(i).isNull() ? "NULL" : row.get(i).asText();
                widths[i] = Math.max(widths[i], text.length());
                line.add(text);
            }
            cells.add(line);
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : widths) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        out.println(rule);
        out.println(line(names, widths));
        out.println(rule);
        cells.forEach(c -> out.println(line(c, widths)));
        out.println(rule);
        out.println(rows.size() + (rows.size() == 1 ? " row" : " rows"));
    }

    private static String line(List<String> values, int[] widths) {
        StringBuilder out = new StringBuilder("|");
        for (int i = 0; i < values.size(); i++) {
            out.append(' ').append(String.format("%-" + widths[i] + "s", values.get(i))).append(" |");
        }
        return out.toString();
    }
}
