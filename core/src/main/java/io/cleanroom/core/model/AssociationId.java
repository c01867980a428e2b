package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Identifier of a configured table association. */
public record AssociationId(String value) {
    public AssociationId {
        requireNonNull(value, "value is null");
        if (!Ids.isUuid(value)) {
            throw new IllegalArgumentException("not a lowercase UUID: " + value);
        }
    }

    public static AssociationId random() {
        return new AssociationId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
