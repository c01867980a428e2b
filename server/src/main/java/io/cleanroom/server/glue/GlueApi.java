package io.cleanroom.server.glue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.CatalogDatabase;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.service.CatalogService;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Page;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subset of the AWS Glue API (awsJson1.1, X-Amz-Target AWSGlue.*) that registers tables in an
 * account's catalog, so the SDK's Glue client works: databases, tables whose definition
 * (TableInput) is kept as sent ({@link GlueTableInput}) and read for StorageDescriptor.Location, the
 * columns and the classification and connectionName parameters, and the account's connections
 * ({@link GlueConnections}).
 */
public final class GlueApi {
    public static final Set<String> OPERATIONS = Set.of("CreateDatabase", "GetDatabase", "GetDatabases",
            "DeleteDatabase", "CreateTable", "GetTable", "GetTables", "UpdateTable", "DeleteTable", "GetTableSchema",
            "CreateConnection", "GetConnection", "GetConnections", "UpdateConnection", "DeleteConnection");
    /** The operations whose request bodies carry a secret, which the audit trail records hidden. */
    public static final Set<String> SECRET_BEARING = Set.of("CreateConnection", "UpdateConnection");
    private static final Pattern CATALOG_ID = Pattern.compile("^\\d{12}$");
    /**
     * The longest name a new database or table may have: 128, what a Clean Rooms table reference
     * can name (Glue itself allows 255). Lookups accept 255.
     */
    static final int NEW_NAME_MAX = 128;

    private final CatalogService catalog;
    private final GlueConnections connections;

    public GlueApi(CatalogService catalog, io.cleanroom.core.service.ConnectionService connections) {
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.connections = new GlueConnections(connections);
    }

    public boolean serves(String operation) {
        return OPERATIONS.contains(operation);
    }

    public HttpResponse handle(String operation, Caller caller, JsonNode json) {
        In body = In.of(json);
        String catalogId = body.string("CatalogId", false, 1, 255, CATALOG_ID);
        if (catalogId != null && caller.account() != null && !catalogId.equals(caller.account().value())) {
            throw CleanroomException.accessDenied("You can only use your own catalog (" + caller.account() + ")");
        }
        if (GlueConnections.OPERATIONS.contains(operation)) {
            return connections.handle(operation, caller, body);
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
            case "GetTableSchema" -> {
                // Cleanroom's own: the table as Cleanroom reads it, the columns it inferred included
                String database = body.string("DatabaseName", true, 1, 255, null);
                String name = body.string("Name", true, 1, 255, null);
                body.done();
                ObjectNode out = Json.object();
                out.set("Table", reading(catalog.getTable(caller, database, name)));
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

    /**
     * The TableInput of CreateTable or UpdateTable: checked against the Glue model and kept as sent
     * (the definition), with Cleanroom's reading of it beside; null after reporting problems on body.
     */
    private static CatalogService.TableInput tableInput(In body) {
        List<CleanroomException.FieldError> errors = new ArrayList<>();
        ObjectNode definition = GlueTableInput.check(body.raw("TableInput"), errors);
        GlueTableInput.Interpretation reading = definition == null ? null
                : GlueTableInput.interpret(definition, errors);
        errors.forEach(e -> body.error(e.name(), e.message()));
        if (reading == null) {
            return null;
        }
        return new CatalogService.TableInput(reading.name(), reading.description(), reading.location(),
                reading.format(), reading.columns(), reading.parameters(), definition.toString(),
                reading.partitionKeys());
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

    /**
     * A table as Glue answers it: the definition as the owner sent it, plus what Glue adds (the
     * database, times, catalog id, Lake Formation flag) and the name folded to lower case as Glue
     * stores it.
     */
    private ObjectNode table(CatalogTable t) {
        if (t.definition() == null) {
            return legacyTable(t);
        }
        ObjectNode node;
        try {
            node = (ObjectNode) Json.MAPPER.readTree(t.definition());
        } catch (java.io.IOException | ClassCastException e) {
            throw CleanroomException.internal("cannot read the stored definition of table " + t.name(), e);
        }
        node.put("Name", t.name());
        node.put("DatabaseName", t.databaseName());
        node.put("CreateTime", Json.time(t.createTime()));
        node.put("UpdateTime", Json.time(t.updateTime()));
        node.put("CatalogId", t.accountId().value());
        node.put("IsRegisteredWithLakeFormation", false);
        return node;
    }

    /**
     * Cleanroom's reading of a table (GetTableSchema): its location, format and columns with their
     * types, whether the columns were inferred from the data (the definition gives none), the
     * connection it is read through (when it lies in S3 or PostgreSQL), and its partition columns
     * (the last of its columns, an S3 table's Hive-style folders).
     */
    private ObjectNode reading(CatalogTable t) {
        ObjectNode node = Json.object();
        node.put("Name", t.name());
        node.put("DatabaseName", t.databaseName());
        node.put("Location", t.location());
        node.put("Format", t.format().name().toLowerCase(java.util.Locale.ROOT));
        ArrayNode columns = node.putArray("Columns");
        t.columns().forEach(c -> columns.addObject().put("Name", c.name()).put("Type", c.type()));
        boolean given = false;
        if (t.definition() != null) {
            try {
                given = Json.MAPPER.readTree(t.definition()).path("StorageDescriptor").path("Columns").size() > 0;
            } catch (java.io.IOException e) {
                throw CleanroomException.internal("cannot read the stored definition of table " + t.name(), e);
            }
        } else {
            given = true;
        }
        node.put("ColumnsInferred", !given);
        t.connectionName().ifPresent(c -> node.put("ConnectionName", c));
        ArrayNode partitions = node.putArray("PartitionKeys");
        t.partitionKeys().forEach(partitions::add);
        node.put("CatalogId", t.accountId().value());
        return node;
    }

    /** A table registered before definitions were kept: rebuilt from Cleanroom's reading of it. */
    private ObjectNode legacyTable(CatalogTable t) {
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
            case POSTGRESQL -> {
                // only tables registered before definitions were kept take this path, and none was PostgreSQL
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
