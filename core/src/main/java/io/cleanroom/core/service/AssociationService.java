package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.AssociationAnalysisRule;
import io.cleanroom.core.model.AssociationId;
import io.cleanroom.core.model.ConfiguredTable;
import io.cleanroom.core.model.ConfiguredTableAnalysisRule;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.Member;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.TagSet;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Configured table associations (a table brought into a collaboration) and their collaboration rules. */
public final class AssociationService {
    private final ServiceContext context;

    public AssociationService(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    /** An association with the type of its configured table's analysis rule, if any. */
    public record View(Association association, Optional<AnalysisRuleType> ruleType) {
    }

    public record Create(
            String name,
            String description,
            ConfiguredTableId configuredTableId,
            String roleArn,
            Map<String, String> tags) {
        public Create {
            tags = Map.copyOf(tags == null ? Map.of() : tags);
        }
    }

    private static View view(Tx tx, Association association) {
        return new View(association, tx.of(Kinds.TABLE_RULES).get(association.configuredTableId().value())
                .map(ConfiguredTableAnalysisRule::type));
    }

    /**
     * Associates one of the caller's configured tables. Its name must be unique in the collaboration
     * without regard to case (AWS: per membership), since a query names the table by it.
     */
    public View create(Caller caller, MembershipId membershipId, Create request) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Membership membership = Lookups.activeMembership(tx, account, membershipId);
            ConfiguredTable table;
            try {
                table = Lookups.ownTable(tx, account, request.configuredTableId());
            } catch (CleanroomException e) {
                throw CleanroomException.notFound(ResourceType.CONFIGURED_TABLE, request.configuredTableId().value());
            }
            for (Association existing : tx.of(Kinds.ASSOCIATIONS).find("collaboration_id",
                    membership.collaborationId().value())) {
                if (sameName(existing.name(), request.name())) {
                    throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS,
                            ResourceType.CONFIGURED_TABLE_ASSOCIATION, existing.id().value(),
                            existing.name().equals(request.name())
                                    ? "A table named " + request.name() + " is already associated with this "
                                            + "collaboration"
                                    : "A table named " + existing.name() + " is already associated with this "
                                            + "collaboration; queries name tables without regard to case, so "
                                            + request.name() + " would be ambiguous. Choose another name");
                }
                if (existing.membershipId().equals(membershipId) && existing.configuredTableId().equals(table.id())) {
                    throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS,
                            ResourceType.CONFIGURED_TABLE_ASSOCIATION, existing.id().value(),
                            "Configured table " + table.id() + " is already associated with membership "
                                    + membershipId + " as " + existing.name());
                }
            }
            DifferentialPrivacyTables.userColumn(tx, table.id()).ifPresent(column ->
                    DifferentialPrivacyTables.requireSameUserColumn(tx, membership.collaborationId(), table.id(),
                            column, "Configured table " + table.id() + " cannot be associated with collaboration "
                                    + membership.collaborationId()));
            Instant now = context.now();
            Association association = new Association(AssociationId.random(), membershipId,
                    membership.collaborationId(), account, table.id(), request.name(), request.description(),
                    request.roleArn(), now, now);
            tx.of(Kinds.ASSOCIATIONS).insert(association);
            if (!request.tags().isEmpty()) {
                tx.of(Kinds.TAGS).insert(new TagSet(context.arns().association(account, membershipId, association.id()),
                        account, request.tags()));
            }
            return view(tx, association);
        });
    }

    /**
     * Whether two association names name the same table in a query: queries resolve names without
     * regard to case (association names are ASCII, see the TableAlias pattern).
     */
    static boolean sameName(String a, String b) {
        return a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    public View get(Caller caller, MembershipId membershipId, AssociationId id) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> {
            Membership membership = Lookups.ownMembership(tx, account, membershipId);
            return view(tx, Lookups.ownAssociation(tx, membership, id));
        });
    }

    public Page<View> list(Caller caller, MembershipId membershipId, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListConfiguredTableAssociations", caller, membershipId.value());
        return context.store().inTransaction(tx -> {
            Lookups.ownMembership(tx, account, membershipId);
            return listing.read(page,
                    (after, n) -> tx.of(Kinds.ASSOCIATIONS).findAfter("membership_id", membershipId.value(), after, n),
                    Kinds.ASSOCIATIONS::positionOf, a -> true)
                    .map(a -> view(tx, a));
        });
    }

    public View update(Caller caller, MembershipId membershipId, AssociationId id, String description, String roleArn) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Membership membership = Lookups.activeMembership(tx, account, membershipId);
            Association a = Lookups.ownAssociation(tx, membership, id);
            Association updated = new Association(a.id(), a.membershipId(), a.collaborationId(), a.ownerAccountId(),
                    a.configuredTableId(), a.name(), description == null ? a.description() : description,
                    roleArn == null ? a.roleArn() : roleArn, a.createTime(), context.now());
            tx.of(Kinds.ASSOCIATIONS).update(updated);
            return view(tx, updated);
        });
    }

    public void delete(Caller caller, MembershipId membershipId, AssociationId id) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            Membership membership = Lookups.ownMembership(tx, account, membershipId);
            Association a = Lookups.ownAssociation(tx, membership, id);
            for (AssociationAnalysisRule rule : tx.of(Kinds.ASSOCIATION_RULES).find("association_id", id.value())) {
                tx.of(Kinds.ASSOCIATION_RULES).delete(rule.key());
            }
            tx.of(Kinds.TAGS).delete(context.arns().association(account, membershipId, a.id()));
            tx.of(Kinds.ASSOCIATIONS).delete(id.value());
            return null;
        });
    }

    // ---- association analysis rules ----

    public AssociationAnalysisRule createRule(Caller caller, MembershipId membershipId, AssociationId id,
            AnalysisRuleType type, List<AccountId> receivers, List<String> additionalAnalyses) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Membership membership = Lookups.activeMembership(tx, account, membershipId);
            Association association = Lookups.ownAssociation(tx, membership, id);
            checkRule(tx, membership, association, type, receivers);
            if (tx.of(Kinds.ASSOCIATION_RULES).get(id.value() + "/" + type.name()).isPresent()) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.CONFIGURED_TABLE_ASSOCIATION,
                        id.value(), "Association " + id + " already has a " + type + " analysis rule");
            }
            Instant now = context.now();
            AssociationAnalysisRule rule = new AssociationAnalysisRule(id, membershipId, type, receivers,
                    additionalAnalyses, now, now);
            tx.of(Kinds.ASSOCIATION_RULES).insert(rule);
            return rule;
        });
    }

    private static void checkRule(Tx tx, Membership membership, Association association, AnalysisRuleType type,
            List<AccountId> receivers) {
        Optional<ConfiguredTableAnalysisRule> tableRule =
                tx.of(Kinds.TABLE_RULES).get(association.configuredTableId().value());
        if (tableRule.isEmpty()) {
            throw CleanroomException.validation("analysisRuleType",
                    "Configured table " + association.configuredTableId()
                            + " has no analysis rule; add one before its collaboration analysis rule");
        }
        if (tableRule.get().type() != type) {
            throw CleanroomException.validation("analysisRuleType",
                    "The configured table's analysis rule is " + tableRule.get().type() + ", not " + type);
        }
        for (int i = 0; i < receivers.size(); i++) {
            Optional<Member> member = Lookups.member(tx, membership.collaborationId(), receivers.get(i));
            if (member.isEmpty() || !Lookups.visible(member.get())
                    || !member.get().can(MemberAbility.CAN_RECEIVE_RESULTS)) {
                throw CleanroomException.validation(
                        "analysisRulePolicy.v1." + type.name().toLowerCase(java.util.Locale.ROOT)
                                + ".allowedResultReceivers[" + i + "]",
                        "Account " + receivers.get(i) + " is not a member of this collaboration who can receive results");
            }
        }
    }

    private static AssociationAnalysisRule rule(Tx tx, AssociationId id, AnalysisRuleType type) {
        return tx.of(Kinds.ASSOCIATION_RULES).get(id.value() + "/" + type.name())
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.CONFIGURED_TABLE_ASSOCIATION, id.value(),
                        "Configured table association " + id + " has no " + type + " analysis rule"));
    }

    public AssociationAnalysisRule getRule(Caller caller, MembershipId membershipId, AssociationId id,
            AnalysisRuleType type) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Membership membership = Lookups.ownMembership(tx, account, membershipId);
            Lookups.ownAssociation(tx, membership, id);
            return rule(tx, id, type);
        });
    }

    public AssociationAnalysisRule updateRule(Caller caller, MembershipId membershipId, AssociationId id,
            AnalysisRuleType type, List<AccountId> receivers, List<String> additionalAnalyses) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Membership membership = Lookups.activeMembership(tx, account, membershipId);
            Association association = Lookups.ownAssociation(tx, membership, id);
            AssociationAnalysisRule existing = rule(tx, id, type);
            checkRule(tx, membership, association, type, receivers);
            AssociationAnalysisRule updated = new AssociationAnalysisRule(id, membershipId, type, receivers,
                    additionalAnalyses, existing.createTime(), context.now());
            tx.of(Kinds.ASSOCIATION_RULES).update(updated);
            return updated;
        });
    }

    public void deleteRule(Caller caller, MembershipId membershipId, AssociationId id, AnalysisRuleType type) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            Membership membership = Lookups.ownMembership(tx, account, membershipId);
            Lookups.ownAssociation(tx, membership, id);
            tx.of(Kinds.ASSOCIATION_RULES).delete(rule(tx, id, type).key());
            return null;
        });
    }
}
