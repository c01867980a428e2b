package io.cleanroom.engine.duckdb;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Column;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Reads the columns of Parquet files with an in-memory DuckDB connection that is locked down
 * before it touches the data: no extension auto-loading, file access limited to the files given,
 * configuration locked, small memory and one thread.
 */
final class DuckDbSchemaReader {
    private static final String FIELD = "TableInput.StorageDescriptor.Location";

    /** Columns with Glue-style types, read from the Parquet footers of the given files. */
    List<Column> parquetColumns(List<Path> files) {
        requireNonNull(files, "files is null");
        if (files.isEmpty()) {
            throw CleanroomException.validation(FIELD, "No data files found");
        }
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:", properties)) {
            lockDown(c, files);
            StringBuilder sql = new StringBuilder("DESCRIBE SELECT * FROM read_parquet([");
            for (int i = 0; i < files.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            sql.append("], union_by_name = true)");
            List<Column> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < files.size(); i++) {
                    ps.setString(i + 1, files.get(i).toAbsolutePath().toString());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Column(rs.getString("column_name").toLowerCase(Locale.ROOT),
                                glueType(rs.getString("column_type"))));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw CleanroomException.validation(FIELD, "Cannot read the Parquet schema of "
                    + files.get(0).getFileName() + (files.size() > 1 ? " and " + (files.size() - 1) + " more" : "")
                    + ": not a readable Parquet file");
        }
    }

    private static void lockDown(Connection c, List<Path> files) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET memory_limit = '256MB'");
            s.execute("SET threads = 1");
            StringBuilder allowed = new StringBuilder("SET allowed_paths = [");
            for (int i = 0; i < files.size(); i++) {
                allowed.append(i == 0 ? "" : ", ").append(literal(files.get(i).toAbsolutePath().toString()));
            }
            s.execute(allowed.append("]").toString());
            s.execute("SET enable_external_access = false");
            s.execute("SET lock_configuration = true");
        }
    }

    /** A SQL string literal of a path: the path comes from the catalog owner, quotes are doubled. */
    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** DuckDB type names to the Glue/Hive names the catalog uses. */
    static String glueType(String duckType) {
        String t = duckType.toUpperCase(Locale.ROOT);
        if (t.startsWith("DECIMAL")) {
            return t.toLowerCase(Locale.ROOT);
        }
        return switch (t) {
            case "VARCHAR" -> "string";
            case "BIGINT", "UBIGINT", "HUGEINT" -> "bigint";
            case "INTEGER", "UINTEGER" -> "int";
            case "SMALLINT", "USMALLINT" -> "smallint";
            case "TINYINT", "UTINYINT" -> "tinyint";
            case "DOUBLE" -> "double";
            case "FLOAT" -> "float";
            case "BOOLEAN" -> "boolean";
            case "DATE" -> "date";
            case "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE" -> "timestamp";
            case "BLOB" -> "binary";
            default -> "string";
        };
    }
}
