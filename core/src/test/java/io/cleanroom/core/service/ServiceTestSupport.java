package io.cleanroom.core.service;

import io.cleanroom.core.model.Account;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.model.CatalogDatabase;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.LogStatus;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.store.Kinds;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Services over the in-memory store, with a fixed clock and helpers for common set-ups. */
class ServiceTestSupport {
    final InMemoryStore store = new InMemoryStore();
    /** Stands still at 2026-11-25T12:00:00Z until a test moves it. */
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    final ServiceContext context = new ServiceContext(store, clock, new Arns("us-east-1"), Quotas.DEFAULTS,
            PageTokens.random());
    final CollaborationService collaborations = new CollaborationService(context);
    final MembershipService memberships = new MembershipService(context);
    final ConfiguredTableService tables = new ConfiguredTableService(context);
    final AssociationService associations = new AssociationService(context);
    final SchemaService schemas = new SchemaService(context);

    /** A clock that stands still until set. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException("a test clock stays in UTC");
        }
    }

    Caller account(String id) {
        AccountId accountId = new AccountId(id);
        store.inTransaction(tx -> {
            if (tx.of(Kinds.ACCOUNTS).get(id).isEmpty()) {
                tx.of(Kinds.ACCOUNTS).insert(new Account(accountId, "account " + id, true, List.of(), context.now()));
            }
            return null;
        });
        return new Caller(accountId, "CRAK" + id.substring(0, 12) + "0000", Role.ADMINISTRATOR);
    }

    void catalogTable(Caller caller, String database, String table, String... columns) {
        store.inTransaction(tx -> {
            if (tx.of(Kinds.CATALOG_DATABASES).get(caller.account().value() + "/" + database).isEmpty()) {
                tx.of(Kinds.CATALOG_DATABASES).insert(new CatalogDatabase(caller.account(), database, null, null,
                        context.now()));
            }
            tx.of(Kinds.CATALOG_TABLES).insert(new CatalogTable(caller.account(), database, table, null,
                    "/data/" + table + ".csv", TableFormat.CSV,
                    java.util.Arrays.stream(columns).map(c -> new Column(c, "string")).toList(), Map.of(),
                    context.now(), context.now(), null));
            return null;
        });
    }

    CollaborationService.Create collaboration(String name, List<CollaborationService.MemberSpec> members) {
        return new CollaborationService.Create(name, "d", members, List.of(), null, "creator", null,
                LogStatus.DISABLED, null, null, null, null, null, null, null);
    }

    static CollaborationService.MemberSpec member(Caller caller, MemberAbility... abilities) {
        return new CollaborationService.MemberSpec(caller.account(), "m", List.of(abilities), null, null);
    }

    MembershipService.Create join(io.cleanroom.core.model.CollaborationId id) {
        return new MembershipService.Create(id, LogStatus.DISABLED, null, null, null, null, null);
    }
}
