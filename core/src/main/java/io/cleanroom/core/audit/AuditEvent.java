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
 *
 * <p>{@code hashFormat} says how the content is laid out for hashing: {@link #HASH_FORMAT} (1) for
 * every event recorded now, in which each field is length-prefixed, so no text can move from one
 * field to the next without changing the hash; 0 for events recorded before formats existed (their
 * stored JSON has no such field), which keep the line-per-field layout they were hashed in. Changing
 * the format of a stored event changes the layout, hence the hash, and any other format hashes to
 * nothing, so the format is bound by the chain like every other field.
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
        String hash,
        int hashFormat) {
    public AuditEvent {
        requireNonNull(eventId, "eventId is null");
        requireNonNull(time, "time is null");
        requireNonNull(eventSource, "eventSource is null");
        requireNonNull(eventName, "eventName is null");
        resources = List.copyOf(resources);
        requireNonNull(previousHash, "previousHash is null");
    }

    /** The layout every new event is hashed in (see the class comment). */
    public static final int HASH_FORMAT = 1;

    /** The hash of the genesis predecessor. */
    public static final String GENESIS = "0".repeat(64);

    public boolean success() {
        return errorCode == null;
    }

    /** The sequence as 19 digits, zero-padded, so that keys sort as sequences do. */
    public String key() {
        if (sequence < 0) {
            return String.format("%019d", sequence);
        }
        String digits = Long.toString(sequence);
        return "0".repeat(19 - digits.length()) + digits;
    }

    /** The content the hash covers, in the layout of the event's hash format; null for an unknown format. */
    String canonical() {
        return switch (hashFormat) {
            case 0 -> canonicalV0();
            case HASH_FORMAT -> canonicalV1();
            default -> null;
        };
    }

    /**
     * Format 1: a header line, then every field in a fixed order, each as "-" (null) or
     * "=" + its length in UTF-8 bytes + ":" + its text, and a newline; resources as their count
     * followed by each resource; the time to the nanosecond.
     */
    private String canonicalV1() {
        StringBuilder out = new StringBuilder("cleanroom-audit-event-v1\n");
        field(out, Long.toString(sequence));
        field(out, eventId);
        field(out, time.getEpochSecond() + "." + time.getNano());
        field(out, accountId);
        field(out, accessKeyId);
        field(out, sourceAddress);
        field(out, eventSource);
        field(out, eventName);
        field(out, Integer.toString(resources.size()));
        resources.forEach(r -> field(out, r));
        field(out, requestParameters);
        field(out, errorCode);
        field(out, errorMessage);
        field(out, requestId);
        field(out, collaborationId);
        field(out, previousHash);
        return out.toString();
    }

    private static void field(StringBuilder out, String value) {
        if (value == null) {
            out.append("-\n");
        } else {
            out.append('=').append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value)
                    .append('\n');
        }
    }

    /**
     * Format 0 (events recorded before format 1): one field per line. Ambiguous where a field holds a
     * line break, a comma between resources or the text "null"; kept only to verify old events.
     */
    private String canonicalV0() {
        StringBuilder out = new StringBuilder();
        out.append(sequence).append('\n').append(eventId).append('\n').append(time.toEpochMilli()).append('\n')
                .append(accountId).append('\n').append(accessKeyId).append('\n').append(sourceAddress).append('\n')
                .append(eventSource).append('\n').append(eventName).append('\n').append(String.join(",", resources))
                .append('\n').append(requestParameters).append('\n').append(errorCode).append('\n')
                .append(errorMessage).append('\n').append(requestId).append('\n').append(collaborationId).append('\n')
                .append(previousHash);
        return out.toString();
    }

    /**
     * SHA-256 over the canonical content (which includes the predecessor's hash); for an unknown
     * hash format, a value no stored hash equals.
     */
    public String computeHash() {
        String content = canonical();
        if (content == null) {
            return "unknown hash format " + hashFormat;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A draft for a call that has just arrived. */
    public static AuditEvent draft(String requestId, Instant time, String sourceAddress) {
        return new AuditEvent(0, java.util.UUID.randomUUID().toString(), time, null, null, sourceAddress, "unknown",
                "Unknown", List.of(), null, null, null, requestId, null, GENESIS, null, HASH_FORMAT);
    }

    public AuditEvent withCall(String newSource, String newName, List<String> newResources, String parameters,
            String collaboration) {
        return new AuditEvent(sequence, eventId, time, accountId, accessKeyId, sourceAddress, newSource, newName,
                newResources, parameters, errorCode, errorMessage, requestId, collaboration, previousHash, hash,
                hashFormat);
    }

    public AuditEvent withIdentity(String account, String key) {
        return new AuditEvent(sequence, eventId, time, account, key, sourceAddress, eventSource, eventName,
                resources, requestParameters, errorCode, errorMessage, requestId, collaborationId, previousHash, hash,
                hashFormat);
    }

    public AuditEvent withError(String code, String message) {
        return new AuditEvent(sequence, eventId, time, accountId, accessKeyId, sourceAddress, eventSource, eventName,
                resources, requestParameters, code, message, requestId, collaborationId, previousHash, hash,
                hashFormat);
    }

    /** This event placed after a predecessor: its sequence, the predecessor's hash and its own hash. */
    public AuditEvent chainedAfter(long newSequence, String predecessorHash) {
        AuditEvent unhashed = new AuditEvent(newSequence, eventId, time, accountId, accessKeyId, sourceAddress,
                eventSource, eventName, resources, requestParameters, errorCode, errorMessage, requestId,
                collaborationId, predecessorHash, null, hashFormat);
        return new AuditEvent(newSequence, eventId, time, accountId, accessKeyId, sourceAddress, eventSource,
                eventName, resources, requestParameters, errorCode, errorMessage, requestId, collaborationId,
                predecessorHash, unhashed.computeHash(), hashFormat);
    }
}
