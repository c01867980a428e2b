package io.cleanroom.core.audit;

import java.util.function.Function;

/**
 * The event of the API call the current thread serves. The store appends it to the chain in the
 * first transaction of the call that changes something (so the change and its event commit
 * together); the front door appends it afterwards when nothing changed or the call failed.
 */
public final class AuditContext {
    private static final ThreadLocal<AuditContext> CURRENT = new ThreadLocal<>();

    private AuditEvent draft;
    private boolean recorded;

    private AuditContext(AuditEvent draft) {
        this.draft = draft;
    }

    /** Starts recording a call on this thread. */
    public static AuditContext begin(AuditEvent draft) {
        AuditContext context = new AuditContext(draft);
        CURRENT.set(context);
        return context;
    }

    public static AuditContext current() {
        return CURRENT.get();
    }

    public void end() {
        CURRENT.remove();
    }

    /** Adds to the draft before it is recorded (resources learned while serving the call). */
    public synchronized void update(Function<AuditEvent, AuditEvent> change) {
        if (!recorded) {
            draft = change.apply(draft);
        }
    }

    /** The draft to record now, if it has not been recorded yet; marks it recorded. */
    public synchronized AuditEvent take() {
        if (recorded) {
            return null;
        }
        recorded = true;
        return draft;
    }

    /** Undoes take() when the transaction that was to record it rolled back. */
    public synchronized void untake() {
        recorded = false;
    }

    public synchronized boolean recorded() {
        return recorded;
    }
}
