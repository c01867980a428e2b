package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import io.cleanroom.server.wire.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Governance: the account's audit trail as LookupEvents answers it (filtered by operation, user
 * and time), a membership's query log where it is enabled, and the collaboration's privacy budget
 * ({@link Budgets}, shown on the collaboration and query pages).
 */
final class GovernancePages {
    static final int EVENTS_PAGE = 50;

    private final Views views;

    GovernancePages(Views views) {
        this.views = requireNonNull(views, "views is null");
    }

    void register(Routes routes) {
        routes.get("/audit", Routes.Access.ACCOUNT, this::audit);
        routes.get("/memberships/{m}/query-logs", Routes.Access.ACCOUNT, this::queryLogs);
        // the privacy budget gauge alone, which the query page reloads when a query ends
        routes.get("/memberships/{m}/budget", Routes.Access.ACCOUNT, x -> views.page("budget",
                Budgets.of(x, x.path("m"))));
    }

    record Event(String time, String name, String source, String user, String accessKeyId, String outcome,
            boolean failed, List<String> resources, boolean readOnly) {
    }

    record AuditView(Chrome chrome, String operation, String user, String from, String to, List<Event> events,
            String nextToken, String error) {
        /**
         * The query of the link to older events: the filters as typed and the token, each encoded as
         * one value (a typed "&" or "+" is that character, not another parameter or a space).
         */
        String older() {
            return "operation=" + Api.encode(operation) + "&user=" + Api.encode(user) + "&from=" + Api.encode(from)
                    + "&to=" + Api.encode(to) + "&nextToken=" + Api.encode(nextToken);
        }
    }

    /**
     * LookupEvents takes one attribute: the operation when one is given (else the user); the other
     * filter is applied to the events it answers, which can only narrow what the API showed.
     */
    private WebReply audit(Exchange x) {
        Form q = x.query();
        String operation = q.get("operation");
        String user = q.get("user");
        String from = q.get("from");
        String to = q.get("to");
        ObjectNode body = Json.object();
        String attribute = null;
        String value = null;
        if (!operation.isEmpty()) {
            attribute = "EventName";
            value = operation;
        } else if (!user.isEmpty()) {
            attribute = user.matches("^\\d{12}$") ? "Username" : "AccessKeyId";
            value = user;
        }
        if (attribute != null) {
            body.putArray("LookupAttributes").addObject().put("AttributeKey", attribute).put("AttributeValue", value);
        }
        String error = null;
        try {
            if (!from.isEmpty()) {
                body.put("StartTime", seconds(from));
            }
            if (!to.isEmpty()) {
                body.put("EndTime", seconds(to));
            }
        } catch (DateTimeParseException e) {
            error = "Times are written 2025-01-31T14:00 (UTC)";
        }
        body.put("MaxResults", EVENTS_PAGE);
        if (!q.get("nextToken").isEmpty()) {
            body.put("NextToken", q.get("nextToken"));
        }
        List<Event> events = new ArrayList<>();
        String next = "";
        if (error == null) {
            try {
                JsonNode answer = x.api().lookupEvents(body);
                next = Format.text(answer, "NextToken");
                for (JsonNode e : answer.path("Events")) {
                    if (!operation.isEmpty() && !user.isEmpty() && !user.equals(Format.text(e, "Username"))
                            && !user.equals(Format.text(e, "AccessKeyId"))) {
                        continue;
                    }
                    events.add(event(e));
                }
            } catch (ApiError e) {
                if (e.status() >= 500) {
                    throw e;
                }
                error = e.getMessage();
            }
        }
        return views.page(error == null ? 200 : 400, "audit", new AuditView(x.chrome("Audit trail", "audit"),
                operation, user, from, to, events, next, error));
    }

    private static long seconds(String local) {
        String text = local.length() == 16 ? local + ":00" : local;
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).getEpochSecond();
    }

    private static Event event(JsonNode e) {
        String outcome = "Success";
        boolean failed = false;
        try {
            JsonNode detail = Json.MAPPER.readTree(Format.text(e, "CloudTrailEvent"));
            if (detail != null && detail.hasNonNull("errorCode")) {
                outcome = detail.get("errorCode").asText();
                failed = true;
            }
        } catch (IOException ex) {
            outcome = "";
        }
        List<String> resources = new ArrayList<>();
        e.path("Resources").forEach(r -> resources.add(Format.text(r, "ResourceName")));
        String time = e.has("EventTime") ? Format.time(Instant.ofEpochMilli(Math.round(
                e.get("EventTime").asDouble() * 1000))) : "";
        return new Event(time, Format.text(e, "EventName"), Format.text(e, "EventSource"),
                Format.text(e, "Username"), Format.text(e, "AccessKeyId"), outcome, failed, resources,
                Format.text(e, "ReadOnly").equals("true"));
    }

    record LogEntry(String queryId, String runner, String sql, String template, List<String> tables, String status,
            String startTime, String endTime) {
    }

    record QueryLogView(Chrome chrome, String membership, String collaborationName, String queryLogStatus,
            List<LogEntry> entries, String nextToken, String error) {
    }

    private WebReply queryLogs(Exchange x) {
        String membership = x.path("m");
        JsonNode m = x.api().call(Operation.GET_MEMBERSHIP, Map.of("membershipIdentifier", membership))
                .path("membership");
        Map<String, String> query = new LinkedHashMap<>();
        if (!x.query().get("nextToken").isEmpty()) {
            query.put("nextToken", x.query().get("nextToken"));
        }
        List<LogEntry> entries = new ArrayList<>();
        String next = "";
        String error = null;
        try {
            JsonNode answer = x.api().call(Operation.LIST_QUERY_LOGS, Map.of("membershipIdentifier", membership),
                    query, null);
            next = Format.text(answer, "nextToken");
            for (JsonNode e : answer.path("queryLogs")) {
                entries.add(new LogEntry(Format.text(e, "protectedQueryId"), Format.text(e, "runnerAccountId"),
                        Format.text(e, "queryString"), Format.text(e, "analysisTemplateArn"),
                        Format.strings(e, "tables"), Format.text(e, "status"), Format.time(e, "startTime"),
                        Format.time(e, "endTime")));
            }
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            error = e.getMessage();
        }
        return views.page("query_logs", new QueryLogView(x.chrome("Query logs", "collaborations"), membership,
                Format.text(m, "collaborationName"), Format.text(m, "queryLogStatus"), entries, next, error));
    }
}
