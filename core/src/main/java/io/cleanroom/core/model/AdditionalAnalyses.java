package io.cleanroom.core.model;

/** Whether a table may be used in additional analyses. */
public enum AdditionalAnalyses {
    ALLOWED,REQUIRED,NOT_ALLOWED
}
