package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/** Identifier of an analysis template. */
public record AnalysisTemplateId(String value) {
    public AnalysisTemplateId {
        requireNonNull(value, "value is null");
        if (!Ids.isUuid(value)) {
            throw new IllegalArgumentException("not a lowercase UUID: " + value);
        }
    }

    public static AnalysisTemplateId random() {
        return new AnalysisTemplateId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
