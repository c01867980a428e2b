package io.cleanroom.sources;

import static java.util.Objects.requireNonNull;

/**
 * Reading an account's data failed. The category says what kind of failure it was, in words anyone
 * taking part in the query may read; the message is the detail for the data's owner (the bucket,
 * object, host or table, and the storage's or database's error code), never a secret or a value of
 * the data.
 */
public final class SourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as the member that started the query may learn it. */
    public enum Category {
        CREDENTIALS("its storage or database refused the credentials of its owner's connection"),
        DENIED("its owner's connection is not allowed to read it (access denied, or a grant revoked)"),
        MISSING("a bucket, object or table its location names does not exist (deleted or moved)"),
        UNREACHABLE("its storage or database could not be reached"),
        TIMEOUT("its storage or database did not answer in time"),
        LIMIT("it holds more than this server reads for one query"),
        FAILED("reading its data failed");

        private final String forQuery;

        Category(String forQuery) {
            this.forQuery = forQuery;
        }

        /** The category as the query's starter reads it: no bucket, host, grant or value. */
        public String forQuery() {
            return forQuery;
        }
    }

    private final Category category;

    public SourceException(Category category, String ownerDetail) {
        super(requireNonNull(ownerDetail, "ownerDetail is null"), null, false, false);
        this.category = requireNonNull(category, "category is null");
    }

    public Category category() {
        return category;
    }

    /** The detail for the data's owner (the bucket, object or host, the error code). */
    public String ownerDetail() {
        return getMessage();
    }
}
