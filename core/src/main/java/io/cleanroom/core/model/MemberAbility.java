package io.cleanroom.core.model;

/** What a member may do in a collaboration (AWS MemberAbility). */
public enum MemberAbility {
    CAN_QUERY,CAN_RECEIVE_RESULTS,CAN_RUN_JOB
}
