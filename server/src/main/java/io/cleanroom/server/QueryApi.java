package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.ProtectedQuery;
import io.cleanroom.core.model.ProtectedQueryId;
import io.cleanroom.core.model.ProtectedQueryStatus;
import io.cleanroom.sql.Explanation;
import java.util.regex.Pattern;

/**
 * Protected queries on the wire: StartProtectedQuery, GetProtectedQuery, ListProtectedQueries,
 * UpdateProtectedQuery, and Cleanroom's own GetProtectedQueryResult and ExplainProtectedQuery.
 */
final class QueryApi {
    private static final Pattern SQL_TYPE = Pattern.compile("^SQL$");
    private static final Pattern ROW_INDEX = Pattern.compile("^[0-9]{10}$");
    private static final Pattern TEMPLATE_ARN = Pattern.compile(
            "^arn:aws[-a-z]*:cleanrooms:[\\w]{2}-[\\w]{4,9}-[\\d]:\\d{12}:membership/[\\d\\w-]+/"
                    + "analysistemplate/[\\d\\w-]+$");

    private final QueryControl control;
    private final ProtectedQueries queries;
    private final io.cleanroom.core.model.Arns arns;
    private final io.cleanroom.core.service.PageTokens pages;

    QueryApi(QueryControl control, ProtectedQueries queries, io.cleanroom.core.model.Arns arns,
            io.cleanroom.core.service.PageTokens pages) {
        this.control = requireNonNull(control, "control is null");
        this.queries = requireNonNull(queries, "queries is null");
        this.arns = requireNonNull(arns, "arns is null");
        this.pages = requireNonNull(pages, "pages is null");
    }

    void register(Router router) {
        router.add(new Route(Operation.EXPLAIN_PROTECTED_QUERY, this::explain));
        router.add(new Route(Operation.START_PROTECTED_QUERY, this::start));
        router.add(new Route(Operation.LIST_PROTECTED_QUERIES, c -> {
            ProtectedQueryStatus status = c.queryEnum("status", ProtectedQueryStatus.class);
            io.cleanroom.core.service.Page<ProtectedQuery> page = queries.list(c.caller(), mid(c), status, c.page());
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("protectedQueries");
            page.items().forEach(q -> list.add(summary(q)));
            Json.putIfNotNull(out, "nextToken", page.nextToken());
            return HttpResponse.ok(out);
        }));
        router.add(new Route(Operation.GET_PROTECTED_QUERY, c -> one(queries.get(c.caller(), mid(c), pqid(c)))));
        router.add(new Route(Operation.UPDATE_PROTECTED_QUERY, c -> {
            MembershipId membership = mid(c);
            ProtectedQueryId id = pqid(c);
            In body = c.body();
            body.string("targetStatus", true, 1, 32, Pattern.compile("^CANCELLED$"));
            body.done();
            return one(queries.cancel(c.caller(), membership, id));
        }));
        router.add(new Route(Operation.GET_PROTECTED_QUERY_RESULT, this::result));
        router.add(new Route(Operation.LIST_QUERY_LOGS, c -> {
            io.cleanroom.core.service.Page<io.cleanroom.core.model.QueryLogEntry> page =
                    queries.queryLog(c.caller(), mid(c), c.page());
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

    private static MembershipId mid(Call c) {
        return c.id("membershipIdentifier", MembershipId::new);
    }

    private static ProtectedQueryId pqid(Call c) {
        return c.id("protectedQueryIdentifier", ProtectedQueryId::new);
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
        return node;
    }

    private HttpResponse start(Call c) {
        MembershipId membership = mid(c);
        In body = c.body();
        body.string("type", true, 1, 16, SQL_TYPE);
        In parameters = body.object("sqlParameters", true);
        String sql = null;
        String template = null;
        java.util.Map<String, String> values = java.util.Map.of();
        if (parameters != null) {
            String kind = parameters.union("queryString", "analysisTemplateArn");
            if ("queryString".equals(kind)) {
                sql = parameters.string("queryString", true, 1, 500000, null);
            } else if (kind != null) {
                template = parameters.string("analysisTemplateArn", true, 1, 200, TEMPLATE_ARN);
            }
            java.util.Map<String, String> given = parameters.stringMap("parameters", 50, 1, 100, 1000);
            values = given == null ? java.util.Map.of() : given;
        }
        io.cleanroom.core.model.AccountId receiver = null;
        io.cleanroom.core.model.S3Output s3 = null;
        In result = body.object("resultConfiguration", false);
        if (result != null) {
            In output = result.object("outputConfiguration", true);
            String kind = output == null ? null : output.union("member", "s3", "distribute");
            if ("member".equals(kind)) {
                In member = output.object("member", true);
                String account = member == null ? null
                        : member.string("accountId", true, 12, 12, Pattern.compile("^\\d{12}$"));
                receiver = account == null ? null : new io.cleanroom.core.model.AccountId(account);
            } else if ("s3".equals(kind)) {
                In s3In = output.object("s3", true);
                if (s3In != null) {
                    io.cleanroom.core.model.ResultFormat format = s3In.enumValue("resultFormat",
                            io.cleanroom.core.model.ResultFormat.class, true);
                    String bucket = s3In.string("bucket", true, 3, 63, Pattern.compile("^[a-z0-9.-]{3,63}$"));
                    String prefix = s3In.string("keyPrefix", false, 0, 512, Pattern.compile("^[\\w!.=*/-]*$"));
                    Boolean single = s3In.bool("singleFileOutput", false);
                    if (format != null && bucket != null) {
                        s3 = new io.cleanroom.core.model.S3Output(format, bucket, prefix, single);
                    }
                }
            } else if (kind != null) {
                output.error(kind, "The distribute output needs the Spark engine; use member or s3 output");
            }
        }
        body.object("computeConfiguration", false);
        body.done();
        return one(queries.start(c.caller(), membership, new ProtectedQueries.Start(sql, template, values,
                receiver, s3)));
    }

    private HttpResponse result(Call c) {
        MembershipId membership = mid(c);
        ProtectedQueryId id = pqid(c);
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
        MembershipId membership = c.id("membershipIdentifier", MembershipId::new);
        In body = c.body();
        body.string("type", true, 1, 16, SQL_TYPE);
        In parameters = body.object("sqlParameters", true);
        String sql = null;
        if (parameters != null) {
            if (parameters.has("analysisTemplateArn")) {
                parameters.error("analysisTemplateArn", "Explaining analysis templates is not supported yet; "
                        + "give the SQL in queryString");
            }
            sql = parameters.string("queryString", true, 1, 500000, null);
        }
        body.done();
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
