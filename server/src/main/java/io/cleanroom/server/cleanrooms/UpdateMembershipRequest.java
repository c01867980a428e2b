package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.LogStatus;
import io.cleanroom.core.model.ResultConfiguration;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;

/** UpdateMembership's body: what is absent (null) stays as it is. */
record UpdateMembershipRequest(LogStatus queryLogStatus, LogStatus jobLogStatus,
        ResultConfiguration defaultResultConfiguration) {
    static UpdateMembershipRequest read(In body) {
        LogStatus queryLog = body.enumValue("queryLogStatus", LogStatus.class, false);
        LogStatus jobLog = body.enumValue("jobLogStatus", LogStatus.class, false);
        ResultConfiguration result = Shapes.resultConfiguration(body, "defaultResultConfiguration");
        body.done();
        return new UpdateMembershipRequest(queryLog, jobLog, result);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        Json.putIfNotNull(node, "queryLogStatus", queryLogStatus);
        Json.putIfNotNull(node, "jobLogStatus", jobLogStatus);
        if (defaultResultConfiguration != null) {
            node.set("defaultResultConfiguration", Shapes.resultConfiguration(defaultResultConfiguration));
        }
        return node;
    }
}
