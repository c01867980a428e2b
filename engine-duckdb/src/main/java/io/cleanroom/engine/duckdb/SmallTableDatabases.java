package io.cleanroom.engine.duckdb;

import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Databases already bound to the tables of small queries, kept for the next query that binds
 * exactly the same tables over exactly the same bytes. Opening a database, binding its views and
 * closing it cost several times what a query over a few rows does; a collaboration whose members
 * query small tables again and again binds each set of tables once.
 *
 * <p>Nothing kept can serve a query it should not:
 * <ul>
 *   <li>The key is everything the database holds and how it was set up: the memory and threads
 *       limits, and per table its name, its allowed columns with their types, its format, its
 *       partition columns and values, and the SHA-256 of the bytes of each of its files, read from
 *       the pinned file as the query starts. A changed rule that changes the allowed columns, a
 *       changed type, or a file changed in any byte (whatever its size or times say) is a different
 *       key; the query gets a new database. Rules that do not change the binding (thresholds, joins,
 *       functions) live in the checked SQL, rendered for each query.</li>
 *   <li>The views read private copies of exactly the bytes that were hashed (in a directory only
 *       this process's user can enter, deleted with the database), never the pinned paths: those
 *       ({@code /proc/self/fd/N}) name another file once the query that pinned them ends. The
 *       database is locked down as every query's is: only the copies may be read, the configuration
 *       is locked.</li>
 *   <li>A database is used by one query at a time (taken out while it runs), and is kept only
 *       after a query that succeeded; a query that failed, was cancelled or timed out closes it.
 *       Only query control's checked SQL reaches an engine ({@link io.cleanroom.engine.spi.ExecutableQuery}),
 *       a single SELECT that leaves nothing behind in the database.</li>
 * </ul>
 * Only tables of files holding less than {@link DuckDbEngine#SMALL_INPUT_BYTES} in all are kept:
 * reading and hashing them as each query starts costs far less than binding them, and larger
 * tables gain nothing worth holding their bytes twice. And only tables of the members' own files on
 * the server's disk, read through the descriptors the server pinned ({@link #PINNED}): what a query
 * staged for itself (objects fetched from S3, rows of a PostgreSQL table) is deleted when it ends,
 * never cached, and a copy kept past it would outlive it, in a directory a crash leaves behind.
 */
final class SmallTableDatabases implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SmallTableDatabases.class.getName());

    /** How many bound databases are kept (each holds only its views and its copies). */
    static final int KEPT = 4;

    /** A database bound to the copies in its own directory. */
    record Bound(String key, Connection connection, Path copies, Limits limits) {
    }

    /** What a query's tables are: the key of their database and the bytes of each file, in order. */
    record Tables(String key, List<TableBinding> bindings, List<List<byte[]>> contents) {
    }

    /**
     * The files whose bytes may be kept past a query: those read through a descriptor the server
     * pinned ({@code /proc/self/fd/N}), a member's own file on the server's disk; never a file the
     * query staged.
     */
    static final java.util.function.Predicate<Path> PINNED = path -> path.startsWith("/proc/self/fd/");

    private final int kept;
    private final java.util.function.Predicate<Path> keepable;
    private final SpareDatabases spares;
    private final Map<String, Bound> ready = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;
    private long hits;
    private long misses;

    SmallTableDatabases(int kept, SpareDatabases spares) {
        this(kept, PINNED, spares);
    }

    /** Keeping databases only over files keepable says may be kept (tests keep plain files). */
    SmallTableDatabases(int kept, java.util.function.Predicate<Path> keepable, SpareDatabases spares) {
        if (kept < 0) {
            throw new IllegalArgumentException("kept must not be negative");
        }
        this.kept = kept;
        this.keepable = keepable;
        this.spares = spares;
    }

    /**
     * The query's tables read for a kept database, or empty when they are not all small files (the
     * query then binds its pinned files on a database of its own, as ever).
     */
    Optional<Tables> read(List<TableBinding> tables, Limits limits) {
        if (kept == 0) {
            return Optional.empty();
        }
        StringBuilder key = new StringBuilder();
        field(key, "memory " + limits.memoryBytes());
        field(key, "threads " + limits.threads());
        List<List<byte[]>> contents = new ArrayList<>();
        long total = 0;
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            return Optional.empty();
        }
        for (TableBinding table : tables) {
            if (!(table.source() instanceof TableSource.Files source)) {
                return Optional.empty();
            }
            field(key, "table " + table.name());
            field(key, "format " + source.format());
            for (BoundColumn column : table.columns()) {
                field(key, "column " + column.name());
                field(key, "type " + DuckDbEngine.duckType(column.type()));
            }
            for (String partition : source.partitionColumns()) {
                field(key, "partition " + partition);
            }
            List<byte[]> bytes = new ArrayList<>();
            for (int i = 0; i < source.locations().size(); i++) {
                URI location = source.locations().get(i);
                if (!"file".equals(location.getScheme())) {
                    return Optional.empty();
                }
                byte[] content;
                long room = DuckDbEngine.SMALL_INPUT_BYTES - total;
                try {
                    Path path = Path.of(location);
                    if (!keepable.test(path) || Files.size(path) >= room) {
                        return Optional.empty();
                    }
                    // never more than the room left, whatever the file has become since its size was read
                    // (grown, or a device that never ends): readAllBytes would take what comes
                    try (java.io.InputStream in = Files.newInputStream(path)) {
                        content = in.readNBytes((int) room);
                    }
                } catch (IOException | RuntimeException e) {
                    // the query says what is wrong with the file when it reads it
                    return Optional.empty();
                }
                if (content.length >= room) {
                    return Optional.empty();
                }
                total += content.length;
                bytes.add(content);
                field(key, "file " + HexFormat.of().formatHex(sha.digest(content)));
                if (!source.partitionColumns().isEmpty()) {
                    for (String value : source.partitionValues().get(i)) {
                        field(key, value == null ? "null" : "value " + value);
                    }
                }
            }
            contents.add(bytes);
        }
        return Optional.of(new Tables(key.toString(), tables, contents));
    }

    /** Appends a field that no other sequence of fields can be confused with: its length, then it. */
    private static void field(StringBuilder key, String value) {
        key.append(value.length()).append(':').append(value).append('\n');
    }

    /** The kept database bound to these tables, taken out for one query; empty if there is none. */
    synchronized Optional<Bound> take(Tables tables) {
        Bound bound = ready.remove(tables.key());
        if (bound == null) {
            misses++;
            return Optional.empty();
        }
        hits++;
        return Optional.of(bound);
    }

    /**
     * A new database for these tables, from the engine's spares: copies of the bytes in a private
     * directory, the views over them, locked down. The caller hands it to {@link #keep} or
     * {@link #discard}.
     */
    Bound bind(Tables tables, Limits limits) throws SQLException {
        Path copies;
        List<TableBinding> copied = new ArrayList<>();
        try {
            copies = Files.createTempDirectory("cleanroom-duckdb-tables-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new SQLException("cannot make a private directory for a small table's copies", e);
        }
        try {
            int n = 0;
            for (int t = 0; t < tables.bindings().size(); t++) {
                TableBinding table = tables.bindings().get(t);
                TableSource.Files source = (TableSource.Files) table.source();
                List<URI> locations = new ArrayList<>();
                List<byte[]> contents = tables.contents().get(t);
                for (int i = 0; i < contents.size(); i++) {
                    // named as the file read ends (N of /proc/self/fd/N, or a staged object's name), so
                    // that DuckDB reads a copy as it reads the original (it tells compression by the ending)
                    Path name = Path.of(source.locations().get(i)).getFileName();
                    Path copy = copies.resolve(n++ + "-" + (name == null ? "" : name.toString()));
                    Files.write(copy, contents.get(i));
                    locations.add(copy.toUri());
                }
                copied.add(new TableBinding(table.name(), table.columns(), new TableSource.Files(locations,
                        source.format(), source.partitionColumns(), source.partitionValues())));
            }
        } catch (IOException e) {
            deleteTree(copies);
            throw new SQLException("cannot copy a small table", e);
        }
        Connection c;
        try {
            c = spares.takeFresh(limits);
        } catch (SQLException | RuntimeException e) {
            deleteTree(copies);
            throw e;
        }
        try {
            DuckDbEngine.bind(c, copied);
        } catch (SQLException | RuntimeException e) {
            discard(new Bound(tables.key(), c, copies, limits));
            throw e;
        }
        return new Bound(tables.key(), c, copies, limits);
    }

    /** Keeps a database after a query that succeeded on it, closing the least recently used beyond the bound. */
    void keep(Bound bound) {
        List<Bound> evicted = new ArrayList<>();
        synchronized (this) {
            if (closed || ready.containsKey(bound.key())) {
                evicted.add(bound);
            } else {
                ready.put(bound.key(), bound);
                Iterator<Bound> oldest = ready.values().iterator();
                while (ready.size() > kept && oldest.hasNext()) {
                    evicted.add(oldest.next());
                    oldest.remove();
                }
            }
        }
        evicted.forEach(this::discard);
    }

    /** Closes a database (in the background) and deletes its copies; it is never used again. */
    void discard(Bound bound) {
        spares.close(bound.connection(), () -> deleteTree(bound.copies()));
    }

    /** How many queries found their tables bound, and how many did not (for tests). */
    synchronized long[] counts() {
        return new long[] {hits, misses};
    }

    /** How many bound databases are kept now (for tests). */
    synchronized int kept() {
        return ready.size();
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Cannot delete a small table's copies: " + e.getMessage());
        }
    }

    /** Closes every kept database (the spares' closing waits for them). */
    @Override
    public void close() {
        List<Bound> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(ready.values());
            ready.clear();
        }
        for (Bound bound : all) {
            try {
                bound.connection().close();
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.DEBUG, "Closing a DuckDB database failed: " + e.getMessage());
            }
            deleteTree(bound.copies());
        }
    }
}
