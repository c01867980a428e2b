package io.cleanroom.core.service;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.store.Kind;
import io.cleanroom.core.store.Position;
import io.cleanroom.core.store.Records;
import io.cleanroom.core.store.Row;
import io.cleanroom.core.store.Store;
import io.cleanroom.core.store.Tx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/** A hand-written fake of the store: maps per kind, transactions that roll back by snapshot. */
final class InMemoryStore implements Store {
    private Map<String, TreeMap<String, Object>> tables = new HashMap<>();

    @Override
    public synchronized <T> T inTransaction(Function<Tx, T> work) {
        Map<String, TreeMap<String, Object>> snapshot = new HashMap<>();
        tables.forEach((k, v) -> snapshot.put(k, new TreeMap<>(v)));
        try {
            return work.apply(new Tx() {
                @Override
                public <V> Records<V> of(Kind<V> kind) {
                    return new MapRecords<>(kind, tables.computeIfAbsent(kind.table(), t -> new TreeMap<>()));
                }
            });
        } catch (RuntimeException e) {
            tables = snapshot;
            throw e;
        }
    }

    @Override
    public void close() {
    }

    private static final class MapRecords<V> implements Records<V> {
        private final Kind<V> kind;
        private final TreeMap<String, Object> rows;

        MapRecords(Kind<V> kind, TreeMap<String, Object> rows) {
            this.kind = kind;
            this.rows = rows;
        }

        @Override
        public Optional<V> get(String key) {
            return Optional.ofNullable(rows.get(key)).map(kind.type()::cast);
        }

        @Override
        public void insert(V value) {
            if (rows.containsKey(kind.keyOf(value))) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.RESOURCE,
                        kind.keyOf(value), "duplicate key");
            }
            rows.put(kind.keyOf(value), value);
        }

        @Override
        public boolean update(V value) {
            return rows.replace(kind.keyOf(value), value) != null;
        }

        @Override
        public boolean delete(String key) {
            return rows.remove(key) != null;
        }

        @Override
        public List<V> find(String index, String value) {
            Function<V, String> column = kind.indexes().get(index);
            if (column == null) {
                throw new IllegalArgumentException("no index " + index);
            }
            List<V> out = new ArrayList<>();
            for (Object row : rows.values()) {
                V v = kind.type().cast(row);
                if (column.apply(v).equals(value)) {
                    out.add(v);
                }
            }
            return out;
        }

        @Override
        public List<V> findAfter(String index, String value, Position after, int limit) {
            List<V> candidates = index == null ? all() : find(index, value);
            return candidates.stream()
                    .filter(v -> after == null || kind.positionOf(v).compareTo(after) > 0)
                    .sorted(java.util.Comparator.comparing(kind::positionOf))
                    .limit(limit)
                    .toList();
        }

        @Override
        public List<V> all() {
            return rows.values().stream().map(kind.type()::cast).toList();
        }

        @Override
        public Optional<V> last() {
            return rows.isEmpty() ? Optional.empty() : Optional.of(kind.type().cast(rows.lastEntry().getValue()));
        }

        @Override
        public List<Row<V>> rows() {
            return rows.entrySet().stream().map(this::row).toList();
        }

        @Override
        public List<Row<V>> rowsBefore(String key, int limit) {
            var below = key == null ? rows.descendingMap() : rows.headMap(key, false).descendingMap();
            return below.entrySet().stream().limit(limit).map(this::row).toList();
        }

        @Override
        public List<Row<V>> rowsBefore(String index, String value, String key, int limit) {
            var below = key == null ? rows.descendingMap() : rows.headMap(key, false).descendingMap();
            return below.entrySet().stream().map(this::row)
                    .filter(r -> java.util.Objects.equals(r.columns().get(index), value)).limit(limit).toList();
        }

        @Override
        public List<Row<V>> rowsAfter(String key, int limit) {
            var above = key == null ? rows : rows.tailMap(key, false);
            return above.entrySet().stream().limit(limit).map(this::row).toList();
        }

        private Row<V> row(Map.Entry<String, Object> entry) {
            V value = kind.type().cast(entry.getValue());
            return new Row<>(entry.getKey(), kind.row(value).columns(), value);
        }
    }
}
