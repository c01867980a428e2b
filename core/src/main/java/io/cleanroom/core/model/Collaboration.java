package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A collaboration: the container that says who collaborates and on what terms. Nullable fields:
 * description, jobLogStatus, analyticsEngine, dataEncryptionMetadata, metricsEnabled. A deleted
 * collaboration is kept so that its former memberships can still name it.
 */
public record Collaboration(
        CollaborationId id,
        String name,
        String description,
        AccountId creatorAccountId,
        String creatorDisplayName,
        LogStatus queryLogStatus,
        LogStatus jobLogStatus,
        AnalyticsEngine analyticsEngine,
        DataEncryptionMetadata dataEncryptionMetadata,
        Boolean metricsEnabled,
        List<String> allowedResultRegions,
        List<String> autoApprovedChangeTypes,
        boolean deleted,
        Instant createTime,
        Instant updateTime) {
    public Collaboration {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(creatorAccountId, "creatorAccountId is null");
        requireNonNull(creatorDisplayName, "creatorDisplayName is null");
        requireNonNull(queryLogStatus, "queryLogStatus is null");
        allowedResultRegions = List.copyOf(allowedResultRegions == null ? List.of() : allowedResultRegions);
        autoApprovedChangeTypes = List.copyOf(autoApprovedChangeTypes == null ? List.of() : autoApprovedChangeTypes);
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    public Collaboration withUpdate(String newName, String newDescription, AnalyticsEngine newEngine, Instant now) {
        return new Collaboration(id, newName == null ? name : newName,
                newDescription == null ? description : newDescription, creatorAccountId, creatorDisplayName,
                queryLogStatus, jobLogStatus, newEngine == null ? analyticsEngine : newEngine, dataEncryptionMetadata,
                metricsEnabled, allowedResultRegions, autoApprovedChangeTypes, deleted, createTime, now);
    }

    public Collaboration asDeleted(Instant now) {
        return new Collaboration(id, name, description, creatorAccountId, creatorDisplayName, queryLogStatus,
                jobLogStatus, analyticsEngine, dataEncryptionMetadata, metricsEnabled, allowedResultRegions,
                autoApprovedChangeTypes, true, createTime, now);
    }
}
