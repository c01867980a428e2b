package io.cleanroom.core.model;

/** Status of a member in a collaboration, as the caller sees it. */
public enum MemberStatus {
    INVITED,ACTIVE,LEFT,REMOVED
}
