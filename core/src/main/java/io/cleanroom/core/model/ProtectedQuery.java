package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A protected query: what was asked (SQL text, or an analysis template with parameter values),
 * by whom, where its results go, and how it went. Nullable: queryString, analysisTemplateArn,
 * s3Output, errorCode, errorMessage, endTime, resultRows.
 */
public record ProtectedQuery(
        ProtectedQueryId id,
        MembershipId membershipId,
        CollaborationId collaborationId,
        AccountId runner,
        String queryString,
        String analysisTemplateArn,
        Map<String, String> parameters,
        List<AccountId> receivers,
        S3Output s3Output,
        ProtectedQueryStatus status,
        String errorCode,
        String errorMessage,
        Long resultRows,
        Instant createTime,
        Instant updateTime,
        Instant endTime) {
    public ProtectedQuery {
        requireNonNull(id, "id is null");
        requireNonNull(membershipId, "membershipId is null");
        requireNonNull(collaborationId, "collaborationId is null");
        requireNonNull(runner, "runner is null");
        parameters = Map.copyOf(parameters == null ? Map.of() : parameters);
        receivers = List.copyOf(receivers);
        requireNonNull(status, "status is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    public ProtectedQuery withStatus(ProtectedQueryStatus newStatus, Instant now) {
        return new ProtectedQuery(id, membershipId, collaborationId, runner, queryString, analysisTemplateArn,
                parameters, receivers, s3Output, newStatus, errorCode, errorMessage, resultRows, createTime, now,
                newStatus.terminal() ? now : endTime);
    }

    public ProtectedQuery failed(ProtectedQueryStatus newStatus, String code, String message, Instant now) {
        return new ProtectedQuery(id, membershipId, collaborationId, runner, queryString, analysisTemplateArn,
                parameters, receivers, s3Output, newStatus, code, message, resultRows, createTime, now, now);
    }

    public ProtectedQuery succeeded(long rows, Instant now) {
        return new ProtectedQuery(id, membershipId, collaborationId, runner, queryString, analysisTemplateArn,
                parameters, receivers, s3Output, ProtectedQueryStatus.SUCCESS, null, null, rows, createTime, now, now);
    }
}
