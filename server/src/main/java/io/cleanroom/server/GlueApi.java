package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.CatalogDatabase;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.service.CatalogService;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Page;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subset of the AWS Glue API (awsJson1.1, X-Amz-Target AWSGlue.*) that registers tables in an
 * account's catalog, so the SDK's Glue client works: databases and tables with
 * StorageDescriptor.Location, Columns and the classification parameter.
 */
final class GlueApi {
    private static final Set<String> OPERATIONS = Set.of("CreateDatabase", "GetDatabase", "GetDatabases",
            "DeleteDatabase", "CreateTable", "GetTable", "GetTables", "UpdateTable", "DeleteTable");
    private static final Pattern CATALOG_ID = Pattern.compile("^\\d{12}$");
    /**
     * The longest name a new database or table may have: 128, what a Clean Rooms table reference
     * can name (Glue itself allows 255). Lookups accept 255.
     */
    static final int NEW_NAME_MAX = 128;

    private final CatalogService catalog;

    GlueApi(CatalogService catalog) {
        this.catalog = requireNonNull(catalog, "catalog is null");
    }

    boolean serves(String operation) {
        return OPERATIONS.contains(operation);
    }

    HttpResponse handle(String operation, Caller caller, JsonNode json) {
        In body = In.of(json);
        String catalogId = body.string("CatalogId", false, 1, 255, CATALOG_ID);
        if (catalogId != null && caller.account() != null && !catalogId.equals(caller.account().value())) {
            throw CleanroomException.accessDenied("You can only use your own catalog (" + caller.account() + ")");
        }
        return switch (operation) {
            case "CreateDatabase" -> createDatabase(caller, body);
            case "GetDatabase" -> {
                String name = body.string("Name", true, 1, 255, null);
                body.done();
                ObjectNode out = Json.object();
                out.set("Database", database(catalog.getDatabase(caller, name)));
                yield HttpResponse.ok(out);
            }
            case "GetDatabases" -> {
                Page.Request page = page(body);
                body.done();
                Page<CatalogDatabase> result = catalog.listDatabases(caller, page);
                ObjectNode out = Json.object();
                out.set("DatabaseList", Json.array(result.items(), this::database));
                Json.putIfNotNull(out, "NextToken", result.nextToken());
                yield HttpResponse.ok(out);
            }
            case "DeleteDatabase" -> {
                String name = body.string("Name", true, 1, 255, null);
                body.done();
                catalog.deleteDatabase(caller, name);
                yield HttpResponse.ok(Json.object());
            }
            case "CreateTable", "UpdateTable" -> {
                String database = body.string("DatabaseName", true, 1, 255, null);
                CatalogService.TableInput input = tableInput(body);
                body.done();
                if (operation.equals("CreateTable")) {
                    catalog.createTable(caller, database, input);
                } else {
                    catalog.updateTable(caller, database, input);
                }
                yield HttpResponse.ok(Json.object());
            }
            case "GetTable" -> {
                String database = body.string("DatabaseName", true, 1, 255, null);
                String name = body.string("Name", true, 1, 255, null);
                body.done();
                ObjectNode out = Json.object();
                out.set("Table", table(catalog.getTable(caller, database, name)));
                yield HttpResponse.ok(out);
            }
            case "GetTables" -> {
                String database = body.string("DatabaseName", true, 1, 255, null);
                String expression = body.string("Expression", false, 0, 2048, null);
                Page.Request page = page(body);
                body.done();
                Page<CatalogTable> result = catalog.listTables(caller, database, expression, page);
                ObjectNode out = Json.object();
                out.set("TableList", Json.array(result.items(), this::table));
                Json.putIfNotNull(out, "NextToken", result.nextToken());
                yield HttpResponse.ok(out);
            }
            case "DeleteTable" -> {
                String database = body.string("DatabaseName", true, 1, 255, null);
                String name = body.string("Name", true, 1, 255, null);
                body.done();
                catalog.deleteTable(caller, database, name);
                yield HttpResponse.ok(Json.object());
            }
            default -> throw CleanroomException.of(io.cleanroom.core.ErrorCode.UNKNOWN_OPERATION,
                    "Unknown operation AWSGlue." + operation);
        };
    }

    private static Page.Request page(In body) {
        Integer max = body.integer("MaxResults", false, 1, 100);
        String token = body.string("NextToken", false, 0, 10240, null);
        return new Page.Request(max == null ? 100 : max, token);
    }

    private HttpResponse createDatabase(Caller caller, In body) {
        In input = body.object("DatabaseInput", true);
        String name = input == null ? null : input.string("Name", true, 1, NEW_NAME_MAX, null);
        String description = input == null ? null : input.string("Description", false, 0, 2048, null);
        String location = input == null ? null : input.string("LocationUri", false, 1, 1024, null);
        body.done();
        catalog.createDatabase(caller, name, description, location);
        return HttpResponse.ok(Json.object());
    }

