package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

/** A 12-digit account identifier, as in AWS. */
public record AccountId(String value) {
    public AccountId {
        requireNonNull(value, "value is null");
        if (!Ids.isAccountId(value)) {
            throw new IllegalArgumentException("account id must be 12 digits: " + value);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
