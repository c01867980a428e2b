package io.cleanroom.server.cleanrooms;

import static io.cleanroom.server.cleanrooms.Handlers.membership;
import static io.cleanroom.server.cleanrooms.Handlers.protectedQuery;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.ProtectedQuery;
import io.cleanroom.core.model.ProtectedQueryId;
import io.cleanroom.core.model.ProtectedQueryStatus;
import io.cleanroom.query.ProtectedQueries;
import io.cleanroom.query.QueryControl;
import io.cleanroom.query.S3Outputs;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;
import io.cleanroom.sql.Explanation;
import java.util.regex.Pattern;

/**
 * Protected queries on the wire: StartProtectedQuery, GetProtectedQuery, ListProtectedQueries,
 * UpdateProtectedQuery, and Cleanroom's own GetProtectedQueryResult and ExplainProtectedQuery.
 */
public final class ProtectedQueriesApi {
    private static final Pattern ROW_INDEX = Pattern.compile("^[0-9]{10}$");

    private final QueryControl control;
    private final ProtectedQueries queries;
    private final io.cleanroom.core.model.Arns arns;
    private final io.cleanroom.core.service.PageTokens pages;

    public ProtectedQueriesApi(QueryControl control, ProtectedQueries queries, io.cleanroom.core.model.Arns arns,
            io.cleanroom.core.service.PageTokens pages) {
        this.control = requireNonNull(control, "control is null");
        this.queries = requireNonNull(queries, "queries is null");
        this.arns = requireNonNull(arns, "arns is null");
        this.pages = requireNonNull(pages, "pages is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.EXPLAIN_PROTECTED_QUERY, this::explain));
        router.add(new Route(Operation.START_PROTECTED_QUERY, this::start));
        router.add(new Route(Operation.LIST_PROTECTED_QUERIES, c -> {
            ProtectedQueryStatus status = c.queryEnum("status", ProtectedQueryStatus.class);
            io.cleanroom.core.service.Page<ProtectedQuery> page = queries.list(c.caller(), membership(c), status, c.page());
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("protectedQueries");
            page.items().forEach(q -> list.add(summary(q)));
            Json.putIfNotNull(out, "nextToken", page.nextToken());
            return HttpResponse.ok(out);
        }));
        // waits briefly for a running query to end, so a poll tends to find it ended (ProtectedQueries.poll)
        router.add(new Route(Operation.GET_PROTECTED_QUERY,
                c -> one(queries.poll(c.caller(), membership(c), protectedQuery(c)))));
        router.add(new Route(Operation.UPDATE_PROTECTED_QUERY, c -> {
            MembershipId membership = membership(c);
            ProtectedQueryId id = protectedQuery(c);
            In body = c.body();
            body.string("targetStatus", true, 1, 32, Pattern.compile("^CANCELLED$"));
            body.done();
            return one(queries.cancel(c.caller(), membership, id));
        }));
        router.add(new Route(Operation.GET_PROTECTED_QUERY_RESULT, this::result));
        router.add(new Route(Operation.LIST_QUERY_LOGS, c -> {
            io.cleanroom.core.service.Page<io.cleanroom.core.model.QueryLogEntry> page =
                    queries.queryLog(c.caller(), membership(c), c.page());
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("queryLogs");
            for (io.cleanroom.core.model.QueryLogEntry e : page.items()) {
                ObjectNode node = list.addObject();
                node.put("protectedQueryId", e.queryId().value());
                node.put("collaborationId", e.collaborationId().value());
                node.put("runnerAccountId", e.runner().value());
                Json.putIfNotNull(node, "queryString", e.queryString());
                Json.putIfNotNull(node, "analysisTemplateArn", e.analysisTemplateArn());
                node.set("tables", Json.strings(e.tables()));
                node.put("status", e.status().name());
                node.put("startTime", Json.time(e.startTime()));
                if (e.endTime() != null) {
                    node.put("endTime", Json.time(e.endTime()));
                }
            }
            Json.putIfNotNull(out, "nextToken", page.nextToken());
            return HttpResponse.ok(out);
        }));
    }

    private HttpResponse one(ProtectedQuery q) {
        ObjectNode out = Json.object();
        out.set("protectedQuery", render(q));
        return HttpResponse.ok(out);
    }

    private ObjectNode summary(ProtectedQuery q) {
        ObjectNode node = Json.object();
        node.put("id", q.id().value());
        node.put("membershipId", q.membershipId().value());
        node.put("membershipArn", arns.membership(q.runner(), q.membershipId()));
        node.put("createTime", Json.time(q.createTime()));
        node.put("status", q.status().name());
        ObjectNode receiver = node.putArray("receiverConfigurations").addObject();
        receiver.put("analysisType", "DIRECT_ANALYSIS");
        receiver.putObject("configurationDetails").putObject("directAnalysisConfigurationDetails")
                .set("receiverAccountIds", Json.strings(q.receivers()));
        return node;
    }

    private ObjectNode render(ProtectedQuery q) {
        ObjectNode node = Json.object();
        node.put("id", q.id().value());
        node.put("membershipId", q.membershipId().value());
        node.put("membershipArn", arns.membership(q.runner(), q.membershipId()));
        node.put("createTime", Json.time(q.createTime()));
        ObjectNode sql = node.putObject("sqlParameters");
        Json.putIfNotNull(sql, "queryString", q.queryString());
        Json.putIfNotNull(sql, "analysisTemplateArn", q.analysisTemplateArn());
        if (!q.parameters().isEmpty()) {
            ObjectNode parameters = sql.putObject("parameters");
            q.parameters().forEach(parameters::put);
        }
        node.put("status", q.status().name());
        ObjectNode output = node.putObject("resultConfiguration").putObject("outputConfiguration");
        if (q.s3Output() != null) {
            ObjectNode s3 = output.putObject("s3");
            s3.put("resultFormat", q.s3Output().resultFormat().name());
            s3.put("bucket", q.s3Output().bucket());
            Json.putIfNotNull(s3, "keyPrefix", q.s3Output().keyPrefix());
        } else {
            output.putObject("member").put("accountId", q.receivers().get(0).value());
        }
        if (q.endTime() != null) {
            node.putObject("statistics").put("totalDurationInMillis",
                    java.time.Duration.between(q.createTime(), q.endTime()).toMillis());
        }
        if (q.status() == ProtectedQueryStatus.SUCCESS) {
            ObjectNode resultOutput = node.putObject("result").putObject("output");
            if (q.s3Output() != null) {
                resultOutput.putObject("s3").put("location", S3Outputs.location(q.s3Output(), q.id()));
            } else {
                ArrayNode members = resultOutput.putArray("memberList");
                q.receivers().forEach(r -> members.addObject().put("accountId", r.value()));
            }
        }
        if (q.errorMessage() != null) {
            node.putObject("error").put("message", q.errorMessage()).put("code", q.errorCode());
        }
        queries.differentialPrivacy(q.id()).ifPresent(dp -> {
            ArrayNode parameters = node.putObject("differentialPrivacy").putArray("sensitivityParameters");
            for (io.cleanroom.core.model.DifferentialPrivacyQuery.SensitivityParameter p : dp.sensitivityParameters()) {
                ObjectNode entry = parameters.addObject();
                entry.put("aggregationType", p.aggregationType());
                entry.put("aggregationExpression", p.aggregationExpression());
                entry.put("userContributionLimit", p.userContributionLimit());
                if (p.minColumnValue() != null) {
                    entry.put("minColumnValue", p.minColumnValue());
                }
                if (p.maxColumnValue() != null) {
                    entry.put("maxColumnValue", p.maxColumnValue());
                }
            }
        });
        return node;
    }

    private HttpResponse start(Call c) {
        MembershipId membership = membership(c);
        StartProtectedQueryRequest request = StartProtectedQueryRequest.read(c.body());
        return one(queries.start(c.caller(), membership, request.toStart()));
    }

    private HttpResponse result(Call c) {
        MembershipId membership = membership(c);
        ProtectedQueryId id = protectedQuery(c);
        int max = 1000;
        String maxText = c.query("maxResults");
        if (maxText != null) {
            try {
                max = Integer.parseInt(maxText);
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 1 || max > 10000) {
                throw io.cleanroom.core.CleanroomException.validation("maxResults",
                        "Value at 'maxResults' must be an integer between 1 and 10000");
            }
        }
        // a result never changes, so the position of its last row returned is its index
        io.cleanroom.core.service.Listing listing = pages.listing("GetProtectedQueryResult", c.caller(),
                membership.value(), id.value());
        String token = c.query("nextToken");
        io.cleanroom.core.store.Position after = listing.after(new io.cleanroom.core.service.Page.Request(max, token));
        if (after != null && !ROW_INDEX.matcher(after.key()).matches()) {
            throw io.cleanroom.core.CleanroomException.validation("nextToken", "Invalid nextToken");
        }
        com.fasterxml.jackson.databind.JsonNode stored = queries.result(c.caller(), membership, id);
        com.fasterxml.jackson.databind.JsonNode rows = stored.get("rows");
        int from = after == null ? 0 : Math.min(rows.size(), Integer.parseInt(after.key()) + 1);
        int to = Math.min(rows.size(), from + max);
        ObjectNode out = Json.object();
        out.set("columns", stored.get("columns"));
        ArrayNode list = out.putArray("rows");
        for (int i = from; i < to; i++) {
            list.add(rows.get(i));
        }
        out.put("totalRows", rows.size());
        if (to < rows.size()) {
            out.put("nextToken", listing.tokenAt(io.cleanroom.core.store.Position.of(String.format("%010d", to - 1))));
        }
        return HttpResponse.ok(out);
    }

    private HttpResponse explain(Call c) {
        MembershipId membership = membership(c);
        String sql = ExplainProtectedQueryRequest.read(c.body()).queryString();
        Explanation e = control.explain(c.caller(), membership, sql);
        ObjectNode out = Json.object();
        ObjectNode node = out.putObject("explanation");
        node.put("allowed", e.allowed());
        e.ruleType().ifPresent(t -> node.put("analysisRuleType", t));
        node.set("tables", Json.strings(e.tables()));
        ArrayNode decisions = node.putArray("decisions");
        for (Explanation.Decision d : e.decisions()) {
            decisions.addObject().put("clause", d.clause()).put("part", d.part()).put("verdict", d.verdict())
                    .put("reason", d.reason());
        }
        e.rejection().ifPresent(r -> node.put("rejection", r));
        node.set("addedConstraints", Json.strings(e.addedConstraints()));
        e.rewrittenSql().ifPresent(sqlText -> node.put("rewrittenQuery", sqlText));
        return HttpResponse.ok(out);
    }
}
