package io.cleanroom.core.model;

/** What a connection reaches: S3-compatible object storage, or a PostgreSQL database. */
public enum ConnectionType {
    S3, POSTGRESQL
}
