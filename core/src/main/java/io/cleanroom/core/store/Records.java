package io.cleanroom.core.store;

import java.util.List;
import java.util.Optional;

/** The records of one kind, seen inside one transaction. */
public interface Records<V> {
    Optional<V> get(String key);

    /** Inserts a new record; a duplicate key or unique index value is an ALREADY_EXISTS conflict. */
    void insert(V value);

    /** Replaces the record with the same key; returns false if there was none. */
    boolean update(V value);

    boolean delete(String key);

    /** Records whose index column equals value, in key order. */
    List<V> find(String index, String value);

    /**
     * At most limit records, in position order ({@link Kind#positionOf}: list_order then key, or key
     * alone), strictly after the given position (from the first when null); only those whose index
     * column equals value, or all records when index is null.
     */
    List<V> findAfter(String index, String value, Position after, int limit);

    /** All records of this kind, in key order. */
    List<V> all();

    /** The record with the greatest key, if any. */
    Optional<V> last();

    /** Every record with the columns of its row, in key order. */
    List<Row<V>> rows();

    /**
     * At most limit rows with keys below the given key (all keys when null), greatest key first,
     * each with its stored columns.
     */
    List<Row<V>> rowsBefore(String key, int limit);

    /**
     * As {@link #rowsBefore(String, int)}, only the rows whose index column equals value: one range
     * scan of an index on (index, id), however many other rows lie between them.
     */
    List<Row<V>> rowsBefore(String index, String value, String key, int limit);

    /**
     * At most limit rows with keys above the given key (all keys when null), least key first, each
     * with its stored columns: a long listing read in bounded batches.
     */
    List<Row<V>> rowsAfter(String key, int limit);
}
