package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Identifier of a collaboration's privacy budget, as ListPrivacyBudgets shows it. */
public record PrivacyBudgetId(String value) {
    public PrivacyBudgetId {
        requireNonNull(value, "value is null");
        if (!Ids.isUuid(value)) {
            throw new IllegalArgumentException("not a lowercase UUID: " + value);
        }
    }

    public static PrivacyBudgetId random() {
        return new PrivacyBudgetId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
