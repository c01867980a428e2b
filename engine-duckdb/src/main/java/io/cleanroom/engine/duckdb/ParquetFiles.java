package io.cleanroom.engine.duckdb;

import io.cleanroom.core.CleanroomException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** Converts a result written as CSV (by the server, to a path it chose) into Parquet with DuckDB. */
final class ParquetFiles {
    private ParquetFiles() {
    }

    static void csvToParquet(Path csv, Path parquet) {
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:", properties);
                Statement s = c.createStatement()) {
            s.execute("SET memory_limit = '512MB'");
            s.execute("COPY (SELECT * FROM read_csv(" + literal(csv) + ", header = true)) TO " + literal(parquet)
                    + " (FORMAT parquet)");
        } catch (SQLException e) {
            throw CleanroomException.internal("cannot write the Parquet result", e);
        }
    }

    private static String literal(Path path) {
        return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
    }
}
