package io.cleanroom.engine.duckdb;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.Stage;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.ExecutableQuery;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Runs executable queries on embedded DuckDB, one fresh in-memory database per query (opened
 * ahead of it and closed after it in the background, {@link SpareDatabases}), except that a query
 * over small files runs on a database kept bound to exactly its tables over exactly the same bytes
 * when an earlier query left one ({@link SmallTableDatabases}). Each bound
 * table becomes a view (files) or a table (rows the server supplies) of exactly its allowed
 * columns with their types (values that do not fit become NULL rather than an error that could
 * quote them). Then the connection is locked down before the query runs: no extension loading, no
 * file access beyond the tables' files, configuration locked, memory and threads limited.
 */
public final class DuckDbEngine implements QueryEngine {
    /** Databases opened ahead: at most one per query the default two workers run at once. */
    static final int SPARES = 2;

    private final SpareDatabases databases;
    private final SmallTableDatabases small;

    public DuckDbEngine() {
        this(SPARES, SmallTableDatabases.KEPT);
    }

    /** An engine keeping up to spares databases opened ahead (0: each opened as its query starts). */
    DuckDbEngine(int spares) {
        this(spares, SmallTableDatabases.KEPT);
    }

    /**
     * An engine keeping up to spares databases opened ahead, and up to kept databases bound to the
     * tables of small queries (0: every query binds its tables on a database of its own).
     */
    DuckDbEngine(int spares, int kept) {
        this(spares, kept, SmallTableDatabases.PINNED);
    }

    /**
     * As {@link #DuckDbEngine(int, int)}, keeping databases over the files keepable says may be kept
     * (the server: only pinned descriptors of members' own files; tests: plain files too).
     */
    DuckDbEngine(int spares, int kept, java.util.function.Predicate<Path> keepable) {
        this.databases = new SpareDatabases(spares);
        this.small = new SmallTableDatabases(kept, keepable, databases);
    }

    @Override
    public String name() {
        return "duckdb";
    }

    @Override
    public Dialect dialect() {
        return Dialect.DUCKDB;
    }

