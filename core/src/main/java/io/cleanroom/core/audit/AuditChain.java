package io.cleanroom.core.audit;

import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Row;
import io.cleanroom.core.store.Tx;
import java.util.List;
import java.util.Optional;

/** Appends events to the hash chain and verifies it. */
public final class AuditChain {
    private AuditChain() {
    }

    /** Appends a drafted event after the last one, inside the given transaction. */
    public static AuditEvent append(Tx tx, AuditEvent draft) {
        Optional<AuditEvent> last = tx.of(Kinds.AUDIT_EVENTS).last();
        AuditEvent event;
        if (last.isPresent()) {
            event = draft.chainedAfter(last.get().sequence() + 1, last.get().hash());
        } else {
            // an empty trail is new, or was pruned whole: then it continues from the checkpoint
            Optional<AuditDigest> checkpoint = latestCheckpoint(tx.of(Kinds.AUDIT_DIGESTS).all());
            event = draft.chainedAfter(checkpoint.map(d -> d.sequence() + 1).orElse(1L),
                    checkpoint.map(AuditDigest::hash).orElse(AuditEvent.GENESIS));
        }
        tx.of(Kinds.AUDIT_EVENTS).insert(event);
        return event;
    }

    /**
     * Verifies a trail with its signed digests: every stored row must agree with the event it holds
     * (its key and index columns, which decide where lookups find it and who may see it, are copies
     * of the hashed event); the latest CHECKPOINT (if the trail was pruned) says where the chain
     * starts; the chain must hold from there; and every DIGEST must carry a valid signature and match
     * the event it names (a chain rewritten consistently after a digest does not). Reports
     * INCONSISTENT, BAD_SIGNATURE or DIGEST_MISMATCH besides the chain's own problems.
     */
    public static Optional<Problem> verify(List<Row<AuditEvent>> rows, List<Row<AuditDigest>> digestRows,
            java.util.function.Predicate<AuditDigest> signatureValid) {
        for (Row<AuditDigest> row : digestRows) {
            List<String> wrong = Kinds.AUDIT_DIGESTS.disagreements(row);
            if (!wrong.isEmpty()) {
                return Optional.of(new Problem(row.value().sequence(), "INCONSISTENT", "The " + row.value().kind()
                        + " of event " + row.value().sequence() + " is stored under another key (" + wrong.get(0)
                        + "): the row was edited"));
            }
        }
        List<AuditDigest> digests = digestRows.stream().map(Row::value).toList();
        long start = 1;
        String previous = AuditEvent.GENESIS;
        Optional<AuditDigest> checkpoint = latestCheckpoint(digests);
        if (checkpoint.isPresent()) {
            if (!signatureValid.test(checkpoint.get())) {
                return Optional.of(new Problem(checkpoint.get().sequence(), "BAD_SIGNATURE",
                        "The checkpoint at event " + checkpoint.get().sequence() + " is not signed by this server"));
            }
            start = checkpoint.get().sequence() + 1;
            previous = checkpoint.get().hash();
        }
        Optional<Problem> chain = verifyRows(rows, start, previous);
        if (chain.isPresent()) {
            return chain;
        }
        java.util.Map<Long, AuditEvent> bySequence = new java.util.HashMap<>();
        rows.forEach(r -> bySequence.put(r.value().sequence(), r.value()));
        for (AuditDigest d : digests) {
            if (!d.kind().equals(AuditDigest.DIGEST) || d.sequence() < start) {
                continue;
            }
            if (!signatureValid.test(d)) {
                return Optional.of(new Problem(d.sequence(), "BAD_SIGNATURE",
                        "The digest of event " + d.sequence() + " is not signed by this server"));
            }
            AuditEvent e = bySequence.get(d.sequence());
            if (e == null || !e.hash().equals(d.hash())) {
                return Optional.of(new Problem(d.sequence(), "DIGEST_MISMATCH", "Event " + d.sequence()
                        + " no longer matches the digest signed at " + d.time() + ": the chain was rewritten"));
            }
        }
        return Optional.empty();
    }

    /** Where a pruned trail starts: the checkpoint of the last event removed, if any were. */
    private static Optional<AuditDigest> latestCheckpoint(List<AuditDigest> digests) {
        return digests.stream().filter(d -> d.kind().equals(AuditDigest.CHECKPOINT))
                .max(java.util.Comparator.comparingLong(AuditDigest::sequence));
    }

    /** The first problem found in a chain, if any. */
    public record Problem(long sequence, String kind, String message) {
    }

    /**
     * Walks events in stored order: each must follow its predecessor by one, name its
     * predecessor's hash, and hash to the value it carries. Reports the first that does not:
     * ALTERED (content changed), REMOVED (a gap, or a predecessor hash that matches no event
     * before it), REORDERED (out of sequence order).
     */
    public static Optional<Problem> verify(List<AuditEvent> events, long firstSequence, String firstPreviousHash) {
        return verifyRows(events.stream().map(Kinds.AUDIT_EVENTS::row).toList(), firstSequence, firstPreviousHash);
    }

    /**
     * Walks stored rows in key order as {@link #verify(List, long, String)} walks events, and also
     * reports INCONSISTENT for a row whose key or index column (account_id, collaboration_id: what
     * lookups go by) disagrees with the event it holds: an edit that would move the event to
     * another account or collaboration without touching the hashed content.
     */
    static Optional<Problem> verifyRows(List<Row<AuditEvent>> rows, long firstSequence, String firstPreviousHash) {
        long expected = firstSequence;
        String previous = firstPreviousHash;
        java.util.Set<Long> present = new java.util.HashSet<>();
        rows.forEach(r -> present.add(r.value().sequence()));
        for (Row<AuditEvent> row : rows) {
            AuditEvent e = row.value();
            if (!e.computeHash().equals(e.hash())) {
                return Optional.of(new Problem(e.sequence(), "ALTERED",
                        "Event " + e.sequence() + " does not hash to the value it carries: its content was changed"));
            }
            if (e.sequence() < expected) {
                return Optional.of(new Problem(e.sequence(), "REORDERED",
                        "Event " + e.sequence() + " appears after event " + (expected - 1)));
            }
            if (e.sequence() > expected) {
                if (present.contains(expected)) {
                    return Optional.of(new Problem(expected, "REORDERED",
                            "Event " + e.sequence() + " is stored where event " + expected + " belongs"));
                }
                return Optional.of(new Problem(expected, "REMOVED",
                        "Event " + expected + " is missing (the next one is " + e.sequence() + ")"));
            }
            if (!e.previousHash().equals(previous)) {
                return Optional.of(new Problem(e.sequence(), "REMOVED",
                        "Event " + e.sequence() + " does not follow the event before it: the chain was broken"));
            }
            List<String> wrong = Kinds.AUDIT_EVENTS.disagreements(row);
            if (!wrong.isEmpty()) {
                return Optional.of(new Problem(e.sequence(), "INCONSISTENT", "Event " + e.sequence()
                        + " is stored with " + String.join(", ", wrong)
                        + " not matching the event: the row was edited"));
            }
            previous = e.hash();
            expected++;
        }
        return Optional.empty();
    }
}
