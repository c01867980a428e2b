package io.cleanroom.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditContext;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.model.Account;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.store.Kinds;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit: transactions that meet at the writer share one commit, each still all or nothing
 * with its audit event, none acknowledged before the commit, and reads run beside the writer on
 * committed data only. Each store runs it (SqliteGroupCommitIT, PostgresGroupCommitIT).
 */
abstract class GroupCommitSuite {
    private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

    private JdbcStore store;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    /** A JDBC URL of an empty database. */
    abstract String emptyDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = JdbcStore.open(emptyDatabase(), null, null);
    }

    @AfterEach
    void close() throws Exception {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        store.close();
    }

    private static Account account(String id) {
        return new Account(new AccountId(id), "a", true, List.of(), NOW);
    }

    /** Creates an account as an API call would: with the call's audit event. */
    private AuditContext create(String id, Runnable whileInTransaction) {
        AuditContext audit = AuditContext.begin(AuditEvent.draft("req-" + id, NOW, "127.0.0.1")
                .withCall("cleanroom-admin", "CreateAccount", List.of(id), "{}", null));
        try {
            store.inTransaction(tx -> {
                tx.of(Kinds.ACCOUNTS).insert(account(id));
                whileInTransaction.run();
                return null;
            });
        } finally {
            audit.end();
        }
        return audit;
    }

    /** Runs in a transaction until another transaction waits to join its batch. */
    private Runnable untilAnotherWaits() {
        return () -> {
            while (!store.writersWaiting()) {
                Thread.onSpinWait();
            }
        };
    }

    private List<Account> accounts() {
        return store.read(tx -> tx.of(Kinds.ACCOUNTS).all());
    }

    private List<AuditEvent> events() {
        return store.read(tx -> tx.of(Kinds.AUDIT_EVENTS).all());
    }

    /** Runs in a transaction: says it is in, then waits until another transaction waits to join its batch. */
    private Runnable inThenUntilAnotherWaits(CountDownLatch in) {
        return () -> {
            in.countDown();
            untilAnotherWaits().run();
        };
    }

    @Test
    void transactionsThatMeetShareOneCommit() throws Exception {
        long before = store.commits();
        CountDownLatch firstIn = new CountDownLatch(1);
        Future<AuditContext> first = threads.submit(() -> create("111111111111", inThenUntilAnotherWaits(firstIn)));
        firstIn.await();
        Future<AuditContext> second = threads.submit(() -> create("222222222222", () -> { }));

        assertThat(first.get(30, TimeUnit.SECONDS).recorded()).isTrue();
        assertThat(second.get(30, TimeUnit.SECONDS).recorded()).isTrue();
        assertThat(store.commits() - before).isEqualTo(1);
        assertThat(accounts()).extracting(a -> a.id().value()).containsExactly("111111111111", "222222222222");
        List<AuditEvent> events = events();
        assertThat(events).extracting(e -> e.resources().get(0)).containsExactly("111111111111", "222222222222");
        assertThat(AuditChain.verify(events, 1, AuditEvent.GENESIS)).isEmpty();
    }

    @Test
    void aFailureInABatchRollsBackOnlyItsOwnTransaction() throws Exception {
        List<AuditContext> audits = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstIn = new CountDownLatch(1);
        Future<Optional<Throwable>> first = threads.submit(() -> attempt("111111111111",
                inThenUntilAnotherWaits(firstIn), audits));
        firstIn.await();
        Future<Optional<Throwable>> failing = threads.submit(() -> attempt("222222222222", () -> {
            throw new IllegalStateException("boom");
        }, audits));

        assertThat(first.get(30, TimeUnit.SECONDS)).isEmpty();
        assertThat(failing.get(30, TimeUnit.SECONDS)).get().extracting(Throwable::getMessage).isEqualTo("boom");
        assertThat(store.commits()).isEqualTo(1);
        assertThat(audits).extracting(AuditContext::recorded).containsExactly(true, false);
        assertThat(accounts()).extracting(a -> a.id().value()).containsExactly("111111111111");
        assertThat(events()).extracting(e -> e.resources().get(0)).containsExactly("111111111111");
    }

    @Test
    void aFailedCommitFailsEveryTransactionOfTheBatchAndKeepsNothing() throws Exception {
        store.commitWith(c -> {
            throw new SQLException("disk full");
        });
        List<Future<Optional<Throwable>>> calls = new ArrayList<>();
        List<AuditContext> audits = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstIn = new CountDownLatch(1);
        calls.add(threads.submit(() -> attempt("111111111111", inThenUntilAnotherWaits(firstIn), audits)));
        firstIn.await();
        calls.add(threads.submit(() -> attempt("222222222222", () -> { }, audits)));

        for (Future<Optional<Throwable>> call : calls) {
            assertThat(call.get(30, TimeUnit.SECONDS)).get().isInstanceOf(CleanroomException.class);
        }
        assertThat(audits).hasSize(2).noneMatch(AuditContext::recorded);
        store.commitWith(java.sql.Connection::commit);
        assertThat(accounts()).isEmpty();
        assertThat(events()).isEmpty();

        // the store goes on: the next transaction commits
        assertThat(create("333333333333", () -> { }).recorded()).isTrue();
        assertThat(accounts()).extracting(a -> a.id().value()).containsExactly("333333333333");
        assertThat(events()).singleElement().satisfies(e -> assertThat(e.sequence()).isEqualTo(1));
    }

    private Optional<Throwable> attempt(String id, Runnable whileInTransaction, List<AuditContext> audits) {
        AuditContext audit = AuditContext.begin(AuditEvent.draft("req-" + id, NOW, "127.0.0.1")
                .withCall("cleanroom-admin", "CreateAccount", List.of(id), "{}", null));
        audits.add(audit);
        try {
            store.inTransaction(tx -> {
                tx.of(Kinds.ACCOUNTS).insert(account(id));
                whileInTransaction.run();
                return null;
            });
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e);
        } finally {
            audit.end();
        }
    }

    @Test
    void readsRunBesideAnOpenBatchAndSeeOnlyCommittedData() throws Exception {
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch readDone = new CountDownLatch(1);
        Future<AuditContext> writer = threads.submit(() -> create("111111111111", () -> {
            written.countDown();
            try {
                // holds the writer connection, its change uncommitted, until the read is done
                assertThat(readDone.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        written.await();
        Optional<Account> seen = store.read(tx -> tx.of(Kinds.ACCOUNTS).get("111111111111"));
        readDone.countDown();

        assertThat(seen).isEmpty();
        assertThat(writer.get(30, TimeUnit.SECONDS).recorded()).isTrue();
        assertThat(store.<Optional<Account>>read(tx -> tx.of(Kinds.ACCOUNTS).get("111111111111"))).isPresent();
    }

    @Test
    void aReadRefusesToWrite() {
        assertThatThrownBy(() -> store.read(tx -> {
            tx.of(Kinds.ACCOUNTS).insert(account("111111111111"));
            return null;
        })).isInstanceOf(IllegalStateException.class);
        assertThat(accounts()).isEmpty();
    }

    @Test
    void nestedWorkFailingRollsBackOnlyItself() {
        store.inTransaction(tx -> {
            tx.of(Kinds.ACCOUNTS).insert(account("111111111111"));
            assertThatThrownBy(() -> store.inTransaction(inner -> {
                inner.of(Kinds.ACCOUNTS).insert(account("222222222222"));
                throw new IllegalStateException("inner");
            })).hasMessage("inner");
            // a read inside a transaction sees that transaction's own writes
            assertThat(store.<Optional<Account>>read(inner -> inner.of(Kinds.ACCOUNTS).get("111111111111")))
                    .isPresent();
            return null;
        });
        assertThat(accounts()).extracting(a -> a.id().value()).containsExactly("111111111111");
    }

    @Test
    void manyConcurrentCallsAllCommitWithAnUnbrokenChain() throws Exception {
        int writers = 8;
        int each = 40;
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int base = w;
            done.add(threads.submit(() -> {
                for (int i = 0; i < each; i++) {
                    assertThat(create(String.format("%06d%06d", base + 1, i), () -> { }).recorded()).isTrue();
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        assertThat(accounts()).hasSize(writers * each);
        List<AuditEvent> events = events();
        assertThat(events).hasSize(writers * each);
        assertThat(AuditChain.verify(events, 1, AuditEvent.GENESIS)).isEmpty();
    }
}
