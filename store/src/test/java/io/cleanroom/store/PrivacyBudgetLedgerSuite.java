package io.cleanroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.model.AutoRefresh;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.PrivacyBudget;
import io.cleanroom.core.model.PrivacyBudgetReservation;
import io.cleanroom.core.model.PrivacyBudgetTemplate;
import io.cleanroom.core.model.PrivacyBudgetTemplateId;
import io.cleanroom.core.service.PageTokens;
import io.cleanroom.core.service.PrivacyBudgetLedger;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.core.service.ServiceContext;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.privacy.Rational;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The privacy budget's accounting on a real store: concurrent reservations can never spend more
 * than epsilon nor lose one another's updates, commits and refunds settle exactly, the monthly
 * refresh happens at the start of the UTC month, and the balance is kept as an exact rational whose
 * numerator and denominator the database shows. Each store runs it (SqlitePrivacyBudgetLedgerIT,
 * PostgresPrivacyBudgetLedgerIT).
 */
abstract class PrivacyBudgetLedgerSuite {
    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");
    private static final CollaborationId COLLABORATION = new CollaborationId("0a1b2c3d-0000-4000-8000-00000000000c");

    private String url;
    private JdbcStore store;
    private final MovableClock clock = new MovableClock();
    private PrivacyBudgetLedger ledger;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    /** A JDBC URL of an empty database. */
    abstract String emptyDatabase() throws Exception;

    private static final class MovableClock extends Clock {
        private volatile Instant now = START;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @BeforeEach
    void open() throws Exception {
        url = emptyDatabase();
        store = JdbcStore.open(url, null, null);
        ledger = new PrivacyBudgetLedger(new ServiceContext(store, clock, new Arns("us-east-1"), Quotas.DEFAULTS,
                PageTokens.random()));
    }

    @AfterEach
    void close() throws Exception {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        store.close();
    }

    /** The collaboration's policy, stored as the service stores it, with a budget nothing was spent from. */
    private void policy(AutoRefresh refresh, int epsilon, int noise) {
        store.inTransaction(tx -> {
            tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).insert(new PrivacyBudgetTemplate(PrivacyBudgetTemplateId.random(),
                    new MembershipId("0a1b2c3d-0000-4000-8000-00000000000a"), COLLABORATION,
                    new AccountId("111111111111"), refresh, epsilon, noise, START, START));
            tx.of(Kinds.PRIVACY_BUDGETS).insert(PrivacyBudget.fresh(COLLABORATION, START));
            return null;
        });
    }

    private PrivacyBudget stored() {
        return store.read(tx -> tx.of(Kinds.PRIVACY_BUDGETS).get(COLLABORATION.value())).orElseThrow();
    }

