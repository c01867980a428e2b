package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A table registered in place in one account's catalog: where its data lies (a local file,
 * directory or glob today; s3:// and jdbc:postgresql:// later), its format and its columns, as
 * Cleanroom reads them, and the definition the owner gave (Glue's TableInput as JSON, which the
 * catalog answers back unchanged; null for tables registered before it was kept). Location, format
 * and columns are derived from the definition (columns inferred from the data when it gives none)
 * and never written into it.
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
        String definition) {
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
    }

    public String key() {
        return accountId.value() + "/" + databaseName + "/" + name;
    }

    public boolean hasColumn(String column) {
        return columns.stream().anyMatch(c -> c.name().equalsIgnoreCase(column));
    }
}
