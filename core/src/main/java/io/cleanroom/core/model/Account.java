package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * An account: one organisation taking part in clean rooms. dataRoots are the only places its
 * catalog tables may point into (set by the operator): directories, stored as real paths, and S3
 * folders ({@code s3://bucket/prefix/}); an account without any can register no table until the
 * operator grants one.
 */
public record Account(AccountId id, String name, boolean enabled, List<String> dataRoots, Instant createTime) {
    public Account {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        dataRoots = List.copyOf(dataRoots == null ? List.of() : dataRoots);
        requireNonNull(createTime, "createTime is null");
    }

    public Account withEnabled(boolean newEnabled) {
        return new Account(id, name, newEnabled, dataRoots, createTime);
    }

    public Account withDataRoots(List<String> roots) {
        return new Account(id, name, enabled, roots, createTime);
    }

    /** The roots on the server's file system (absolute paths). */
    public List<String> localRoots() {
        return dataRoots.stream().filter(r -> !r.startsWith("s3://")).toList();
    }

    /** The S3 folders the account's tables may lie in. */
    public List<S3Location> s3Roots() {
        return dataRoots.stream().filter(r -> r.startsWith("s3://"))
                .map(r -> S3Location.parse(r).location().orElseThrow()).toList();
    }
}
