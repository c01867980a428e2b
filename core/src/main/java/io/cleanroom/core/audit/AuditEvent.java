package io.cleanroom.core.audit;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * One recorded API call: when, who (account and access key, null when unauthenticated), from
 * where, which operation on which resources, with which parameters (secrets removed), and how it
 * ended. Events form a chain: each carries its sequence number, the hash of its predecessor and its
 * own hash over both and its content.
 */
public record AuditEvent(
        long sequence,
        String eventId,
        Instant time,
        String accountId,
        String accessKeyId,
        String sourceAddress,
        String eventSource,
        String eventName,
        List<String> resources,
        String requestParameters,
        String errorCode,
        String errorMessage,
        String requestId,
        String collaborationId,
        String previousHash,
        String hash) {
    public AuditEvent {
        requireNonNull(eventId, "eventId is null");
        requireNonNull(time, "time is null");
        requireNonNull(eventSource, "eventSource is null");
        requireNonNull(eventName, "eventName is null");
        resources = List.copyOf(resources);
        requireNonNull(previousHash, "previousHash is null");
    }

    /** The hash of the genesis predecessor. */
    public static final String GENESIS = "0".repeat(64);

    public boolean success() {
        return errorCode == null;
    }

    public String key() {
        return String.format("%019d", sequence);
    }

    /** The content the hash covers, one field per line, in a fixed order. */
    String canonical() {
        StringBuilder out = new StringBuilder();
        out.append(sequence).append('\n').append(eventId).append('\n').append(time.toEpochMilli()).append('\n')
                .append(accountId).append('\n').append(accessKeyId).append('\n').append(sourceAddress).append('\n')
                .append(eventSource).append('\n').append(eventName).append('\n').append(String.join(",", resources))
                .append('\n').append(requestParameters).append('\n').append(errorCode).append('\n')
                .append(errorMessage).append('\n').append(requestId).append('\n').append(collaborationId).append('\n')
                .append(previousHash);
        return out.toString();
    }

    /** SHA-256 over the canonical content (which includes the predecessor's hash). */
    public String computeHash() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(canonical().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A draft for a call that has just arrived. */
    public static AuditEvent draft(String requestId, Instant time, String sourceAddress) {
        return new AuditEvent(0, java.util.UUID.randomUUID().toString(), time, null, null, sourceAddress, "unknown",
                "Unknown", List.of(), null, null, null, requestId, null, GENESIS, null);
    }

    public AuditEvent withCall(String newSource, String newName, List<String> newResources, String parameters,
            String collaboration) {
        return new AuditEvent(sequence, eventId, time, accountId, accessKeyId, sourceAddress, newSource, newName,
                newResources, parameters, errorCode, errorMessage, requestId, collaboration, previousHash, hash);
    }

    public AuditEvent withIdentity(String account, String key) {
        return new AuditEvent(sequence, eventId, time, account, key, sourceAddress, eventSource, eventName,
                resources, requestParameters, errorCode, errorMessage, requestId, collaborationId, previousHash, hash);
    }

    public AuditEvent withError(String code, String message) {
        return new AuditEvent(sequence, eventId, time, accountId, accessKeyId, sourceAddress, eventSource, eventName,
                resources, requestParameters, code, message, requestId, collaborationId, previousHash, hash);
    }

    /** This event placed after a predecessor: its sequence, the predecessor's hash and its own hash. */
    public AuditEvent chainedAfter(long newSequence, String predecessorHash) {
        AuditEvent unhashed = new AuditEvent(newSequence, eventId, time, accountId, accessKeyId, sourceAddress,
                eventSource, eventName, resources, requestParameters, errorCode, errorMessage, requestId,
                collaborationId, predecessorHash, null);
        return new AuditEvent(newSequence, eventId, time, accountId, accessKeyId, sourceAddress, eventSource,
                eventName, resources, requestParameters, errorCode, errorMessage, requestId, collaborationId,
                predecessorHash, unhashed.computeHash());
    }
}
