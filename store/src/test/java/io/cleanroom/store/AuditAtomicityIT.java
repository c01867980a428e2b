package io.cleanroom.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.audit.AuditContext;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.model.Account;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.store.Kinds;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A change and the event of the call that made it commit together, or not at all. */
class AuditAtomicityIT {
    @TempDir
    Path dir;

    private static Account account(String id) {
        return new Account(new AccountId(id), "a", true, List.of(), Instant.parse("2026-11-25T00:00:00Z"));
    }

    private static AuditContext call(String name) {
        return AuditContext.begin(AuditEvent.draft("req-" + name, Instant.parse("2026-11-25T00:00:00Z"), "127.0.0.1")
                .withCall("cleanroom-admin", name, List.of(), "{}", null));
    }

    @Test
    void changeAndEventCommitTogether() {
        try (JdbcStore store = JdbcStore.sqlite(dir)) {
            AuditContext audit = call("CreateAccount");
            try {
                store.inTransaction(tx -> {
                    tx.of(Kinds.ACCOUNTS).insert(account("111111111111"));
                    return null;
                });
            } finally {
                audit.end();
            }
            assertThat(audit.recorded()).isTrue();
            List<AuditEvent> events = store.inTransaction(tx -> tx.of(Kinds.AUDIT_EVENTS).all());
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.eventName()).isEqualTo("CreateAccount");
                assertThat(e.sequence()).isEqualTo(1);
                assertThat(e.previousHash()).isEqualTo(AuditEvent.GENESIS);
                assertThat(e.hash()).isEqualTo(e.computeHash());
            });

            // when the event cannot be written, the change must not survive either
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:"
                    + dir.resolve("metadata.db")); java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE TRIGGER block_audit BEFORE INSERT ON audit_events BEGIN "
                        + "SELECT RAISE(ABORT, 'audit write failed'); END");
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
            AuditContext second = call("CreateAccount");
            try {
                assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.of(Kinds.ACCOUNTS).insert(account("222222222222"));
                    return null;
                })).isInstanceOf(CleanroomException.class);
            } finally {
                second.end();
            }
            assertThat(second.recorded()).isFalse();
            java.util.Optional<Account> second2 = store.inTransaction(tx -> tx.of(Kinds.ACCOUNTS).get("222222222222"));
            assertThat(second2).isEmpty();
        }
    }

    @Test
    void failedWorkLeavesNoEvent() {
        try (JdbcStore store = JdbcStore.sqlite(dir)) {
            AuditContext audit = call("CreateAccount");
            try {
                assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.of(Kinds.ACCOUNTS).insert(account("111111111111"));
                    throw new IllegalStateException("boom");
                })).isInstanceOf(IllegalStateException.class);
            } finally {
                audit.end();
            }
            List<AuditEvent> events = store.inTransaction(tx -> tx.of(Kinds.AUDIT_EVENTS).all());
            List<Account> accounts = store.inTransaction(tx -> tx.of(Kinds.ACCOUNTS).all());
            assertThat(events).isEmpty();
            assertThat(accounts).isEmpty();
        }
    }
}
