package io.cleanroom.core.audit;

import io.cleanroom.core.store.Kinds;
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
        AuditEvent event = draft.chainedAfter(last.map(e -> e.sequence() + 1).orElse(1L),
                last.map(AuditEvent::hash).orElse(AuditEvent.GENESIS));
        tx.of(Kinds.AUDIT_EVENTS).insert(event);
        return event;
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
        long expected = firstSequence;
        String previous = firstPreviousHash;
        java.util.Set<Long> present = new java.util.HashSet<>();
        events.forEach(e -> present.add(e.sequence()));
        for (AuditEvent e : events) {
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
            previous = e.hash();
            expected++;
        }
        return Optional.empty();
    }
}
