package io.cleanroom.store;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditContext;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.store.Kind;
import io.cleanroom.core.store.Position;
import io.cleanroom.core.store.Records;
import io.cleanroom.core.store.Row;
import io.cleanroom.core.store.Store;
import io.cleanroom.core.store.Tx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.flywaydb.core.Flyway;

/**
 * The metadata store: SQLite (WAL, synchronous=FULL) by default, or PostgreSQL.
 *
 * <p>Writes go through one connection, one transaction at a time under one lock, which keeps every
 * invariant simple to reason about; the unique indexes of the migrations are the backstop if a
 * service forgets one. Durability is paid for once per batch, not once per transaction (group
 * commit): each {@link #inTransaction} runs inside a savepoint of the batch open on the connection
 * (a failure rolls back only its own savepoint), and the batch is committed, with its one sync to
 * disk, by the transaction that finds no other waiting to join it (or that fills it). Every
 * transaction of a batch returns only once the batch is committed, so nothing is acknowledged
 * before it is durable, and nothing read from an uncommitted batch is answered before it is
 * either; if the commit fails, every transaction of the batch fails.
 *
 * <p>Reads ({@link #read}) run on a small pool of other connections (SQLite's WAL lets them read
 * committed data beside the writer), so they neither wait for a commit nor hold the writer up.
 */
public final class JdbcStore implements Store {
    /** At most this many transactions share one commit, so the first of them does not wait long. */
    private static final int MAX_BATCH = 256;
    private static final int READERS = 4;

    private final String url;
    private final Properties properties;
    private final boolean sqlite;
    private final JsonCodec codec = new JsonCodec();
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;
    /** The batch open on the writer connection, if any (guarded by lock). */
    private Batch open;
    /** The transaction running on the writer connection, for work nested in it (guarded by lock). */
    private JdbcTx running;
    private final java.util.concurrent.BlockingQueue<Connection> idleReaders =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.Semaphore readerPermits = new java.util.concurrent.Semaphore(READERS);
    private volatile boolean closed;
    private Committer committer = Connection::commit;
    /**
     * Prepared statements kept per connection by their text (a connection serves one thread at a
     * time): preparing is a good part of a small statement's cost.
     */
    private final Map<Connection, Map<String, PreparedStatement>> statements =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int STATEMENTS_KEPT = 256;
    private long commits;

    /** How a batch is committed; a test seam to make a commit fail. */
    interface Committer {
        void commit(Connection c) throws SQLException;
    }

    /** Transactions committed (or failed) together. */
    private static final class Batch {
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        private int size;
        private SQLException failure;

        void await() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private JdbcStore(String url, Properties properties) {
        this.url = requireNonNull(url, "url is null");
        this.properties = requireNonNull(properties, "properties is null");
        this.sqlite = url.startsWith("jdbc:sqlite:");
    }

    /** Opens (creating if needed) the SQLite database in dataDir/metadata.db and migrates it. */
    public static JdbcStore sqlite(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw CleanroomException.internal("cannot create data directory " + dataDir, e);
        }
        return open("jdbc:sqlite:" + dataDir.resolve("metadata.db").toAbsolutePath(), null, null);
    }

