package io.cleanroom.query;

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
    Path tmp;

    private Path dir;
    private List<String> roots;

    /** The engine on the class path, for reading Parquet schemas. */
    private static final io.cleanroom.engine.spi.QueryEngine ENGINE = io.cleanroom.engine.spi.EngineFactory
            .find("duckdb").orElseThrow().create(new io.cleanroom.engine.spi.EngineSettings(java.util.Map.of()));

    private final LocalTableInspector inspector = new LocalTableInspector(false, ENGINE);

    @org.junit.jupiter.api.BeforeEach
    void root() throws Exception {
        dir = tmp.toRealPath();
        roots = List.of(dir.toString());
    }

    @Test
    void infersCsvTypesFromASample() throws Exception {
        Path file = dir.resolve("t.csv");
        Files.writeString(file, "\uFEFFId,\"Name, full\",score,when,flag,mixed\n1,\"a, b\",1.5,2026-01-01,true,1\n"
                + "2,c,2,2026-01-02 10:00:00,false,x\n");
        List<Column> columns = inspector.inferColumns(file.toString(), roots, TableFormat.CSV);
        assertThat(columns).extracting(c -> c.name() + ":" + c.type()).containsExactly("id:bigint",
                "name, full:string", "score:double", "when:timestamp", "flag:boolean", "mixed:string");
    }

    @Test
    void infersJsonLinesColumns() throws Exception {
        Path file = dir.resolve("t.json");
        Files.writeString(file, "{\"a\":1,\"b\":\"x\"}\n\n{\"a\":2.5,\"c\":true}\n");
        assertThat(inspector.inferColumns(file.toString(), roots, TableFormat.JSON))
                .extracting(c -> c.name() + ":" + c.type()).containsExactly("a:double", "b:string", "c:boolean");
    }

    @Test
    void directoriesAndGlobsFindDataFiles() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("part-1.csv"), "a\n1\n");
        Files.writeString(data.resolve("part-2.csv"), "a\n2\n");
        Files.writeString(data.resolve("_SUCCESS"), "");
        List<Path> rootPaths = List.of(dir);
        assertThat(DataLocation.resolve(data.toString(), rootPaths)).hasSize(2);
        assertThat(DataLocation.resolve(data + "/part-*.csv", rootPaths)).hasSize(2);
        assertThat(DataLocation.resolve(dir + "/*/part-*.csv", rootPaths)).hasSize(2);
        assertThat(DataLocation.resolve("file://" + data + "/part-1.csv", rootPaths)).hasSize(1);
    }

    @Test
    void refusesWhatItCannotRead() {
        for (String location : List.of("relative/path.csv", "s3://bucket/key", "jdbc:postgresql://h/db",
                dir.resolve("missing.csv").toString(), dir + "/*.parquet")) {
            CleanroomException e = catchThrowableOfType(CleanroomException.class,
                    () -> inspector.checkLocation(location, roots, TableFormat.CSV));
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
        assertThat(inspector.inferColumns(dir + "/*.parquet", roots, TableFormat.PARQUET))
                .extracting(c -> c.name() + ":" + c.type()).containsExactly("user_id_hash:string", "visits:bigint");
    }

    @Test
    void aCompressedCsvOrJsonFileIsRefusedAtRegistration() throws Exception {
        // read pinned, as /proc/self/fd/N, an engine cannot tell t.csv.gz is compressed: it reads garbage
        Path root = Files.createDirectories(dir.resolve("gz"));
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(root.resolve("t.csv.gz")))) {
            out.write("a\n1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Files.writeString(root.resolve("u.csv"), "a\n2\n");
        Files.writeString(root.resolve("v.JSON.ZST"), "{}");
        List<String> roots = List.of(root.toRealPath().toString());
        for (String location : List.of(root.resolve("t.csv.gz").toString(), root.toString(), root + "/*")) {
            CleanroomException e = catchThrowableOfType(CleanroomException.class,
                    () -> inspector.checkLocation(location, roots, TableFormat.CSV));
            assertThat(e).as(location).isNotNull();
            assertThat(e.code()).isEqualTo(io.cleanroom.core.ErrorCode.VALIDATION);
            assertThat(e.getMessage()).contains("compressed").contains("uncompressed");
        }
        assertThat(catchThrowableOfType(CleanroomException.class,
                () -> inspector.checkLocation(root.resolve("v.JSON.ZST").toString(), roots, TableFormat.JSON))
                .getMessage()).contains("compressed (.zst)");
        // an uncompressed file beside them is read as ever
        inspector.checkLocation(root.resolve("u.csv").toString(), roots, TableFormat.CSV);
    }

    @Test
    void dataRootsConfineLocationsEvenThroughSymlinks() throws Exception {
        Path root = Files.createDirectories(dir.resolve("mine"));
        Path other = Files.createDirectories(dir.resolve("theirs"));
        Files.writeString(root.resolve("a.csv"), "x\n1\n");
        Files.writeString(other.resolve("b.csv"), "x\n2\n");
        Files.createSymbolicLink(root.resolve("link.csv"), other.resolve("b.csv"));
        List<String> mine = List.of(root.toRealPath().toString());
        inspector.checkLocation(root.resolve("a.csv").toString(), mine, TableFormat.CSV);
        for (String outside : List.of(other.resolve("b.csv").toString(), root.resolve("link.csv").toString(),
                root + "/../theirs/b.csv", root.toString())) {
            CleanroomException e = catchThrowableOfType(CleanroomException.class,
                    () -> inspector.checkLocation(outside, mine, TableFormat.CSV));
            assertThat(e).as(outside).isNotNull();
            assertThat(e.getMessage()).contains(DataLocation.UNAVAILABLE);
        }
    }

    @Test
    void anAccountWithoutDataRootsCanRegisterNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("t.csv"), "a\n1\n");
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> inspector.checkLocation(file.toString(), List.of(), TableFormat.CSV));
        assertThat(e.code()).isEqualTo(io.cleanroom.core.ErrorCode.ACCESS_DENIED);
        assertThat(e.getMessage()).contains("no data roots").contains("operator must grant one");
        assertThat(catchThrowableOfType(CleanroomException.class,
                () -> inspector.inferColumns(file.toString(), List.of(), TableFormat.CSV)).code())
                .isEqualTo(io.cleanroom.core.ErrorCode.ACCESS_DENIED);
    }

    @Test
    void theDevelopmentSwitchLetsAnAccountWithoutRootsUseAnyPathButRootsStillConfine() throws Exception {
        LocalTableInspector open = new LocalTableInspector(true, ENGINE);
        Path file = Files.writeString(dir.resolve("t.csv"), "a\n1\n");
        open.checkLocation(file.toString(), List.of(), TableFormat.CSV);
        assertThat(open.inferColumns(file.toString(), List.of(), TableFormat.CSV)).extracting(Column::name)
                .containsExactly("a");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        assertThat(catchThrowableOfType(CleanroomException.class,
                () -> open.checkLocation(file.toString(), List.of(elsewhere.toString()), TableFormat.CSV)).getMessage())
                .contains(DataLocation.UNAVAILABLE);
    }

    @Test
    void inferenceReadsTheCheckedFileNotWhatALinkLeadsTo() throws Exception {
        Path root = Files.createDirectories(dir.resolve("mine"));
        Path other = Files.createDirectories(dir.resolve("theirs"));
        Files.writeString(other.resolve("b.csv"), "secret_column\n1\n");
        Files.writeString(root.resolve("a.csv"), "mine\n1\n");
        List<String> mine = List.of(root.toString());
        assertThat(inspector.inferColumns(root.resolve("a.csv").toString(), mine, TableFormat.CSV))
                .extracting(Column::name).containsExactly("mine");
        Files.delete(root.resolve("a.csv"));
        Files.createSymbolicLink(root.resolve("a.csv"), other.resolve("b.csv"));
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> inspector.inferColumns(root.resolve("a.csv").toString(), mine, TableFormat.CSV));
        assertThat(e.getMessage()).contains(DataLocation.UNAVAILABLE).doesNotContain("secret");
    }

    @Test
    void emptyCsvIsRefused() throws Exception {
        Path file = dir.resolve("empty.csv");
        Files.writeString(file, "");
        assertThat(catchThrowableOfType(CleanroomException.class,
                () -> inspector.inferColumns(file.toString(), roots, TableFormat.CSV)).getMessage()).contains("header");
    }
}
