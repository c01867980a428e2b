package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A folder of an S3 bucket, {@code s3://bucket/prefix/}: a table's location, or a root an account's
 * tables may lie under. The prefix is empty (the whole bucket) or ends with "/", so that a root
 * {@code s3://b/pub/} holds {@code s3://b/pub/t/} but not {@code s3://b/public/}.
 *
 * <p>Parsing is an allow-list. Bucket names follow S3's rules (3-63 lower-case letters, digits,
 * dots and hyphens, a letter or digit at each end, no "..", not an IP address). Each folder name of
 * the prefix is 1-255 of letters, digits and {@code . _ - = + , @ : ~ ! * ' ( )} and space, and is
 * neither "." nor "..": a server that maps keys to files (a file-system-backed S3 server) could
 * otherwise resolve {@code pub/../adv/} outside the root the text lies in.
 */
public record S3Location(String bucket, String prefix) {
    private static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
    private static final Pattern IP = Pattern.compile("^\\d+\\.\\d+\\.\\d+\\.\\d+$");
    private static final Pattern FOLDER = Pattern.compile("^[A-Za-z0-9._\\-=+,@:~!*'() ]{1,255}$");
    /** The longest key prefix taken (S3 keys are at most 1024 bytes). */
    static final int MAX_PREFIX = 900;

    public S3Location {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix ends with /");
        }
    }

    /**
     * The location written as {@code s3://bucket/prefix} (a trailing "/" is added when missing), or
     * why it is not one: a message safe to show, naming no other location.
     */
    public static Parsed parse(String text) {
        if (text == null || !text.startsWith("s3://")) {
            return Parsed.problem("must be s3://bucket/folder/");
        }
        String rest = text.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..") || IP.matcher(bucket).matches()) {
            return Parsed.problem("must name a bucket of 3-63 lower-case letters, digits, dots and hyphens, "
                    + "starting and ending with a letter or digit");
        }
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        if (prefix.length() > MAX_PREFIX) {
            return Parsed.problem("must have a key prefix of at most " + MAX_PREFIX + " characters");
        }
        if (!prefix.isEmpty()) {
            for (String folder : prefix.substring(0, prefix.length() - 1).split("/", -1)) {
                if (folder.equals(".") || folder.equals("..") || !FOLDER.matcher(folder).matches()) {
                    return Parsed.problem("must have a key prefix of folder names made of letters, digits, spaces "
                            + "and . _ - = + , @ : ~ ! * ' ( ), without empty, '.' or '..' folders");
                }
            }
        }
        return new Parsed(Optional.of(new S3Location(bucket, prefix)), null);
    }

    /** A location, or why the text is not one. */
    public record Parsed(Optional<S3Location> location, String problem) {
        static Parsed problem(String problem) {
            return new Parsed(Optional.empty(), problem);
        }
    }

    /** Whether this location lies in root: the same bucket, under its prefix (or the prefix itself). */
    public boolean within(S3Location root) {
        return bucket.equals(root.bucket) && prefix.startsWith(root.prefix);
    }

    /** Whether an object key lies under this location. */
    public boolean holds(String key) {
        return key.startsWith(prefix);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }
}