    /** Opens the database at a JDBC URL (jdbc:sqlite:... or jdbc:postgresql://...) and migrates it. */
    public static JdbcStore open(String url, String user, String password) {
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw CleanroomException.invalidConfiguration("unsupported store URL (use jdbc:sqlite: or jdbc:postgresql:)");
        }
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        JdbcStore store = new JdbcStore(url, properties);
        store.migrate(user, password);
        return store;
    }

    private void migrate(String user, String password) {
        Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:db/migration")
                .javaMigrations(new ListOrderMigration(), new AuditEventNameMigration())
                .load()
                .migrate();
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, properties);
            if (sqlite) {
                try (Statement s = connection.createStatement()) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=FULL");
                    s.execute("PRAGMA busy_timeout=10000");
                }
            } else {
                connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            }
            connection.setAutoCommit(false);
        }
        return connection;
    }

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        if (lock.isHeldByCurrentThread()) {
            return nested(work);
        }
        AuditContext audit = AuditContext.current();
        boolean tookAudit = false;
        Batch batch;
        T result = null;
        Throwable failure = null;
        lock.lock();
        try {
            if (closed) {
                throw CleanroomException.internal("the metadata store is closed", null);
            }
            Connection c;
            try {
                c = connection();
            } catch (SQLException e) {
                // a batch still open was on the connection that is gone: it fails with it
                fail(connection, e);
                throw failure("the metadata store is unavailable", e);
            }
            if (open == null) {
                open = new Batch();
            }
            batch = open;
            batch.size++;
            Savepoint savepoint = null;
            JdbcTx tx = new JdbcTx(c, false);
            running = tx;
            try {
                savepoint = c.setSavepoint();
                result = work.apply(tx);
                if (tx.changed && audit != null) {
                    // the change and the event of the API call that made it commit together
                    AuditEvent draft = audit.take();
                    if (draft != null) {
                        tookAudit = true;
                        AuditChain.append(tx, draft);
                    }
                }
                c.releaseSavepoint(savepoint);
            } catch (SQLException e) {
                failure = failure("the metadata store failed to commit", e);
            } catch (RuntimeException | Error e) {
                failure = e;
            } finally {
                running = null;
            }
            if (failure != null) {
                if (tookAudit) {
                    audit.untake();
                    tookAudit = false;
                }
                SQLException broken = broken(failure);
                if (broken != null) {
                    // the database is gone or its disk full: the whole batch is lost, and the connection with it
                    fail(c, broken);
                } else if (savepoint == null) {
                    // the batch cannot go on without a savepoint to roll back to
                    fail(c, new SQLException("cannot set a savepoint", failure));
                } else {
                    try {
                        c.rollback(savepoint);
                        c.releaseSavepoint(savepoint);
                    } catch (SQLException e) {
                        fail(c, e);
                    }
                }
            }
        } finally {
            if (open != null && (!lock.hasQueuedThreads() || open.size >= MAX_BATCH)) {
                commit();
            }
            lock.unlock();
        }
        return afterBatch(batch, tookAudit, audit, result, failure);
    }

    /** Waits for the batch; then the work's own failure, the batch's, or the result. */
    private <T> T afterBatch(Batch batch, boolean tookAudit, AuditContext audit, T result, Throwable failure) {
        batch.await();
        if (batch.failure != null) {
            if (tookAudit) {
                audit.untake();
            }
            if (failure == null) {
                throw failure("the metadata store failed to commit", batch.failure);
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        return result;
    }

    /** Work inside work on this thread: one savepoint of the running transaction. */
    private <T> T nested(Function<Tx, T> work) {
        if (running == null) {
            throw new IllegalStateException("a transaction was started while the store is being closed or committed");
        }
        Connection c = running.c;
        Savepoint savepoint;
        try {
            savepoint = c.setSavepoint();
        } catch (SQLException e) {
            throw failure("the metadata store failed", e);
        }
        try {
            T result = work.apply(running);
            c.releaseSavepoint(savepoint);
            return result;
        } catch (SQLException e) {
            throw failure("the metadata store failed", e);
        } catch (RuntimeException | Error e) {
            try {
                c.rollback(savepoint);
                c.releaseSavepoint(savepoint);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    /** Commits the open batch (lock held) and releases everyone waiting on it. */
    private void commit() {
        Batch batch = open;
        open = null;
        try {
            commits++;
            committer.commit(connection);
        } catch (SQLException | RuntimeException e) {
            // every transaction of the batch fails; a connection whose commit failed is not trusted again
            batch.failure = e instanceof SQLException sql ? sql : new SQLException("the commit failed", e);
            if (connection != null) {
                rollback(connection);
            }
            closeQuietly();
        } finally {
            batch.done.countDown();
        }
    }

    /** The connection broke in the middle of a batch: nothing of the batch is kept (lock held). */
    private void fail(Connection c, SQLException e) {
        Batch batch = open;
        open = null;
        if (c != null) {
            rollback(c);
        }
        closeQuietly();
        if (batch != null) {
            batch.failure = e;
            batch.done.countDown();
        }
    }

    /** For tests: makes batches commit through the given committer. */
    void commitWith(Committer newCommitter) {
        lock.lock();
        try {
            committer = requireNonNull(newCommitter, "committer is null");
        } finally {
            lock.unlock();
        }
    }

    /** For tests: how many batches were committed (or tried). */
    long commits() {
        lock.lock();
        try {
            return commits;
        } finally {
            lock.unlock();
        }
    }

    /** For tests: whether a transaction waits for the writer connection. */
    boolean writersWaiting() {
        return lock.hasQueuedThreads();
    }

    @Override
    public <T> T read(Function<Tx, T> work) {
        if (lock.isHeldByCurrentThread()) {
            return nested(work);
        }
        readerPermits.acquireUninterruptibly();
        Connection c = null;
        try {
            c = idleReaders.poll();
            if (c == null) {
                if (closed) {
                    throw CleanroomException.internal("the metadata store is closed", null);
                }
                c = openReader();
            }
            try {
                T result = work.apply(new JdbcTx(c, true));
                c.rollback();
                return result;
            } catch (RuntimeException | Error e) {
                if (broken(e) != null) {
                    // a connection that found the database gone is replaced by the next read
                    closeReader(c);
                    c = null;
                } else {
                    c.rollback();
                }
                throw e;
            }
        } catch (SQLException e) {
            closeReader(c);
            c = null;
            throw failure("the metadata store is unavailable", e);
        } finally {
            if (c != null) {
                if (closed) {
                    closeReader(c);
                } else {
                    idleReaders.add(c);
                }
            }
            readerPermits.release();
        }
    }

    private Connection openReader() throws SQLException {
        Connection c = DriverManager.getConnection(url, properties);
        try {
            if (sqlite) {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA busy_timeout=10000");
                    s.execute("PRAGMA query_only=true");
                }
            } else {
                // a snapshot for the whole read, without taking part in the writer's serializable checks
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
            }
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            closeReader(c);
            throw e;
        }
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        Map<String, PreparedStatement> kept = statements.computeIfAbsent(c, k -> new java.util.HashMap<>());
        PreparedStatement ps = kept.get(sql);
        if (ps != null) {
            ps.clearParameters();
            return ps;
        }
        if (kept.size() >= STATEMENTS_KEPT) {
            closeStatements(c);
            kept = statements.computeIfAbsent(c, k -> new java.util.HashMap<>());
        }
        ps = c.prepareStatement(sql);
        kept.put(sql, ps);
        return ps;
    }

    /** A statement that failed is not kept: it may be what broke. */
    private void discard(Connection c, String sql) {
        Map<String, PreparedStatement> kept = statements.get(c);
        PreparedStatement ps = kept == null ? null : kept.remove(sql);
        if (ps != null) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // it is gone either way
            }
        }
    }

    private void closeStatements(Connection c) {
        Map<String, PreparedStatement> kept = statements.remove(c);
        if (kept != null) {
            for (PreparedStatement ps : kept.values()) {
                try {
                    ps.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
        }
    }

    private void closeReader(Connection c) {
        if (c != null) {
            closeStatements(c);
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    /**
     * A failure of the database, as the caller is told it: a full disk and an unreachable database
     * are named as such (both are worth retrying once the operator has acted, or the database is
     * back), anything else is the store failing. All are InternalServerException on the wire.
     */
    static CleanroomException failure(String what, SQLException e) {
        if (outOfSpace(e)) {
            return CleanroomException.internal("The metadata store is out of disk space; nothing was changed. "
                    + "Try again once the operator has freed space", e);
        }
        if (unreachable(e)) {
            return CleanroomException.internal("The metadata store cannot be reached; try again shortly", e);
        }
        return CleanroomException.internal(what, e);
    }

    /**
     * The SQL failure behind a failed transaction if it leaves its connection unusable (the database
     * unreachable, or its disk full, after which SQLite may have rolled the whole transaction back
     * on its own), else null.
     */
    static SQLException broken(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && (unreachable(e) || outOfSpace(e))) {
                return e;
            }
        }
        return null;
    }

    /** SQLITE_FULL, PostgreSQL's disk_full, or the operating system's ENOSPC however it is reported. */
    static boolean outOfSpace(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("53100".equals(sql.getSQLState())
                    || String.valueOf(sql.getMessage()).contains("SQLITE_FULL"))) {
                return true;
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("database or disk is full") || message.contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The database is gone: no connection (SQLState class 08), or the server shutting down or
     * starting (57P01-57P03).
     */
    static boolean unreachable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }

    private void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                closeStatements(connection);
                connection.close();
            }
        } catch (SQLException ignored) {
            // the connection is reopened on the next transaction
        }
        connection = null;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (open != null) {
                commit();
            }
            closed = true;
            closeQuietly();
        } finally {
            lock.unlock();
        }
        Connection c;
        while ((c = idleReaders.poll()) != null) {
            closeReader(c);
        }
    }

    private boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState())
                || (sqlite && e.getErrorCode() == 19 && String.valueOf(e.getMessage()).contains("UNIQUE"));
    }

    private final class JdbcTx implements Tx {
        private final Connection c;
        private final boolean readOnly;
        private boolean changed;

        JdbcTx(Connection c, boolean readOnly) {
            this.c = c;
            this.readOnly = readOnly;
        }

        /** Marks the transaction changed, or refuses a write in a read. */
        void write() {
            if (readOnly) {
                throw new IllegalStateException("a write in a read-only transaction");
            }
            changed = true;
        }

        @Override
        public <V> Records<V> of(Kind<V> kind) {
            return new JdbcRecords<>(c, kind, this);
        }
    }

    private final class JdbcRecords<V> implements Records<V> {
        private final Connection c;
        private final Kind<V> kind;
        private final List<String> columns;
        private final JdbcTx tx;

        JdbcRecords(Connection c, Kind<V> kind, JdbcTx tx) {
            this.c = c;
            this.kind = kind;
            this.tx = tx;
            this.columns = kind.indexes().keySet().stream().sorted().toList();
        }

        private CleanroomException failure(SQLException e) {
            return JdbcStore.this.failure("the metadata store failed on " + kind.table(), e);
        }

        @Override
        public Optional<V> get(String key) {
            List<V> found = query("SELECT body FROM " + kind.table() + " WHERE id = ?", key);
            return found.stream().findFirst();
        }

        @Override
        public void insert(V value) {
            tx.write();
            StringBuilder sql = new StringBuilder("INSERT INTO ").append(kind.table()).append(" (id");
            columns.forEach(col -> sql.append(", ").append(col));
            sql.append(", body) VALUES (?").append(", ?".repeat(columns.size())).append(", ?)");
            String text = sql.toString();
            try {
                PreparedStatement ps = prepare(c, text);
                bind(ps, value);
                ps.executeUpdate();
            } catch (SQLException e) {
                discard(c, text);
                if (isUniqueViolation(e)) {
                    throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.RESOURCE, kind.keyOf(value),
                            "A resource with the same identity already exists");
                }
                throw failure(e);
            }
        }

        @Override
        public boolean update(V value) {
            tx.write();
            StringBuilder sql = new StringBuilder("UPDATE ").append(kind.table()).append(" SET ");
            columns.forEach(col -> sql.append(col).append(" = ?, "));
            sql.append("body = ? WHERE id = ?");
            String text = sql.toString();
            try {
                PreparedStatement ps = prepare(c, text);
                int i = 1;
                Map<String, Function<V, String>> indexes = kind.indexes();
                for (String col : columns) {
                    ps.setString(i++, indexes.get(col).apply(value));
                }
                ps.setString(i++, codec.write(value));
                ps.setString(i, kind.keyOf(value));
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                discard(c, text);
                if (isUniqueViolation(e)) {
                    throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.RESOURCE, kind.keyOf(value),
                            "A resource with the same identity already exists");
                }
                throw failure(e);
            }
        }

        private void bind(PreparedStatement ps, V value) throws SQLException {
            int i = 1;
            ps.setString(i++, kind.keyOf(value));
            for (String col : columns) {
                ps.setString(i++, kind.indexes().get(col).apply(value));
            }
            ps.setString(i, codec.write(value));
        }

        @Override
        public boolean delete(String key) {
            tx.write();
            String text = "DELETE FROM " + kind.table() + " WHERE id = ?";
            try {
                PreparedStatement ps = prepare(c, text);
                ps.setString(1, key);
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                discard(c, text);
                throw failure(e);
            }
        }

        @Override
        public List<V> find(String index, String value) {
            if (!kind.indexes().containsKey(index)) {
                throw new IllegalArgumentException(kind + " has no index " + index);
            }
            return query("SELECT body FROM " + kind.table() + " WHERE " + index + " = ? ORDER BY id", value);
        }

        @Override
        public List<V> findAfter(String index, String value, Position after, int limit) {
            if (index != null && !kind.indexes().containsKey(index)) {
                throw new IllegalArgumentException(kind + " has no index " + index);
            }
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be positive");
            }
            // the kind's indexes on (index, list_order, id) or (index, id) serve both the range and the order
            List<String> conditions = new ArrayList<>();
            List<String> args = new ArrayList<>();
            if (index != null) {
                conditions.add(index + " = ?");
                args.add(value);
            }
            if (after != null && kind.listed()) {
                conditions.add("(" + Kind.LIST_ORDER + ", id) > (?, ?)");
                args.add(after.order());
                args.add(after.key());
            } else if (after != null) {
                conditions.add("id > ?");
                args.add(after.key());
            }
            StringBuilder sql = new StringBuilder("SELECT body FROM ").append(kind.table());
            if (!conditions.isEmpty()) {
                sql.append(" WHERE ").append(String.join(" AND ", conditions));
            }
            sql.append(kind.listed() ? " ORDER BY " + Kind.LIST_ORDER + ", id" : " ORDER BY id");
            sql.append(" LIMIT ").append(limit);
            return query(sql.toString(), args.toArray(String[]::new));
        }

        @Override
        public List<V> all() {
            return query("SELECT body FROM " + kind.table() + " ORDER BY id");
        }

        @Override
        public Optional<V> last() {
            return query("SELECT body FROM " + kind.table() + " ORDER BY id DESC LIMIT 1").stream().findFirst();
        }

        @Override
        public List<Row<V>> rows() {
            return queryRows("ORDER BY id");
        }

        @Override
        public List<Row<V>> rowsBefore(String key, int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be positive");
            }
            return key == null ? queryRows("ORDER BY id DESC LIMIT " + limit)
                    : queryRows("WHERE id < ? ORDER BY id DESC LIMIT " + limit, key);
        }

        @Override
        public List<Row<V>> rowsBefore(String index, String value, String key, int limit) {
            if (!kind.indexes().containsKey(index)) {
                throw new IllegalArgumentException(kind + " has no index " + index);
            }
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be positive");
            }
            // the kind's index on (index, id) serves both the condition and the order
            return key == null ? queryRows("WHERE " + index + " = ? ORDER BY id DESC LIMIT " + limit, value)
                    : queryRows("WHERE " + index + " = ? AND id < ? ORDER BY id DESC LIMIT " + limit, value, key);
        }

        @Override
        public List<Row<V>> rowsAfter(String key, int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be positive");
            }
            return key == null ? queryRows("ORDER BY id LIMIT " + limit)
                    : queryRows("WHERE id > ? ORDER BY id LIMIT " + limit, key);
        }

        /** Rows with their key and index columns as stored (a direct edit may have made them disagree). */
        private List<Row<V>> queryRows(String clauses, String... args) {
            StringBuilder sql = new StringBuilder("SELECT id");
            columns.forEach(col -> sql.append(", ").append(col));
            sql.append(", body FROM ").append(kind.table()).append(' ').append(clauses);
            String text = sql.toString();
            try {
                PreparedStatement ps = prepare(c, text);
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                List<Row<V>> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, String> stored = new java.util.HashMap<>();
                        for (int i = 0; i < columns.size(); i++) {
                            stored.put(columns.get(i), rs.getString(i + 2));
                        }
                        out.add(new Row<>(rs.getString(1), stored,
                                codec.read(rs.getString(columns.size() + 2), kind.type())));
                    }
                }
                return out;
            } catch (SQLException e) {
                discard(c, text);
                throw failure(e);
            }
        }

        private List<V> query(String sql, String... args) {
            try {
                PreparedStatement ps = prepare(c, sql);
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                List<V> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(codec.read(rs.getString(1), kind.type()));
                    }
                }
                return out;
            } catch (SQLException e) {
                discard(c, sql);
                throw failure(e);
            }
        }
    }
}
