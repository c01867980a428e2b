package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTableInspectorTest {
    @TempDir
    Path dir;

    private final LocalTableInspector inspector = new LocalTableInspector();

    @Test
    void infersCsvTypesFromASample() throws Exception {
        Path file = dir.resolve("t.csv");
        Files.writeString(file, "\uFEFFId,\"Name, full\",score,when,flag,mixed\n1,\"a, b\",1.5,2026-01-01,true,1\n"
                + "2,c,2,2026-01-02 10:00:00,false,x\n");
        List<Column> columns = inspector.inferColumns(file.toString(), TableFormat.CSV);
        assertThat(columns).extracting(c -> c.name() + ":" + c.type()).containsExactly("id:bigint",
                "name, full:string", "score:double", "when:timestamp", "flag:boolean", "mixed:string");
    }

    @Test
    void infersJsonLinesColumns() throws Exception {
        Path file = dir.resolve("t.json");
        Files.writeString(file, "{\"a\":1,\"b\":\"x\"}\n\n{\"a\":2.5,\"c\":true}\n");
        assertThat(inspector.inferColumns(file.toString(), TableFormat.JSON))
                .extracting(c -> c.name() + ":" + c.type()).containsExactly("a:double", "b:string", "c:boolean");
    }

    @Test
    void directoriesAndGlobsFindDataFiles() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("part-1.csv"), "a\n1\n");
        Files.writeString(data.resolve("part-2.csv"), "a\n2\n");
        Files.writeString(data.resolve("_SUCCESS"), "");
        assertThat(LocalTableInspector.files(data.toString())).hasSize(2);
        assertThat(LocalTableInspector.files(data + "/part-*.csv")).hasSize(2);
        assertThat(LocalTableInspector.files("file://" + data + "/part-1.csv")).hasSize(1);
    }

    @Test
    void refusesWhatItCannotRead() {
        for (String location : List.of("relative/path.csv", "s3://bucket/key", "jdbc:postgresql://h/db",
                dir.resolve("missing.csv").toString(), dir + "/*.parquet")) {
            CleanroomException e = catchThrowableOfType(CleanroomException.class,
                    () -> inspector.checkLocation(location, List.of()));
            assertThat(e).as(location).isNotNull();
            assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::name)
                    .containsExactly("TableInput.StorageDescriptor.Location");
        }
    }

    @Test
    void readsParquetSchemas() throws Exception {
        Path file = dir.resolve("t.parquet");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                java.sql.Statement s = c.createStatement()) {
            s.execute("COPY (SELECT 'h' AS user_id_hash, 3::BIGINT AS visits) TO '" + file + "' (FORMAT parquet)");
        }
        assertThat(inspector.inferColumns(dir + "/*.parquet", TableFormat.PARQUET))
                .extracting(c -> c.name() + ":" + c.type()).containsExactly("user_id_hash:string", "visits:bigint");
    }

    @Test
    void dataRootsConfineLocationsEvenThroughSymlinks() throws Exception {
        Path root = Files.createDirectories(dir.resolve("mine"));
        Path other = Files.createDirectories(dir.resolve("theirs"));
        Files.writeString(root.resolve("a.csv"), "x\n1\n");
        Files.writeString(other.resolve("b.csv"), "x\n2\n");
        Files.createSymbolicLink(root.resolve("link.csv"), other.resolve("b.csv"));
        List<String> roots = List.of(root.toRealPath().toString());
        inspector.checkLocation(root.resolve("a.csv").toString(), roots);
        for (String outside : List.of(other.resolve("b.csv").toString(), root.resolve("link.csv").toString(),
                root + "/../theirs/b.csv", root.toString())) {
            CleanroomException e = catchThrowableOfType(CleanroomException.class,
                    () -> inspector.checkLocation(outside, roots));
            assertThat(e).as(outside).isNotNull();
            assertThat(e.getMessage()).contains("outside the directories the operator allows");
        }
    }

    @Test
    void emptyCsvIsRefused() throws Exception {
        Path file = dir.resolve("empty.csv");
        Files.writeString(file, "");
        assertThat(catchThrowableOfType(CleanroomException.class,
                () -> inspector.inferColumns(file.toString(), TableFormat.CSV)).getMessage()).contains("header");
    }
}
