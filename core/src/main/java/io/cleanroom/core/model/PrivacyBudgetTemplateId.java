package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Identifier of a privacy budget template (a collaboration's differential privacy policy). */
public record PrivacyBudgetTemplateId(String value) {
    public PrivacyBudgetTemplateId {
        requireNonNull(value, "value is null");
        if (!Ids.isUuid(value)) {
            throw new IllegalArgumentException("not a lowercase UUID: " + value);
        }
    }

    public static PrivacyBudgetTemplateId random() {
        return new PrivacyBudgetTemplateId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
