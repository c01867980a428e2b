package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Identifier of a protected query. */
public record ProtectedQueryId(String value) {
    public ProtectedQueryId {
        requireNonNull(value, "value is null");
        if (!Ids.isUuid(value)) {
            throw new IllegalArgumentException("not a lowercase UUID: " + value);
        }
    }

    public static ProtectedQueryId random() {
        return new ProtectedQueryId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
