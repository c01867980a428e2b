package io.cleanroom.core.model;

/** Where a protected query is in its life. */
public enum ProtectedQueryStatus {
    SUBMITTED, STARTED, CANCELLED, CANCELLING, FAILED, SUCCESS, TIMED_OUT;

    public boolean terminal() {
        return this == CANCELLED || this == FAILED || this == SUCCESS || this == TIMED_OUT;
    }
}
