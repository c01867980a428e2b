package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Queries, the heart of the console: the SQL editor beside the schema browser (each table's
 * allowed columns and its rule in plain language), analysis templates with a form for their
 * parameters, Explain (ExplainProtectedQuery) pointing at the part at fault, Run with the status
 * and elapsed time advancing live and a Cancel button, the results as a paged table, a chart and a
 * CSV download, and the membership's query history.
 */
final class QueryPages {
    static final int RESULT_PAGE = 50;
    static final int HISTORY_PAGE = 20;
    private static final Set<String> TERMINAL = Set.of("SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT");

    private final Views views;
    private final java.time.Clock clock;

    QueryPages(Views views, java.time.Clock clock) {
        this.views = requireNonNull(views, "views is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void register(Routes routes) {
        routes.get("/memberships/{m}/query", Routes.Access.ACCOUNT, x -> editor(x, ""));
        routes.post("/memberships/{m}/explain", Routes.Access.ACCOUNT, this::explain);
        routes.post("/memberships/{m}/queries", Routes.Access.ACCOUNT, this::start);
        routes.get("/memberships/{m}/queries", Routes.Access.ACCOUNT, this::history);
        routes.get("/memberships/{m}/queries/{q}", Routes.Access.ACCOUNT, this::query);
        routes.get("/memberships/{m}/queries/{q}/status", Routes.Access.ACCOUNT, this::status);
        routes.post("/memberships/{m}/queries/{q}/cancel", Routes.Access.ACCOUNT, this::cancel);
        routes.get("/memberships/{m}/queries/{q}/results", Routes.Access.ACCOUNT, this::results);
        routes.get("/memberships/{m}/queries/{q}/results.csv", Routes.Access.ACCOUNT, this::csv);
    }

    // ---------------------------------------------------------------- editor

    record Column(String name, String type) {
    }

    record Table(String name, String owner, boolean yours, List<Column> columns, String ruleType,
            List<String> rule, boolean ready, List<String> notReady) {
    }

    record Parameter(String name, String type, String defaultValue) {
    }

    record Template(String arn, String name, String description, String owner, String sql,
            List<Parameter> parameters) {
    }

    record Receiver(String accountId, String displayName) {
    }

    record EditorView(Chrome chrome, String membership, String collaborationId, String collaborationName,
            boolean canQuery, List<Table> tables, List<Template> templates, List<Receiver> receivers,
            String receiver, String sql, Budgets.Budget budget) {
    }

    private WebReply editor(Exchange x, String sql) {
        String membership = x.path("m");
        JsonNode m = x.api().call(Operation.GET_MEMBERSHIP, Map.of("membershipIdentifier", membership))
                .path("membership");
        String collaboration = Format.text(m, "collaborationId");
        List<Receiver> receivers = new ArrayList<>();
        for (JsonNode member : x.api().call(Operation.LIST_MEMBERS, Map.of("collaborationIdentifier", collaboration))
                .path("memberSummaries")) {
            if (Format.strings(member, "abilities").contains("CAN_RECEIVE_RESULTS")) {
                receivers.add(new Receiver(Format.text(member, "accountId"), Format.text(member, "displayName")));
            }
        }
        String receiver = receivers.stream().anyMatch(r -> r.accountId().equals(x.account())) ? x.account()
                : receivers.isEmpty() ? "" : receivers.get(0).accountId();
        return views.page("query", new EditorView(x.chrome("Query " + Format.text(m, "collaborationName"),
                "collaborations"), membership, collaboration, Format.text(m, "collaborationName"),
                Format.strings(m, "memberAbilities").contains("CAN_QUERY"), tables(x, collaboration),
                templates(x, collaboration), receivers, receiver, sql, Budgets.of(x, membership)));
    }

    /** The collaboration's tables: columns, readiness and rule, in three calls. */
    private static List<Table> tables(Exchange x, String collaboration) {
        List<String> names = new ArrayList<>();
        Map<String, JsonNode> summaries = new LinkedHashMap<>();
        String token = null;
        do {
            Map<String, String> query = token == null ? Map.of() : Map.of("nextToken", token);
            JsonNode page = x.api().call(Operation.LIST_SCHEMAS, Map.of("collaborationIdentifier", collaboration),
                    query, null);
            for (JsonNode s : page.path("schemaSummaries")) {
                names.add(Format.text(s, "name"));
                summaries.put(Format.text(s, "name"), s);
            }
            token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        for (int from = 0; from < names.size(); from += 25) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + 25));
            ObjectNode body = Api.object();
            ArrayNode n = body.putArray("names");
            batch.forEach(n::add);
            ObjectNode ruleBody = Api.object();
            ArrayNode requests = ruleBody.putArray("schemaAnalysisRuleRequests");
            for (String name : batch) {
                for (String type : Format.strings(summaries.get(name), "analysisRuleTypes")) {
                    requests.addObject().put("name", name).put("type", type);
                }
            }
            List<java.util.concurrent.Callable<JsonNode>> reads = new ArrayList<>();
            reads.add(() -> x.api().call(Operation.BATCH_GET_SCHEMA, Map.of("collaborationIdentifier", collaboration),
                    body));
            if (requests.size() > 0) {
                reads.add(() -> x.api().call(Operation.BATCH_GET_SCHEMA_ANALYSIS_RULE,
                        Map.of("collaborationIdentifier", collaboration), ruleBody));
            }
            List<JsonNode> answers = x.api().all(reads);
            for (JsonNode s : answers.get(0).path("schemas")) {
                schemas.put(Format.text(s, "name"), s);
            }
            if (answers.size() > 1) {
                for (JsonNode r : answers.get(1).path("analysisRules")) {
                    rules.put(Format.text(r, "name"), r);
                }
            }
        }
        List<Table> out = new ArrayList<>();
        for (String name : names) {
            JsonNode summary = summaries.get(name);
            JsonNode schema = schemas.getOrDefault(name, Api.object());
            List<Column> columns = new ArrayList<>();
            for (JsonNode c : schema.path("columns")) {
                columns.add(new Column(Format.text(c, "name"), Format.text(c, "type")));
            }
            boolean ready = true;
            List<String> notReady = new ArrayList<>();
            for (JsonNode d : schema.path("schemaStatusDetails")) {
                if (!Format.text(d, "status").equals("READY")) {
                    ready = false;
                    d.path("reasons").forEach(r -> notReady.add(Format.text(r, "message")));
                }
            }
            JsonNode rule = rules.get(name);
            List<String> types = Format.strings(summary, "analysisRuleTypes");
            String owner = Format.text(summary, "creatorAccountId");
            out.add(new Table(name, owner, owner.equals(x.account()), columns, types.isEmpty() ? "" : types.get(0),
                    rule == null ? RuleSummary.describe(Api.object())
                            : RuleSummary.describe(rule.path("consolidatedPolicy").isMissingNode()
                                    ? rule.path("policy") : rule.path("consolidatedPolicy")),
                    ready, notReady));
        }
        return out;
    }

    private static List<Template> templates(Exchange x, String collaboration) {
        List<String> arns = new ArrayList<>();
        for (JsonNode t : x.api().call(Operation.LIST_COLLABORATION_ANALYSIS_TEMPLATES,
                Map.of("collaborationIdentifier", collaboration)).path("collaborationAnalysisTemplateSummaries")) {
            arns.add(Format.text(t, "arn"));
        }
        List<Template> out = new ArrayList<>();
        for (int from = 0; from < arns.size(); from += 10) {
            ObjectNode body = Api.object();
            ArrayNode list = body.putArray("analysisTemplateArns");
            arns.subList(from, Math.min(arns.size(), from + 10)).forEach(list::add);
            for (JsonNode t : x.api().call(Operation.BATCH_GET_COLLABORATION_ANALYSIS_TEMPLATE,
                    Map.of("collaborationIdentifier", collaboration), body)
                    .path("collaborationAnalysisTemplates")) {
                List<Parameter> parameters = new ArrayList<>();
                for (JsonNode p : t.path("analysisParameters")) {
                    parameters.add(new Parameter(Format.text(p, "name"), Format.text(p, "type"),
                            Format.text(p, "defaultValue")));
                }
                out.add(new Template(Format.text(t, "arn"), Format.text(t, "name"), Format.text(t, "description"),
                        Format.text(t, "creatorAccountId"), t.path("source").path("text").asText(""), parameters));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- explain

    record Decision(String clause, String part, String verdict, String reason) {
    }

    /** The SQL cut around the part at fault, so that the page can mark it. */
    record Marked(String before, String fault, String after) {
        boolean found() {
            return !fault.isEmpty();
        }
    }

    record ExplainView(boolean allowed, String ruleType, List<String> tables, List<Decision> decisions,
            String rejection, List<String> addedConstraints, String rewritten, Marked marked, String error) {
    }

    private WebReply explain(Exchange x) {
        String sql = x.form().raw("sql");
        return views.page("explain", explanation(x, sql));
    }

    private static ExplainView explanation(Exchange x, String sql) {
        ObjectNode body = Api.object();
        body.put("type", "SQL");
        body.putObject("sqlParameters").put("queryString", sql);
        JsonNode e;
        try {
            e = x.api().call(Operation.EXPLAIN_PROTECTED_QUERY, Map.of("membershipIdentifier", x.path("m")), body)
                    .path("explanation");
        } catch (ApiError error) {
            if (error.status() >= 500) {
                throw error;
            }
            return new ExplainView(false, "", List.of(), List.of(), "", List.of(), "", Fault.none(sql),
                    error.getMessage());
        }
        List<Decision> decisions = new ArrayList<>();
        for (JsonNode d : e.path("decisions")) {
            decisions.add(new Decision(Format.text(d, "clause"), Format.text(d, "part"), Format.text(d, "verdict"),
                    Format.text(d, "reason")));
        }
        String rejection = Format.text(e, "rejection");
        return new ExplainView(e.path("allowed").asBoolean(), Format.text(e, "analysisRuleType"),
                Format.strings(e, "tables"), decisions, rejection, Format.strings(e, "addedConstraints"),
                Format.text(e, "rewrittenQuery"), rejection.isEmpty() ? Fault.none(sql) : Fault.locate(sql, rejection),
                null);
    }

    // ---------------------------------------------------------------- run

    private WebReply start(Exchange x) {
        String membership = x.path("m");
        Form f = x.form();
        ObjectNode body = Api.object();
        body.put("type", "SQL");
        ObjectNode parameters = body.putObject("sqlParameters");
        String template = f.get("analysisTemplateArn");
        String sql = f.raw("sql");
        if (template.isEmpty()) {
            parameters.put("queryString", sql);
        } else {
            parameters.put("analysisTemplateArn", template);
            ObjectNode values = Api.object();
            for (String name : f.names()) {
                if (name.startsWith("param.") && !f.raw(name).isEmpty()) {
                    values.put(name.substring("param.".length()), f.raw(name));
                }
            }
            if (values.size() > 0) {
                parameters.set("parameters", values);
            }
        }
        String receiver = f.get("receiver").isEmpty() ? x.account() : f.get("receiver");
        body.putObject("resultConfiguration").putObject("outputConfiguration").putObject("member")
                .put("accountId", receiver);
        JsonNode started;
        try {
            started = x.api().call(Operation.START_PROTECTED_QUERY, Map.of("membershipIdentifier", membership), body);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            ExplainView why = template.isEmpty() && e.status() == 400 ? explanation(x, sql) : null;
            return views.page(400, "refused", new Refused(e.getMessage(), why));
        }
        String id = started.path("protectedQuery").path("id").asText();
        if (!x.htmx()) {
            return WebReply.seeOther(Console.PREFIX + "/memberships/" + Api.encode(membership) + "/queries/"
                    + Api.encode(id));
        }
        return fragment("started", statusView(x, membership, id));
    }

    record Refused(String message, ExplainView explanation) {
    }

    record Status(String membership, String id, String status, String elapsed, boolean running, String error,
            String errorCode, boolean receiver) {
    }

    record QueryView(Chrome chrome, String membership, String collaborationName, String id, String sql,
            String template, Map<String, String> parameters, String createTime, String receiverAccountId,
            Status status, Results results) {
    }

    private WebReply query(Exchange x) {
        String membership = x.path("m");
        String id = x.path("q");
        JsonNode q = get(x, membership, id);
        JsonNode m = x.api().call(Operation.GET_MEMBERSHIP, Map.of("membershipIdentifier", membership))
                .path("membership");
        Status status = status(x, membership, q);
        Results results = status.status().equals("SUCCESS") && status.receiver() ? results(x, membership, id, null)
                : null;
        Map<String, String> parameters = new LinkedHashMap<>();
        q.path("sqlParameters").path("parameters").fields().forEachRemaining(e -> parameters.put(e.getKey(),
                e.getValue().asText()));
        return views.page("query_result", new QueryView(x.chrome("Query " + id, "collaborations"), membership,
                Format.text(m, "collaborationName"), id, q.path("sqlParameters").path("queryString").asText(""),
                q.path("sqlParameters").path("analysisTemplateArn").asText(""), parameters, Format.time(q, "createTime"),
                receiver(q), status, results));
    }

    private static String receiver(JsonNode q) {
        return q.path("resultConfiguration").path("outputConfiguration").path("member").path("accountId").asText("");
    }

    private static JsonNode get(Exchange x, String membership, String id) {
        return x.api().call(Operation.GET_PROTECTED_QUERY, Map.of("membershipIdentifier", membership,
                "protectedQueryIdentifier", id)).path("protectedQuery");
    }

    private Status status(Exchange x, String membership, JsonNode q) {
        String state = Format.text(q, "status");
        Instant created = Format.instant(q.path("createTime"));
        long millis = q.path("statistics").has("totalDurationInMillis")
                ? q.path("statistics").path("totalDurationInMillis").asLong()
                : Math.max(0, Duration.between(created, clock.instant()).toMillis());
        return new Status(membership, Format.text(q, "id"), state, Format.duration(millis), !TERMINAL.contains(state),
                q.path("error").path("message").asText(""), q.path("error").path("code").asText(""),
                receiver(q).equals(x.account()));
    }

    private StatusView statusView(Exchange x, String membership, String id) {
        JsonNode q = get(x, membership, id);
        Status status = status(x, membership, q);
        Results results = status.status().equals("SUCCESS") && status.receiver() ? results(x, membership, id, null)
                : null;
        return new StatusView(status, results);
    }

    private WebReply statusFragment(Exchange x, String membership, String id) {
        return fragment("status", statusView(x, membership, id));
    }

    /** The event a query's status raises in the page once it shows the query ended: the budget gauge reloads on it. */
    static final String QUERY_ENDED = "cleanroom-query-ended";

    /** A status fragment; once the query ended, with the event (htmx's HX-Trigger) that says so to the page. */
    private WebReply fragment(String template, StatusView view) {
        WebReply reply = views.page(template, view);
        return view.status().running() ? reply : reply.with("HX-Trigger", QUERY_ENDED);
    }

    record StatusView(Status status, Results results) {
    }

    private WebReply status(Exchange x) {
        return statusFragment(x, x.path("m"), x.path("q"));
    }

    private WebReply cancel(Exchange x) {
        String membership = x.path("m");
        String id = x.path("q");
        try {
            x.api().call(Operation.UPDATE_PROTECTED_QUERY, Map.of("membershipIdentifier", membership,
                    "protectedQueryIdentifier", id), Api.object().put("targetStatus", "CANCELLED"));
        } catch (ApiError e) {
            if (e.status() != 409 && e.status() != 400) {
                throw e;
            }
            // it ended meanwhile: its status says how
        }
        if (!x.htmx()) {
            return WebReply.seeOther(Console.PREFIX + "/memberships/" + Api.encode(membership) + "/queries/"
                    + Api.encode(id));
        }
        return statusFragment(x, membership, id);
    }

    // ---------------------------------------------------------------- results

    record Results(String membership, String id, List<String> columns, List<List<String>> rows, int totalRows,
            int first, String nextToken, String chart, String chartLabel) {
    }

    private static Results results(Exchange x, String membership, String id, String token) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("maxResults", String.valueOf(RESULT_PAGE));
        if (token != null && !token.isEmpty()) {
            query.put("nextToken", token);
        }
        JsonNode page = x.api().call(Operation.GET_PROTECTED_QUERY_RESULT, Map.of("membershipIdentifier", membership,
                "protectedQueryIdentifier", id), query, null);
        List<String> columns = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (JsonNode c : page.path("columns")) {
            columns.add(Format.text(c, "name"));
            types.add(Format.text(c, "type"));
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : page.path("rows")) {
            List<String> row = new ArrayList<>();
            r.forEach(v -> row.add(v.isNull() ? "" : v.asText()));
            rows.add(row);
        }
        // the number of the page's first row, for the table's row numbers (carried by the "next" link)
        int first = 1;
        String firstRow = x.query().get("first");
        if (!firstRow.isEmpty() && token != null && !token.isEmpty()) {
            try {
                first = Math.max(1, Integer.parseInt(firstRow));
            } catch (NumberFormatException e) {
                first = 1;
            }
        }
        Charts.Chart chart = token == null || token.isEmpty() ? Charts.of(columns, types, page.path("rows")) : null;
        return new Results(membership, id, columns, rows, page.path("totalRows").asInt(rows.size()), first,
                Format.text(page, "nextToken"), chart == null ? null : chart.json(),
                chart == null ? null : chart.label());
    }

    private WebReply results(Exchange x) {
        Results results = results(x, x.path("m"), x.path("q"), x.query().get("nextToken"));
        return views.page("results", results);
    }

    /** Every row of the result as CSV (RFC 4180), read page by page through the API. */
    private WebReply csv(Exchange x) {
        String membership = x.path("m");
        String id = x.path("q");
        StringBuilder out = new StringBuilder();
        String token = null;
        boolean header = false;
        do {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("maxResults", "10000");
            if (token != null) {
                query.put("nextToken", token);
            }
            JsonNode page = x.api().call(Operation.GET_PROTECTED_QUERY_RESULT, Map.of("membershipIdentifier",
                    membership, "protectedQueryIdentifier", id), query, null);
            if (!header) {
                List<String> names = new ArrayList<>();
                page.path("columns").forEach(c -> names.add(Format.text(c, "name")));
                line(out, names);
                header = true;
            }
            for (JsonNode r : page.path("rows")) {
                List<String> row = new ArrayList<>();
                r.forEach(v -> row.add(v.isNull() ? "" : v.asText()));
                line(out, row);
            }
            token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        return new WebReply(200, List.of(new WebReply.Header("Content-Disposition",
                "attachment; filename=\"query-" + id.replaceAll("[^A-Za-z0-9-]", "") + ".csv\"")),
                "text/csv; charset=utf-8", out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void line(StringBuilder out, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(cell(values.get(i)));
        }
        out.append("\r\n");
    }

    /** One number as the API writes it: a sign, digits with one optional point, an optional exponent. */
    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile(
            "^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?$");

    /**
     * One CSV cell, quoted when it must be; text a spreadsheet would run as a formula (=, +, -, @, tab
     * or carriage return first, and not one number: "-1+2" is a formula a spreadsheet computes) is
     * prefixed with an apostrophe.
     */
    static String cell(String value) {
        String v = value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0 && !NUMBER.matcher(v).matches()) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    // ---------------------------------------------------------------- history

    record HistoryRow(String id, String status, String createTime, String duration, String sql) {
    }

    record HistoryView(Chrome chrome, String membership, String collaborationName, List<HistoryRow> rows,
            String nextToken) {
    }

    private WebReply history(Exchange x) {
        String membership = x.path("m");
        JsonNode m = x.api().call(Operation.GET_MEMBERSHIP, Map.of("membershipIdentifier", membership))
                .path("membership");
        Map<String, String> query = new LinkedHashMap<>();
        query.put("maxResults", String.valueOf(HISTORY_PAGE));
        if (!x.query().get("nextToken").isEmpty()) {
            query.put("nextToken", x.query().get("nextToken"));
        }
        JsonNode listed = x.api().call(Operation.LIST_PROTECTED_QUERIES, Map.of("membershipIdentifier", membership),
                query, null);
        List<java.util.concurrent.Callable<JsonNode>> reads = new ArrayList<>();
        for (JsonNode s : listed.path("protectedQueries")) {
            reads.add(() -> get(x, membership, Format.text(s, "id")));
        }
        List<HistoryRow> rows = new ArrayList<>();
        for (JsonNode q : x.api().all(reads)) {
            String sql = q.path("sqlParameters").path("queryString").asText("");
            if (sql.isEmpty()) {
                sql = "template " + q.path("sqlParameters").path("analysisTemplateArn").asText("");
            }
            Status status = status(x, membership, q);
            rows.add(new HistoryRow(Format.text(q, "id"), Format.text(q, "status"), Format.time(q, "createTime"),
                    status.elapsed(), sql));
        }
        return views.page("history", new HistoryView(x.chrome("Query history", "collaborations"), membership,
                Format.text(m, "collaborationName"), rows, Format.text(listed, "nextToken")));
    }
}
