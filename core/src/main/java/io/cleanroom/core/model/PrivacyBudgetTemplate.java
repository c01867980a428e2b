package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A collaboration's differential privacy policy (AWS's privacy budget template of type
 * DIFFERENTIAL_PRIVACY): the budget epsilon, the noise per query in users, and how the budget
 * refreshes. One per collaboration, owned by the membership that created it.
 */
public record PrivacyBudgetTemplate(
        PrivacyBudgetTemplateId id,
        MembershipId membershipId,
        CollaborationId collaborationId,
        AccountId ownerAccountId,
        AutoRefresh autoRefresh,
        int epsilon,
        int usersNoisePerQuery,
        Instant createTime,
        Instant updateTime) {
    public PrivacyBudgetTemplate {
        requireNonNull(id, "id is null");
        requireNonNull(membershipId, "membershipId is null");
        requireNonNull(collaborationId, "collaborationId is null");
        requireNonNull(ownerAccountId, "ownerAccountId is null");
        requireNonNull(autoRefresh, "autoRefresh is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    public PrivacyBudgetTemplate withParameters(int newEpsilon, int newUsersNoisePerQuery, Instant now) {
        return new PrivacyBudgetTemplate(id, membershipId, collaborationId, ownerAccountId, autoRefresh, newEpsilon,
                newUsersNoisePerQuery, createTime, now);
    }
}
