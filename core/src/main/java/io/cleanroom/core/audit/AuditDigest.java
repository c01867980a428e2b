package io.cleanroom.core.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A signed statement that the chain held, at a time, an event with this sequence number and hash.
 * A CHECKPOINT additionally marks where a pruned trail now starts.
 */
public record AuditDigest(long sequence, String hash, Instant time, String kind, String signature) {
    public AuditDigest {
        requireNonNull(hash, "hash is null");
        requireNonNull(time, "time is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(signature, "signature is null");
    }

    public static final String DIGEST = "DIGEST";
    public static final String CHECKPOINT = "CHECKPOINT";

    public String key() {
        return key(sequence, kind);
    }

    /** The store key of the digest of this kind for this event. */
    public static String key(long sequence, String kind) {
        return String.format("%019d", sequence) + "/" + kind;
    }

    /** The bytes the signature covers. */
    public static String signedContent(long sequence, String hash, Instant time, String kind) {
        return "cleanroom-audit-digest-v1|" + kind + "|" + sequence + "|" + hash + "|" + time.toEpochMilli();
    }
}
