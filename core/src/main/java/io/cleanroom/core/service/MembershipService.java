package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.LogStatus;
import io.cleanroom.core.model.Member;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.MemberStatus;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.MembershipStatus;
import io.cleanroom.core.model.PaymentConfiguration;
import io.cleanroom.core.model.ResultConfiguration;
import io.cleanroom.core.model.TagSet;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Memberships: how an invited account joins a collaboration, and its own settings there. */
public final class MembershipService {
    private final ServiceContext context;

    public MembershipService(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /** A membership with the collaboration it belongs to (kept, marked deleted, after deletion). */
    public record View(Membership membership, Collaboration collaboration) {
    }

    public record Create(
            CollaborationId collaborationId,
            LogStatus queryLogStatus,
            LogStatus jobLogStatus,
            ResultConfiguration defaultResultConfiguration,
            PaymentConfiguration paymentConfiguration,
            Boolean metricsEnabled,
            Map<String, String> tags) {
        public Create {
            requireNonNull(collaborationId, "collaborationId is null");
            requireNonNull(queryLogStatus, "queryLogStatus is null");
            tags = Map.copyOf(tags == null ? Map.of() : tags);
        }
    }

    public View create(Caller caller, Create request) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Collaboration collaboration = Lookups.visibleCollaboration(tx, account, request.collaborationId());
            Member member = Lookups.member(tx, request.collaborationId(), account).orElseThrow();
            if (member.status() == MemberStatus.ACTIVE) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.MEMBERSHIP,
                        member.membershipId().value(), "You already have membership " + member.membershipId()
                                + " in collaboration " + request.collaborationId());
            }
            long active = tx.of(Kinds.MEMBERSHIPS).find("account_id", account.value()).stream()
                    .filter(m -> m.status() == MembershipStatus.ACTIVE).count();
            context.quotas().require(Quota.MEMBERSHIPS_PER_ACCOUNT, active + 1);
            checkResultConfiguration(member.abilities(), request.defaultResultConfiguration());
            PaymentConfiguration payment = member.paymentConfiguration();
            if (request.paymentConfiguration() != null
                    && request.paymentConfiguration().queryComputeResponsible() != payment.queryComputeResponsible()) {
                throw CleanroomException.validation("paymentConfiguration.queryCompute.isResponsible",
                        payment.queryComputeResponsible()
                                ? "The collaboration creator made you responsible for query compute; set true"
                                : "You are not responsible for query compute in this collaboration; set false");
            }
            Instant now = context.now();
            Membership membership = new Membership(MembershipId.random(), collaboration.id(), account,
                    MembershipStatus.ACTIVE, member.abilities(), member.mlAbilities(), request.queryLogStatus(),
                    request.jobLogStatus(), request.defaultResultConfiguration(), payment, request.metricsEnabled(),
                    now, now);
            tx.of(Kinds.MEMBERSHIPS).insert(membership);
            tx.of(Kinds.MEMBERS).update(member.withStatus(MemberStatus.ACTIVE, membership.id(), now));
            if (!request.tags().isEmpty()) {
                tx.of(Kinds.TAGS).insert(new TagSet(context.arns().membership(account, membership.id()), account,
                        request.tags()));
            }
            return new View(membership, collaboration);
        });
    }

    private static void checkResultConfiguration(List<MemberAbility> abilities, ResultConfiguration result) {
        if (result != null && !abilities.contains(MemberAbility.CAN_RECEIVE_RESULTS)) {
            throw CleanroomException.validation("defaultResultConfiguration",
                    "Only a member who can receive results can have a default result configuration");
        }
    }

    public View get(Caller caller, MembershipId id) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> view(tx, Lookups.ownMembership(tx, account, id)));
    }

    private static View view(Tx tx, Membership membership) {
        Optional<Collaboration> collaboration = tx.of(Kinds.COLLABORATIONS).get(membership.collaborationId().value());
        return new View(membership, collaboration.orElse(null));
    }

    /** The caller's memberships, newest first; status filter may be null. */
    public Page<View> list(Caller caller, MembershipStatus status, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListMemberships", caller, status == null ? null : status.name());
        return context.store().inTransaction(tx -> listing.read(page,
                (after, n) -> tx.of(Kinds.MEMBERSHIPS).findAfter("account_id", account.value(), after, n),
                Kinds.MEMBERSHIPS::positionOf, m -> status == null || m.status() == status)
                .map(m -> view(tx, m)));
    }

    /** Updates log settings and the default result configuration (clearResult removes it). */
    public View update(Caller caller, MembershipId id, LogStatus queryLogStatus, LogStatus jobLogStatus,
            ResultConfiguration defaultResult, boolean clearResult) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Membership membership = Lookups.activeMembership(tx, account, id);
            checkResultConfiguration(membership.abilities(), defaultResult);
            Membership updated = membership.withSettings(queryLogStatus, jobLogStatus, defaultResult, clearResult,
                    context.now());
            tx.of(Kinds.MEMBERSHIPS).update(updated);
            return view(tx, updated);
        });
    }

    /**
     * Leaves a collaboration. The membership must have no associations, analysis templates or privacy
     * budget template left, and the creator cannot leave its own collaboration (it deletes it instead).
     */
    public void delete(Caller caller, MembershipId id) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            Membership membership = Lookups.ownMembership(tx, account, id);
            Optional<Collaboration> collaboration =
                    tx.of(Kinds.COLLABORATIONS).get(membership.collaborationId().value());
            if (membership.status() == MembershipStatus.ACTIVE && collaboration.isPresent() && !collaboration.get().deleted()
                    && collaboration.get().creatorAccountId().equals(account)) {
                throw CleanroomException.conflict(ErrorCode.INVALID_STATE, ResourceType.MEMBERSHIP, id.value(),
                        "The collaboration creator cannot leave; delete the collaboration instead");
            }
            if (!tx.of(Kinds.ASSOCIATIONS).find("membership_id", id.value()).isEmpty()
                    || !tx.of(Kinds.TEMPLATES).find("membership_id", id.value()).isEmpty()
                    || !tx.of(Kinds.PRIVACY_BUDGET_TEMPLATES).find("membership_id", id.value()).isEmpty()) {
                throw CleanroomException.conflict(ErrorCode.SUBRESOURCES_EXIST, ResourceType.MEMBERSHIP, id.value(),
                        "Membership " + id + " still has configured table associations, analysis templates or a"
                                + " privacy budget template; delete them first");
            }
            Lookups.member(tx, membership.collaborationId(), account)
                    .filter(m -> m.status() == MemberStatus.ACTIVE)
                    .ifPresent(m -> tx.of(Kinds.MEMBERS).update(
                            m.withStatus(MemberStatus.LEFT, m.membershipId(), context.now())));
            tx.of(Kinds.TAGS).delete(context.arns().membership(account, id));
            tx.of(Kinds.MEMBERSHIPS).delete(id.value());
            return null;
        });
    }
}
