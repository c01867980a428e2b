package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** The tags on one resource, by ARN. */
public record TagSet(String resourceArn, AccountId ownerAccountId, Map<String, String> tags) {
    /** Tags whose keys begin so are Cleanroom's: only those it knows may be set, where they mean something. */
    public static final String RESERVED_PREFIX = "cleanroom:";

    /**
     * The tag by which a collaboration's creator pins the engine that runs its queries (duckdb,
     * spark); without it, the server's default engine runs them.
     */
    public static final String ENGINE = "cleanroom:engine";

    public TagSet {
        requireNonNull(resourceArn, "resourceArn is null");
        requireNonNull(ownerAccountId, "ownerAccountId is null");
        tags = Map.copyOf(tags);
    }
}
