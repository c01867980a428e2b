package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Identifier of a configured table. */
public record ConfiguredTableId(String value) {
    public ConfiguredTableId {
        requireNonNull(value, "value is null");
        if (!Ids.isUuid(value)) {
            throw new IllegalArgumentException("not a lowercase UUID: " + value);
        }
    }

    public static ConfiguredTableId random() {
        return new ConfiguredTableId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
