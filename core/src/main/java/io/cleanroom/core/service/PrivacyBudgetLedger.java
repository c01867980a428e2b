package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AutoRefresh;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.PrivacyBudget;
import io.cleanroom.core.model.PrivacyBudgetReservation;
import io.cleanroom.core.model.PrivacyBudgetTemplate;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import io.cleanroom.privacy.Rational;
import java.time.Instant;
import java.util.Optional;

/**
 * The accounting of a collaboration's privacy budget: a query reserves its cost before it runs,
 * and the reservation is committed when results are released or refunded when the query ends
 * without them. A reservation is refused when what is spent, what running queries hold and its
 * cost together would pass the policy's epsilon, so no interleaving of queries can spend more than
 * the budget.
 *
 * <p>Each call is one store transaction (or part of the caller's, when called inside one), and
 * transactions are serialisable (one writer at a time per store; SERIALIZABLE isolation on
 * PostgreSQL): the check and the write of a reservation cannot be separated by another's.
 *
 * <p>Amounts are exact rationals. With autoRefresh CALENDAR_MONTH, what was spent before the start
 * of the current UTC calendar month no longer counts; what running queries hold carries over and
 * is spent in the month its results are released.
 */
public final class PrivacyBudgetLedger {
    private final ServiceContext context;

    public PrivacyBudgetLedger(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /**
     * A collaboration's budget at one time: the policy's limit, what is spent in the current period
     * and what running queries hold, and when it next refreshes (empty with autoRefresh NONE).
     */
    public record Balance(PrivacyBudgetTemplate template, PrivacyBudget budget, Optional<Instant> nextRefresh) {
        public Balance {
            requireNonNull(template, "template is null");
            requireNonNull(budget, "budget is null");
            requireNonNull(nextRefresh, "nextRefresh is null");
        }

        public Rational epsilon() {
            return Rational.of(template.epsilon());
        }

        /** What new queries may still spend: epsilon less spent and held, never below zero. */
        public Rational available() {
            Rational used = budget.committedOrHeld();
            return used.compareTo(epsilon()) >= 0 ? Rational.ZERO : epsilon().minus(used);
        }
    }

    /** The collaboration's policy, if it has one. */
    static Optional<PrivacyBudgetTemplate> template(Tx tx, CollaborationId collaboration) {
        return tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).find("collaboration_id", collaboration.value()).stream()
                .findFirst();
    }

    /** The collaboration's budget as it stands now (a fresh one if nothing was ever kept). */
    static PrivacyBudget budget(Tx tx, CollaborationId collaboration, AutoRefresh refresh, Instant now) {
        return tx.of(Kinds.PRIVACY_BUDGETS).get(collaboration.value())
                .orElseGet(() -> PrivacyBudget.fresh(collaboration, now))
                .asOf(refresh, now);
    }

    /** Stores the budget, creating its row the first time. */
    static void save(Tx tx, PrivacyBudget budget) {
        if (!tx.of(Kinds.PRIVACY_BUDGETS).update(budget)) {
            tx.of(Kinds.PRIVACY_BUDGETS).insert(budget);
        }
    }

    static Optional<Instant> nextRefresh(AutoRefresh refresh, Instant now) {
        return refresh == AutoRefresh.CALENDAR_MONTH ? Optional.of(PrivacyBudget.nextMonthStart(now))
                : Optional.empty();
    }

    /** The balance of the collaboration's budget now, if it has a policy. */
    public Optional<Balance> balance(CollaborationId collaboration) {
        requireNonNull(collaboration, "collaboration is null");
        return context.store().read(tx -> balance(tx, collaboration, context.now()));
    }

    static Optional<Balance> balance(Tx tx, CollaborationId collaboration, Instant now) {
        return template(tx, collaboration).map(t -> new Balance(t, budget(tx, collaboration, t.autoRefresh(), now),
                nextRefresh(t.autoRefresh(), now)));
    }

