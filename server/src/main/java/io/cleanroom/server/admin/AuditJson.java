package io.cleanroom.server.admin;

import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.server.wire.Json;
import java.util.List;

/**
 * The operator's wire form of an audit event, every field (times as epoch seconds, as elsewhere).
 * Accounts never get this form: CloudTrailApi renders what each may see.
 */
record AuditJson(long sequence, String eventId, java.math.BigDecimal eventTime, String accountId,
        String accessKeyId, String sourceIpAddress, String eventSource, String eventName, List<String> resources,
        String requestParameters, String errorCode, String errorMessage, String requestId, String collaborationId,
        String previousHash, String hash, int hashFormat) {
    static AuditJson of(AuditEvent e) {
        return new AuditJson(e.sequence(), e.eventId(), Json.time(e.time()), e.accountId(), e.accessKeyId(),
                e.sourceAddress(), e.eventSource(), e.eventName(), e.resources(), e.requestParameters(), e.errorCode(),
                e.errorMessage(), e.requestId(), e.collaborationId(), e.previousHash(), e.hash(), e.hashFormat());
    }
}
