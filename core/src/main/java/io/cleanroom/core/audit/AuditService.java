package io.cleanroom.core.audit;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.service.Listing;
import io.cleanroom.core.service.Page;
import io.cleanroom.core.service.PageTokens;
import io.cleanroom.core.store.Position;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Row;
import io.cleanroom.core.store.Store;
import io.cleanroom.core.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reading the audit trail. The operator sees every event in full. An account sees the events it
 * caused in full, and, as metadata only ({@link AuditView.Metadata}), the other events of
 * collaborations it belongs to and the events that name a resource it owns: another member's SQL,
 * policies and templates never reach it through the trail (query logs are the way a querier's SQL
 * reaches a data owner, when both enabled them).
 */
public final class AuditService {
    private final Store store;
    private final PageTokens pages;

    public AuditService(Store store, PageTokens pages) {
        this.store = requireNonNull(store, "store is null");
        this.pages = requireNonNull(pages, "pages is null");
    }

    /**
     * A lookup: a filter on one attribute and an optional time range. The filter sees each event as
     * the caller may see it, so a field withheld from the caller cannot be probed by filtering on it.
     * attribute is the filter as text (e.g. "EventName=CreateCollaboration"; null for none), to which
     * page tokens are bound along with the time range.
     */
    public record Lookup(Predicate<AuditView> filter, String attribute, Instant start, Instant end, Column column) {
        public Lookup {
            requireNonNull(filter, "filter is null");
        }

        /** A lookup that reads the whole trail, every event tested by the filter. */
        public Lookup(Predicate<AuditView> filter, String attribute, Instant start, Instant end) {
            this(filter, attribute, start, end, null);
        }
    }

    /**
     * An index column of the trail that every event the filter keeps has this value in (event_name for
     * EventName, account_id for Username): the lookup then reads only those rows, one index range scan,
     * instead of walking every event. It only narrows what is read: the filter still decides each event.
     */
    public record Column(String name, String value) {
        /** The columns a lookup may narrow by: those stored as the event's own fields. */
        private static final Set<String> NAMES = Set.of("event_name", "account_id");

        public Column {
            requireNonNull(name, "name is null");
            requireNonNull(value, "value is null");
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("no lookup by column " + name);
            }
        }
    }

    /**
     * The events the caller may see that match the lookup, newest first, each as the caller may see
     * it. Walks the trail backwards from the newest event (or from the token's position) in batches
     * (only the rows of the lookup's column value, when it names one) and stops when the page is
     * full, so recent pages cost little however long the trail is; the
     * token names the last row returned, so events recorded meanwhile do not shift later pages. A row
     * whose columns disagree with its event (edited in the database; `audit verify` names it) is
     * skipped, so an edit of those columns cannot move an event to another reader.
     */
    public Page<AuditView> lookup(Caller caller, Lookup lookup, Page.Request page) {
        Listing listing = pages.listing("NextToken", "LookupEvents", caller, lookup.attribute(),
                lookup.start() == null ? null : lookup.start().toString(),
                lookup.end() == null ? null : lookup.end().toString());
        Position after = listing.after(page);
        if (after != null && !EVENT_KEY.matcher(after.key()).matches()) {
            throw CleanroomException.validation("NextToken", "Invalid NextToken");
        }
        String cursor = after == null ? null : after.key();
        return store.inTransaction(tx -> {
            Reader reader = caller.operator() ? Reader.OPERATOR : reader(tx, caller.account());
            List<AuditView> out = new ArrayList<>();
            String position = cursor;
            String lastReturned = null;
            boolean more = false;
            scan:
            while (true) {
                List<Row<AuditEvent>> batch = lookup.column() == null
                        ? tx.of(Kinds.AUDIT_EVENTS).rowsBefore(position, BATCH)
                        : tx.of(Kinds.AUDIT_EVENTS).rowsBefore(lookup.column().name(), lookup.column().value(),
                                position, BATCH);
                for (Row<AuditEvent> row : batch) {
                    position = row.key();
                    if (!Kinds.AUDIT_EVENTS.disagreements(row).isEmpty()) {
                        continue;
                    }
                    AuditView view = reader.view(row.value());
                    if (view != null && (lookup.start() == null || !view.time().isBefore(lookup.start()))
                            && (lookup.end() == null || !view.time().isAfter(lookup.end()))
                            && lookup.filter().test(view)) {
                        if (out.size() == page.maxResults()) {
                            more = true;
                            break scan;
                        }
                        out.add(view);
                        lastReturned = row.key();
                    }
                }
                if (batch.size() < BATCH) {
                    break;
                }
            }
            return new Page<>(out, more ? listing.tokenAt(Position.of(lastReturned)) : null);
        });
    }

    private static final int BATCH = 1000;
    private static final java.util.regex.Pattern EVENT_KEY = java.util.regex.Pattern.compile("[0-9]{19}");

    /** How one reader sees events: in full, as metadata, or (null) not at all. */
    @FunctionalInterface
    private interface Reader {
        Reader OPERATOR = AuditView.Full::new;

        AuditView view(AuditEvent event);
    }

    private static Reader reader(Tx tx, AccountId account) {
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
        return e -> {
            if (self.equals(e.accountId())) {
                return new AuditView.Full(e);
            }
            boolean concerns = (e.collaborationId() != null && collaborations.contains(e.collaborationId()))
                    || e.resources().stream().anyMatch(r -> owned.contains(r) || r.contains(":" + self + ":"));
            return concerns ? AuditView.Metadata.of(e) : null;
        };
    }
}
