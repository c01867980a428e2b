package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A database in one account's catalog; description and locationUri may be null. */
public record CatalogDatabase(AccountId accountId, String name, String description, String locationUri, Instant createTime) {
    public CatalogDatabase {
        requireNonNull(accountId, "accountId is null");
        requireNonNull(name, "name is null");
        requireNonNull(createTime, "createTime is null");
    }

    public String key() {
        return accountId.value() + "/" + name;
    }
}
