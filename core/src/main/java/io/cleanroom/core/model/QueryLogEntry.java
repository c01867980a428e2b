package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * What a contributing member learns of a protected query run on its tables when query logging is
 * enabled for the collaboration and its membership: who ran what, when, on which of its tables,
 * and how it ended. Never result data. Nullable: queryString, analysisTemplateArn.
 */
public record QueryLogEntry(
        ProtectedQueryId queryId,
        MembershipId membershipId,
        CollaborationId collaborationId,
        AccountId runner,
        String queryString,
        String analysisTemplateArn,
        List<String> tables,
        ProtectedQueryStatus status,
        Instant startTime,
        Instant endTime) {
    public QueryLogEntry {
        requireNonNull(queryId, "queryId is null");
        requireNonNull(membershipId, "membershipId is null");
        requireNonNull(collaborationId, "collaborationId is null");
        requireNonNull(runner, "runner is null");
        tables = List.copyOf(tables);
        requireNonNull(status, "status is null");
        requireNonNull(startTime, "startTime is null");
    }

    public String key() {
        return membershipId.value() + "/" + queryId.value();
    }
}
