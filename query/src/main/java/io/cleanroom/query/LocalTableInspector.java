package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.service.TableInspector;
import io.cleanroom.engine.spi.QueryEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads table locations on the local file system: a file, a directory (its files) or a glob
 * (/data/part-*.csv), always inside the account's data roots ({@link DataLocation}). s3:// and
 * jdbc:postgresql:// locations are recognised and refused until their readers exist. Column
 * inference reads CSV headers and JSON-lines keys from a sample, and Parquet footers through a
 * locked-down DuckDB, always through the pinned files ({@link PinnedFiles}), so it reads the files
 * that were checked.
 *
 * <p>An account without data roots may register nothing, unless the server runs with
 * allowAnyPath (development only), where such an account may read any file the server can.
 */
public final class LocalTableInspector implements TableInspector {
    private static final int SAMPLE_ROWS = 1000;
    /** Strict, as request bodies are read: one value per line, no duplicate keys, bounded nesting. */
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            com.fasterxml.jackson.databind.json.JsonMapper.builder()
                    .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
                    .configure(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true)
                    .build();

    static {
        JSON.getFactory().setStreamReadConstraints(
                com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(64).build());
    }
    static final String NO_ROOTS = "Your account has no data roots, so it cannot register tables: the operator "
            + "must grant one first (cleanroom admin set-data-roots --account-id ACCOUNT --path DIR)";

    private final QueryEngine parquet;
    private final boolean allowAnyPath;

    /** parquet reads Parquet schemas (the engine's ability). */
    public LocalTableInspector(boolean allowAnyPath, QueryEngine parquet) {
        this.allowAnyPath = allowAnyPath;
        this.parquet = requireNonNull(parquet, "parquet is null");
    }

    /**
     * The roots a location must lie in: the account's, or, for an account without any, the whole
     * file system when any path is allowed; otherwise empty.
     */
    static List<Path> roots(List<String> dataRoots, boolean allowAnyPath) {
        if (dataRoots.isEmpty()) {
            return allowAnyPath ? List.of(Path.of("/")) : List.of();
        }
        return dataRoots.stream().map(Path::of).toList();
    }

    private List<DataLocation.CheckedFile> files(String location, List<String> dataRoots) {
        List<Path> roots = roots(dataRoots, allowAnyPath);
        if (roots.isEmpty()) {
            throw CleanroomException.accessDenied(NO_ROOTS);
        }
        return DataLocation.resolve(location, roots);
    }

    @Override
    public void checkLocation(String location, List<String> dataRoots, TableFormat format) {
        List<DataLocation.CheckedFile> files = files(location, dataRoots);
        try {
            DataLocation.requireUncompressed(files, format);
        } catch (DataLocation.Unreadable e) {
            throw CleanroomException.validation(DataLocation.FIELD, e.getMessage());
        }
    }

    @Override
    public List<Column> inferColumns(String location, List<String> dataRoots, TableFormat format) {
        List<DataLocation.CheckedFile> files = files(location, dataRoots);
        if (!NativeFiles.available()) {
            // reading unpinned files could read another member's: refuse, the owner can give the columns
            throw CleanroomException.validation(DataLocation.FIELD, "This server cannot infer columns ("
                    + NativeFiles.unavailableReason() + "); give the table's columns");
        }
        String first = files.get(0).path().getFileName().toString();
        try (PinnedFiles pinned = PinnedFiles.open(format == TableFormat.PARQUET ? files : files.subList(0, 1))) {
            List<Path> paths = pinned.paths();
            return switch (format) {
                case CSV -> csv(paths.get(0), first);
                case JSON -> jsonLines(paths.get(0), first);
                case PARQUET -> parquetColumns(paths, first, files.size());
                case POSTGRESQL -> throw CleanroomException.validation(DataLocation.FIELD,
                        "A PostgreSQL table's location is its database's jdbc:postgresql:// URL");
            };
        } catch (PinnedFiles.ChangedException e) {
            throw CleanroomException.validation(DataLocation.FIELD, "A data file " + e.getMessage()
                    + "; register the table again");
        } catch (IOException e) {
            throw CleanroomException.validation(DataLocation.FIELD, "Cannot read " + first + " to infer its columns");
        }
    }

