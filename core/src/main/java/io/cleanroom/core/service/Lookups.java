package io.cleanroom.core.service;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.AssociationId;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.ConfiguredTable;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.Member;
import io.cleanroom.core.model.MemberStatus;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.MembershipStatus;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.util.List;
import java.util.Optional;

/**
 * The visibility rules, in one place: a collaboration is visible to its invited and active
 * members; a membership, configured table, association or template only to the account owning it.
 * Anything not visible is reported as not found, so ids of others' resources reveal nothing.
 */
final class Lookups {
    private Lookups() {
    }

    static Optional<Member> member(Tx tx, CollaborationId collaboration, AccountId account) {
        return tx.of(Kinds.MEMBERS).get(collaboration.value() + "/" + account.value());
    }

    static boolean visible(Member member) {
        return member.status() == MemberStatus.INVITED || member.status() == MemberStatus.ACTIVE;
    }

    /** The collaboration, if the caller is an invited or active member of it. */
    static Collaboration visibleCollaboration(Tx tx, AccountId caller, CollaborationId id) {
        Optional<Collaboration> collaboration = tx.of(Kinds.COLLABORATIONS).get(id.value()).filter(c -> !c.deleted());
        Optional<Member> member = member(tx, id, caller);
        if (collaboration.isEmpty() || member.isEmpty() || !visible(member.get())) {
            throw CleanroomException.notFound(ResourceType.COLLABORATION, id.value());
        }
        return collaboration.get();
    }

    static Member callerMember(Tx tx, AccountId caller, CollaborationId id) {
        visibleCollaboration(tx, caller, id);
        return member(tx, id, caller).orElseThrow();
    }

    static Membership ownMembership(Tx tx, AccountId caller, MembershipId id) {
        Optional<Membership> membership = tx.of(Kinds.MEMBERSHIPS).get(id.value());
        if (membership.isEmpty() || !membership.get().accountId().equals(caller)) {
            throw CleanroomException.notFound(ResourceType.MEMBERSHIP, id.value());
        }
        return membership.get();
    }

    static Membership activeMembership(Tx tx, AccountId caller, MembershipId id) {
        Membership membership = ownMembership(tx, caller, id);
        if (membership.status() != MembershipStatus.ACTIVE) {
            throw CleanroomException.conflict(ErrorCode.INVALID_STATE, ResourceType.MEMBERSHIP, id.value(),
                    "Membership " + id + " is " + membership.status() + "; only an ACTIVE membership can do this");
        }
        return membership;
    }

    static ConfiguredTable ownTable(Tx tx, AccountId caller, ConfiguredTableId id) {
        Optional<ConfiguredTable> table = tx.of(Kinds.CONFIGURED_TABLES).get(id.value());
        if (table.isEmpty() || !table.get().ownerAccountId().equals(caller)) {
            throw CleanroomException.notFound(ResourceType.CONFIGURED_TABLE, id.value());
        }
        return table.get();
    }

    static Association ownAssociation(Tx tx, Membership membership, AssociationId id) {
        Optional<Association> association = tx.of(Kinds.ASSOCIATIONS).get(id.value());
        if (association.isEmpty() || !association.get().membershipId().equals(membership.id())) {
            throw CleanroomException.notFound(ResourceType.CONFIGURED_TABLE_ASSOCIATION, id.value());
        }
        return association.get();
    }

    /** Members of a collaboration that are active (joined and not removed). */
    static List<Member> activeMembers(Tx tx, CollaborationId id) {
        return tx.of(Kinds.MEMBERS).find("collaboration_id", id.value()).stream()
                .filter(m -> m.status() == MemberStatus.ACTIVE)
                .toList();
    }

    static List<Member> members(Tx tx, CollaborationId id) {
        return tx.of(Kinds.MEMBERS).find("collaboration_id", id.value());
    }
}
