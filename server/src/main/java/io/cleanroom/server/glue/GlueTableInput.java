package io.cleanroom.server.glue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.server.wire.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Glue TableInput as the client sent it: every member the Glue model defines is checked against
 * the model's constraints and kept, so that GetTable answers it back unchanged; a member the model
 * does not define, or one Cleanroom does not serve (TargetTable, a resource link to another
 * catalog's table; ViewDefinition, a multi-dialect view), is refused rather than dropped. The
 * definition is stored as this normalised JSON (timestamps as epoch seconds), and Cleanroom's own
 * reading of it (location, format, columns) is derived from it, never written into it.
 */
final class GlueTableInput {
    /** What Cleanroom reads from a definition: where the data lies, its format and the columns given. */
    record Interpretation(String name, String description, String location, TableFormat format,
            List<Column> columns, Map<String, String> parameters, List<Column> partitionKeys) {
    }

    private GlueTableInput() {
    }

    // ---- the model's shapes ----

    private sealed interface Shape permits Text, Int, Flag, Time, ListOf, MapOf, Struct, Refused {
    }

    /** A string of min..max characters; singleLine refuses CR and LF as the model's patterns do. */
    private record Text(int min, int max, boolean singleLine) implements Shape {
    }

    private record Int(long min, long max) implements Shape {
    }

    private record Flag() implements Shape {
    }

    private record Time() implements Shape {
    }

    private record ListOf(Shape element, int max) implements Shape {
    }

    private record MapOf(Text key, Text value, int max) implements Shape {
    }

    private record Member(Shape shape, boolean required) {
    }

    private record Struct(Map<String, Member> members) implements Shape {
    }

    /** A member of the model Cleanroom does not serve, with the reason given to the client. */
    private record Refused(String reason) implements Shape {
    }

    private static final Text NAME = new Text(1, 255, true);
    private static final Text KEY = new Text(1, 255, true);
    private static final MapOf PARAMETERS = new MapOf(KEY, new Text(0, 512_000, false), 1000);
    private static final int LIST_MAX = 10_000;

    private static Map<String, Member> members(Object... pairs) {
        Map<String, Member> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            Object shape = pairs[i + 1];
            out.put((String) pairs[i], shape instanceof Member m ? m : new Member((Shape) shape, false));
        }
        return out;
    }

    private static Member required(Shape shape) {
        return new Member(shape, true);
    }

    private static final Struct COLUMN = new Struct(members(
            "Name", required(NAME),
            "Type", new Text(0, 131_072, true),
            "Comment", new Text(0, 255, true),
            "Parameters", PARAMETERS));

    private static final Struct SERDE_INFO = new Struct(members(
            "Name", NAME,
            "SerializationLibrary", NAME,
            "Parameters", PARAMETERS));

    private static final Struct ORDER = new Struct(members(
            "Column", required(NAME),
            "SortOrder", required(new Int(0, 1))));

    private static final Struct SKEWED_INFO = new Struct(members(
            "SkewedColumnNames", new ListOf(NAME, LIST_MAX),
            "SkewedColumnValues", new ListOf(new Text(0, 512_000, false), LIST_MAX),
            "SkewedColumnValueLocationMaps", new MapOf(new Text(0, 512_000, false), new Text(0, 512_000, false),
                    LIST_MAX)));

    private static final Struct SCHEMA_ID = new Struct(members(
            "SchemaArn", new Text(1, 10_240, true),
            "SchemaName", new Text(1, 255, true),
            "RegistryName", new Text(1, 255, true)));

    private static final Struct SCHEMA_REFERENCE = new Struct(members(
            "SchemaId", SCHEMA_ID,
            "SchemaVersionId", new Text(36, 36, true),
            "SchemaVersionNumber", new Int(1, 100_000)));

    private static final Struct STORAGE_DESCRIPTOR = new Struct(members(
            "Columns", new ListOf(COLUMN, LIST_MAX),
            "Location", new Text(0, 2056, false),
            "AdditionalLocations", new ListOf(new Text(0, 2056, false), LIST_MAX),
            "InputFormat", new Text(0, 128, true),
            "OutputFormat", new Text(0, 128, true),
            "Compressed", new Flag(),
            "NumberOfBuckets", new Int(Integer.MIN_VALUE, Integer.MAX_VALUE),
            "SerdeInfo", SERDE_INFO,
            "BucketColumns", new ListOf(NAME, LIST_MAX),
            "SortColumns", new ListOf(ORDER, LIST_MAX),
            "Parameters", PARAMETERS,
            "SkewedInfo", SKEWED_INFO,
            "StoredAsSubDirectories", new Flag(),
            "SchemaReference", SCHEMA_REFERENCE));

    private static final Struct TABLE_INPUT = new Struct(members(
            "Name", required(new Text(1, GlueApi.NEW_NAME_MAX, true)),
            "Description", new Text(0, 2048, false),
            "Owner", NAME,
            "LastAccessTime", new Time(),
            "LastAnalyzedTime", new Time(),
            "Retention", new Int(0, Integer.MAX_VALUE),
            "StorageDescriptor", STORAGE_DESCRIPTOR,
            "PartitionKeys", new ListOf(COLUMN, LIST_MAX),
            "ViewOriginalText", new Text(0, 409_600, false),
            "ViewExpandedText", new Text(0, 409_600, false),
            "TableType", new Text(0, 255, true),
            "Parameters", PARAMETERS,
            "TargetTable", new Refused("resource links to tables of other catalogs are not supported; "
                    + "register the table itself"),
            "ViewDefinition", new Refused("multi-dialect views are not supported; register a table with a "
                    + "StorageDescriptor.Location")));

    // ---- checking ----

    /**
     * Checks the TableInput of a CreateTable or UpdateTable call and returns it normalised (only the
     * model's members, timestamps as epoch seconds), or null after reporting its problems as field
     * errors under "TableInput".
     */
    static ObjectNode check(JsonNode input, List<CleanroomException.FieldError> errors) {
        if (input == null || input.isNull()) {
            errors.add(new CleanroomException.FieldError("TableInput",
                    "Value at 'TableInput' failed to satisfy constraint: Member must not be null"));
            return null;
        }
        int before = errors.size();
        JsonNode out = check(TABLE_INPUT, input, "TableInput", errors);
        return errors.size() == before ? (ObjectNode) out : null;
    }

    private static JsonNode check(Shape shape, JsonNode value, String path, List<CleanroomException.FieldError> errors) {
        if (shape instanceof Text t) {
            return text(t, value, path, errors);
        }
        if (shape instanceof Int n) {
            if (!value.isIntegralNumber() || !value.canConvertToLong()
                    || value.asLong() < n.min() || value.asLong() > n.max()) {
                return fail(errors, path, "must be an integer between " + n.min() + " and " + n.max());
            }
            return Json.MAPPER.getNodeFactory().numberNode(value.asLong());
        }
        if (shape instanceof Flag) {
            return value.isBoolean() ? value : fail(errors, path, "must be true or false");
        }
        if (shape instanceof Time) {
            Instant instant = time(value);
            return instant == null ? fail(errors, path, "must be a timestamp (epoch seconds)")
                    : Json.MAPPER.getNodeFactory().numberNode(Json.time(instant));
        }
        if (shape instanceof ListOf l) {
            return list(l, value, path, errors);
        }
        if (shape instanceof MapOf m) {
            return map(m, value, path, errors);
        }
        if (shape instanceof Struct s) {
            return struct(s, value, path, errors);
        }
        return fail(errors, path, "is not supported: " + ((Refused) shape).reason());
    }

    private static JsonNode list(ListOf l, JsonNode value, String path, List<CleanroomException.FieldError> errors) {
        if (!value.isArray()) {
            return fail(errors, path, "must be a list");
        }
        if (value.size() > l.max()) {
            return fail(errors, path, "must have at most " + l.max() + " elements");
        }
        ArrayNode array = Json.array();
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (element == null || element.isNull()) {
                fail(errors, path + "[" + i + "]", "must not be null");
            } else {
                JsonNode checked = check(l.element(), element, path + "[" + i + "]", errors);
                if (checked != null) {
                    array.add(checked);
                }
            }
        }
        return array;
    }

    private static JsonNode map(MapOf m, JsonNode value, String path, List<CleanroomException.FieldError> errors) {
        if (!value.isObject()) {
            return fail(errors, path, "must be a map of strings");
        }
        if (value.size() > m.max()) {
            return fail(errors, path, "must have at most " + m.max() + " entries");
        }
        ObjectNode map = Json.object();
        for (var entry : value.properties()) {
            String key = entry.getKey();
            if (key.length() < m.key().min() || key.length() > m.key().max() || !allowed(key, m.key())) {
                fail(errors, path, "has a key that is not " + m.key().min() + " to " + m.key().max()
                        + " characters without control characters");
            } else if (entry.getValue() != null && !entry.getValue().isNull()) {
                JsonNode checked = text(m.value(), entry.getValue(), path + "." + key, errors);
                if (checked != null) {
                    map.set(key, checked);
                }
            }
        }
        return map;
    }

    private static JsonNode struct(Struct s, JsonNode value, String path, List<CleanroomException.FieldError> errors) {
        if (!value.isObject()) {
            return fail(errors, path, "must be an object");
        }
        ObjectNode object = Json.object();
        for (var entry : value.properties()) {
            if (!s.members().containsKey(entry.getKey())) {
                fail(errors, path + "." + entry.getKey(), "is not a member of this structure in the Glue model");
            }
        }
        for (var member : s.members().entrySet()) {
            JsonNode given = value.get(member.getKey());
            String at = path + "." + member.getKey();
            if (given == null || given.isNull()) {
                if (member.getValue().required()) {
                    fail(errors, at, "must not be null");
                }
                continue;
            }
            JsonNode checked = check(member.getValue().shape(), given, at, errors);
            if (checked != null) {
                object.set(member.getKey(), checked);
            }
        }
        return object;
    }

    private static JsonNode text(Text t, JsonNode value, String path, List<CleanroomException.FieldError> errors) {
        if (!value.isTextual()) {
            return fail(errors, path, "must be a string");
        }
        String s = value.asText();
        if (s.length() < t.min() || s.length() > t.max()) {
            return fail(errors, path, "must be " + t.min() + " to " + t.max() + " characters");
        }
        if (!allowed(s, t)) {
            return fail(errors, path, t.singleLine() ? "must be one line without control characters"
                    : "must not hold control characters other than tab, CR and LF");
        }
        return value;
    }

    /** The model's character patterns: no control characters but tab (and CR, LF where multi-line), no U+FFFE/FFFF. */
    private static boolean allowed(String s, Text t) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 && c != '\t' && (t.singleLine() || (c != '\r' && c != '\n'));
            if (control || c == '\uFFFE' || c == '\uFFFF') {
                return false;
            }
        }
        return true;
    }

    private static Instant time(JsonNode value) {
        if (!value.isNumber()) {
            return null;
        }
        try {
            BigDecimal seconds = value.decimalValue();
            BigDecimal millis = seconds.movePointRight(3);
            return Instant.ofEpochMilli(millis.setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact());
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return null;
        }
    }

    private static JsonNode fail(List<CleanroomException.FieldError> errors, String path, String message) {
        errors.add(new CleanroomException.FieldError(path, "Value at '" + path + "' " + message));
        return null;
    }

    // ---- Cleanroom's reading of it ----

    /**
     * Where the data lies, its format and the columns given, read from a checked definition; the
     * problems that keep Cleanroom from reading the table are reported as field errors.
     */
    static Interpretation interpret(ObjectNode definition, List<CleanroomException.FieldError> errors) {
        String name = definition.path("Name").asText();
        String description = definition.hasNonNull("Description") ? definition.get("Description").asText() : null;
        Map<String, String> parameters = strings(definition.get("Parameters"));
        JsonNode storage = definition.get("StorageDescriptor");
        if (storage == null || !storage.hasNonNull("Location") || storage.get("Location").asText().isEmpty()) {
            errors.add(new CleanroomException.FieldError("TableInput.StorageDescriptor.Location",
                    "Cleanroom reads a table's data from StorageDescriptor.Location; give the file, directory or "
                            + "glob, the s3://bucket/folder/ or the jdbc:postgresql://host:port/database"));
            return null;
        }
        Map<String, String> storageParameters = strings(storage.get("Parameters"));
        String serde = storage.path("SerdeInfo").path("SerializationLibrary").asText(null);
        String location = storage.get("Location").asText();
        TableFormat format = format(parameters, storageParameters, storage.path("InputFormat").asText(null), serde);
        if (format == null && location.startsWith("jdbc:") && parameters.get("classification") == null
                && storageParameters.get("classification") == null) {
            format = TableFormat.POSTGRESQL;
        }
        if (format == null) {
            errors.add(new CleanroomException.FieldError("TableInput.Parameters.classification",
                    "Cannot tell the table's format: set Parameters.classification to csv, parquet, json or "
                            + "postgresql"));
            return null;
        }
        List<Column> columns = columns(storage.path("Columns"));
        List<Column> partitionKeys = definition.has("PartitionKeys") ? columns(definition.get("PartitionKeys")) : null;
        return new Interpretation(name, description, location, format, columns, parameters, partitionKeys);
    }

    private static List<Column> columns(JsonNode list) {
        List<Column> columns = new ArrayList<>();
        for (JsonNode c : list) {
            String type = c.path("Type").asText("");
            columns.add(new Column(c.get("Name").asText(), type.isEmpty() ? "string" : type));
        }
        return columns;
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        if (map != null) {
            map.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    /** From the classification parameter (of the table, else of the storage descriptor), else the formats' names. */
    static TableFormat format(Map<String, String> parameters, Map<String, String> storageParameters,
            String inputFormat, String serde) {
        String classification = parameters.get("classification");
        if (classification == null) {
            classification = storageParameters.get("classification");
        }
        if (classification != null) {
            return switch (classification.toLowerCase(Locale.ROOT)) {
                case "csv" -> TableFormat.CSV;
                case "parquet" -> TableFormat.PARQUET;
                case "json" -> TableFormat.JSON;
                case "postgresql" -> TableFormat.POSTGRESQL;
                default -> null;
            };
        }
        String hint = ((inputFormat == null ? "" : inputFormat) + " " + (serde == null ? "" : serde))
                .toLowerCase(Locale.ROOT);
        if (hint.contains("parquet")) {
            return TableFormat.PARQUET;
        }
        if (hint.contains("json")) {
            return TableFormat.JSON;
        }
        if (hint.contains("csv") || hint.contains("lazysimpleserde")) {
            return TableFormat.CSV;
        }
        return null;
    }
}