    private static CatalogService.TableInput tableInput(In body) {
        In input = body.object("TableInput", true);
        if (input == null) {
            return null;
        }
        String name = input.string("Name", true, 1, NEW_NAME_MAX, null);
        String description = input.string("Description", false, 0, 2048, null);
        Map<String, String> parameters = input.stringMap("Parameters", 200, 1, 255, 512000);
        In storage = input.object("StorageDescriptor", true);
        String location = null;
        List<Column> columns = List.of();
        String inputFormat = null;
        String serde = null;
        Map<String, String> storageParameters = null;
        if (storage != null) {
            location = storage.string("Location", true, 1, 2056, null);
            List<Column> given = storage.list("Columns", false, 0, 1000, e -> {
                In c = e.object();
                if (c == null) {
                    return null;
                }
                String columnName = c.string("Name", true, 1, 255, null);
                String type = c.string("Type", false, 0, 131072, null);
                return columnName == null ? null : new Column(columnName, type == null || type.isEmpty() ? "string" : type);
            });
            columns = given == null ? List.of() : given;
            inputFormat = storage.string("InputFormat", false, 0, 128, null);
            In serdeInfo = storage.object("SerdeInfo", false);
            if (serdeInfo != null) {
                serde = serdeInfo.string("SerializationLibrary", false, 0, 255, null);
            }
            storageParameters = storage.stringMap("Parameters", 200, 1, 255, 512000);
        }
        TableFormat format = format(parameters, storageParameters, inputFormat, serde);
        if (format == null && storage != null) {
            input.error("Parameters.classification",
                    "Cannot tell the table's format: set Parameters.classification to csv, parquet or json");
        }
        if (name == null || location == null || format == null) {
            return null;
        }
        Map<String, String> stored = new LinkedHashMap<>(parameters == null ? Map.of() : parameters);
        stored.put("classification", format.name().toLowerCase(Locale.ROOT));
        return new CatalogService.TableInput(name, description, location, format, columns, stored);
    }

    private static TableFormat format(Map<String, String> parameters, Map<String, String> storageParameters,
            String inputFormat, String serde) {
        String classification = parameters == null ? null : parameters.get("classification");
        if (classification == null && storageParameters != null) {
            classification = storageParameters.get("classification");
        }
        if (classification != null) {
            return switch (classification.toLowerCase(Locale.ROOT)) {
                case "csv" -> TableFormat.CSV;
                case "parquet" -> TableFormat.PARQUET;
                case "json" -> TableFormat.JSON;
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

    private ObjectNode database(CatalogDatabase d) {
        ObjectNode node = Json.object();
        node.put("Name", d.name());
        Json.putIfNotNull(node, "Description", d.description());
        Json.putIfNotNull(node, "LocationUri", d.locationUri());
        node.put("CreateTime", Json.time(d.createTime()));
        node.put("CatalogId", d.accountId().value());
        return node;
    }

    private ObjectNode table(CatalogTable t) {
        ObjectNode node = Json.object();
        node.put("Name", t.name());
        node.put("DatabaseName", t.databaseName());
        Json.putIfNotNull(node, "Description", t.description());
        node.put("CreateTime", Json.time(t.createTime()));
        node.put("UpdateTime", Json.time(t.updateTime()));
        ObjectNode storage = node.putObject("StorageDescriptor");
        ArrayNode columns = storage.putArray("Columns");
        t.columns().forEach(c -> columns.addObject().put("Name", c.name()).put("Type", c.type()));
        storage.put("Location", t.location());
        switch (t.format()) {
            case CSV -> {
                storage.put("InputFormat", "org.apache.hadoop.mapred.TextInputFormat");
                storage.putObject("SerdeInfo").put("SerializationLibrary", "org.apache.hadoop.hive.serde2.OpenCSVSerde");
            }
            case PARQUET -> {
                storage.put("InputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
                storage.putObject("SerdeInfo")
                        .put("SerializationLibrary", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
            }
            case JSON -> {
                storage.put("InputFormat", "org.apache.hadoop.mapred.TextInputFormat");
                storage.putObject("SerdeInfo").put("SerializationLibrary", "org.openx.data.jsonserde.JsonSerDe");
            }
        }
        node.putArray("PartitionKeys");
        node.put("TableType", "EXTERNAL_TABLE");
        ObjectNode parameters = node.putObject("Parameters");
        t.parameters().forEach(parameters::put);
        node.put("CatalogId", t.accountId().value());
        return node;
    }
}
