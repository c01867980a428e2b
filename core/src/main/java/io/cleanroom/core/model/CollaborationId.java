package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Identifier of a collaboration (lowercase UUID). */
public record CollaborationId(String value) {
    public CollaborationId {
        requireNonNull(value, "value is null");
        if (!Ids.isUuid(value)) {
            throw new IllegalArgumentException("not a lowercase UUID: " + value);
        }
    }

    public static CollaborationId random() {
        return new CollaborationId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
