package io.cleanroom.core.model;

/** Whether query (or job) logs are enabled. */
public enum LogStatus {
    ENABLED,DISABLED
}
