package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AutoRefresh;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.PrivacyBudget;
import io.cleanroom.core.model.PrivacyBudgetTemplate;
import io.cleanroom.core.model.PrivacyBudgetTemplateId;
import io.cleanroom.core.model.PrivacyBudgetType;
import io.cleanroom.core.model.TagSet;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Position;
import io.cleanroom.core.store.Tx;
import io.cleanroom.privacy.Aggregation;
import io.cleanroom.privacy.Calibration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A collaboration's differential privacy policy (AWS's privacy budget template) and the budget it
 * governs. A collaboration has at most one policy; it is created by a member that has associated a
 * table with differential privacy turned on, and owned by that member's membership, which alone
 * may update or delete it. Every member reads it, and the budget's remaining counts, through the
 * collaboration. Epsilon may grow at any time but never shrink once the budget has been spent.
 */
public final class PrivacyBudgetService {
    private final ServiceContext context;

    public PrivacyBudgetService(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /** A template with the collaboration it belongs to (which names it in ARNs). */
    public record View(PrivacyBudgetTemplate template, Collaboration collaboration) {
    }

    /**
     * The budget a template governs, as it stands now: how many uses of each aggregation alone the
     * whole budget allows (maxCount) and what is left of it allows (remainingCount).
     */
    public record BudgetView(PrivacyBudgetTemplate template, Collaboration collaboration, PrivacyBudget budget,
            Map<Aggregation, Long> maxCounts, Map<Aggregation, Long> remainingCounts) {
        public BudgetView {
            maxCounts = Map.copyOf(maxCounts);
            remainingCounts = Map.copyOf(remainingCounts);
        }
    }

    public record Create(AutoRefresh autoRefresh, int epsilon, int usersNoisePerQuery, Map<String, String> tags) {
        public Create {
            requireNonNull(autoRefresh, "autoRefresh is null");
            tags = Map.copyOf(tags == null ? Map.of() : tags);
        }
    }

    private static View view(Tx tx, PrivacyBudgetTemplate template) {
        return new View(template, tx.of(Kinds.COLLABORATIONS).get(template.collaborationId().value()).orElseThrow());
    }

    /** The policy's calibration; the ranges were checked on the wire, and are checked again here. */
    static Calibration calibration(int epsilon, int usersNoisePerQuery, String field) {
        if (epsilon < Calibration.MIN_EPSILON || epsilon > Calibration.MAX_EPSILON) {
            throw CleanroomException.validation(field + ".epsilon", "epsilon must be between "
                    + Calibration.MIN_EPSILON + " and " + Calibration.MAX_EPSILON);
        }
        if (usersNoisePerQuery < Calibration.MIN_NOISE || usersNoisePerQuery > Calibration.MAX_NOISE) {
            throw CleanroomException.validation(field + ".usersNoisePerQuery", "usersNoisePerQuery must be between "
                    + Calibration.MIN_NOISE + " and " + Calibration.MAX_NOISE);
        }
        return new Calibration(epsilon, usersNoisePerQuery);
    }

    /**
     * Creates the collaboration's policy. The caller's membership must be active and have associated
     * a configured table whose custom analysis rule turns differential privacy on (else
     * AccessDenied: only a member protecting data with differential privacy sets its policy); a
     * collaboration that has a policy already answers ConflictException ALREADY_EXISTS naming it.
     */
    public View create(Caller caller, MembershipId membershipId, Create request) {
        AccountId account = caller.requireAccount();
        calibration(request.epsilon(), request.usersNoisePerQuery(), "parameters.differentialPrivacy");
        return context.store().inTransaction(tx -> {
            Membership membership = Lookups.activeMembership(tx, account, membershipId);
            if (!DifferentialPrivacyTables.associatesAny(tx, membershipId)) {
                throw CleanroomException.accessDenied("Only a member that has associated a configured table with "
                        + "differential privacy turned on (a custom analysis rule with differentialPrivacy.columns) "
                        + "can create the differential privacy policy of collaboration " + membership.collaborationId()
                        + "; membership " + membershipId + " has associated none");
            }
            Optional<PrivacyBudgetTemplate> existing = PrivacyBudgetLedger.template(tx, membership.collaborationId());
            if (existing.isPresent()) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.PRIVACY_BUDGET_TEMPLATE,
                        existing.get().id().value(), "Collaboration " + membership.collaborationId()
                                + " already has a privacy budget template (" + existing.get().id() + ", created by "
                                + "account " + existing.get().ownerAccountId() + "); a collaboration has one "
                                + "differential privacy policy: update that template, or delete it first");
            }
            Instant now = context.now();
            PrivacyBudgetTemplate template = new PrivacyBudgetTemplate(PrivacyBudgetTemplateId.random(), membershipId,
                    membership.collaborationId(), account, request.autoRefresh(), request.epsilon(),
                    request.usersNoisePerQuery(), now, now);
            tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).insert(template);
            // the budget outlives its template: one created again finds what was spent still spent
            if (tx.of(Kinds.PRIVACY_BUDGETS).get(membership.collaborationId().value()).isEmpty()) {
                tx.of(Kinds.PRIVACY_BUDGETS).insert(PrivacyBudget.fresh(membership.collaborationId(), now));
            }
            if (!request.tags().isEmpty()) {
                tx.of(Kinds.TAGS).insert(new TagSet(context.arns().privacyBudgetTemplate(account, template.id()),
                        account, request.tags()));
            }
            return view(tx, template);
        });
    }

    private static PrivacyBudgetTemplate own(Tx tx, Membership membership, PrivacyBudgetTemplateId id) {
        return tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).get(id.value())
                .filter(t -> t.membershipId().equals(membership.id()))
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.PRIVACY_BUDGET_TEMPLATE, id.value()));
    }

    public View get(Caller caller, MembershipId membershipId, PrivacyBudgetTemplateId id) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> view(tx, own(tx, Lookups.ownMembership(tx, account, membershipId), id)));
    }

    /** The membership's templates (at most one: the one it created in its collaboration). */
    public Page<View> list(Caller caller, MembershipId membershipId, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListPrivacyBudgetTemplates", caller, membershipId.value());
        return context.store().read(tx -> {
            Lookups.ownMembership(tx, account, membershipId);
            List<View> all = tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).find("membership_id", membershipId.value())
                    .stream().map(t -> view(tx, t)).toList();
            return listing.page(all, v -> Position.of(v.template().id().value()), page);
        });
    }

    /**
     * Changes epsilon and the noise per query (either may be null: unchanged). Epsilon may be raised
     * at any time; lowered only while nothing was ever spent from the budget and no query holds a
     * reservation (ConflictException INVALID_STATE otherwise). The noise may change either way: it
     * sets the cost of queries from now on.
     */
    public View update(Caller caller, MembershipId membershipId, PrivacyBudgetTemplateId id, Integer epsilon,
            Integer usersNoisePerQuery) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            PrivacyBudgetTemplate template = own(tx, Lookups.activeMembership(tx, account, membershipId), id);
            int newEpsilon = epsilon == null ? template.epsilon() : epsilon;
            int newNoise = usersNoisePerQuery == null ? template.usersNoisePerQuery() : usersNoisePerQuery;
            calibration(newEpsilon, newNoise, "parameters.differentialPrivacy");
            if (newEpsilon < template.epsilon()) {
                PrivacyBudget budget = PrivacyBudgetLedger.budget(tx, template.collaborationId(),
                        template.autoRefresh(), context.now());
                if (budget.charged() || !budget.reserved().isZero()) {
                    throw CleanroomException.conflict(ErrorCode.INVALID_STATE, ResourceType.PRIVACY_BUDGET_TEMPLATE,
                            id.value(), "epsilon cannot be lowered from " + template.epsilon() + " to " + newEpsilon
                                    + ": queries have " + (budget.charged() ? "already spent" : "reserved")
                                    + " privacy budget in collaboration " + template.collaborationId()
                                    + ", and once the member who can query has started, the budget can only grow");
                }
            }
            PrivacyBudgetTemplate updated = template.withParameters(newEpsilon, newNoise, context.now());
            tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).update(updated);
            return view(tx, updated);
        });
    }

    /**
     * Deletes the template. The collaboration's budget stays: what was spent stays spent for a
     * template created again (until a monthly refresh, with CALENDAR_MONTH). Without a template,
     * tables with differential privacy cannot be queried (their schemas are NOT_READY).
     */
    public void delete(Caller caller, MembershipId membershipId, PrivacyBudgetTemplateId id) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            PrivacyBudgetTemplate template = own(tx, Lookups.ownMembership(tx, account, membershipId), id);
            tx.of(Kinds.TAGS).delete(context.arns().privacyBudgetTemplate(account, template.id()));
            tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).delete(id.value());
            return null;
        });
    }

    // ---- collaboration view ----

    public View getInCollaboration(Caller caller, CollaborationId id, PrivacyBudgetTemplateId templateId) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> {
            Lookups.visibleCollaboration(tx, account, id);
            return tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).get(templateId.value())
                    .filter(t -> t.collaborationId().equals(id))
                    .map(t -> view(tx, t))
                    .orElseThrow(() -> CleanroomException.notFound(ResourceType.PRIVACY_BUDGET_TEMPLATE,
                            templateId.value(), "Privacy budget template " + templateId
                                    + " does not exist in collaboration " + id));
        });
    }

    public Page<View> listInCollaboration(Caller caller, CollaborationId id, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListCollaborationPrivacyBudgetTemplates", caller, id.value());
        return context.store().read(tx -> {
            Lookups.visibleCollaboration(tx, account, id);
            List<View> all = PrivacyBudgetLedger.template(tx, id).map(t -> view(tx, t)).stream().toList();
            return listing.page(all, v -> Position.of(v.template().id().value()), page);
        });
    }

    // ---- budgets ----

    /** The budgets of the collaboration of one of the caller's memberships (ListPrivacyBudgets). */
    public Page<BudgetView> budgets(Caller caller, MembershipId membershipId, PrivacyBudgetType type,
            Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListPrivacyBudgets", caller, membershipId.value(), type.name());
        return context.store().read(tx -> {
            Membership membership = Lookups.ownMembership(tx, account, membershipId);
            return listing.page(budgets(tx, membership.collaborationId(), type), b -> Position.of(b.budget().id()
                    .value()), page);
        });
    }

    /** The budgets of a collaboration the caller can see (ListCollaborationPrivacyBudgets). */
    public Page<BudgetView> budgetsInCollaboration(Caller caller, CollaborationId id, PrivacyBudgetType type,
            Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListCollaborationPrivacyBudgets", caller, id.value(),
                type.name());
        return context.store().read(tx -> {
            Lookups.visibleCollaboration(tx, account, id);
            return listing.page(budgets(tx, id, type), b -> Position.of(b.budget().id().value()), page);
        });
    }

    /** The collaboration's budget while it has a policy; no ACCESS_BUDGET budgets exist here. */
    private List<BudgetView> budgets(Tx tx, CollaborationId collaboration, PrivacyBudgetType type) {
        if (type != PrivacyBudgetType.DIFFERENTIAL_PRIVACY) {
            return List.of();
        }
        return PrivacyBudgetLedger.balance(tx, collaboration, context.now()).map(b -> {
            Calibration calibration = new Calibration(b.template().epsilon(), b.template().usersNoisePerQuery());
            return new BudgetView(b.template(), view(tx, b.template()).collaboration(), b.budget(),
                    calibration.maxCounts(), calibration.remainingCounts(b.budget().committedOrHeld()));
        }).stream().toList();
    }

    /**
     * PreviewPrivacyImpact: how many uses of each aggregation alone a budget of this epsilon and
     * noise allows, for any member of the membership's collaboration.
     */
    public Map<Aggregation, Long> preview(Caller caller, MembershipId membershipId, int epsilon,
            int usersNoisePerQuery) {
        AccountId account = caller.requireAccount();
        Calibration calibration = calibration(epsilon, usersNoisePerQuery, "parameters.differentialPrivacy");
        context.store().read(tx -> Lookups.ownMembership(tx, account, membershipId));
        return calibration.maxCounts();
    }
}
