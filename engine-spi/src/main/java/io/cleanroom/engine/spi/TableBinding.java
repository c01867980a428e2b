package io.cleanroom.engine.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A table a query reads: its name in the query, exactly the columns the query may see with their
 * types (the engine exposes these and nothing else; a value that does not fit its type is NULL),
 * and where its rows come from.
 */
public record TableBinding(String name, List<BoundColumn> columns, TableSource source) {
    public TableBinding {
        requireNonNull(name, "name is null");
        columns = List.copyOf(columns);
        requireNonNull(source, "source is null");
    }
}
