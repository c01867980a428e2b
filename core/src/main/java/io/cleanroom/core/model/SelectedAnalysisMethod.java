package io.cleanroom.core.model;

/** Analysis methods that can be selected for a configured table. */
public enum SelectedAnalysisMethod {
    DIRECT_QUERY,DIRECT_JOB
}
