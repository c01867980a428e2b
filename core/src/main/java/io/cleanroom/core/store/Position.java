package io.cleanroom.core.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A place in a listing's order: the record's sort key (its kind's list_order column, or "" for
 * kinds listed by key alone) and then its key. Positions compare as (order, key), character by
 * character, as the store's ORDER BY list_order, id does; that order is total and never changes for
 * a record, so a listing resumed after a position neither repeats nor skips the records that were
 * there before, whatever was created or deleted meanwhile.
 */
public record Position(String order, String key) implements Comparable<Position> {
    private static final long SECONDS_SPAN = Instant.MAX.getEpochSecond() - Instant.MIN.getEpochSecond();

    public Position {
        requireNonNull(order, "order is null");
        requireNonNull(key, "key is null");
    }

    /** A position in a listing ordered by key alone. */
    public static Position of(String key) {
        return new Position("", key);
    }

    /** The sort key that lists later times first: fixed-width digits, so text order is time order. */
    public static String newestFirst(Instant time) {
        long seconds = time.getEpochSecond() - Instant.MIN.getEpochSecond();
        return String.format("%017d%09d", SECONDS_SPAN - seconds, 999_999_999 - time.getNano());
    }

    /** The sort key that lists earlier times first. */
    public static String oldestFirst(Instant time) {
        long seconds = time.getEpochSecond() - Instant.MIN.getEpochSecond();
        return String.format("%017d%09d", seconds, time.getNano());
    }

    @Override
    public int compareTo(Position other) {
        int byOrder = order.compareTo(other.order);
        return byOrder != 0 ? byOrder : key.compareTo(other.key);
    }
}
