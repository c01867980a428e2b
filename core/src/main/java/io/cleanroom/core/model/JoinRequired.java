package io.cleanroom.core.model;

/** Join requirement of an aggregation rule. */
public enum JoinRequired {
    QUERY_RUNNER
}
