package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.LogStatus;
import io.cleanroom.core.model.PaymentConfiguration;
import io.cleanroom.core.model.ResultConfiguration;
import io.cleanroom.core.service.MembershipService;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.Map;

/**
 * CreateMembership's body. defaultJobResultConfiguration is accepted and not kept (no jobs run
 * here); optional members are null when absent, tags empty.
 */
record CreateMembershipRequest(
        CollaborationId collaborationIdentifier,
        LogStatus queryLogStatus,
        LogStatus jobLogStatus,
        ResultConfiguration defaultResultConfiguration,
        PaymentConfiguration paymentConfiguration,
        Boolean isMetricsEnabled,
        Map<String, String> tags) {
    CreateMembershipRequest {
        tags = Map.copyOf(tags == null ? Map.of() : tags);
    }

    static CreateMembershipRequest read(In body) {
        String collaboration = body.string("collaborationIdentifier", true, 36, 36, Shapes.UUID);
        LogStatus queryLog = body.enumValue("queryLogStatus", LogStatus.class, true);
        LogStatus jobLog = body.enumValue("jobLogStatus", LogStatus.class, false);
        ResultConfiguration result = Shapes.resultConfiguration(body, "defaultResultConfiguration");
        body.object("defaultJobResultConfiguration", false);
        PaymentConfiguration payment = Shapes.payment(body, "paymentConfiguration");
        Boolean metrics = body.bool("isMetricsEnabled", false);
        Map<String, String> tags = body.tags();
        EngineTags.onOther(tags);
        body.done();
        return new CreateMembershipRequest(new CollaborationId(collaboration), queryLog, jobLog, result, payment,
                metrics, tags);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("collaborationIdentifier", collaborationIdentifier.value());
        node.put("queryLogStatus", queryLogStatus.name());
        Json.putIfNotNull(node, "jobLogStatus", jobLogStatus);
        if (defaultResultConfiguration != null) {
            node.set("defaultResultConfiguration", Shapes.resultConfiguration(defaultResultConfiguration));
        }
        if (paymentConfiguration != null) {
            node.set("paymentConfiguration", Shapes.payment(paymentConfiguration));
        }
        if (isMetricsEnabled != null) {
            node.put("isMetricsEnabled", isMetricsEnabled);
        }
        Shapes.putTags(node, tags);
        return node;
    }

    MembershipService.Create toCreate() {
        return new MembershipService.Create(collaborationIdentifier, queryLogStatus, jobLogStatus,
                defaultResultConfiguration, paymentConfiguration, isMetricsEnabled, tags);
    }
}
