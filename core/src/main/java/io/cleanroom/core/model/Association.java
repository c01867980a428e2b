package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A configured table associated with a membership; its name is the table name in queries. */
public record Association(
        AssociationId id,
        MembershipId membershipId,
        CollaborationId collaborationId,
        AccountId ownerAccountId,
        ConfiguredTableId configuredTableId,
        String name,
        String description,
        String roleArn,
        Instant createTime,
        Instant updateTime) {
    public Association {
        requireNonNull(id, "id is null");
        requireNonNull(membershipId, "membershipId is null");
        requireNonNull(collaborationId, "collaborationId is null");
        requireNonNull(ownerAccountId, "ownerAccountId is null");
        requireNonNull(configuredTableId, "configuredTableId is null");
        requireNonNull(name, "name is null");
        requireNonNull(roleArn, "roleArn is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }
}
