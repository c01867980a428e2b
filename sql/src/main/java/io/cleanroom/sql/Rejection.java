package io.cleanroom.sql;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;

/** Builds the INVALID_QUERY errors of query control. Messages name rules, tables and columns, never values. */
final class Rejection {
    private Rejection() {
    }

    static CleanroomException of(String message) {
        return CleanroomException.of(ErrorCode.INVALID_QUERY, message);
    }
}
