package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** The tags on one resource, by ARN. */
public record TagSet(String resourceArn, AccountId ownerAccountId, Map<String, String> tags) {
    public TagSet {
        requireNonNull(resourceArn, "resourceArn is null");
        requireNonNull(ownerAccountId, "ownerAccountId is null");
        tags = Map.copyOf(tags);
    }
}
