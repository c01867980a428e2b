package io.cleanroom.core.model;

/** How a configured table may be analysed. */
public enum AnalysisMethod {
    DIRECT_QUERY,DIRECT_JOB,MULTIPLE
}
