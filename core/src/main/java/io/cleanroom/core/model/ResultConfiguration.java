package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

/** A membership's default place for query results; roleArn may be null. */
public record ResultConfiguration(S3Output s3, String roleArn) {
    public ResultConfiguration {
        requireNonNull(s3, "s3 is null");
    }
}
