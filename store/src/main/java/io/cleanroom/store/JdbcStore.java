package io.cleanroom.store;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditContext;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.store.Kind;
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
 * The metadata store on one JDBC connection: SQLite (WAL, synchronous=FULL) by default, or
 * PostgreSQL. Transactions are serialised through one lock, which keeps every invariant simple to
 * reason about; the unique indexes of the migrations are the backstop if a service forgets one.
 */
public final class JdbcStore implements Store {
    private final String url;
    private final Properties properties;
    private final boolean sqlite;
    private final JsonCodec codec = new JsonCodec();
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;

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
        lock.lock();
        try {
            Connection c;
            try {
                c = connection();
            } catch (SQLException e) {
                closeQuietly();
                throw failure("the metadata store is unavailable", e);
            }
            AuditContext audit = AuditContext.current();
            boolean tookAudit = false;
            try {
                JdbcTx tx = new JdbcTx(c);
                T result = work.apply(tx);
                if (tx.changed && audit != null) {
                    // the change and the event of the API call that made it commit together
                    AuditEvent draft = audit.take();
                    if (draft != null) {
                        tookAudit = true;
                        AuditChain.append(tx, draft);
                    }
                }
                c.commit();
                return result;
            } catch (SQLException e) {
                CleanroomException failure = failure("the metadata store failed to commit", e);
                rollback(c);
                if (tookAudit) {
                    audit.untake();
                }
                throw failure;
            } catch (RuntimeException | Error e) {
                rollback(c);
                if (tookAudit) {
                    audit.untake();
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A failure of the database, as the caller is told it: a full disk and an unreachable database
     * are named as such (both are worth retrying once the operator has acted, or the database is
     * back), anything else is the store failing. All are InternalServerException on the wire. A
     * connection that failed is dropped, so that the next transaction opens a new one.
     */
    private CleanroomException failure(String what, SQLException e) {
        if (outOfSpace(e)) {
            return CleanroomException.internal("The metadata store is out of disk space; nothing was changed. "
                    + "Try again once the operator has freed space", e);
        }
        if (unreachable(e)) {
            dropConnection = true;
            return CleanroomException.internal("The metadata store cannot be reached; try again shortly", e);
        }
        return CleanroomException.internal(what, e);
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

    /** Set when a statement found the database unreachable: the connection is replaced after rollback. */
    private boolean dropConnection;

    private void rollback(Connection c) {
        if (dropConnection) {
            dropConnection = false;
            closeQuietly();
            return;
        }
        try {
            c.rollback();
        } catch (SQLException e) {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
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
            closeQuietly();
        } finally {
            lock.unlock();
        }
    }

    private boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState())
                || (sqlite && e.getErrorCode() == 19 && String.valueOf(e.getMessage()).contains("UNIQUE"));
    }

    private final class JdbcTx implements Tx {
        private final Connection c;
        private boolean changed;

        JdbcTx(Connection c) {
            this.c = c;
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
            tx.changed = true;
            StringBuilder sql = new StringBuilder("INSERT INTO ").append(kind.table()).append(" (id");
            columns.forEach(col -> sql.append(", ").append(col));
            sql.append(", body) VALUES (?").append(", ?".repeat(columns.size())).append(", ?)");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, value);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (isUniqueViolation(e)) {
                    throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.RESOURCE, kind.keyOf(value),
                            "A resource with the same identity already exists");
                }
                throw failure(e);
            }
        }

        @Override
        public boolean update(V value) {
            tx.changed = true;
            StringBuilder sql = new StringBuilder("UPDATE ").append(kind.table()).append(" SET ");
            columns.forEach(col -> sql.append(col).append(" = ?, "));
            sql.append("body = ? WHERE id = ?");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                Map<String, Function<V, String>> indexes = kind.indexes();
                for (String col : columns) {
                    ps.setString(i++, indexes.get(col).apply(value));
                }
                ps.setString(i++, codec.write(value));
                ps.setString(i, kind.keyOf(value));
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
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
            tx.changed = true;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + kind.table() + " WHERE id = ?")) {
                ps.setString(1, key);
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
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
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
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
                throw failure(e);
            }
        }

        private List<V> query(String sql, String... args) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
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
                throw failure(e);
            }
        }
    }
}
