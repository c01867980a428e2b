package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * One account's entry in a collaboration's member list, including the creator. membershipId is
 * null until the account joins with CreateMembership.
 */
public record Member(
        CollaborationId collaborationId,
        AccountId accountId,
        String displayName,
        List<MemberAbility> abilities,
        List<MLMemberAbility> mlAbilities,
        PaymentConfiguration paymentConfiguration,
        MemberStatus status,
        MembershipId membershipId,
        Instant createTime,
        Instant updateTime) {
    public Member {
        requireNonNull(collaborationId, "collaborationId is null");
        requireNonNull(accountId, "accountId is null");
        requireNonNull(displayName, "displayName is null");
        abilities = List.copyOf(abilities);
        mlAbilities = List.copyOf(mlAbilities == null ? List.of() : mlAbilities);
        requireNonNull(paymentConfiguration, "paymentConfiguration is null");
        requireNonNull(status, "status is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    public String key() {
        return collaborationId.value() + "/" + accountId.value();
    }

    public boolean can(MemberAbility ability) {
        return abilities.contains(ability);
    }

    public Member withStatus(MemberStatus newStatus, MembershipId newMembership, Instant now) {
        return new Member(collaborationId, accountId, displayName, abilities, mlAbilities, paymentConfiguration,
                newStatus, newMembership, createTime, now);
    }
}
