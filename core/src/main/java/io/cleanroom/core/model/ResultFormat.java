package io.cleanroom.core.model;

/** File format of query results written to an S3-style location. */
public enum ResultFormat {
    CSV,PARQUET
}
