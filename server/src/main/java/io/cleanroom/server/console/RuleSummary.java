package io.cleanroom.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** An analysis rule policy ({"v1": {"aggregation": {...}}}) in plain language, one sentence a line. */
final class RuleSummary {
    private RuleSummary() {
    }

    static List<String> describe(JsonNode policy) {
        JsonNode v1 = policy.path("v1");
        if (v1.has("aggregation")) {
            return aggregation(v1.get("aggregation"));
        }
        if (v1.has("list")) {
            return list(v1.get("list"));
        }
        if (v1.has("custom")) {
            return custom(v1.get("custom"));
        }
        return List.of("No analysis rule: this table cannot be queried.");
    }

    private static String names(List<String> columns) {
        if (columns.isEmpty()) {
            return "none";
        }
        return String.join(", ", columns);
    }

    private static List<String> aggregation(JsonNode a) {
        List<String> out = new ArrayList<>();
        out.add("Aggregation rule: queries may only return aggregates, never rows of this table.");
        List<String> aggregates = new ArrayList<>();
        for (JsonNode c : a.path("aggregateColumns")) {
            aggregates.add(Format.text(c, "function") + " of " + names(Format.strings(c, "columnNames")));
        }
        out.add("Allowed aggregates: " + (aggregates.isEmpty() ? "none" : String.join("; ", aggregates)) + ".");
        List<String> joins = Format.strings(a, "joinColumns");
        if (joins.isEmpty()) {
            out.add("It cannot be joined with other tables.");
        } else {
            String operators = a.has("allowedJoinOperators") ? " (combined with "
                    + String.join(" or ", Format.strings(a, "allowedJoinOperators")) + ")" : "";
            out.add("It may be joined on " + names(joins) + operators + " only"
                    + (Format.text(a, "joinRequired").equals("QUERY_RUNNER")
                            ? ", and a query must join it with a table of the member running the query." : "."));
        }
        out.add("Results may be grouped by: " + names(Format.strings(a, "dimensionColumns")) + ".");
        List<String> functions = Format.strings(a, "scalarFunctions");
        out.add(functions.isEmpty() ? "No scalar functions may be applied to its columns."
                : "Scalar functions allowed: " + names(functions) + ".");
        for (JsonNode c : a.path("outputConstraints")) {
            out.add("Each result row must count at least " + c.path("minimum").asInt() + " distinct "
                    + Format.text(c, "columnName") + "; rows below that are left out.");
        }
        String additional = Format.text(a, "additionalAnalyses");
        if (!additional.isEmpty()) {
            out.add("Additional analyses: " + Format.words(additional) + ".");
        }
        receivers(a, out);
        return out;
    }

    private static List<String> list(JsonNode l) {
        List<String> out = new ArrayList<>();
        out.add("List rule: queries may return rows of the listed columns of records that match across tables.");
        out.add("It must be joined on " + names(Format.strings(l, "joinColumns")) + ".");
        out.add("Columns that may be listed: " + names(Format.strings(l, "listColumns")) + ".");
        receivers(l, out);
        return out;
    }

    private static List<String> custom(JsonNode c) {
        List<String> out = new ArrayList<>();
        out.add("Custom rule: only the approved analyses may run.");
        List<String> analyses = Format.strings(c, "allowedAnalyses");
        out.add(analyses.contains("ANY_QUERY") ? "Any query that passes the other controls may run."
                : "Approved analysis templates: " + names(analyses) + ".");
        List<String> providers = Format.strings(c, "allowedAnalysisProviders");
        if (!providers.isEmpty()) {
            out.add("Queries written by accounts " + names(providers) + " may run.");
        }
        List<String> disallowed = Format.strings(c, "disallowedOutputColumns");
        if (!disallowed.isEmpty()) {
            out.add("Columns that may never be returned: " + names(disallowed) + ".");
        }
        for (JsonNode t : c.path("aggregationThresholds")) {
            out.add("Each result row must count at least " + t.path("minimumIdentityCount").asInt() + " distinct "
                    + names(Format.strings(t, "identityColumns")) + ".");
        }
        if (c.has("differentialPrivacy")) {
            List<String> columns = new ArrayList<>();
            c.path("differentialPrivacy").path("columns").forEach(col -> columns.add(Format.text(col, "name")));
            out.add("Differential privacy protects the individuals identified by " + names(columns) + ".");
        }
        receivers(c, out);
        return out;
    }

    private static void receivers(JsonNode rule, List<String> out) {
        if (rule.has("allowedResultReceivers")) {
            List<String> receivers = Format.strings(rule, "allowedResultReceivers");
            out.add("Results may be received by: " + (receivers.isEmpty() ? "any member who can receive results"
                    : names(receivers)) + ".");
        }
    }
}
