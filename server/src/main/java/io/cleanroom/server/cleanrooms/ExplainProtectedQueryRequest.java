package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;

/** ExplainProtectedQuery's body: type SQL and sqlParameters.queryString (templates are not explained yet). */
record ExplainProtectedQueryRequest(String queryString) {
    static ExplainProtectedQueryRequest read(In body) {
        body.string("type", true, 1, 16, StartProtectedQueryRequest.SQL_TYPE);
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
        return new ExplainProtectedQueryRequest(sql);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("type", "SQL");
        node.putObject("sqlParameters").put("queryString", queryString);
        return node;
    }
}
