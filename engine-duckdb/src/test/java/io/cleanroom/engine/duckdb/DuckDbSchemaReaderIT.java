package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads real Parquet files written by DuckDB. */
class DuckDbSchemaReaderIT {
    @TempDir
    Path dir;

    private Path parquet(String name, String select) throws Exception {
        Path file = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("COPY (" + select + ") TO '" + file + "' (FORMAT parquet)");
        }
        return file;
    }

    @Test
    void readsColumnsAndMapsTypes() throws Exception {
        Path file = parquet("a.parquet", "SELECT 'x'::VARCHAR AS User_Id, 1::BIGINT AS n, 2::INTEGER AS i, "
                + "1.5::DOUBLE AS d, DATE '2026-01-01' AS day, TIMESTAMP '2026-01-01 10:00:00' AS ts, "
                + "true AS flag, 12.34::DECIMAL(10,2) AS amount");
        assertThat(new DuckDbSchemaReader().parquetColumns(List.of(file)))
                .extracting(c -> c.name() + ":" + c.type())
                .containsExactly("user_id:string", "n:bigint", "i:int", "d:double", "day:date", "ts:timestamp",
                        "flag:boolean", "amount:decimal(10,2)");
    }

    @Test
    void unionsColumnsOfSeveralFiles() throws Exception {
        Path a = parquet("a.parquet", "SELECT 1::BIGINT AS a");
        Path b = parquet("b.parquet", "SELECT 1::BIGINT AS a, 'x' AS b");
        assertThat(new DuckDbSchemaReader().parquetColumns(List.of(a, b))).extracting(c -> c.name())
                .containsExactly("a", "b");
    }

    @Test
    void notParquetIsAClearError() throws Exception {
        Path file = dir.resolve("x.parquet");
        Files.writeString(file, "user_id,segment\n1,a\n");
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> new DuckDbSchemaReader().parquetColumns(List.of(file)));
        assertThat(e.getMessage()).contains("x.parquet").contains("not a readable Parquet file");
    }
}
