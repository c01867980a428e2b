package io.cleanroom.core.model;

/** SQL engine dialect a collaboration uses. */
public enum AnalyticsEngine {
    SPARK,CLEAN_ROOMS_SQL
}
