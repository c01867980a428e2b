package io.cleanroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.audit.AuditService;
import io.cleanroom.core.audit.AuditView;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Page;
import io.cleanroom.core.service.PageTokens;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Row;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migrations 12 and 12.1: audit events stored before event_name existed get it from their records
 * (in batches, past the first thousand), and LookupEvents narrowed to the rows of one event name or
 * one account (an index range scan) answers exactly what the walk of the whole trail answers, page by
 * page, for events stored before and after the migration. Each store runs it
 * (SqliteAuditEventNameMigrationIT, PostgresAuditEventNameMigrationIT).
 */
abstract class AuditEventNameMigrationSuite {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<String> NAMES = List.of("StartProtectedQuery", "GetCollaboration", "ConsoleLogin",
            "ListMembers", "GetCollaboration");
    private static final List<String> ACCOUNTS = List.of("111111111111", "222222222222", "operator");

    /** A JDBC URL of an empty database. */
    abstract String emptyDatabase() throws Exception;

    private static AuditEvent event(int i, AuditEvent previous) {
        AuditEvent draft = AuditEvent.draft("r" + i, T0.plusSeconds(i), "127.0.0.1")
                .withCall("cleanrooms.amazonaws.com", NAMES.get(i % NAMES.size()), List.of(), null, null)
                .withIdentity(ACCOUNTS.get(i % ACCOUNTS.size()), "AKID" + i);
        return previous == null ? draft.chainedAfter(1, AuditEvent.GENESIS)
                : draft.chainedAfter(previous.sequence() + 1, previous.hash());
    }

    @Test
    void eventsStoredBeforeAreFoundByNameAndAccountAsAWalkOfTheTrailFindsThem() throws Exception {
        String url = emptyDatabase();
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
                .javaMigrations(new ListOrderMigration()).target("11").load().migrate();
        int before = 1_234;
        AuditEvent last = null;
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_events (id, account_id, collaboration_id, body) VALUES (?, ?, ?, ?)")) {
            // as the version 11 schema held them, without event_name
            JsonCodec codec = new JsonCodec();
            for (int i = 0; i < before; i++) {
                last = event(i, last);
                ps.setString(1, last.key());
                ps.setString(2, last.accountId());
                ps.setString(3, "");
                ps.setString(4, codec.write(last));
                ps.addBatch();
            }
            ps.executeBatch();
            // a row whose record cannot be read keeps '' rather than stopping the migration
            try (PreparedStatement damaged = c.prepareStatement("INSERT INTO audit_events (id, account_id, "
                    + "collaboration_id, body) VALUES ('9999999999999999999', '', '', '{')")) {
                damaged.executeUpdate();
            }
        }
        try (JdbcStore store = JdbcStore.open(url, null, null)) {
            assertThat(eventName(url, "9999999999999999999")).isEmpty();
            try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM audit_events WHERE id = '9999999999999999999'")) {
                ps.executeUpdate();
            }
            // every event stored before has its name, the first and the last batch alike
            List<Row<AuditEvent>> rows = store.read(tx -> tx.of(Kinds.AUDIT_EVENTS).rows());
            assertThat(rows).hasSize(before);
            assertThat(rows).allSatisfy(r -> assertThat(Kinds.AUDIT_EVENTS.disagreements(r)).isEmpty());
            assertThat(eventName(url, event(0, null).key())).isEqualTo("StartProtectedQuery");
            AuditEvent newest = last;
            // and events recorded after it, as the server records them (one commit for all)
            store.inTransaction(tx -> {
                for (int i = before; i < before + 40; i++) {
                    AuditEvent next = event(i, null);
                    AuditChain.append(tx, AuditEvent.draft(next.requestId(), next.time(), "127.0.0.1")
                            .withCall(next.eventSource(), next.eventName(), List.of(), null, null)
                            .withIdentity(next.accountId(), next.accessKeyId()));
                }
                return null;
            });
            assertThat(store.read(tx -> tx.of(Kinds.AUDIT_EVENTS).last()).orElseThrow().sequence())
                    .isEqualTo(newest.sequence() + 40);

            // the index's rows are the name's rows, newest first, from any position
            List<Row<AuditEvent>> byName = store.read(tx -> tx.of(Kinds.AUDIT_EVENTS).rowsBefore("event_name",
                    "ConsoleLogin", null, 10_000));
            assertThat(byName).extracting(Row::key).isSortedAccordingTo(java.util.Comparator.reverseOrder());
            assertThat(byName).extracting(r -> r.value().eventName()).containsOnly("ConsoleLogin");
            assertThat(byName).hasSize((int) store.read(tx -> tx.of(Kinds.AUDIT_EVENTS).rows()).stream()
                    .filter(r -> r.value().eventName().equals("ConsoleLogin")).count());
            String middle = byName.get(byName.size() / 2).key();
            List<Row<AuditEvent>> after = store.read(tx -> tx.of(Kinds.AUDIT_EVENTS).rowsBefore("event_name",
                    "ConsoleLogin", middle, 3));
            assertThat(after).extracting(Row::key).containsExactlyElementsOf(byName.subList(byName.size() / 2 + 1,
                            byName.size() / 2 + 4).stream().map(Row::key).toList());

            AuditService audit = new AuditService(store, PageTokens.random());
            Caller operator = new Caller(null, "OPERATORKEY", Role.ADMINISTRATOR);
            for (String name : List.of("StartProtectedQuery", "GetCollaboration", "NoSuchOperation")) {
                Predicate<AuditView> filter = e -> e.eventName().equals(name);
                assertThat(pages(audit, operator, new AuditService.Lookup(filter, "EventName=" + name, null, null,
                        new AuditService.Column("event_name", name))))
                        .as(name).isEqualTo(pages(audit, operator, new AuditService.Lookup(filter, "EventName=" + name,
                                null, null)));
            }
            for (String account : ACCOUNTS) {
                Predicate<AuditView> filter = e -> account.equals(e.accountId());
                List<String> narrowed = pages(audit, operator, new AuditService.Lookup(filter, "Username=" + account,
                        null, null, new AuditService.Column("account_id", account)));
                assertThat(narrowed).as(account).hasSizeGreaterThan(400)
                        .isEqualTo(pages(audit, operator, new AuditService.Lookup(filter, "Username=" + account,
                                null, null)));
            }
            // an account reads its own events through the index too, as it reads them walking the trail
            Caller publisher = new Caller(new AccountId("111111111111"), "AKID", Role.ADMINISTRATOR);
            Predicate<AuditView> starts = e -> e.eventName().equals("StartProtectedQuery");
            assertThat(pages(audit, publisher, new AuditService.Lookup(starts, "EventName=StartProtectedQuery", null,
                    null, new AuditService.Column("event_name", "StartProtectedQuery"))))
                    .isNotEmpty()
                    .isEqualTo(pages(audit, publisher, new AuditService.Lookup(starts, "EventName=StartProtectedQuery",
                            null, null)));
        }
    }

    /** Every event a lookup answers, page by page (50 a page, as LookupEvents at most). */
    private static List<String> pages(AuditService audit, Caller caller, AuditService.Lookup lookup) {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            Page<AuditView> page = audit.lookup(caller, lookup, new Page.Request(50, token));
            page.items().forEach(e -> out.add(e.eventId()));
            token = page.nextToken();
        } while (token != null);
        return out;
    }

    private static String eventName(String url, String id) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ps = c.prepareStatement("SELECT event_name FROM audit_events WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }
}
