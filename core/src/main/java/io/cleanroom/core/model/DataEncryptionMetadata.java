package io.cleanroom.core.model;

/** Settings for cryptographic computing (C3R) in a collaboration. */
public record DataEncryptionMetadata(
        boolean allowCleartext,
        boolean allowDuplicates,
        boolean allowJoinsOnColumnsWithDifferentNames,
        boolean preserveNulls) {
}
