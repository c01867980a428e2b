package io.cleanroom.engine.duckdb;

import io.cleanroom.engine.spi.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * New in-memory DuckDB databases, opened ahead of the queries that will use them. Opening one
 * (its catalog of built-in functions, its buffer manager and threads) and closing it cost tens of
 * milliseconds, more than the rest of a small query; here both are paid on a background thread
 * between queries instead of while a query waits.
 *
 * <p>Each database serves exactly one query and is never reused: {@link #take} hands out a database
 * no query has touched (with the base settings of {@link DuckDbEngine#open} only), and
 * {@link #retire} closes it and opens a replacement. Reuse would carry a query's views, tables and
 * allowed files into the next one, and DuckDB's {@code enable_external_access},
 * {@code allowed_paths} and {@code lock_configuration} belong to the database and cannot be undone
 * once set; a fresh database per query keeps the sandbox exactly as strict as opening one on demand.
 * A spare is held only here, reachable by no query and no caller, until it is taken. (A spare
 * taken for small tables, {@link #takeFresh}, is bound to copies of their bytes and may serve later
 * queries over exactly those tables and bytes: {@link SmallTableDatabases} says why that is safe.)
 */
final class SpareDatabases implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SpareDatabases.class.getName());

    /** A database opened ahead, with the limits it was opened with. */
    private record Spare(Connection connection, long memoryBytes, int threads) {
    }

    private final int spares;
    private final ConcurrentLinkedQueue<Spare> ready = new ConcurrentLinkedQueue<>();
    private final ExecutorService background;
    private volatile boolean closed;
    /** The file {@link #warm} reads, made on first use. */
    private volatile Path warmUpFile;

    /** Keeps up to spares databases ready (0: open each on demand and close it at once). */
    SpareDatabases(int spares) {
        if (spares < 0) {
            throw new IllegalArgumentException("spares must not be negative");
        }
        this.spares = spares;
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cleanroom-duckdb-spares");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A database no query has used, with the query's limits: a spare if one is ready, else one
     * opened now. The caller owns it and hands it to {@link #retire} when done.
     */
    Connection take(Limits limits) throws SQLException {
        Spare spare = ready.poll();
        if (spare == null) {
            return DuckDbEngine.open(limits);
        }
        try {
            if (spare.memoryBytes() != limits.memoryBytes() || spare.threads() != limits.threads()) {
                // a spare opened for other limits: the settings are not locked until the query is bound
                try (Statement s = spare.connection().createStatement()) {
                    DuckDbEngine.limit(s, limits);
                }
            }
            return spare.connection();
        } catch (SQLException | RuntimeException e) {
            closeQuietly(spare.connection());
            throw e;
        }
    }

    /**
     * A database as {@link #take} gives it, for a caller that will not {@link #retire} it (it is
     * kept bound for later queries, {@link SmallTableDatabases}): a spare for a later query is opened
     * in its place in the background.
     */
    Connection takeFresh(Limits limits) throws SQLException {
        Connection c = take(limits);
        replenish(limits);
        return c;
    }

    /** Opens a spare with these limits in the background, if fewer than spares are ready. */
    private void replenish(Limits limits) {
        if (spares == 0 || closed) {
            return;
        }
        try {
            background.execute(() -> {
                if (!closed && ready.size() < spares) {
                    openSpare(limits);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: no spare is wanted any more
        }
    }

    /**
     * Closes a database in the background without opening another (one kept bound, now given up),
     * then runs after (or both at once when the engine is closing).
     */
    void close(Connection c, Runnable after) {
        Runnable closing = () -> {
            closeQuietly(c);
            after.run();
        };
        if (closed) {
            closing.run();
            return;
        }
        try {
            background.execute(closing);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            closing.run();
        }
    }

    /**
     * Closes a database a query has used (never to be handed out again) and opens a spare for a
     * later query with the same limits, both in the background.
     */
    void retire(Connection used, Limits limits) {
        if (spares == 0 || closed) {
            closeQuietly(used);
            return;
        }
        try {
            background.execute(() -> {
                closeQuietly(used);
                if (!closed && ready.size() < spares) {
                    openSpare(limits);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            closeQuietly(used);
        }
    }

    /** Opens and warms a spare (on the background thread). */
    private void openSpare(Limits limits) {
        try {
            Connection spare = DuckDbEngine.open(limits);
            warm(spare);
            ready.add(new Spare(spare, limits.memoryBytes(), limits.threads()));
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot open a spare DuckDB database: " + e.getMessage());
        }
        if (closed) {
            drain();
        }
    }

    /**
     * Runs a query of the usual shape (a CSV file read, a join, a distinct count by group, a
     * threshold) once on a new database, so that what DuckDB sets up on a database's first query
     * is done before a query waits for it. It reads only the engine's own small file and leaves
     * nothing behind: no view, no table, no setting.
     */
    private void warm(Connection c) {
        Path file = warmUpFile();
        if (file == null) {
            return;
        }
        String csv = "read_csv(['" + file.toString().replace("'", "''") + "'], header = true, all_varchar = true, "
                + "union_by_name = true, delim = ',', quote = '\"', escape = '\"')";
        try (Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT x.b, COUNT(DISTINCT x.a) FROM " + csv + " x JOIN "
                        + csv + " y ON x.a = y.a GROUP BY x.b HAVING COUNT(DISTINCT x.a) >= 1")) {
            while (rs.next()) {
                rs.getObject(1);
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.DEBUG, "Warming a spare DuckDB database failed: " + e.getMessage());
        }
    }

    /** A small CSV file of the engine's own, made once (null where none can be made). */
    private Path warmUpFile() {
        if (warmUpFile == null) {
            try {
                Path file = Files.createTempFile("cleanroom-duckdb-warm-up", ".csv");
                file.toFile().deleteOnExit();
                Files.writeString(file, "a,b\n1,x\n2,y\n3,x\n");
                warmUpFile = file;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "No file to warm spare DuckDB databases with: " + e.getMessage());
                return null;
            }
        }
        return warmUpFile;
    }

    /** How many databases are ready now (for tests). */
    int ready() {
        return ready.size();
    }

    /** Waits until the databases retired so far are closed and their replacements opened (for tests). */
    void settle() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        background.execute(done::countDown);
        done.await();
    }

    private void drain() {
        Spare spare;
        while ((spare = ready.poll()) != null) {
            closeQuietly(spare.connection());
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing a DuckDB database failed: " + e.getMessage());
        }
    }

    /** Closes every spare and waits for the databases being retired. */
    @Override
    public void close() {
        closed = true;
        background.shutdown();
        try {
            if (!background.awaitTermination(30, TimeUnit.SECONDS)) {
                background.shutdownNow();
            }
        } catch (InterruptedException e) {
            background.shutdownNow();
            Thread.currentThread().interrupt();
        }
        drain();
        if (warmUpFile != null) {
            try {
                Files.deleteIfExists(warmUpFile);
            } catch (IOException e) {
                // removed at exit
            }
        }
    }
}
