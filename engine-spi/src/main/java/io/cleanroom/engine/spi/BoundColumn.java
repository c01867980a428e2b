package io.cleanroom.engine.spi;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.ColumnType;

/** An allowed column of a bound table and the type the engine must expose it with. */
public record BoundColumn(String name, ColumnType type) {
    public BoundColumn {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }
}
