package io.cleanroom.core.store;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A record as it is stored: the key and index columns of its row beside the record itself. The
 * columns are copies of values the record computes (see {@link Kind}); someone who edits the
 * database directly can make them disagree, which {@link Kind#disagreements} reports.
 */
public record Row<V>(String key, Map<String, String> columns, V value) {
    public Row {
        requireNonNull(key, "key is null");
        // a damaged row may hold NULL in a column, so this copy keeps nulls
        columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
        requireNonNull(value, "value is null");
    }
}
