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
        Verifier verifier = new Verifier(digestRows, signatureValid);
        rows.forEach(verifier::accept);
        return verifier.finish();
    }

    /**
     * {@link #verify(List, List, java.util.function.Predicate)} over rows fed in key order, a batch at
     * a time, so that a trail of any length verifies in bounded memory: only the digests and the
     * hashes of the events they name are kept.
     */
    public static final class Verifier {
        private final List<AuditDigest> digests;
        private final java.util.function.Predicate<AuditDigest> signatureValid;
        private final java.util.Map<Long, String> digestedHashes = new java.util.HashMap<>();
        private final long start;
        private Problem problem;
        private Chain chain;

        public Verifier(List<Row<AuditDigest>> digestRows, java.util.function.Predicate<AuditDigest> signatureValid) {
            this.signatureValid = signatureValid;
            this.digests = digestRows.stream().map(Row::value).toList();
            for (Row<AuditDigest> row : digestRows) {
                List<String> wrong = Kinds.AUDIT_DIGESTS.disagreements(row);
                if (!wrong.isEmpty() && problem == null) {
                    problem = new Problem(row.value().sequence(), "INCONSISTENT", "The " + row.value().kind()
                            + " of event " + row.value().sequence() + " is stored under another key (" + wrong.get(0)
                            + "): the row was edited");
                }
            }
            long first = 1;
            String previous = AuditEvent.GENESIS;
            Optional<AuditDigest> checkpoint = latestCheckpoint(digests);
            if (checkpoint.isPresent()) {
                if (problem == null && !signatureValid.test(checkpoint.get())) {
                    problem = new Problem(checkpoint.get().sequence(), "BAD_SIGNATURE",
                            "The checkpoint at event " + checkpoint.get().sequence() + " is not signed by this server");
                }
                first = checkpoint.get().sequence() + 1;
                previous = checkpoint.get().hash();
            }
            this.start = first;
            this.chain = new Chain(first, previous);
            for (AuditDigest d : digests) {
                if (d.kind().equals(AuditDigest.DIGEST)) {
                    digestedHashes.put(d.sequence(), null);
                }
            }
        }

        /** The next stored row, in key order. */
        public void accept(Row<AuditEvent> row) {
            if (problem != null) {
                return;
            }
            if (digestedHashes.containsKey(row.value().sequence())) {
                digestedHashes.put(row.value().sequence(), row.value().hash());
            }
            chain.accept(row);
        }

        /** The first problem of the whole trail, once every row was fed. */
        public Optional<Problem> finish() {
            if (problem != null) {
                return Optional.of(problem);
            }
            Optional<Problem> broken = chain.finish();
            if (broken.isPresent()) {
                return broken;
            }
            for (AuditDigest d : digests) {
                if (!d.kind().equals(AuditDigest.DIGEST) || d.sequence() < start) {
                    continue;
                }
                if (!signatureValid.test(d)) {
                    return Optional.of(new Problem(d.sequence(), "BAD_SIGNATURE",
                            "The digest of event " + d.sequence() + " is not signed by this server"));
                }
                String hash = digestedHashes.get(d.sequence());
                if (hash == null || !hash.equals(d.hash())) {
                    return Optional.of(new Problem(d.sequence(), "DIGEST_MISMATCH", "Event " + d.sequence()
                            + " no longer matches the digest signed at " + d.time() + ": the chain was rewritten"));
                }
            }
            return Optional.empty();
        }
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
        Chain chain = new Chain(firstSequence, firstPreviousHash);
        rows.forEach(chain::accept);
        return chain.finish();
    }

    /**
     * The chain walk over rows fed one at a time. After a gap at sequence n it only looks for event
     * n further on, which tells a reordered trail (n is stored later) from one with n removed.
     */
    private static final class Chain {
        private long expected;
        private String previous;
        private Problem problem;
        /** The sequence a gap was found at, while the rest is searched for it. */
        private long gap = -1;
        private long gapNext;
        private boolean gapFound;

        Chain(long firstSequence, String firstPreviousHash) {
            this.expected = firstSequence;
            this.previous = firstPreviousHash;
        }

        void accept(Row<AuditEvent> row) {
            if (problem != null) {
                return;
            }
            AuditEvent e = row.value();
            if (gap >= 0) {
                gapFound |= e.sequence() == gap;
                return;
            }
            if (!e.computeHash().equals(e.hash())) {
                problem = new Problem(e.sequence(), "ALTERED",
                        "Event " + e.sequence() + " does not hash to the value it carries: its content was changed");
                return;
            }
            if (e.sequence() < expected) {
                problem = new Problem(e.sequence(), "REORDERED",
                        "Event " + e.sequence() + " appears after event " + (expected - 1));
                return;
            }
            if (e.sequence() > expected) {
                gap = expected;
                gapNext = e.sequence();
                return;
            }
            if (!e.previousHash().equals(previous)) {
                problem = new Problem(e.sequence(), "REMOVED",
                        "Event " + e.sequence() + " does not follow the event before it: the chain was broken");
                return;
            }
            List<String> wrong = Kinds.AUDIT_EVENTS.disagreements(row);
            if (!wrong.isEmpty()) {
                problem = new Problem(e.sequence(), "INCONSISTENT", "Event " + e.sequence()
                        + " is stored with " + String.join(", ", wrong)
                        + " not matching the event: the row was edited");
                return;
            }
            previous = e.hash();
            expected++;
        }

        Optional<Problem> finish() {
            if (problem == null && gap >= 0) {
                problem = gapFound
                        ? new Problem(gap, "REORDERED", "Event " + gapNext + " is stored where event " + gap + " belongs")
                        : new Problem(gap, "REMOVED", "Event " + gap + " is missing (the next one is " + gapNext + ")");
            }
            return Optional.ofNullable(problem);
        }
    }
}
