package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * An account's membership in a collaboration. Nullable: jobLogStatus, defaultResultConfiguration,
 * metricsEnabled.
 */
public record Membership(
        MembershipId id,
        CollaborationId collaborationId,
        AccountId accountId,
        MembershipStatus status,
        List<MemberAbility> abilities,
        List<MLMemberAbility> mlAbilities,
        LogStatus queryLogStatus,
        LogStatus jobLogStatus,
        ResultConfiguration defaultResultConfiguration,
        PaymentConfiguration paymentConfiguration,
        Boolean metricsEnabled,
        Instant createTime,
        Instant updateTime) {
    public Membership {
        requireNonNull(id, "id is null");
        requireNonNull(collaborationId, "collaborationId is null");
        requireNonNull(accountId, "accountId is null");
        requireNonNull(status, "status is null");
        abilities = List.copyOf(abilities);
        mlAbilities = List.copyOf(mlAbilities == null ? List.of() : mlAbilities);
        requireNonNull(queryLogStatus, "queryLogStatus is null");
        requireNonNull(paymentConfiguration, "paymentConfiguration is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    public Membership withStatus(MembershipStatus newStatus, Instant now) {
        return new Membership(id, collaborationId, accountId, newStatus, abilities, mlAbilities, queryLogStatus,
                jobLogStatus, defaultResultConfiguration, paymentConfiguration, metricsEnabled, createTime, now);
    }

    public Membership withSettings(LogStatus newQueryLog, LogStatus newJobLog, ResultConfiguration newResult,
            boolean clearResult, Instant now) {
        return new Membership(id, collaborationId, accountId, status, abilities, mlAbilities,
                newQueryLog == null ? queryLogStatus : newQueryLog, newJobLog == null ? jobLogStatus : newJobLog,
                clearResult ? null : newResult == null ? defaultResultConfiguration : newResult,
                paymentConfiguration, metricsEnabled, createTime, now);
    }
}
