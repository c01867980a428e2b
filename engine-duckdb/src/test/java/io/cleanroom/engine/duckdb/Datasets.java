package io.cleanroom.engine.duckdb;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.duckdb.World.Domain;
import io.cleanroom.engine.duckdb.World.Ref;
import io.cleanroom.engine.duckdb.World.WorldColumn;
import io.cleanroom.engine.duckdb.World.WorldTable;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The datasets of one world: its data as generated (base), the same rows stored in other orders
 * (to tell non-determinism from leaks), the renamed variant and permuted variants. Each is written
 * to files once and read through a connection made by {@link DuckDbEngine#sandbox}, exactly as
 * production runs queries; connections are made on first use and kept for every query.
 */
final class Datasets implements AutoCloseable {
    /** A variant of the world's data. */
    record Variant(String name, Set<Ref> permuted) {
        static final Variant BASE = new Variant("base", Set.of());
        static final Variant REVERSED = new Variant("base, rows reversed", Set.of());
        static final Variant SHUFFLED = new Variant("base, rows shuffled", Set.of());
        static final Variant RENAMED = new Variant("renamed", Set.of());

        static Variant permuted(Set<Ref> columns) {
            return new Variant("permuted " + new TreeSet<>(columns.stream().map(Ref::toString).toList()),
                    Set.copyOf(columns));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** What a run of a query observably produced. */
    sealed interface Outcome {
        /** Rows as a multiset: count and an order-independent hash, plus the first rows for reports. */
        record Rows(int columns, long count, long hash, List<String> sample) implements Outcome {
            @Override
            public String toString() {
                return count + " row(s) of " + columns + " column(s)" + (sample.isEmpty() ? "" : ": "
                        + String.join(" | ", sample.subList(0, Math.min(6, sample.size())))
                        + (sample.size() > 6 ? " | ..." : ""));
            }
        }

        /** The query failed; observable is the message production would show, raw DuckDB's own. */
        record Failed(String observable, String raw) implements Outcome {
            @Override
            public String toString() {
                return "FAILED \"" + observable + "\" (engine said: " + shorten(raw) + ")";
            }
        }

        /** Time-out, memory limit or a result too large to read: inconclusive, never compared. */
        record Resource(String what) implements Outcome {
            @Override
            public String toString() {
                return what;
            }
        }

        default boolean sameAs(Outcome other) {
            if (this instanceof Rows a && other instanceof Rows b) {
                return a.columns == b.columns && a.count == b.count && a.hash == b.hash;
            }
            if (this instanceof Failed a && other instanceof Failed b) {
                return a.observable.equals(b.observable);
            }
            return false;
        }
    }

    private static final int SAMPLE_ROWS = 40;
    /** Results larger than this are not compared (reading them would take most of the hunt's time). */
    private static final int MAX_ROWS = 20_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hunt-timeout");
        t.setDaemon(true);
        return t;
    });

    private final World world;
    private final Path dir;
    private final io.cleanroom.engine.spi.Limits limits;
    private final long timeoutMillis;
    private final Map<Domain, Map<String, String>> renaming = new HashMap<>();
    private final Map<Ref, Map<Object, Object>> ownRenaming = new HashMap<>();
    private final Map<Variant, Connection> connections = new LinkedHashMap<>();
    private int files;

    Datasets(World world, Path dir, io.cleanroom.engine.spi.Limits limits, long timeoutMillis) {
        this.world = world;
        this.dir = dir;
        this.limits = limits;
        this.timeoutMillis = timeoutMillis;
        for (Domain domain : world.renamedDomains()) {
            renaming.put(domain, renaming(domain));
        }
        for (WorldTable table : world.tables()) {
            for (int i = 0; i < table.columns().size(); i++) {
                Ref ref = new Ref(table.name(), table.columns().get(i).name());
                if (world.renamed().contains(ref) && table.columns().get(i).domain().isEmpty()) {
                    ownRenaming.put(ref, renaming(table, i));
                }
            }
        }
    }

    /** An order-preserving bijection of a numeric or date column's values onto values of other sizes. */
    private static Map<Object, Object> renaming(WorldTable table, int column) {
        TreeSet<Comparable<Object>> values = new TreeSet<>();
        for (List<Object> row : table.rows()) {
            if (row.get(column) != null) {
                @SuppressWarnings("unchecked")
                Comparable<Object> v = (Comparable<Object>) row.get(column);
                values.add(v);
            }
        }
        Random random = new Random(table.name().hashCode() * 131L + column);
        Map<Object, Object> out = new HashMap<>();
        long next = -5_000 + random.nextInt(10_000);
        for (Object value : values) {
            next += 1 + random.nextInt(997);
            Object renamed;
            if (value instanceof Integer) {
                renamed = (int) next;
            } else if (value instanceof BigDecimal) {
                renamed = BigDecimal.valueOf(next * 100 + random.nextInt(100), 2);
            } else if (value instanceof LocalDate) {
                renamed = LocalDate.of(2000, 1, 1).plusDays(next);
            } else {
                throw new IllegalArgumentException("cannot rename " + value.getClass().getSimpleName() + " values");
            }
            out.put(value, renamed);
        }
        return out;
    }

    World world() {
        return world;
    }

    /**
     * An order-preserving bijection of the domain's values onto new strings of other lengths and
     * letters (the domain prefix kept, so the order against every other string stays the same).
     */
    private Map<String, String> renaming(Domain domain) {
        TreeSet<String> values = new TreeSet<>();
        for (WorldTable table : world.tables()) {
            for (int i = 0; i < table.columns().size(); i++) {
                if (table.columns().get(i).domain().equals(java.util.Optional.of(domain))) {
                    for (List<Object> row : table.rows()) {
                        if (row.get(i) != null) {
                            values.add((String) row.get(i));
                        }
                    }
                }
            }
        }
        Random random = new Random(domain.name().hashCode() * 31L + 17);
        TreeSet<String> fresh = new TreeSet<>();
        while (fresh.size() < values.size()) {
            StringBuilder s = new StringBuilder().append(domain.prefix());
            int length = 2 + random.nextInt(14);
            for (int i = 0; i < length; i++) {
                s.append((char) ('g' + random.nextInt(17)));
            }
            fresh.add(s.toString());
        }
        Map<String, String> out = new HashMap<>();
        List<String> to = new ArrayList<>(fresh);
        int i = 0;
        for (String value : values) {
            out.put(value, to.get(i++));
        }
        return out;
    }

    /** The rows of a table in a variant. */
    List<List<Object>> rows(WorldTable table, Variant variant) {
        List<List<Object>> rows = new ArrayList<>();
        for (List<Object> row : table.rows()) {
            rows.add(new ArrayList<>(row));
        }
        if (variant.equals(Variant.REVERSED)) {
            Collections.reverse(rows);
        } else if (variant.equals(Variant.SHUFFLED)) {
            Collections.shuffle(rows, new Random(table.name().hashCode() + 99L));
        } else if (variant.equals(Variant.RENAMED)) {
            for (int i = 0; i < table.columns().size(); i++) {
                WorldColumn column = table.columns().get(i);
                Ref ref = new Ref(table.name(), column.name());
                if (world.renamed().contains(ref)) {
                    Map<?, ?> map = column.domain().isPresent() ? renaming.get(column.domain().get())
                            : ownRenaming.get(ref);
                    for (List<Object> row : rows) {
                        if (row.get(i) != null) {
                            row.set(i, map.get(row.get(i)));
                        }
                    }
                }
            }
        } else if (!variant.permuted().isEmpty()) {
            for (int i = 0; i < table.columns().size(); i++) {
                Ref ref = new Ref(table.name(), table.columns().get(i).name());
                if (variant.permuted().contains(ref)) {
                    List<Object> values = new ArrayList<>();
                    for (List<Object> row : rows) {
                        values.add(row.get(i));
                    }
                    Collections.shuffle(values, new Random(ref.toString().hashCode() * 7L + 3));
                    for (int r = 0; r < rows.size(); r++) {
                        rows.get(r).set(i, values.get(r));
                    }
                }
            }
        }
        return rows;
    }

    /** The connection of a variant, its files written and sandbox made on first use. */
    Connection connection(Variant variant) {
        Connection c = connections.get(variant);
        if (c != null) {
            return c;
        }
        try {
            List<Engines.Table> tables = new ArrayList<>();
            for (WorldTable table : world.tables()) {
                tables.add(write(table, rows(table, variant)));
            }
            c = DuckDbEngine.sandbox(Engines.bind(tables), limits);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot prepare " + world + " " + variant, e);
        }
        connections.put(variant, c);
        return c;
    }

    private Engines.Table write(WorldTable table, List<List<Object>> rows) throws SQLException, IOException {
        Files.createDirectories(dir);
        boolean csv = world.format() == TableFormat.CSV;
        Path file = dir.resolve(world.name() + "-" + table.name() + "-" + (files++) + (csv ? ".csv" : ".parquet"));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            StringBuilder create = new StringBuilder("CREATE TABLE t (");
            for (int i = 0; i < table.columns().size(); i++) {
                WorldColumn column = table.columns().get(i);
                create.append(i == 0 ? "" : ", ").append('"').append(column.name()).append("\" ")
                        .append(DuckDbEngine.duckType(io.cleanroom.core.model.ColumnType.parse(column.kind().glueType)));
            }
            s.execute(create.append(')').toString());
            if (!rows.isEmpty()) {
                StringBuilder insert = new StringBuilder("INSERT INTO t VALUES ");
                for (int r = 0; r < rows.size(); r++) {
                    insert.append(r == 0 ? "(" : ", (");
                    for (int i = 0; i < rows.get(r).size(); i++) {
                        insert.append(i == 0 ? "" : ", ").append(literal(rows.get(r).get(i)));
                    }
                    insert.append(')');
                }
                s.execute(insert.toString());
            }
            s.execute("COPY t TO '" + file.toAbsolutePath() + "' " + (csv ? "(HEADER, DELIMITER ',')"
                    : "(FORMAT PARQUET)"));
        }
        return new Engines.Table(table.name(), List.of(file), world.format(), table.columns().stream()
                .map(col -> new Column(col.name(), col.kind().glueType)).toList());
    }

    private static String literal(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof String s) {
            return "'" + s.replace("'", "''") + "'";
        }
        if (value instanceof LocalDate d) {
            return "DATE '" + d + "'";
        }
        return value.toString();
    }

    /** Runs the query on a variant, bounded in time. */
    Outcome run(Variant variant, String sql) {
        Connection c = connection(variant);
        AtomicBoolean timedOut = new AtomicBoolean();
        try (Statement s = c.createStatement()) {
            ScheduledFuture<?> timeout = TIMER.schedule(() -> {
                timedOut.set(true);
                try {
                    s.cancel();
                } catch (SQLException | RuntimeException ignored) {
                    // the statement ended meanwhile
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            try (ResultSet rs = s.executeQuery(sql)) {
                int columns = rs.getMetaData().getColumnCount();
                long count = 0;
                long hash = 0;
                List<String> sample = new ArrayList<>();
                while (rs.next()) {
                    if (count == MAX_ROWS) {
                        return new Outcome.Resource("MORE THAN " + MAX_ROWS + " ROWS");
                    }
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= columns; i++) {
                        row.append(i == 1 ? "" : ", ").append(canonical(read(rs, i)));
                    }
                    String text = row.toString();
                    count++;
                    hash += mix(text);
                    if (sample.size() < SAMPLE_ROWS) {
                        sample.add(text);
                    }
                }
                Collections.sort(sample);
                return new Outcome.Rows(columns, count, hash, List.copyOf(sample));
            } finally {
                timeout.cancel(false);
            }
        } catch (SQLException e) {
            if (timedOut.get()) {
                return new Outcome.Resource("TIMED OUT after " + timeoutMillis + " ms");
            }
            String observable = DuckDbEngine.failure(e, Engines.never()).getMessage();
            if (observable.contains("out of memory")) {
                return new Outcome.Resource("OUT OF MEMORY");
            }
            return new Outcome.Failed(observable, String.valueOf(e.getMessage()));
        }
    }

    private static Object read(ResultSet rs, int i) {
        try {
            return rs.getObject(i);
        } catch (SQLException | RuntimeException e) {
            return "<unreadable " + e.getClass().getSimpleName() + ">";
        }
    }

    /** A value as text that is the same for equal values whatever the order they were computed in. */
    static String canonical(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Double.toString(d);
            }
            if (d == 0) {
                return "0.0";
            }
            // sums of doubles differ in the last bits with the order of the rows
            return "~" + new BigDecimal(d).round(new MathContext(10)).stripTrailingZeros().toString();
        }
        if (value instanceof java.sql.Array array) {
            try {
                return canonical(array.getArray());
            } catch (SQLException e) {
                return "<array>";
            }
        }
        if (value instanceof Object[] array) {
            List<String> items = new ArrayList<>();
            for (Object item : array) {
                items.add(canonical(item));
            }
            return "[" + String.join(", ", items) + "]";
        }
        if (value instanceof byte[] bytes) {
            StringBuilder s = new StringBuilder("x'");
            for (byte b : bytes) {
                s.append(String.format("%02x", b));
            }
            return s.append("'").toString();
        }
        if (value instanceof java.sql.Blob blob) {
            try {
                return canonical(blob.getBytes(1, (int) blob.length()));
            } catch (SQLException e) {
                return "<blob>";
            }
        }
        if (value instanceof Map<?, ?> map) {
            TreeMap<String, String> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(canonical(k), canonical(v)));
            return sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        return value.toString();
    }

    private static long mix(String text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    static String shorten(String text) {
        String one = text.replace('\n', ' ');
        return one.length() > 160 ? one.substring(0, 160) + "..." : one;
    }


    @Override
    public void close() {
        for (Connection c : connections.values()) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing an in-memory database
            }
        }
        connections.clear();
    }
}
