package io.cleanroom.core.audit;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Page;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Store;
import io.cleanroom.core.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reading the audit trail. The operator sees every event; an account sees the events it caused,
 * the events of collaborations it belongs to, and the events that name a resource it owns.
 */
public final class AuditService {
    private final Store store;

    public AuditService(Store store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** A lookup: an optional filter on one attribute and an optional time range. */
    public record Lookup(Predicate<AuditEvent> filter, Instant start, Instant end) {
    }

    /**
     * The events the caller may see that match the lookup, newest first. Walks the trail backwards
     * from the newest event (or from the token's position) in batches and stops when the page is
     * full, so recent pages cost little however long the trail is; the token names the last event
     * returned, so events recorded meanwhile do not shift later pages.
     */
    public Page<AuditEvent> lookup(Caller caller, Lookup lookup, Page.Request page) {
        String cursor = page.nextToken() == null ? null : Page.position("audit", page.nextToken(), EVENT_KEY);
        return store.inTransaction(tx -> {
            Predicate<AuditEvent> visible = caller.operator() ? e -> true : visibility(tx, caller.account());
            List<AuditEvent> out = new ArrayList<>();
            String position = cursor;
            boolean more = false;
            scan:
            while (true) {
                List<AuditEvent> batch = tx.of(Kinds.AUDIT_EVENTS).before(position, BATCH);
                for (AuditEvent e : batch) {
                    position = e.key();
                    if ((lookup.start() == null || !e.time().isBefore(lookup.start()))
                            && (lookup.end() == null || !e.time().isAfter(lookup.end()))
                            && lookup.filter().test(e) && visible.test(e)) {
                        if (out.size() == page.maxResults()) {
                            more = true;
                            break scan;
                        }
                        out.add(e);
                    }
                }
                if (batch.size() < BATCH) {
                    break;
                }
            }
            return new Page<>(out, more ? Page.token("audit", out.get(out.size() - 1).key()) : null);
        });
    }

    private static final int BATCH = 1000;
    private static final java.util.regex.Pattern EVENT_KEY = java.util.regex.Pattern.compile("[0-9]{19}");

    private static Predicate<AuditEvent> visibility(Tx tx, AccountId account) {
        Set<String> collaborations = new HashSet<>();
        Set<String> owned = new HashSet<>();
        tx.of(Kinds.MEMBERS).find("account_id", account.value())
                .forEach(m -> collaborations.add(m.collaborationId().value()));
        tx.of(Kinds.MEMBERSHIPS).find("account_id", account.value()).forEach(m -> {
            owned.add(m.id().value());
            collaborations.add(m.collaborationId().value());
        });
        tx.of(Kinds.CONFIGURED_TABLES).find("owner_account_id", account.value())
                .forEach(t -> owned.add(t.id().value()));
        tx.of(Kinds.COLLABORATIONS).find("creator_account_id", account.value())
                .forEach(c -> owned.add(c.id().value()));
        String self = account.value();
        return e -> self.equals(e.accountId())
                || (e.collaborationId() != null && collaborations.contains(e.collaborationId()))
                || e.resources().stream().anyMatch(r -> owned.contains(r) || r.contains(":" + self + ":"));
    }
}