    private int reservationsHeld() {
        return store.read(tx -> tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS).find("collaboration_id",
                COLLABORATION.value())).size();
    }

    /** Runs the calls at once (released together) and returns their outcomes, in order. */
    private <T> List<Future<T>> race(List<Callable<T>> calls) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> call : calls) {
            futures.add(threads.submit(() -> {
                go.await();
                return call.call();
            }));
        }
        go.countDown();
        for (Future<T> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        return futures;
    }

    /** A reservation attempt: true when granted, false when refused because the budget is spent. */
    private Callable<Boolean> attempt(String holder, Rational cost) {
        return () -> {
            try {
                ledger.reserve(COLLABORATION, holder, cost);
                return true;
            } catch (CleanroomException e) {
                assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INVALID_QUERY);
                assertThat(e.getMessage()).contains("privacy budget is spent");
                return false;
            }
        };
    }

    @Test
    void concurrentReservationsGrantExactlyWhatEpsilonAllows() throws Exception {
        policy(AutoRefresh.NONE, 2, 30);
        Rational count = Rational.of(1, 30);
        // 200 reservations of 1/30 race for a budget of 2: exactly 60 fit, whatever the interleaving
        List<Callable<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            attempts.add(attempt("q" + i, count));
        }
        List<String> granted = new ArrayList<>();
        List<Future<Boolean>> outcomes = race(attempts);
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).get()) {
                granted.add("q" + i);
            }
        }
        assertThat(granted).hasSize(60);
        assertThat(stored().reserved()).isEqualTo(Rational.of(2));
        assertThat(stored().spent()).isEqualTo(Rational.ZERO);
        assertThat(reservationsHeld()).isEqualTo(60);

        // committed and refunded at once: each settles exactly once, whatever the interleaving
        List<Callable<Boolean>> settle = new ArrayList<>();
        for (int i = 0; i < granted.size(); i++) {
            String holder = granted.get(i);
            boolean commit = i % 3 != 0;
            settle.add(() -> commit ? ledger.commit(holder) : ledger.refund(holder));
            settle.add(() -> commit ? ledger.commit(holder) : ledger.refund(holder));
        }
        long settled = race(settle).stream().filter(f -> {
            try {
                return f.get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).count();
        assertThat(settled).isEqualTo(60);
        assertThat(stored().spent()).isEqualTo(Rational.of(40, 30));
        assertThat(stored().reserved()).isEqualTo(Rational.ZERO);
        assertThat(reservationsHeld()).isZero();
        assertThat(stored().charged()).isTrue();
    }

    @Test
    void mixedCostsRacingWithCommitsAndRefundsNeverPassEpsilon() throws Exception {
        policy(AutoRefresh.NONE, 1, 10);
        // costs with different denominators (1/10, 2/10, 3/10, 1/7, 1/30); each query reserves, then
        // commits (results released) or refunds (failed before results), all racing
        Rational[] costs = {Rational.of(1, 10), Rational.of(2, 10), Rational.of(3, 10), Rational.of(1, 7),
            Rational.of(1, 30)};
        List<Callable<Rational>> queries = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            String holder = "q" + i;
            Rational cost = costs[i % costs.length];
            boolean commit = i % 4 != 0;
            queries.add(() -> {
                if (!attempt(holder, cost).call()) {
                    return Rational.ZERO;
                }
                PrivacyBudget during = stored();
                assertThat(during.committedOrHeld()).isLessThanOrEqualTo(Rational.ONE);
                if (commit) {
                    assertThat(ledger.commit(holder)).isTrue();
                    return cost;
                }
                assertThat(ledger.refund(holder)).isTrue();
                return Rational.ZERO;
            });
        }
        Rational committed = Rational.ZERO;
        for (Future<Rational> f : race(queries)) {
            committed = committed.plus(f.get());
        }
        PrivacyBudget after = stored();
        assertThat(after.spent()).isEqualTo(committed);
        assertThat(after.spent()).isLessThanOrEqualTo(Rational.ONE);
        assertThat(after.reserved()).isEqualTo(Rational.ZERO);
        assertThat(reservationsHeld()).isZero();
        // the limit is exact: what is left can be reserved, and not the least bit more
        Rational left = Rational.ONE.minus(after.spent());
        if (!left.isZero()) {
            assertThat(attempt("rest", left).call()).isTrue();
        }
        assertThat(attempt("over", Rational.of(1, 1_000_000_007)).call()).isFalse();
    }

    @Test
    void theBudgetRefreshesAtTheStartOfEachUtcMonthAndIsStoredExactly() throws Exception {
        policy(AutoRefresh.CALENDAR_MONTH, 1, 7);
        // a query holds a tiny cost across the month's end; six of 1/7 are spent in November
        ledger.reserve(COLLABORATION, "held", Rational.of(1, 1_000_000_007));
        for (int i = 0; i < 6; i++) {
            ledger.reserve(COLLABORATION, "n" + i, Rational.of(1, 7));
            ledger.commit("n" + i);
        }
        assertThat(attempt("n6", Rational.of(1, 7)).call()).isFalse();
        // the refused attempt left nothing behind
        assertThat(reservationsHeld()).isEqualTo(1);
        assertThat(stored().spent()).isEqualTo(Rational.of(6, 7));
        clock.now = Instant.parse("2026-11-30T23:59:59.999Z");
        assertThat(attempt("late", Rational.of(1, 7)).call()).isFalse();

        clock.now = Instant.parse("2026-12-01T00:00:00Z");
        assertThat(attempt("december", Rational.of(1, 7)).call()).isTrue();
        PrivacyBudget december = stored();
        assertThat(december.spent()).isEqualTo(Rational.ZERO);
        assertThat(december.periodStart()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(december.reserved()).isEqualTo(Rational.of(1, 7).plus(Rational.of(1, 1_000_000_007)));
        ledger.commit("held");
        ledger.commit("december");

        // the database holds the exact rational: numerator and denominator in lowest terms
        Rational expected = Rational.of(1, 7).plus(Rational.of(1, 1_000_000_007));
        assertThat(stored().spent()).isEqualTo(expected);
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ps = c.prepareStatement("SELECT spent_numerator, spent_denominator, "
                        + "reserved_numerator, reserved_denominator FROM privacy_budgets WHERE id = ?")) {
            ps.setString(1, COLLABORATION.value());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(new BigInteger(rs.getString(1))).isEqualTo(expected.numerator());
                assertThat(new BigInteger(rs.getString(2))).isEqualTo(expected.denominator());
                assertThat(expected.denominator()).isEqualTo(BigInteger.valueOf(7_000_000_049L));
                assertThat(rs.getString(3)).isEqualTo("0");
                assertThat(rs.getString(4)).isEqualTo("1");
            }
        }
        // and reads back what was written, reservations included
        Optional<PrivacyBudgetReservation> none = store.read(tx -> tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS)
                .get("held"));
        assertThat(none).isEmpty();
        ledger.reserve(COLLABORATION, "kept", Rational.of(2, 7));
        Optional<PrivacyBudgetReservation> kept = store.read(tx -> tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS)
                .get("kept"));
        assertThat(kept.orElseThrow().cost()).isEqualTo(Rational.of(2, 7));
        assertThat(kept.get().createTime()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    }
}
