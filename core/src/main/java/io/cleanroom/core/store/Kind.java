package io.cleanroom.core.store;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Describes how one kind of record is stored: its table, its key and the columns it is found by.
 * Uniqueness (one membership per account per collaboration, unique association names...) is
 * declared by the migrations on these columns and checked again by the services.
 */
public final class Kind<V> {
    /** The column holding a record's sort key in listings, for kinds that declare one. */
    public static final String LIST_ORDER = "list_order";

    private final String table;
    private final Class<V> type;
    private final Function<V, String> key;
    private final Map<String, Function<V, String>> indexes;

    private Kind(String table, Class<V> type, Function<V, String> key, Map<String, Function<V, String>> indexes) {
        // list_order is one of the indexes: stored with the row and checked by disagreements
        this.table = requireNonNull(table, "table is null");
        this.type = requireNonNull(type, "type is null");
        this.key = requireNonNull(key, "key is null");
        this.indexes = Map.copyOf(indexes);
    }

    public static <V> Builder<V> of(String table, Class<V> type, Function<V, String> key) {
        return new Builder<>(table, type, key);
    }

    public String table() {
        return table;
    }

    public Class<V> type() {
        return type;
    }

    public String keyOf(V value) {
        return key.apply(value);
    }

    /** Index column name to the function computing it; iteration order is not significant. */
    public Map<String, Function<V, String>> indexes() {
        return indexes;
    }

    /** Whether records of this kind are listed by a sort key (list_order) before their key. */
    public boolean listed() {
        return indexes.containsKey(LIST_ORDER);
    }

    /** Where a record stands in this kind's listings: (list_order, key), or ("", key) for kinds listed by key. */
    public Position positionOf(V value) {
        return new Position(listed() ? indexes.get(LIST_ORDER).apply(value) : "", keyOf(value));
    }

    /** The row this record is stored as: its key and the value of every index column. */
    public Row<V> row(V value) {
        Map<String, String> columns = new LinkedHashMap<>();
        indexes.forEach((column, function) -> columns.put(column, function.apply(value)));
        return new Row<>(keyOf(value), columns, value);
    }

    /**
     * The columns of a stored row that disagree with the record it holds, in a fixed order: "id"
     * when its key is not the record's, then each index column whose value is not the record's.
     * Empty when the row is what {@link #row} would store.
     */
    public List<String> disagreements(Row<V> stored) {
        List<String> out = new ArrayList<>();
        if (!stored.key().equals(keyOf(stored.value()))) {
            out.add("id");
        }
        indexes.keySet().stream().sorted().forEach(column -> {
            if (!java.util.Objects.equals(indexes.get(column).apply(stored.value()), stored.columns().get(column))) {
                out.add(column);
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return "Kind[" + table + "]";
    }

    public static final class Builder<V> {
        private final String table;
        private final Class<V> type;
        private final Function<V, String> key;
        private final Map<String, Function<V, String>> indexes = new LinkedHashMap<>();

        private Builder(String table, Class<V> type, Function<V, String> key) {
            this.table = table;
            this.type = type;
            this.key = key;
        }

        public Builder<V> index(String column, Function<V, String> value) {
            indexes.put(column, value);
            return this;
        }

        /**
         * Lists records by this sort key, then by key (see {@link Position#newestFirst}); the
         * migrations give the table a list_order column and indexes on (column, list_order, id).
         */
        public Builder<V> listOrder(Function<V, String> order) {
            return index(LIST_ORDER, order);
        }

        public Kind<V> build() {
            return new Kind<>(table, type, key, indexes);
        }
    }
}
