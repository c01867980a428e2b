package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/** The collaboration-level rule of an association: who may receive results, which additional analyses. */
public record AssociationAnalysisRule(
        AssociationId associationId,
        MembershipId membershipId,
        AnalysisRuleType type,
        List<AccountId> allowedResultReceivers,
        List<String> allowedAdditionalAnalyses,
        Instant createTime,
        Instant updateTime) {
    public AssociationAnalysisRule {
        requireNonNull(associationId, "associationId is null");
        requireNonNull(membershipId, "membershipId is null");
        requireNonNull(type, "type is null");
        allowedResultReceivers = List.copyOf(allowedResultReceivers == null ? List.of() : allowedResultReceivers);
        allowedAdditionalAnalyses = List.copyOf(allowedAdditionalAnalyses == null ? List.of() : allowedAdditionalAnalyses);
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    public String key() {
        return associationId.value() + "/" + type.name();
    }
}
