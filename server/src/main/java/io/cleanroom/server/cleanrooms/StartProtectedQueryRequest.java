package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.S3Output;
import io.cleanroom.query.ProtectedQueries;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * StartProtectedQuery's body: type SQL; sqlParameters with either queryString or
 * analysisTemplateArn (and its parameter values); where the results go, a member's account or an
 * s3 output, or neither. computeConfiguration is accepted and not kept; the distribute output is
 * refused (it needs the Spark engine).
 */
record StartProtectedQueryRequest(String queryString, String analysisTemplateArn, Map<String, String> parameters,
        AccountId memberOutput, S3Output s3Output) {
    static final Pattern SQL_TYPE = Pattern.compile("^SQL$");
    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");
    private static final Pattern TEMPLATE_ARN = Pattern.compile(
            "^arn:aws[-a-z]*:cleanrooms:[\\w]{2}-[\\w]{4,9}-[\\d]:\\d{12}:membership/[\\d\\w-]+/"
                    + "analysistemplate/[\\d\\w-]+$");

    StartProtectedQueryRequest {
        parameters = Map.copyOf(parameters == null ? Map.of() : parameters);
    }

    static StartProtectedQueryRequest read(In body) {
        body.string("type", true, 1, 16, SQL_TYPE);
        In sqlParameters = body.object("sqlParameters", true);
        String sql = null;
        String template = null;
        Map<String, String> values = null;
        if (sqlParameters != null) {
            String kind = sqlParameters.union("queryString", "analysisTemplateArn");
            if ("queryString".equals(kind)) {
                sql = sqlParameters.string("queryString", true, 1, 500000, null);
            } else if (kind != null) {
                template = sqlParameters.string("analysisTemplateArn", true, 1, 200, TEMPLATE_ARN);
            }
            values = sqlParameters.stringMap("parameters", 50, 1, 100, 1000);
        }
        AccountId receiver = null;
        S3Output s3 = null;
        In result = body.object("resultConfiguration", false);
        if (result != null) {
            In output = result.object("outputConfiguration", true);
            String kind = output == null ? null : output.union("member", "s3", "distribute");
            if ("member".equals(kind)) {
                In member = output.object("member", true);
                String account = member == null ? null : member.string("accountId", true, 12, 12, ACCOUNT);
                receiver = account == null ? null : new AccountId(account);
            } else if ("s3".equals(kind)) {
                s3 = Shapes.s3(output.object("s3", true));
            } else if (kind != null) {
                output.error(kind, "The distribute output needs the Spark engine; use member or s3 output");
            }
        }
        body.object("computeConfiguration", false);
        body.done();
        return new StartProtectedQueryRequest(sql, template, values, receiver, s3);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("type", "SQL");
        ObjectNode sql = node.putObject("sqlParameters");
        Json.putIfNotNull(sql, "queryString", queryString);
        Json.putIfNotNull(sql, "analysisTemplateArn", analysisTemplateArn);
        if (!parameters.isEmpty()) {
            ObjectNode values = sql.putObject("parameters");
            parameters.forEach(values::put);
        }
        if (memberOutput != null) {
            node.putObject("resultConfiguration").putObject("outputConfiguration").putObject("member")
                    .put("accountId", memberOutput.value());
        } else if (s3Output != null) {
            node.putObject("resultConfiguration").putObject("outputConfiguration").set("s3", Shapes.s3(s3Output));
        }
        return node;
    }

    ProtectedQueries.Start toStart() {
        return new ProtectedQueries.Start(queryString, analysisTemplateArn, parameters, memberOutput, s3Output);
    }
}
