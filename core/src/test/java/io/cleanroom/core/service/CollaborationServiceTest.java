package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.MemberStatus;
import io.cleanroom.core.model.MembershipStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollaborationServiceTest extends ServiceTestSupport {
    private final Caller creator = account("111111111111");
    private final Caller invitee = account("222222222222");
    private final Caller stranger = account("333333333333");

    @Test
    void invitedMembersSeeTheCollaborationStrangersDoNot() {
        CollaborationId id = collaborations.create(creator, collaboration("c",
                List.of(member(invitee, MemberAbility.CAN_QUERY)))).collaboration().id();
        assertThat(collaborations.get(invitee, id).caller().status()).isEqualTo(MemberStatus.INVITED);
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> collaborations.get(stranger, id));
        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
        assertThat(collaborations.list(stranger, null, Page.Request.ALL).items()).isEmpty();
    }

    @Test
    void memberListIsChecked() {
        CleanroomException self = catchThrowableOfType(CleanroomException.class, () -> collaborations.create(creator,
                collaboration("c", List.of(member(creator)))));
        assertThat(self.fieldErrors()).extracting(CleanroomException.FieldError::name)
                .containsExactly("members[0].accountId");
        CleanroomException twice = catchThrowableOfType(CleanroomException.class, () -> collaborations.create(creator,
                collaboration("c", List.of(member(invitee), member(invitee)))));
        assertThat(twice.getMessage()).contains("listed twice");
        CleanroomException queriers = catchThrowableOfType(CleanroomException.class, () -> collaborations.create(
                creator, collaboration("c", List.of(member(invitee, MemberAbility.CAN_QUERY),
                        member(stranger, MemberAbility.CAN_QUERY)))));
        assertThat(queriers.getMessage()).contains("Only one member can have the CAN_QUERY ability");
    }

    @Test
    void quotaOnCollaborationsPerCreatorCountsOnlyLiveOnes() {
        CollaborationId first = null;
        for (int i = 0; i < 10; i++) {
            CollaborationId id = collaborations.create(creator, collaboration("c" + i, List.of())).collaboration().id();
            first = first == null ? id : first;
        }
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> collaborations.create(creator, collaboration("c10", List.of())));
        assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
        assertThat(e.quotaValue()).isEqualTo(10.0);
        collaborations.delete(creator, first);
        collaborations.create(creator, collaboration("again", List.of()));
    }

    @Test
    void onlyTheCreatorChangesTheCollaboration() {
        CollaborationId id = collaborations.create(creator, collaboration("c", List.of(member(invitee))))
                .collaboration().id();
        assertThat(catchThrowableOfType(CleanroomException.class,
                () -> collaborations.update(invitee, id, "x", null, null)).code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(catchThrowableOfType(CleanroomException.class,
                () -> collaborations.deleteMember(invitee, id, creator.account())).code())
                .isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(collaborations.update(creator, id, "renamed", null, null).collaboration().name())
                .isEqualTo("renamed");
    }

    @Test
    void deletingTheCollaborationMarksMemberships() {
        CollaborationId id = collaborations.create(creator, collaboration("c", List.of(member(invitee))))
                .collaboration().id();
        var membership = memberships.create(invitee, join(id)).membership();
        collaborations.delete(creator, id);
        assertThat(memberships.get(invitee, membership.id()).membership().status())
                .isEqualTo(MembershipStatus.COLLABORATION_DELETED);
        assertThatThrownBy(() -> collaborations.get(creator, id)).isInstanceOf(CleanroomException.class);
        // a deleted collaboration can be left without conflict
        memberships.delete(invitee, membership.id());
    }

    @Test
    void failedTransactionsLeaveNoTrace() {
        CollaborationId id = collaborations.create(creator, collaboration("c", List.of(member(invitee))))
                .collaboration().id();
        memberships.create(invitee, join(id));
        assertThatThrownBy(() -> memberships.create(invitee, join(id))).isInstanceOf(CleanroomException.class);
        assertThat(memberships.list(invitee, null, Page.Request.ALL).items()).hasSize(1);
    }
}