    /**
     * Reserves cost from the collaboration's budget for a holder (a query's id), or refuses: when
     * the collaboration has no differential privacy policy, when the holder already holds a
     * reservation, or when spent + held + cost would pass epsilon (the message says what is left
     * and when the budget refreshes). Returns the balance after the reservation.
     */
    public Balance reserve(CollaborationId collaboration, String holder, Rational cost) {
        requireNonNull(collaboration, "collaboration is null");
        requireNonNull(holder, "holder is null");
        requireNonNull(cost, "cost is null");
        if (cost.isZero()) {
            throw new IllegalArgumentException("a query that releases nothing reserves nothing");
        }
        return context.store().inTransaction(tx -> {
            Instant now = context.now();
            PrivacyBudgetTemplate template = template(tx, collaboration).orElseThrow(() -> CleanroomException.of(
                    ErrorCode.INVALID_QUERY, "Collaboration " + collaboration + " has no differential privacy "
                            + "policy (privacy budget template), so nothing can be spent from its privacy budget"));
            if (tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS).get(holder).isPresent()) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.RESOURCE, holder,
                        holder + " already holds a reservation of the privacy budget");
            }
            PrivacyBudget budget = budget(tx, collaboration, template.autoRefresh(), now);
            Rational epsilon = Rational.of(template.epsilon());
            if (budget.committedOrHeld().plus(cost).compareTo(epsilon) > 0) {
                throw exhausted(template, budget, cost, now);
            }
            PrivacyBudget reserved = budget.withReserved(budget.reserved().plus(cost), now);
            save(tx, reserved);
            tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS).insert(
                    new PrivacyBudgetReservation(holder, collaboration, cost, now));
            return new Balance(template, reserved, nextRefresh(template.autoRefresh(), now));
        });
    }

    private static CleanroomException exhausted(PrivacyBudgetTemplate template, PrivacyBudget budget, Rational cost,
            Instant now) {
        String refresh = template.autoRefresh() == AutoRefresh.CALENDAR_MONTH
                ? "It refreshes at " + PrivacyBudget.nextMonthStart(now) + " (the start of the next UTC calendar month)"
                : "It does not refresh (autoRefresh NONE); the owner of the differential privacy policy can raise "
                        + "epsilon";
        return CleanroomException.of(ErrorCode.INVALID_QUERY, "The collaboration's privacy budget is spent: this "
                + "query costs epsilon " + cost + ", and of its epsilon " + template.epsilon() + ", "
                + budget.spent() + " is spent and " + budget.reserved() + " is held by running queries. " + refresh);
    }

    /** Whether the holder holds a reservation now. */
    public boolean holds(String holder) {
        requireNonNull(holder, "holder is null");
        return context.store().inTransaction(tx -> tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS).get(holder).isPresent());
    }

    /** The holders of every reservation still open (after a restart: those its queries left). */
    public java.util.List<String> holders() {
        return context.store().read(tx -> tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS).all().stream()
                .map(PrivacyBudgetReservation::holder).toList());
    }

    /**
     * Commits a holder's reservation: its cost is spent (in the current period). False if the holder
     * holds none (already committed or refunded), so a commit can be repeated safely.
     */
    public boolean commit(String holder) {
        return settle(holder, true);
    }

    /**
     * Gives a holder's reservation back (its query released nothing). False if the holder holds
     * none.
     */
    public boolean refund(String holder) {
        return settle(holder, false);
    }

    private boolean settle(String holder, boolean spend) {
        requireNonNull(holder, "holder is null");
        return context.store().inTransaction(tx -> {
            Optional<PrivacyBudgetReservation> found = tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS).get(holder);
            if (found.isEmpty()) {
                return false;
            }
            PrivacyBudgetReservation reservation = found.get();
            Instant now = context.now();
            // without a policy (deleted meanwhile) nothing refreshes: the period stays as it was
            AutoRefresh refresh = template(tx, reservation.collaborationId()).map(PrivacyBudgetTemplate::autoRefresh)
                    .orElse(AutoRefresh.NONE);
            PrivacyBudget budget = tx.of(Kinds.PRIVACY_BUDGETS).get(reservation.collaborationId().value())
                    .orElseThrow(() -> new IllegalStateException("a reservation without its budget: " + holder))
                    .asOf(refresh, now);
            save(tx, spend ? budget.withCommitted(reservation.cost(), now)
                    : budget.withReserved(budget.reserved().minus(reservation.cost()), now));
            tx.of(Kinds.PRIVACY_BUDGET_RESERVATIONS).delete(holder);
            return true;
        });
    }
}
