package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.AutoRefresh;
import io.cleanroom.core.model.PrivacyBudgetType;
import io.cleanroom.core.service.PrivacyBudgetService;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.Map;

/**
 * CreatePrivacyBudgetTemplate's body. privacyBudgetType must be DIFFERENTIAL_PRIVACY (ACCESS_BUDGET
 * is refused, saying it is not supported) with parameters.differentialPrivacy; autoRefresh is
 * optional, as in AWS's current model, and absent means NONE (a budget that never refreshes).
 */
record CreatePrivacyBudgetTemplateRequest(AutoRefresh autoRefresh, PrivacyBudgetType privacyBudgetType,
        PrivacyParameters parameters, Map<String, String> tags) {
    CreatePrivacyBudgetTemplateRequest {
        tags = Map.copyOf(tags == null ? Map.of() : tags);
    }

    static CreatePrivacyBudgetTemplateRequest read(In body) {
        AutoRefresh autoRefresh = body.enumValue("autoRefresh", AutoRefresh.class, false);
        PrivacyBudgetType type = body.enumValue("privacyBudgetType", PrivacyBudgetType.class, true);
        if (type == PrivacyBudgetType.ACCESS_BUDGET) {
            body.error("privacyBudgetType", PrivacyParameters.ACCESS_BUDGET_UNSUPPORTED);
        }
        PrivacyParameters parameters = PrivacyParameters.read(body, true, true);
        Map<String, String> tags = body.tags();
        body.done();
        return new CreatePrivacyBudgetTemplateRequest(autoRefresh, type, parameters, tags);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        Json.putIfNotNull(node, "autoRefresh", autoRefresh);
        node.put("privacyBudgetType", privacyBudgetType.name());
        node.set("parameters", parameters.toJson());
        Shapes.putTags(node, tags);
        return node;
    }

    PrivacyBudgetService.Create toCreate() {
        return new PrivacyBudgetService.Create(autoRefresh == null ? AutoRefresh.NONE : autoRefresh,
                parameters.epsilon(), parameters.usersNoisePerQuery(), tags);
    }
}
