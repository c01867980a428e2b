package io.cleanroom.core.model;

/** Aggregate functions an aggregation rule can allow on a column. */
public enum AggregateFunction {
    SUM,SUM_DISTINCT,COUNT,COUNT_DISTINCT,AVG
}
