package io.cleanroom.core.model;

/** Status of a membership. */
public enum MembershipStatus {
    ACTIVE,REMOVED,COLLABORATION_DELETED
}
