package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalyticsEngine;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.DataEncryptionMetadata;
import io.cleanroom.core.model.LogStatus;
import io.cleanroom.core.model.MLMemberAbility;
import io.cleanroom.core.model.Member;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.MemberStatus;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.MembershipStatus;
import io.cleanroom.core.model.PaymentConfiguration;
import io.cleanroom.core.model.TagSet;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Collaborations and their member lists. */
public final class CollaborationService {
    private final ServiceContext context;

    public CollaborationService(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /** An invited member as given to CreateCollaboration; paymentConfiguration may be null. */
    public record MemberSpec(
            AccountId accountId,
            String displayName,
            List<MemberAbility> abilities,
            List<MLMemberAbility> mlAbilities,
            PaymentConfiguration paymentConfiguration) {
        public MemberSpec {
            requireNonNull(accountId, "accountId is null");
            requireNonNull(displayName, "displayName is null");
            abilities = List.copyOf(abilities);
            mlAbilities = List.copyOf(mlAbilities == null ? List.of() : mlAbilities);
        }
    }

    public record Create(
            String name,
            String description,
            List<MemberSpec> members,
            List<MemberAbility> creatorAbilities,
            List<MLMemberAbility> creatorMLAbilities,
            String creatorDisplayName,
            PaymentConfiguration creatorPaymentConfiguration,
            LogStatus queryLogStatus,
            LogStatus jobLogStatus,
            DataEncryptionMetadata dataEncryptionMetadata,
            AnalyticsEngine analyticsEngine,
            Boolean metricsEnabled,
            List<String> allowedResultRegions,
            List<String> autoApprovedChangeTypes,
            Map<String, String> tags) {
        public Create {
            members = List.copyOf(members);
            creatorAbilities = List.copyOf(creatorAbilities);
            tags = Map.copyOf(tags == null ? Map.of() : tags);
        }
    }

    /** A collaboration as one member sees it: its own status and membership. */
    public record View(Collaboration collaboration, Member caller) {
    }

    public View create(Caller caller, Create request) {
        AccountId creator = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            validateMembers(tx, creator, request);
            long created = tx.of(Kinds.COLLABORATIONS).find("creator_account_id", creator.value()).stream()
                    .filter(c -> !c.deleted()).count();
            context.quotas().require(Quota.COLLABORATIONS_CREATED_PER_ACCOUNT, created + 1);
            Instant now = context.now();
            CollaborationId id = CollaborationId.random();
            Collaboration collaboration = new Collaboration(id, request.name(), request.description(), creator,
                    request.creatorDisplayName(), request.queryLogStatus(), request.jobLogStatus(),
                    request.analyticsEngine() == null ? AnalyticsEngine.SPARK : request.analyticsEngine(),
                    request.dataEncryptionMetadata(), request.metricsEnabled(), request.allowedResultRegions(),
                    request.autoApprovedChangeTypes(), false, now, now);
            tx.of(Kinds.COLLABORATIONS).insert(collaboration);
            boolean anyPayer = request.members().stream().anyMatch(
                    m -> m.paymentConfiguration() != null && m.paymentConfiguration().queryComputeResponsible())
                    || (request.creatorPaymentConfiguration() != null
                    && request.creatorPaymentConfiguration().queryComputeResponsible());
            Member creatorMember = new Member(id, creator, request.creatorDisplayName(), request.creatorAbilities(),
                    request.creatorMLAbilities(),
                    payment(request.creatorPaymentConfiguration(), request.creatorAbilities(), anyPayer),
                    MemberStatus.INVITED, null, now, now);
            tx.of(Kinds.MEMBERS).insert(creatorMember);
            for (MemberSpec spec : request.members()) {
                tx.of(Kinds.MEMBERS).insert(new Member(id, spec.accountId(), spec.displayName(), spec.abilities(),
                        spec.mlAbilities(), payment(spec.paymentConfiguration(), spec.abilities(), anyPayer),
                        MemberStatus.INVITED, null, now, now));
            }
            if (!request.tags().isEmpty()) {
                tx.of(Kinds.TAGS).insert(new TagSet(context.arns().collaboration(creator, id), creator, request.tags()));
            }
            return new View(collaboration, creatorMember);
        });
    }

    private static PaymentConfiguration payment(PaymentConfiguration given, List<MemberAbility> abilities, boolean anyPayer) {
        if (given != null) {
            return given;
        }
        return new PaymentConfiguration(!anyPayer && abilities.contains(MemberAbility.CAN_QUERY), null);
    }

    private void validateMembers(Tx tx, AccountId creator, Create request) {
        context.quotas().require(Quota.MEMBERS_INVITED_PER_COLLABORATION, request.members().size());
        Set<AccountId> seen = new HashSet<>();
        List<CleanroomException.FieldError> errors = new ArrayList<>();
        int queriers = request.creatorAbilities().contains(MemberAbility.CAN_QUERY) ? 1 : 0;
        int payers = request.creatorPaymentConfiguration() != null
                && request.creatorPaymentConfiguration().queryComputeResponsible() ? 1 : 0;
        for (int i = 0; i < request.members().size(); i++) {
            MemberSpec spec = request.members().get(i);
            String field = "members[" + i + "].accountId";
            if (spec.accountId().equals(creator)) {
                errors.add(new CleanroomException.FieldError(field,
                        "The creator is not listed in members; give its abilities in creatorMemberAbilities"));
            } else if (!seen.add(spec.accountId())) {
                errors.add(new CleanroomException.FieldError(field, "Account " + spec.accountId() + " is listed twice"));
            } else if (tx.of(Kinds.ACCOUNTS).get(spec.accountId().value()).isEmpty()) {
                errors.add(new CleanroomException.FieldError(field,
                        "Account " + spec.accountId() + " does not exist on this server"));
            }
            if (spec.abilities().contains(MemberAbility.CAN_QUERY)) {
                queriers++;
            }
            if (spec.paymentConfiguration() != null && spec.paymentConfiguration().queryComputeResponsible()) {
                payers++;
            }
            if (spec.paymentConfiguration() != null && !spec.paymentConfiguration().queryComputeResponsible()
                    && spec.abilities().contains(MemberAbility.CAN_QUERY) && payersElsewhere(request, i) == 0) {
                errors.add(new CleanroomException.FieldError("members[" + i + "].paymentConfiguration",
                        "The member who can query pays for queries unless another member is responsible"));
            }
        }
        if (queriers > 1) {
            errors.add(new CleanroomException.FieldError("members",
                    "Only one member can have the CAN_QUERY ability"));
        }
        if (payers > 1) {
            errors.add(new CleanroomException.FieldError("members",
                    "Only one member can be responsible for query compute costs"));
        }
        if (!errors.isEmpty()) {
            throw CleanroomException.validation(errors);
        }
    }

    private static int payersElsewhere(Create request, int except) {
        int count = request.creatorPaymentConfiguration() != null
                && request.creatorPaymentConfiguration().queryComputeResponsible() ? 1 : 0;
        for (int i = 0; i < request.members().size(); i++) {
            PaymentConfiguration p = request.members().get(i).paymentConfiguration();
            if (i != except && p != null && p.queryComputeResponsible()) {
                count++;
            }
        }
        return count;
    }

    public View get(Caller caller, CollaborationId id) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> {
            Collaboration collaboration = Lookups.visibleCollaboration(tx, account, id);
            return new View(collaboration, Lookups.member(tx, id, account).orElseThrow());
        });
    }

    /**
     * Collaborations the caller is invited to or active in, newest first (in the order of the
     * caller's members, each created with its collaboration); status filter may be null.
     */
    public Page<View> list(Caller caller, MemberStatus status, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListCollaborations", caller,
                status == null ? null : status.name());
        return context.store().inTransaction(tx -> listing.read(page,
                (after, n) -> tx.of(Kinds.MEMBERS).findAfter("account_id", account.value(), after, n)
                        .stream()
                        .map(m -> new View(tx.of(Kinds.COLLABORATIONS).get(m.collaborationId().value())
                                .filter(c -> !c.deleted()).orElse(null), m))
                        .toList(),
                v -> Kinds.MEMBERS.positionOf(v.caller()),
                v -> v.collaboration() != null && Lookups.visible(v.caller())
                        && (status == null || v.caller().status() == status)));
    }

    public View update(Caller caller, CollaborationId id, String name, String description, AnalyticsEngine engine) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Collaboration collaboration = requireCreator(tx, account, id, "update");
            Collaboration updated = collaboration.withUpdate(name, description, engine, context.now());
            tx.of(Kinds.COLLABORATIONS).update(updated);
            return new View(updated, Lookups.member(tx, id, account).orElseThrow());
        });
    }

    private Collaboration requireCreator(Tx tx, AccountId account, CollaborationId id, String action) {
        Collaboration collaboration = Lookups.visibleCollaboration(tx, account, id);
        if (!collaboration.creatorAccountId().equals(account)) {
            throw CleanroomException.accessDenied(
                    "Only the collaboration creator can " + action + " collaboration " + id);
        }
        return collaboration;
    }

    /** Deletes a collaboration (creator only): every membership becomes COLLABORATION_DELETED. */
    public void delete(Caller caller, CollaborationId id) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            Collaboration collaboration = requireCreator(tx, account, id, "delete");
            Instant now = context.now();
            for (Membership membership : tx.of(Kinds.MEMBERSHIPS).find("collaboration_id", id.value())) {
                tx.of(Kinds.MEMBERSHIPS).update(membership.withStatus(MembershipStatus.COLLABORATION_DELETED, now));
            }
            for (Member member : Lookups.members(tx, id)) {
                tx.of(Kinds.MEMBERS).delete(member.key());
            }
            tx.of(Kinds.TAGS).delete(context.arns().collaboration(collaboration.creatorAccountId(), id));
            tx.of(Kinds.COLLABORATIONS).update(collaboration.asDeleted(now));
            return null;
        });
    }

    /** The member list of a collaboration the caller is invited to or active in. */
    public Page<Member> listMembers(Caller caller, CollaborationId id, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListMembers", caller, id.value());
        return context.store().inTransaction(tx -> {
            Lookups.visibleCollaboration(tx, account, id);
            return listing.read(page,
                    (after, n) -> tx.of(Kinds.MEMBERS).findAfter("collaboration_id", id.value(), after, n),
                    Kinds.MEMBERS::positionOf, m -> true);
        });
    }

    /**
     * Removes a member (creator only). The member's status becomes REMOVED and its membership
     * REMOVED: it loses access to everything in the collaboration and its tables leave the schemas.
     */
    public void deleteMember(Caller caller, CollaborationId id, AccountId memberAccount) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            requireCreator(tx, account, id, "remove members from");
            if (memberAccount.equals(account)) {
                throw CleanroomException.conflict(ErrorCode.INVALID_STATE, ResourceType.COLLABORATION, id.value(),
                        "The creator cannot remove itself; delete the collaboration instead");
            }
            Member member = Lookups.member(tx, id, memberAccount)
                    .filter(Lookups::visible)
                    .orElseThrow(() -> CleanroomException.notFound(ResourceType.MEMBER, memberAccount.value(),
                            "Account " + memberAccount + " is not a member of collaboration " + id));
            Instant now = context.now();
            tx.of(Kinds.MEMBERS).update(member.withStatus(MemberStatus.REMOVED, member.membershipId(), now));
            if (member.membershipId() != null) {
                tx.of(Kinds.MEMBERSHIPS).get(member.membershipId().value()).ifPresent(
                        m -> tx.of(Kinds.MEMBERSHIPS).update(m.withStatus(MembershipStatus.REMOVED, now)));
            }
            return null;
        });
    }
}
