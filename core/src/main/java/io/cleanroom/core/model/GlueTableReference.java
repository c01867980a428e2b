package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

/** Names a table in the owning account's catalog; region may be null. */
public record GlueTableReference(String databaseName, String tableName, String region) {
    public GlueTableReference {
        requireNonNull(databaseName, "databaseName is null");
        requireNonNull(tableName, "tableName is null");
    }
}
