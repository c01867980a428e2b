package io.cleanroom.engine.duckdb;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.Column;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.QueryEngine;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs checked queries on embedded DuckDB, one fresh in-memory database per query. Each
 * referenced table becomes a view of exactly its allowed columns over its files (values that do
 * not fit the catalog type become NULL rather than an error that could quote them). Then the
 * connection is locked down before the query runs: no extension loading, no file access beyond
 * the tables' files, configuration locked, memory and threads limited. The server gives the files
 * as /proc/self/fd/N names of files it has pinned; they are read by those names, as given, and
 * the formats come from the catalog (never from file name extensions).
 */
public final class DuckDbEngine implements QueryEngine {
    private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),\\s*(\\d+)\\)");

    /** Memory limit in DuckDB's syntax (e.g. "2GB") and worker threads per query. */
    public record Limits(String memoryLimit, int threads) {
        public Limits {
            requireNonNull(memoryLimit, "memoryLimit is null");
            if (!memoryLimit.matches("\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)")) {
                throw new IllegalArgumentException("memory limit must look like 512MB or 2GB");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1");
            }
        }
    }

    private final Limits limits;

    public DuckDbEngine(Limits limits) {
        this.limits = requireNonNull(limits, "limits is null");
    }

    @Override
    public void execute(CheckedQuery query, Map<String, TableData> tables, ResultSink sink,
            Cancellation cancellation) {
        for (String name : query.tables()) {
            if (!tables.containsKey(name)) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, "Table " + name + " has no data location");
            }
        }
        try (Connection c = sandbox(tables.values(), limits)) {
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
                    List<ResultColumn> columns = new ArrayList<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        columns.add(new ResultColumn(meta.getColumnLabel(i), meta.getColumnTypeName(i)));
                    }
                    sink.columns(columns);
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>(columns.size());
                        for (int i = 1; i <= columns.size(); i++) {
                            row.add(rs.getObject(i));
                        }
                        sink.row(row);
                    }
                }
            }
        } catch (SQLException e) {
            throw failure(e, cancellation);
        }
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
     * A locked-down connection with a view per table. Package-visible so that tests can prove the
     * sandbox holds even for SQL the checker would never produce.
     */
    static Connection sandbox(Iterable<TableData> tables, Limits limits) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        Connection c = DriverManager.getConnection("jdbc:duckdb:", properties);
        try (Statement s = c.createStatement()) {
            s.execute("SET memory_limit = " + literal(limits.memoryLimit()));
            s.execute("SET threads = " + limits.threads());
            s.execute("SET preserve_insertion_order = false");
            // no error oracle: division by zero and a scalar subquery of several rows answer instead of
            // failing, so that whether a query fails does not depend on rows it later suppresses
            s.execute("SET error_on_division_by_zero = false");
            s.execute("SET scalar_subquery_error_on_multiple_rows = false");
            List<String> files = new ArrayList<>();
            for (TableData table : tables) {
                s.execute(view(table));
                table.files().forEach(f -> files.add(literal(f.toAbsolutePath().toString())));
            }
            s.execute("SET allowed_paths = [" + String.join(", ", files) + "]");
            s.execute("SET enable_external_access = false");
            s.execute("SET lock_configuration = true");
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** CREATE VIEW "t" AS SELECT TRY_CAST("c" AS type) AS "c", ... FROM read_xxx([files]). */
    static String view(TableData table) {
        StringBuilder files = new StringBuilder("[");
        for (int i = 0; i < table.files().size(); i++) {
            files.append(i == 0 ? "" : ", ").append(literal(table.files().get(i).toAbsolutePath().toString()));
        }
        files.append(']');
        String source = switch (table.format()) {
            case CSV -> "read_csv(" + files + ", header = true, all_varchar = true, union_by_name = true)";
            case PARQUET -> "read_parquet(" + files + ", union_by_name = true)";
            case JSON -> "read_json(" + files + ", format = 'newline_delimited', union_by_name = true)";
        };
        StringBuilder sql = new StringBuilder("CREATE VIEW ").append(identifier(table.name())).append(" AS SELECT ");
        for (int i = 0; i < table.columns().size(); i++) {
            Column column = table.columns().get(i);
            String type = duckType(column.type());
            String name = identifier(column.name());
            sql.append(i == 0 ? "" : ", ");
            if (table.format() == io.cleanroom.core.model.TableFormat.CSV) {
                // CSV cells are read as text; TRIM keeps DuckDB from pushing the cast into the reader,
                // where a cell that does not fit would fail the query with its value in the message
                sql.append(type.equals("VARCHAR") ? name : "TRY_CAST(TRIM(" + name + ") AS " + type + ")");
            } else {
                sql.append("TRY_CAST(").append(name).append(" AS ").append(type).append(')');
            }
            sql.append(" AS ").append(name);
        }
        return sql.append(" FROM ").append(source).toString();
    }

    static String duckType(String glueType) {
        String t = glueType.toLowerCase(Locale.ROOT).trim();
        Matcher decimal = DECIMAL.matcher(t);
        if (decimal.matches()) {
            return "DECIMAL(" + decimal.group(1) + ", " + decimal.group(2) + ")";
        }
        return switch (t) {
            case "bigint", "long" -> "BIGINT";
            case "int", "integer" -> "INTEGER";
            case "smallint", "short" -> "SMALLINT";
            case "tinyint", "byte" -> "TINYINT";
            case "double" -> "DOUBLE";
            case "float", "real" -> "FLOAT";
            case "boolean" -> "BOOLEAN";
            case "date" -> "DATE";
            case "timestamp" -> "TIMESTAMP";
            case "binary" -> "BLOB";
            case "decimal" -> "DECIMAL(38, 9)";
            default -> "VARCHAR";
        };
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() {
        // each query has its own database; nothing is shared
    }
}
