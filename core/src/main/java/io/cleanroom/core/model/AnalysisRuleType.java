package io.cleanroom.core.model;

/** Kinds of configured table analysis rules. */
public enum AnalysisRuleType {
    AGGREGATION,LIST,CUSTOM
}
