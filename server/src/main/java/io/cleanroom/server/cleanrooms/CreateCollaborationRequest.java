package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalyticsEngine;
import io.cleanroom.core.model.DataEncryptionMetadata;
import io.cleanroom.core.model.LogStatus;
import io.cleanroom.core.model.MLMemberAbility;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.PaymentConfiguration;
import io.cleanroom.core.service.CollaborationService;
import io.cleanroom.core.service.CollaborationService.MemberSpec;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CreateCollaboration's body. Optional members are null when absent, except the ML abilities and
 * tags, which are empty.
 */
record CreateCollaborationRequest(
        String name,
        String description,
        List<MemberSpec> members,
        List<MemberAbility> creatorMemberAbilities,
        List<MLMemberAbility> creatorMLMemberAbilities,
        String creatorDisplayName,
        PaymentConfiguration creatorPaymentConfiguration,
        LogStatus queryLogStatus,
        LogStatus jobLogStatus,
        DataEncryptionMetadata dataEncryptionMetadata,
        AnalyticsEngine analyticsEngine,
        Boolean isMetricsEnabled,
        List<String> allowedResultRegions,
        List<String> autoApprovedChangeRequestTypes,
        Map<String, String> tags) {
    private static final Pattern ACCOUNT = Pattern.compile("^\\d+$");
    private static final Pattern CHANGE_TYPES = Pattern.compile(
            "^(ADD_MEMBER|GRANT_RECEIVE_RESULTS_ABILITY|REVOKE_RECEIVE_RESULTS_ABILITY)$");

    CreateCollaborationRequest {
        members = List.copyOf(members);
        creatorMemberAbilities = List.copyOf(creatorMemberAbilities);
        creatorMLMemberAbilities = List.copyOf(creatorMLMemberAbilities);
        tags = Map.copyOf(tags == null ? Map.of() : tags);
    }

    /** Reads and checks the body; memberLimit is the most members it may invite. */
    static CreateCollaborationRequest read(In body, int memberLimit) {
        String name = body.string("name", true, 1, 100, In.NON_BLANK);
        String description = body.string("description", false, 1, 255, In.NON_BLANK);
        List<MemberSpec> members = body.list("members", true, 0, memberLimit, e -> {
            In m = e.object();
            if (m == null) {
                return null;
            }
            String accountId = m.string("accountId", true, 12, 12, ACCOUNT);
            List<MemberAbility> abilities = m.enums("memberAbilities", MemberAbility.class, true, 0, 10);
            List<MLMemberAbility> ml = Shapes.mlAbilities(m, "mlMemberAbilities");
            String displayName = m.string("displayName", true, 1, 100, In.NON_BLANK);
            PaymentConfiguration payment = Shapes.payment(m, "paymentConfiguration");
            if (accountId == null || abilities == null || displayName == null) {
                return null;
            }
            return new MemberSpec(new AccountId(accountId), displayName, abilities, ml, payment);
        });
        List<MemberAbility> creatorAbilities = body.enums("creatorMemberAbilities", MemberAbility.class, true, 0, 10);
        List<MLMemberAbility> creatorMl = Shapes.mlAbilities(body, "creatorMLMemberAbilities");
        String creatorDisplayName = body.string("creatorDisplayName", true, 1, 100, In.NON_BLANK);
        DataEncryptionMetadata encryption = null;
        In em = body.object("dataEncryptionMetadata", false);
        if (em != null) {
            Boolean a = em.bool("allowCleartext", true);
            Boolean b = em.bool("allowDuplicates", true);
            Boolean d = em.bool("allowJoinsOnColumnsWithDifferentNames", true);
            Boolean n = em.bool("preserveNulls", true);
            if (a != null && b != null && d != null && n != null) {
                encryption = new DataEncryptionMetadata(a, b, d, n);
            }
        }
        LogStatus queryLog = body.enumValue("queryLogStatus", LogStatus.class, true);
        LogStatus jobLog = body.enumValue("jobLogStatus", LogStatus.class, false);
        PaymentConfiguration creatorPayment = Shapes.payment(body, "creatorPaymentConfiguration");
        AnalyticsEngine engine = body.enumValue("analyticsEngine", AnalyticsEngine.class, false);
        Boolean metrics = body.bool("isMetricsEnabled", false);
        List<String> regions = body.strings("allowedResultRegions", false, 0, 50, 32, Shapes.REGION);
        List<String> autoApproved = body.strings("autoApprovedChangeRequestTypes", false, 0, 10, 64, CHANGE_TYPES);
        Map<String, String> tags = body.tags();
        body.done();
        return new CreateCollaborationRequest(name, description, members, creatorAbilities, creatorMl,
                creatorDisplayName, creatorPayment, queryLog, jobLog, encryption, engine, metrics, regions,
                autoApproved, tags);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("name", name);
        Json.putIfNotNull(node, "description", description);
        ArrayNode list = node.putArray("members");
        for (MemberSpec m : members) {
            ObjectNode member = list.addObject();
            member.put("accountId", m.accountId().value());
            member.set("memberAbilities", Json.strings(m.abilities()));
            Shapes.putMlAbilities(member, "mlMemberAbilities", m.mlAbilities());
            member.put("displayName", m.displayName());
            if (m.paymentConfiguration() != null) {
                member.set("paymentConfiguration", Shapes.payment(m.paymentConfiguration()));
            }
        }
        node.set("creatorMemberAbilities", Json.strings(creatorMemberAbilities));
        Shapes.putMlAbilities(node, "creatorMLMemberAbilities", creatorMLMemberAbilities);
        node.put("creatorDisplayName", creatorDisplayName);
        if (dataEncryptionMetadata != null) {
            node.putObject("dataEncryptionMetadata")
                    .put("allowCleartext", dataEncryptionMetadata.allowCleartext())
                    .put("allowDuplicates", dataEncryptionMetadata.allowDuplicates())
                    .put("allowJoinsOnColumnsWithDifferentNames",
                            dataEncryptionMetadata.allowJoinsOnColumnsWithDifferentNames())
                    .put("preserveNulls", dataEncryptionMetadata.preserveNulls());
        }
        node.put("queryLogStatus", queryLogStatus.name());
        Json.putIfNotNull(node, "jobLogStatus", jobLogStatus);
        if (creatorPaymentConfiguration != null) {
            node.set("creatorPaymentConfiguration", Shapes.payment(creatorPaymentConfiguration));
        }
        Json.putIfNotNull(node, "analyticsEngine", analyticsEngine);
        if (isMetricsEnabled != null) {
            node.put("isMetricsEnabled", isMetricsEnabled);
        }
        if (allowedResultRegions != null) {
            node.set("allowedResultRegions", Json.strings(allowedResultRegions));
        }
        if (autoApprovedChangeRequestTypes != null) {
            node.set("autoApprovedChangeRequestTypes", Json.strings(autoApprovedChangeRequestTypes));
        }
        Shapes.putTags(node, tags);
        return node;
    }

    CollaborationService.Create toCreate() {
        return new CollaborationService.Create(name, description, members, creatorMemberAbilities,
                creatorMLMemberAbilities, creatorDisplayName, creatorPaymentConfiguration, queryLogStatus, jobLogStatus,
                dataEncryptionMetadata, analyticsEngine, isMetricsEnabled, allowedResultRegions,
                autoApprovedChangeRequestTypes, tags);
    }
}
