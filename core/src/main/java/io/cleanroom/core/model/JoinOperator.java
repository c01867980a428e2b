package io.cleanroom.core.model;

/** Logical operators allowed between join match conditions. */
public enum JoinOperator {
    OR,AND
}
