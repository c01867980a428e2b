package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How many threads a query gets: one for a few rows, the limit for more. */
class DuckDbEngineTest {
    private static final Limits LIMITS = Engines.limits("512MB", 2);

    @TempDir
    Path dir;

    private Engines.Table table(String name, long bytes) throws Exception {
        Path file = dir.resolve(name + ".csv");
        Files.write(file, new byte[(int) bytes]);
        return new Engines.Table(name, List.of(file), TableFormat.CSV, List.of(new Column("k", "string")));
    }

    @Test
    void smallFilesRunOnOneThreadAndLargerOnesOnTheLimit() throws Exception {
        Limits small = DuckDbEngine.limitsFor(Engines.bind(List.of(table("a", 100), table("b", 200))), LIMITS);
        assertThat(small.threads()).isEqualTo(1);
        assertThat(small.memoryBytes()).isEqualTo(LIMITS.memoryBytes());
        assertThat(small.timeout()).isEqualTo(LIMITS.timeout());
        assertThat(small.maxRows()).isEqualTo(LIMITS.maxRows());
        // the sizes of all the tables' files add up
        long half = DuckDbEngine.SMALL_INPUT_BYTES / 2;
        assertThat(DuckDbEngine.limitsFor(Engines.bind(List.of(table("c", half), table("d", half))), LIMITS))
                .isEqualTo(LIMITS);
    }

    @Test
    void rowsTheServerSuppliesAndMissingFilesKeepTheLimit() throws Exception {
        TableBinding rows = new TableBinding("r", List.of(new BoundColumn("k", ColumnType.parse("string"))),
                new TableSource.Rows(() -> List.<List<Object>>of().iterator()));
        assertThat(DuckDbEngine.limitsFor(List.of(rows), LIMITS)).isEqualTo(LIMITS);
        Engines.Table gone = new Engines.Table("g", List.of(dir.resolve("missing.csv")), TableFormat.CSV,
                List.of(new Column("k", "string")));
        assertThat(DuckDbEngine.limitsFor(Engines.bind(List.of(gone)), LIMITS)).isEqualTo(LIMITS);
    }
}
