package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.privacy.Calibration;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;

/**
 * The parameters union of the privacy budget operations, {"differentialPrivacy": {"epsilon",
 * "usersNoisePerQuery"}} (epsilon 1-20, usersNoisePerQuery 10-100). Its other member, accessBudget,
 * is refused: Cleanroom has no access budgets. Absent numbers are null (UpdatePrivacyBudgetTemplate
 * may leave either out).
 */
record PrivacyParameters(Integer epsilon, Integer usersNoisePerQuery) {
    static final String ACCESS_BUDGET_UNSUPPORTED = "ACCESS_BUDGET privacy budgets are not supported by Cleanroom; "
            + "use DIFFERENTIAL_PRIVACY";

    /**
     * Reads body.parameters; null when absent (reported if required) or not a differentialPrivacy
     * object (reported). numbersRequired says whether epsilon and usersNoisePerQuery must both be given.
     */
    static PrivacyParameters read(In body, boolean required, boolean numbersRequired) {
        In parameters = body.object("parameters", required);
        if (parameters == null) {
            return null;
        }
        String kind = parameters.union("differentialPrivacy", "accessBudget");
        if ("accessBudget".equals(kind)) {
            parameters.error("accessBudget", ACCESS_BUDGET_UNSUPPORTED);
            return null;
        }
        if (kind == null) {
            return null;
        }
        In dp = parameters.object("differentialPrivacy", true);
        if (dp == null) {
            return null;
        }
        Integer epsilon = dp.integer("epsilon", numbersRequired, Calibration.MIN_EPSILON, Calibration.MAX_EPSILON);
        Integer noise = dp.integer("usersNoisePerQuery", numbersRequired, Calibration.MIN_NOISE,
                Calibration.MAX_NOISE);
        return new PrivacyParameters(epsilon, noise);
    }

    /** {"differentialPrivacy": {...}} with the numbers given. */
    ObjectNode toJson() {
        ObjectNode node = Json.object();
        ObjectNode dp = node.putObject("differentialPrivacy");
        if (epsilon != null) {
            dp.put("epsilon", epsilon);
        }
        if (usersNoisePerQuery != null) {
            dp.put("usersNoisePerQuery", usersNoisePerQuery);
        }
        return node;
    }
}
