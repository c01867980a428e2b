package io.cleanroom.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.service.TableInspector;
import io.cleanroom.engine.duckdb.DuckDbSchemaReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads table locations on the local file system: a file, a directory (its files) or a glob
 * (/data/part-*.csv). s3:// and jdbc:postgresql:// locations are recognised and refused until
 * their readers exist. Column inference reads CSV headers and JSON-lines keys from a sample, and
 * Parquet footers through a locked-down DuckDB.
 */
final class LocalTableInspector implements TableInspector {
    private static final int SAMPLE_ROWS = 1000;

    private final DuckDbSchemaReader parquet = new DuckDbSchemaReader();

    @Override
    public void checkLocation(String location, List<String> dataRoots) {
        realFiles(location, dataRoots);
    }

    /**
     * The data files of a location with symbolic links resolved, each inside one of dataRoots
     * (when that list is not empty).
     */
    static List<Path> realFiles(String location, List<String> dataRoots) {
        List<Path> out = new ArrayList<>();
        for (Path file : files(location)) {
            Path real;
            try {
                real = file.toRealPath();
            } catch (IOException e) {
                throw CleanroomException.validation("TableInput.StorageDescriptor.Location",
                        "The location cannot be read");
            }
            if (!dataRoots.isEmpty() && dataRoots.stream().noneMatch(root -> real.startsWith(Path.of(root)))) {
                throw CleanroomException.validation("TableInput.StorageDescriptor.Location",
                        "The location is outside the directories the operator allows for your account");
            }
            out.add(real);
        }
        return out;
    }

    /** The data files of a location, sorted; at least one, or a validation error. */
    static List<Path> files(String location) {
        String field = "TableInput.StorageDescriptor.Location";
        if (location.startsWith("s3://") || location.startsWith("s3a://")) {
            throw CleanroomException.validation(field,
                    "s3:// locations are not supported yet; use a local file, directory or glob");
        }
        if (location.startsWith("jdbc:")) {
            throw CleanroomException.validation(field,
                    "JDBC locations are not supported yet; use a local file, directory or glob");
        }
        String path = location.startsWith("file://") ? location.substring("file://".length()) : location;
        if (!path.startsWith("/")) {
            throw CleanroomException.validation(field, "The location must be an absolute path (or file:// URI)");
        }
        int glob = indexOfGlob(path);
        List<Path> out = new ArrayList<>();
        try {
            if (glob < 0) {
                Path p = Path.of(path);
                if (Files.isRegularFile(p)) {
                    out.add(p);
                } else if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        s.filter(Files::isRegularFile)
                                .filter(f -> !f.getFileName().toString().startsWith(".")
                                        && !f.getFileName().toString().startsWith("_"))
                                .sorted().forEach(out::add);
                    }
                }
            } else {
                int slash = path.lastIndexOf('/', glob);
                Path base = Path.of(path.substring(0, Math.max(1, slash)));
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + path);
                if (Files.isDirectory(base)) {
                    try (Stream<Path> s = Files.walk(base, 8)) {
                        s.filter(Files::isRegularFile).filter(matcher::matches).sorted().forEach(out::add);
                    }
                }
            }
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw CleanroomException.validation(field, "The location cannot be read");
        }
        if (out.isEmpty()) {
            throw CleanroomException.validation(field, "No data files found at " + location);
        }
        return out;
    }

    private static int indexOfGlob(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public List<Column> inferColumns(String location, TableFormat format) {
        Path first = files(location).get(0);
        try {
            return switch (format) {
                case CSV -> csv(first);
                case JSON -> jsonLines(first);
                case PARQUET -> parquet.parquetColumns(files(location));
            };
        } catch (IOException e) {
            throw CleanroomException.validation("TableInput.StorageDescriptor.Location",
                    "Cannot read " + first.getFileName() + " to infer its columns");
        }
    }

    private static List<Column> csv(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = reader.readLine();
            if (header == null) {
                throw CleanroomException.validation("TableInput.StorageDescriptor.Location",
                        file.getFileName() + " is empty; a CSV table needs a header line");
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

    private static List<Column> jsonLines(Path file) throws IOException {
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
                    node = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    throw CleanroomException.validation("TableInput.StorageDescriptor.Location",
                            file.getFileName() + " line " + (rows + 1) + " is not a JSON object");
                }
                if (node == null || !node.isObject()) {
                    throw CleanroomException.validation("TableInput.StorageDescriptor.Location",
                            file.getFileName() + " line " + (rows + 1) + " is not a JSON object");
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