    @Override
    public void execute(ExecutableQuery query, ResultSink sink, Cancellation cancellation) {
        if (query.dialect() != Dialect.DUCKDB) {
            throw CleanroomException.internal("a query rendered for " + query.dialect() + " reached DuckDB", null);
        }
        long maxRows = query.limits().maxRows();
        Limits limits = limitsFor(query.tables(), query.limits());
        Connection c = null;
        // a query over small files runs on a database kept bound to exactly its tables, if there is one
        SmallTableDatabases.Bound kept = null;
        boolean succeeded = false;
        try {
            Optional<SmallTableDatabases.Tables> tables;
            try (Stage stage = Stage.begin("engine.prepare")) {
                tables = small.read(query.tables(), limits);
                if (tables.isPresent()) {
                    kept = small.take(tables.get()).orElse(null);
                    c = kept == null ? null : kept.connection();
                } else {
                    c = databases.take(limits);
                }
            }
            if (c == null) {
                try (Stage stage = Stage.begin("engine.bind")) {
                    kept = small.bind(tables.get(), limits);
                    c = kept.connection();
                }
            } else if (kept == null) {
                try (Stage stage = Stage.begin("engine.bind")) {
                    bind(c, query.tables());
                }
            }
            Stage running = Stage.begin("engine.run");
            try (Statement statement = c.createStatement()) {
                cancellation.onCancel(() -> {
                    try {
                        statement.cancel();
                    } catch (SQLException ignored) {
                        // the query ends anyway when the connection closes
                    }
                });
                if (cancellation.cancelled()) {
                    throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The query was cancelled");
                }
                try (ResultSet rs = statement.executeQuery(query.sql())) {
                    ResultSetMetaData meta = rs.getMetaData();
                    List<ResultSink.Column> columns = new ArrayList<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        columns.add(new ResultSink.Column(meta.getColumnLabel(i), meta.getColumnTypeName(i)));
                    }
                    sink.columns(columns);
                    long rows = 0;
                    while (rs.next()) {
                        if (++rows > maxRows) {
                            throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The result has more than " + maxRows
                                    + " rows; narrow the query (the server's limit is --max-result-rows)");
                        }
                        List<Object> row = new ArrayList<>(columns.size());
                        for (int i = 1; i <= columns.size(); i++) {
                            row.add(rs.getObject(i));
                        }
                        sink.row(row);
                    }
                }
            }
            running.close();
            succeeded = true;
        } catch (SQLException e) {
            throw failure(e, cancellation);
        } finally {
            try (Stage stage = Stage.begin("engine.release")) {
                if (kept != null) {
                    // kept only after a query that succeeded; any other end closes it
                    if (succeeded && !cancellation.cancelled()) {
                        small.keep(kept);
                    } else {
                        small.discard(kept);
                    }
                } else if (c != null) {
                    databases.retire(c, limits);
                }
            }
        }
    }

    /**
     * Below this much data in its files, a query runs on one thread: handing a few rows between
     * threads costs more than it saves (the tutorial's query took twice as long on two threads).
     */
    static final long SMALL_INPUT_BYTES = 1 << 20;

    /**
     * The query's limits, on one thread when its tables are files holding less than
     * {@link #SMALL_INPUT_BYTES} in all (the limit is a most, not a must).
     */
    static Limits limitsFor(List<TableBinding> tables, Limits limits) {
        if (limits.threads() == 1) {
            return limits;
        }
        long bytes = 0;
        for (TableBinding table : tables) {
            if (!(table.source() instanceof TableSource.Files source)) {
                return limits;
            }
            for (Path path : paths(source)) {
                try {
                    bytes += java.nio.file.Files.size(path);
                } catch (java.io.IOException e) {
                    // the query will say what is wrong with the file
                    return limits;
                }
            }
        }
        return bytes < SMALL_INPUT_BYTES
                ? new Limits(limits.memoryBytes(), 1, limits.timeout(), limits.maxRows()) : limits;
    }

    /**
     * An engine error as a safe message: the category of the failure, never DuckDB's text.
     * Package-visible so that the non-interference hunt compares what a querier would observe.
     */
    static CleanroomException failure(SQLException e, Cancellation cancellation) {
        String text = String.valueOf(e.getMessage());
        String reason;
        if (cancellation.cancelled() || text.contains("INTERRUPT") || text.contains("Interrupted")) {
            reason = "The query was cancelled";
        } else if (text.contains("Out of Memory")) {
            reason = "The query ran out of memory in the engine; raise the engine memory limit or simplify the query";
        } else if (text.contains("Permission Error")) {
            // DuckDB compares the real path of each file it opens with the allowed ones, fixed when the
            // sandbox was built: a pinned file moved or removed while the query runs fails here too
            reason = "A table's data files were moved or removed while the query ran, or the query tried to read "
                    + "data outside the registered table locations";
        } else if (text.contains("IO Error")) {
            reason = "A table's data files could not be read";
        } else {
            reason = "The query failed in the engine";
        }
        return CleanroomException.of(ErrorCode.QUERY_FAILED, reason);
    }

    /**
     * A locked-down connection with a view or table per binding. Package-visible so that tests can
     * prove the sandbox holds even for SQL the checker would never produce.
     */
    static Connection sandbox(List<TableBinding> tables, Limits limits) throws SQLException {
        Connection c = open(limits);
        try {
            bind(c, tables);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A new in-memory database, with the query's limits, holding nothing yet. */
    static Connection open(Limits limits) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        Connection c = DriverManager.getConnection("jdbc:duckdb:", properties);
        try (Statement s = c.createStatement()) {
            limit(s, limits);
            s.execute("SET preserve_insertion_order = false");
            // no error oracle: division by zero and a scalar subquery of several rows answer instead of
            // failing, so that whether a query fails does not depend on rows it later suppresses
            s.execute("SET error_on_division_by_zero = false");
            s.execute("SET scalar_subquery_error_on_multiple_rows = false");
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Sets the memory and threads a query may use. */
    static void limit(Statement s, Limits limits) throws SQLException {
        s.execute("SET memory_limit = '" + Math.max(1, limits.memoryBytes() >> 20) + "MB'");
        s.execute("SET threads = " + limits.threads());
    }

    /** Binds the tables of a query into a database from {@link #open}, then locks it down. */
    static void bind(Connection c, List<TableBinding> tables) throws SQLException {
        try (Statement s = c.createStatement()) {
            List<String> files = new ArrayList<>();
            for (TableBinding table : tables) {
                if (table.source() instanceof TableSource.Files source) {
                    s.execute(view(table, source));
                    paths(source).forEach(f -> files.add(literal(f.toString())));
                } else if (table.source() instanceof TableSource.Rows rows) {
                    load(c, table, rows);
                }
            }
            s.execute("SET allowed_paths = [" + String.join(", ", files) + "]");
            s.execute("SET enable_external_access = false");
            s.execute("SET lock_configuration = true");
        }
    }

    private static List<Path> paths(TableSource.Files source) {
        List<Path> out = new ArrayList<>();
        for (URI uri : source.locations()) {
            if (!"file".equals(uri.getScheme())) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, "DuckDB reads table data from files only, not "
                        + uri.getScheme() + " locations");
            }
            out.add(Path.of(uri).toAbsolutePath());
        }
        return out;
    }

    /**
     * CREATE VIEW "t" AS SELECT TRY_CAST("c" AS type) AS "c", ... FROM read_xxx([files]); for a
     * partitioned table, one such SELECT per partition, UNION ALL, each giving its partition columns
     * the partition's values as literals.
     */
    static String view(TableBinding table, TableSource.Files source) {
        List<Path> paths = paths(source);
        java.util.Map<List<String>, List<Path>> partitions = new java.util.LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            List<String> values = source.partitionColumns().isEmpty() ? List.of() : source.partitionValues().get(i);
            partitions.computeIfAbsent(values, v -> new ArrayList<>()).add(paths.get(i));
        }
        StringBuilder sql = new StringBuilder("CREATE VIEW ").append(identifier(table.name())).append(" AS ");
        boolean first = true;
        for (java.util.Map.Entry<List<String>, List<Path>> partition : partitions.entrySet()) {
            sql.append(first ? "" : " UNION ALL ");
            first = false;
            select(sql, table, source, partition.getKey(), partition.getValue());
        }
        return sql.toString();
    }

    /** The SELECT of one partition's files (or of all files, for a table without partition columns). */
    private static void select(StringBuilder sql, TableBinding table, TableSource.Files source, List<String> values,
            List<Path> paths) {
        StringBuilder files = new StringBuilder("[");
        for (int i = 0; i < paths.size(); i++) {
            files.append(i == 0 ? "" : ", ").append(literal(paths.get(i).toString()));
        }
        files.append(']');
        String reader = switch (source.format()) {
            // RFC 4180, as the catalog reads a CSV header (LocalTableInspector): the dialect is not guessed
            case CSV -> "read_csv(" + files + ", header = true, all_varchar = true, union_by_name = true, "
                    + "delim = ',', quote = '\"', escape = '\"')";
            case PARQUET -> "read_parquet(" + files + ", union_by_name = true)";
            case JSON -> "read_json(" + files + ", format = 'newline_delimited', union_by_name = true)";
            // rows the server wrote: keys exactly the bound columns, values text, so nothing is guessed
            case POSTGRESQL -> "read_json(" + files + ", format = 'newline_delimited', columns = "
                    + textColumns(table, source) + ")";
        };
        sql.append("SELECT ");
        for (int i = 0; i < table.columns().size(); i++) {
            BoundColumn column = table.columns().get(i);
            String type = duckType(column.type());
            String name = identifier(column.name());
            sql.append(i == 0 ? "" : ", ");
            int partition = source.partitionIndex(column.name());
            if (partition >= 0) {
                String value = values.get(partition);
                sql.append(value == null ? "CAST(NULL AS " + type + ")"
                        : type.equals("VARCHAR") ? literal(value) : "TRY_CAST(" + literal(value) + " AS " + type + ")");
            } else if (source.format() == io.cleanroom.core.model.TableFormat.CSV) {
                // CSV cells are read as text; TRIM keeps DuckDB from pushing the cast into the reader,
                // where a cell that does not fit would fail the query with its value in the message
                sql.append(type.equals("VARCHAR") ? name : "TRY_CAST(TRIM(" + name + ") AS " + type + ")");
            } else {
                sql.append("TRY_CAST(").append(name).append(" AS ").append(type).append(')');
            }
            sql.append(" AS ").append(name);
        }
        sql.append(" FROM ").append(reader);
    }

    /** {'c': 'VARCHAR', ...}: every bound data column read as text. */
    private static String textColumns(TableBinding table, TableSource.Files source) {
        StringBuilder out = new StringBuilder("{");
        for (BoundColumn column : table.columns()) {
            if (source.partitionIndex(column.name()) < 0) {
                out.append(out.length() == 1 ? "" : ", ").append(literal(column.name())).append(": 'VARCHAR'");
            }
        }
        return out.append('}').toString();
    }

    /** A table of the rows the server supplies, typed like a view over files. */
    private static void load(Connection c, TableBinding table, TableSource.Rows rows) throws SQLException {
        StringBuilder create = new StringBuilder("CREATE TABLE ").append(identifier(table.name())).append(" (");
        StringBuilder insert = new StringBuilder("INSERT INTO ").append(identifier(table.name())).append(" VALUES (");
        for (int i = 0; i < table.columns().size(); i++) {
            BoundColumn column = table.columns().get(i);
            create.append(i == 0 ? "" : ", ").append(identifier(column.name())).append(' ')
                    .append(duckType(column.type()));
            insert.append(i == 0 ? "?" : ", ?");
        }
        try (Statement s = c.createStatement()) {
            s.execute(create.append(')').toString());
        }
        try (PreparedStatement ps = c.prepareStatement(insert.append(')').toString())) {
            Iterator<List<Object>> it = rows.rows().get();
            int batch = 0;
            while (it.hasNext()) {
                List<Object> row = it.next();
                for (int i = 0; i < table.columns().size(); i++) {
                    ps.setObject(i + 1, i < row.size() ? row.get(i) : null);
                }
                ps.addBatch();
                if (++batch % 1000 == 0) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
    }

    static String duckType(ColumnType type) {
        return switch (type.kind()) {
            case BIGINT -> "BIGINT";
            case INTEGER -> "INTEGER";
            case SMALLINT -> "SMALLINT";
            case TINYINT -> "TINYINT";
            case DOUBLE -> "DOUBLE";
            case FLOAT -> "FLOAT";
            case BOOLEAN -> "BOOLEAN";
            case DATE -> "DATE";
            case TIMESTAMP -> "TIMESTAMP";
            case BINARY -> "BLOB";
            case DECIMAL -> "DECIMAL(" + type.precision() + ", " + type.scale() + ")";
            case STRING -> "VARCHAR";
        };
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void csvToParquet(Path csv, Path parquet) {
        ParquetFiles.csvToParquet(csv, parquet);
    }

    @Override
    public List<Column> parquetColumns(List<Path> files) {
        return new DuckDbSchemaReader().parquetColumns(files);
    }

    /**
     * A database from this engine's spares with the tables bound and locked down, as a query gets
     * it; the caller hands it to {@code databases().retire}. Package-visible so that tests can prove
     * a query's database holds nothing of an earlier query's.
     */
    Connection sandboxed(List<TableBinding> tables, Limits limits) throws SQLException {
        Connection c = databases.take(limits);
        try {
            bind(c, tables);
        } catch (SQLException | RuntimeException e) {
            databases.retire(c, limits);
            throw e;
        }
        return c;
    }

    /** The databases this engine keeps bound to small tables (for tests). */
    SmallTableDatabases small() {
        return small;
    }

    /** The databases this engine opens ahead (for tests). */
    SpareDatabases databases() {
        return databases;
    }

    /** Closes the databases opened ahead; each query's own was closed when it ended. */
    @Override
    public void close() {
        small.close();
        databases.close();
    }
}
