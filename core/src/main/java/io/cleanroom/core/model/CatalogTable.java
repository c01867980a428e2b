package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A table registered in place in one account's catalog: where its data lies (a local file,
 * directory or glob; an s3:// folder; a jdbc:postgresql:// database, with the schema and table in
 * its parameters), its format and its columns, as Cleanroom reads them, and the definition the
 * owner gave (Glue's TableInput as JSON, which the catalog answers back unchanged; null for tables
 * registered before it was kept). Location, format and columns are derived from the definition
 * (columns inferred from the data when it gives none) and never written into it.
 *
 * <p>columns are every column a query sees: the data's, then the partition columns, whose names
 * partitionKeys lists in order (Hive-style folders {@code dt=2026-11-01/} of an s3:// table).
 * Tables with data elsewhere than the server's disk name their connection in the parameter
 * {@code connectionName}.
 */
public record CatalogTable(
        AccountId accountId,
        String databaseName,
        String name,
        String description,
        String location,
        TableFormat format,
        List<Column> columns,
        Map<String, String> parameters,
        Instant createTime,
        Instant updateTime,
        String definition,
        List<String> partitionKeys) {
    public CatalogTable {
        requireNonNull(accountId, "accountId is null");
        requireNonNull(databaseName, "databaseName is null");
        requireNonNull(name, "name is null");
        requireNonNull(location, "location is null");
        requireNonNull(format, "format is null");
        columns = List.copyOf(columns);
        parameters = Map.copyOf(parameters == null ? Map.of() : parameters);
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
        partitionKeys = List.copyOf(partitionKeys == null ? List.of() : partitionKeys);
    }

    /** A table without partition columns. */
    public CatalogTable(AccountId accountId, String databaseName, String name, String description, String location,
            TableFormat format, List<Column> columns, Map<String, String> parameters, Instant createTime,
            Instant updateTime, String definition) {
        this(accountId, databaseName, name, description, location, format, columns, parameters, createTime,
                updateTime, definition, List.of());
    }

    /** The connection the table's data is read through, if it names one. */
    public java.util.Optional<String> connectionName() {
        return java.util.Optional.ofNullable(parameters.get("connectionName"));
    }

    public String key() {
        return accountId.value() + "/" + databaseName + "/" + name;
    }

    public boolean hasColumn(String column) {
        return columns.stream().anyMatch(c -> c.name().equalsIgnoreCase(column));
    }
}
