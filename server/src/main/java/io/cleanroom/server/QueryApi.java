package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.sql.Explanation;
import java.util.regex.Pattern;

/** Operations on queries: for now ExplainProtectedQuery (Cleanroom's own). */
final class QueryApi {
    private static final Pattern SQL_TYPE = Pattern.compile("^SQL$");

    private final QueryControl control;

    QueryApi(QueryControl control) {
        this.control = requireNonNull(control, "control is null");
    }

    void register(Router router) {
        router.add(new Route(Operation.EXPLAIN_PROTECTED_QUERY, this::explain));
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
