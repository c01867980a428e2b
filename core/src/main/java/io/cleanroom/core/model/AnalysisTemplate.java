package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/** A reviewed analysis (SQL text with typed parameters). Only its description can change. */
public record AnalysisTemplate(
        AnalysisTemplateId id,
        MembershipId membershipId,
        CollaborationId collaborationId,
        AccountId ownerAccountId,
        String name,
        String description,
        AnalysisFormat format,
        String sourceText,
        List<AnalysisParameter> parameters,
        List<String> referencedTables,
        Instant createTime,
        Instant updateTime) {
    public AnalysisTemplate {
        requireNonNull(id, "id is null");
        requireNonNull(membershipId, "membershipId is null");
        requireNonNull(collaborationId, "collaborationId is null");
        requireNonNull(ownerAccountId, "ownerAccountId is null");
        requireNonNull(name, "name is null");
        requireNonNull(format, "format is null");
        requireNonNull(sourceText, "sourceText is null");
        parameters = List.copyOf(parameters);
        referencedTables = List.copyOf(referencedTables);
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    public AnalysisTemplate withDescription(String newDescription, Instant now) {
        return new AnalysisTemplate(id, membershipId, collaborationId, ownerAccountId, name, newDescription, format,
                sourceText, parameters, referencedTables, createTime, now);
    }
}
