package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

/** A named, typed column of a catalog table (type in Glue/Hive terms: string, bigint, double, ...). */
public record Column(String name, String type) {
    public Column {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }
}
