package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.PrivacyBudgetType;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;

/**
 * UpdatePrivacyBudgetTemplate's body: privacyBudgetType (DIFFERENTIAL_PRIVACY) and, optionally,
 * parameters.differentialPrivacy with a new epsilon, a new usersNoisePerQuery, or both (null:
 * unchanged).
 */
record UpdatePrivacyBudgetTemplateRequest(PrivacyBudgetType privacyBudgetType, PrivacyParameters parameters) {
    static UpdatePrivacyBudgetTemplateRequest read(In body) {
        PrivacyBudgetType type = body.enumValue("privacyBudgetType", PrivacyBudgetType.class, true);
        if (type == PrivacyBudgetType.ACCESS_BUDGET) {
            body.error("privacyBudgetType", PrivacyParameters.ACCESS_BUDGET_UNSUPPORTED);
        }
        PrivacyParameters parameters = PrivacyParameters.read(body, false, false);
        body.done();
        return new UpdatePrivacyBudgetTemplateRequest(type, parameters);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("privacyBudgetType", privacyBudgetType.name());
        if (parameters != null) {
            node.set("parameters", parameters.toJson());
        }
        return node;
    }

    Integer epsilon() {
        return parameters == null ? null : parameters.epsilon();
    }

    Integer usersNoisePerQuery() {
        return parameters == null ? null : parameters.usersNoisePerQuery();
    }
}
