package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Identifier of a membership: one account's place in one collaboration. */
public record MembershipId(String value) {
    public MembershipId {
        requireNonNull(value, "value is null");
        if (!Ids.isUuid(value)) {
            throw new IllegalArgumentException("not a lowercase UUID: " + value);
        }
    }

    public static MembershipId random() {
        return new MembershipId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