    /**
     * The columns of a file the server itself wrote into a private staging directory (an S3 object
     * fetched to register its table): no pinning, no roots, nothing a member can swap.
     */
    List<Column> inferStaged(Path file, String name, TableFormat format) {
        try {
            return switch (format) {
                case CSV -> csv(file, name);
                case JSON -> jsonLines(file, name);
                case PARQUET -> parquetColumns(List.of(file), name, 1);
                case POSTGRESQL -> throw new IllegalArgumentException("a PostgreSQL table has no files");
            };
        } catch (IOException e) {
            throw CleanroomException.validation(DataLocation.FIELD, "Cannot read " + name + " to infer its columns");
        }
    }

    private List<Column> parquetColumns(List<Path> paths, String first, int count) {
        try {
            return parquet.parquetColumns(paths);
        } catch (CleanroomException e) {
            throw CleanroomException.validation(DataLocation.FIELD, "Cannot read the Parquet schema of " + first
                    + (count > 1 ? " and " + (count - 1) + " more" : "") + ": not a readable Parquet file");
        }
    }

    private static List<Column> csv(Path file, String name) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = reader.readLine();
            if (header == null) {
                throw CleanroomException.validation(DataLocation.FIELD,
                        name + " is empty; a CSV table needs a header line");
            }
            List<String> names = CsvLine.split(header.startsWith("\uFEFF") ? header.substring(1) : header);
            List<String> types = new ArrayList<>();
            names.forEach(n -> types.add(null));
            String line;
            int rows = 0;
            while (rows < SAMPLE_ROWS && (line = reader.readLine()) != null) {
                List<String> cells = CsvLine.split(line);
                for (int i = 0; i < names.size() && i < cells.size(); i++) {
                    types.set(i, widen(types.get(i), typeOf(cells.get(i))));
                }
                rows++;
            }
            List<Column> out = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                out.add(new Column(names.get(i).trim().toLowerCase(Locale.ROOT),
                        types.get(i) == null ? "string" : types.get(i)));
            }
            return out;
        }
    }

    private static List<Column> jsonLines(Path file, String fileName) throws IOException {
        Map<String, String> types = new LinkedHashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int rows = 0;
            while (rows < SAMPLE_ROWS && (line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw CleanroomException.validation(DataLocation.FIELD,
                            fileName + " line " + (rows + 1) + " is not a JSON object");
                }
                if (node == null || !node.isObject()) {
                    throw CleanroomException.validation(DataLocation.FIELD,
                            fileName + " line " + (rows + 1) + " is not a JSON object");
                }
                node.properties().forEach(e -> types.merge(e.getKey().toLowerCase(Locale.ROOT),
                        jsonType(e.getValue()), LocalTableInspector::widen));
                rows++;
            }
        }
        List<Column> out = new ArrayList<>();
        types.forEach((name, type) -> out.add(new Column(name, type == null ? "string" : type)));
        return out;
    }

    private static String jsonType(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return "bigint";
        }
        if (value.isNumber()) {
            return "double";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        return value.isTextual() ? typeOf(value.asText()) : "string";
    }

    static String typeOf(String cell) {
        String v = cell.trim();
        if (v.isEmpty()) {
            return null;
        }
        if (v.matches("[-+]?\\d{1,18}")) {
            return "bigint";
        }
        if (v.matches("[-+]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][-+]?\\d+)?")) {
            return "double";
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return "boolean";
        }
        if (v.matches("\\d{4}-\\d{2}-\\d{2}")) {
            return "date";
        }
        if (v.matches("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?")) {
            return "timestamp";
        }
        return "string";
    }

    static String widen(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null || a.equals(b)) {
            return a;
        }
        if ((a.equals("bigint") && b.equals("double")) || (a.equals("double") && b.equals("bigint"))) {
            return "double";
        }
        if ((a.equals("date") && b.equals("timestamp")) || (a.equals("timestamp") && b.equals("date"))) {
            return "timestamp";
        }
        return "string";
    }

    /** Splits one CSV line with double-quote quoting (RFC 4180, without embedded newlines). */
    static final class CsvLine {
        private CsvLine() {
        }

        static List<String> split(String line) {
            List<String> out = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"') {
                        if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        cell.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    out.add(cell.toString());
                    cell.setLength(0);
                } else {
                    cell.append(c);
                }
            }
            out.add(cell.toString());
            return out;
        }
    }
}
