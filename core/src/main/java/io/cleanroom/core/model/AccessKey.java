package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * An access key of an account (accountId null for the operator). The secret is kept only sealed
 * (encrypted with the server's master key): SigV4 verification needs it, so it cannot be hashed.
 */
public record AccessKey(
        String accessKeyId,
        AccountId accountId,
        Role role,
        boolean active,
        String sealedSecret,
        Instant createTime) {
    public AccessKey {
        requireNonNull(accessKeyId, "accessKeyId is null");
        requireNonNull(role, "role is null");
        requireNonNull(sealedSecret, "sealedSecret is null");
        requireNonNull(createTime, "createTime is null");
    }

    public boolean operator() {
        return accountId == null;
    }

    public AccessKey withActive(boolean newActive) {
        return new AccessKey(accessKeyId, accountId, role, newActive, sealedSecret, createTime);
    }

    @Override
    public String toString() {
        return "AccessKey[" + accessKeyId + ", account=" + accountId + ", role=" + role + ", active=" + active + "]";
    }
}
