package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;

/** PreviewPrivacyImpact's body: parameters.differentialPrivacy with both epsilon and usersNoisePerQuery. */
record PreviewPrivacyImpactRequest(PrivacyParameters parameters) {
    static PreviewPrivacyImpactRequest read(In body) {
        PrivacyParameters parameters = PrivacyParameters.read(body, true, true);
        body.done();
        return new PreviewPrivacyImpactRequest(parameters);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.set("parameters", parameters.toJson());
        return node;
    }
}
