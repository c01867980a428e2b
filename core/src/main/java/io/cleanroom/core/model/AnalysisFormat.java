package io.cleanroom.core.model;

/** Format of an analysis template's source. */
public enum AnalysisFormat {
    SQL,PYSPARK_1_0
}
