package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** An account: one organisation taking part in clean rooms. */
public record Account(AccountId id, String name, boolean enabled, Instant createTime) {
    public Account {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(createTime, "createTime is null");
    }
}
