package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

/** An S3-style result location; the server maps buckets to local directories. keyPrefix may be null. */
public record S3Output(ResultFormat resultFormat, String bucket, String keyPrefix, Boolean singleFileOutput) {
    public S3Output {
        requireNonNull(resultFormat, "resultFormat is null");
        requireNonNull(bucket, "bucket is null");
    }
}
