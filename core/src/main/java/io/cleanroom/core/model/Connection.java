package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Locale;

/**
 * How the server reaches one account's data where it lies, stored once under a name. An S3
 * connection has an endpoint (null: AWS's regional endpoint), a region, an access key id and the
 * path-style flag; a PostgreSQL connection a JDBC URL (no credentials in it) and a user. The
 * secret (the secret access key, or the password) is kept only sealed under the server's master
 * key, and never leaves the server: no answer, log or audit event carries it.
 *
 * <p>The name is what an association's role ARN names ({@code arn:aws:iam::<account>:role/<name>}),
 * so it has IAM's role-name characters; it is unique in its account without regard to case, as
 * IAM role names are.
 */
public record Connection(
        AccountId accountId,
        String name,
        ConnectionType type,
        String description,
        String endpoint,
        String region,
        String accessKeyId,
        boolean pathStyle,
        String jdbcUrl,
        String user,
        String sealedSecret,
        Instant createTime,
        Instant updateTime) {
    public Connection {
        requireNonNull(accountId, "accountId is null");
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(sealedSecret, "sealedSecret is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
        if (type == ConnectionType.S3) {
            requireNonNull(region, "region is null");
            requireNonNull(accessKeyId, "accessKeyId is null");
        } else {
            requireNonNull(jdbcUrl, "jdbcUrl is null");
            requireNonNull(user, "user is null");
        }
    }

    /** The key a connection is stored under: its account and its name in lower case. */
    public static String key(AccountId account, String name) {
        return account.value() + "/" + name.toLowerCase(Locale.ROOT);
    }

    public String key() {
        return key(accountId, name);
    }

    @Override
    public String toString() {
        return "Connection[" + accountId + "/" + name + ", " + type + "]";
    }
}
