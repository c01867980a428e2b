package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tables: register a catalog table over any location the catalog reads (files inside the data roots,
 * an S3 folder or a PostgreSQL table through one of the account's data connections; columns
 * inferred, types fixable), configure
 * it with a column picker, add its analysis rule ({@link RulePages}), associate it with a
 * collaboration and choose who may receive results.
 */
final class TablePages {
    /** Column types a user may choose when fixing an inferred one. */
    static final List<String> TYPES = List.of("string", "bigint", "int", "smallint", "tinyint", "double", "float",
            "boolean", "date", "timestamp", "decimal(38,2)");

    private final Views views;

    TablePages(Views views) {
        this.views = requireNonNull(views, "views is null");
    }

    void register(Routes routes) {
        routes.get("/tables", Routes.Access.ACCOUNT, this::list);
        routes.get("/catalog/new", Routes.Access.ACCOUNT, x -> registerForm(x, FormState.blank(Map.of(
                "database", "default", "format", "csv", "source", "files", "pgSchema", "public"))));
        routes.post("/catalog", Routes.Access.ACCOUNT, this::registerTable);
        routes.get("/catalog/{database}/{table}", Routes.Access.ACCOUNT, x -> catalogTable(x, null));
        routes.post("/catalog/{database}/{table}/columns", Routes.Access.ACCOUNT, this::fixColumns);
        routes.get("/configured-tables/new", Routes.Access.ACCOUNT, x -> configureForm(x, FormState.blank()));
        routes.post("/configured-tables", Routes.Access.ACCOUNT, this::configure);
        routes.get("/configured-tables/{id}", Routes.Access.ACCOUNT, this::configuredTable);
        routes.post("/configured-tables/{id}/delete", Routes.Access.ACCOUNT, this::deleteConfigured);
        routes.get("/configured-tables/{id}/associate", Routes.Access.ACCOUNT, x -> associateForm(x, FormState.blank()));
        routes.post("/configured-tables/{id}/associate", Routes.Access.ACCOUNT, this::associate);
        routes.get("/memberships/{membership}/associations", Routes.Access.ACCOUNT, this::associations);
        routes.post("/memberships/{membership}/associations/{association}/delete", Routes.Access.ACCOUNT,
                this::deleteAssociation);
    }

    // ---------------------------------------------------------------- list

    record ConfiguredRow(String id, String name, List<String> ruleTypes, String analysisMethod, String createTime) {
    }

    /** A catalog table: where it lies, and the connection it is read through ("" for files on the server). */
    record CatalogRow(String database, String name, String location, String connection) {
    }

    record ListView(Chrome chrome, List<ConfiguredRow> configured, List<CatalogRow> catalog, String nextToken) {
    }

    private WebReply list(Exchange x) {
        Map<String, String> query = new LinkedHashMap<>();
        if (!x.query().get("nextToken").isEmpty()) {
            query.put("nextToken", x.query().get("nextToken"));
        }
        List<Object> both = x.api().all(List.of(
                () -> x.api().call(Operation.LIST_CONFIGURED_TABLES, Map.of(), query, null),
                () -> catalog(x)));
        JsonNode listed = (JsonNode) both.get(0);
        @SuppressWarnings("unchecked")
        List<CatalogRow> catalog = (List<CatalogRow>) both.get(1);
        List<ConfiguredRow> configured = new ArrayList<>();
        for (JsonNode t : listed.path("configuredTableSummaries")) {
            configured.add(new ConfiguredRow(Format.text(t, "id"), Format.text(t, "name"),
                    Format.strings(t, "analysisRuleTypes"), Format.text(t, "analysisMethod"),
                    Format.time(t, "createTime")));
        }
        return views.page("tables", new ListView(x.chrome("Tables", "tables"), configured, catalog,
                Format.text(listed, "nextToken")));
    }

    /** The account's catalog tables (its first 100 databases, 100 tables each). */
    static List<CatalogRow> catalog(Exchange x) {
        List<CatalogRow> out = new ArrayList<>();
        for (JsonNode db : x.api().glue("GetDatabases", Api.object()).path("DatabaseList")) {
            String database = Format.text(db, "Name");
            ObjectNode body = Api.object().put("DatabaseName", database);
            for (JsonNode t : x.api().glue("GetTables", body).path("TableList")) {
                out.add(new CatalogRow(database, Format.text(t, "Name"),
                        t.path("StorageDescriptor").path("Location").asText(""),
                        t.path("Parameters").path("connectionName").asText("")));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- catalog

    /** The kinds of location the register form offers, as the catalog reads them. */
    static final List<String> SOURCES = List.of("files", "s3", "postgresql");

    /** The API's names of the register form's fields, to the form's. */
    private static final Map<String, String> REGISTER_FIELDS = registerFields();

    private static Map<String, String> registerFields() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("TableInput.StorageDescriptor.Location", "location");
        out.put("TableInput.Parameters.connectionName", "connection");
        out.put("TableInput.Parameters.classification", "format");
        out.put("TableInput.Parameters.schema", "pgSchema");
        out.put("TableInput.Parameters.table", "pgTable");
        out.put("TableInput.PartitionKeys", "location");
        out.put("TableInput.Name", "name");
        out.put("TableInput.Description", "description");
        out.put("DatabaseInput.Name", "database");
        out.put("DatabaseName", "database");
        out.put("Name", "database");
        return out;
    }

    record RegisterView(Chrome chrome, FormState form, List<ConnectionPages.Row> connections, String connectionsError) {
    }

    private WebReply registerForm(Exchange x, FormState form) {
        List<ConnectionPages.Row> connections = List.of();
        String connectionsError = null;
        try {
            connections = ConnectionPages.own(x);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            connectionsError = e.getMessage();
        }
        return views.page(form.failed() ? 400 : 200, "catalog_new", new RegisterView(x.chrome("Register a table",
                "tables"), form, connections, connectionsError));
    }

    /**
     * CreateTable with the TableInput the Glue API takes for each kind of location: files on the
     * server's disk (a classification); an S3 folder (a classification and the connection it is read
     * through); a PostgreSQL table (the connection, the schema and the table; the location is the
     * database's URL, the connection's when the form leaves it empty). The columns are the server's to
     * read: from the data, or from the database's catalog.
     */
    private WebReply registerTable(Exchange x) {
        Form f = x.form();
        String database = f.get("database");
        String source = SOURCES.contains(f.get("source")) ? f.get("source") : "files";
        try {
            ObjectNode input = Api.object();
            input.put("Name", f.get("name"));
            if (!f.get("description").isEmpty()) {
                input.put("Description", f.get("description"));
            }
            ObjectNode parameters = input.putObject("Parameters");
            String location = f.get("location");
            if (source.equals("postgresql")) {
                parameters.put("connectionName", f.get("connection"));
                parameters.put("schema", f.get("pgSchema").isEmpty() ? "public" : f.get("pgSchema"));
                parameters.put("table", f.get("pgTable"));
                if (location.isEmpty()) {
                    location = connectionUrl(x, f.get("connection"));
                }
            } else {
                parameters.put("classification", f.get("format"));
                if (source.equals("s3")) {
                    parameters.put("connectionName", f.get("connection"));
                }
            }
            input.putObject("StorageDescriptor").put("Location", location);
            ensureDatabase(x, database);
            x.api().glue("CreateTable", Api.object().put("DatabaseName", database).set("TableInput", input));
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return registerForm(x, new FormState(f, e.renamed(REGISTER_FIELDS), Map.of()));
        }
        String name = f.get("name").toLowerCase(java.util.Locale.ROOT);
        x.session().notice("Table " + name + " registered. " + (source.equals("postgresql")
                ? "Its columns are the database's, as the connection's user sees them."
                : "Check the columns read from the data, and fix a type if it is wrong."));
        return WebReply.seeOther(Console.PREFIX + "/catalog/" + Api.encode(database.toLowerCase(java.util.Locale.ROOT))
                + "/" + Api.encode(name));
    }

    /** The JDBC URL of the account's connection of that name ("" when it has none: the API then says why). */
    private static String connectionUrl(Exchange x, String connection) {
        if (connection.isEmpty()) {
            return "";
        }
        try {
            return x.api().glue("GetConnection", Api.object().put("Name", connection)).path("Connection")
                    .path("ConnectionProperties").path("JDBC_CONNECTION_URL").asText("");
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return "";
        }
    }

    private static void ensureDatabase(Exchange x, String database) {
        try {
            x.api().glue("GetDatabase", Api.object().put("Name", database));
        } catch (ApiError e) {
            if (!e.notFound() && !e.type().equals("EntityNotFoundException")) {
                throw e;
            }
            x.api().glue("CreateDatabase", Api.object().set("DatabaseInput", Api.object().put("Name", database)));
        }
    }

    record Column(String name, String type) {
    }

    record CatalogView(Chrome chrome, String database, String name, String location, String format,
            boolean inferred, List<Column> columns, List<String> types, String error, String connection,
            List<String> partitionKeys) {
        /** A PostgreSQL table's columns are the database's: read again, never set here. */
        boolean fixable() {
            return !format.equals("postgresql");
        }

        boolean partition(String column) {
            return partitionKeys.contains(column);
        }
    }

    private WebReply catalogTable(Exchange x, String error) {
        String database = x.path("database");
        String table = x.path("table");
        JsonNode reading = x.api().glue("GetTableSchema", Api.object().put("DatabaseName", database)
                .put("Name", table)).path("Table");
        List<Column> columns = new ArrayList<>();
        for (JsonNode c : reading.path("Columns")) {
            columns.add(new Column(Format.text(c, "Name"), Format.text(c, "Type")));
        }
        return views.page(error == null ? 200 : 400, "catalog_table", new CatalogView(x.chrome(table, "tables"),
                database, table, Format.text(reading, "Location"), Format.text(reading, "Format"),
                reading.path("ColumnsInferred").asBoolean(), columns, TYPES, error,
                Format.text(reading, "ConnectionName"), Format.strings(reading, "PartitionKeys")));
    }

    /**
     * UpdateTable with the definition as it is and the columns as the user set their types (the
     * partition columns of an S3 table as its PartitionKeys); for a PostgreSQL table, the definition
     * as it is, so that the server reads the database's catalog again.
     */
    private WebReply fixColumns(Exchange x) {
        String database = x.path("database");
        String table = x.path("table");
        Form f = x.form();
        JsonNode reading = x.api().glue("GetTableSchema", Api.object().put("DatabaseName", database)
                .put("Name", table)).path("Table");
        ObjectNode definition = (ObjectNode) x.api().glue("GetTable", Api.object().put("DatabaseName", database)
                .put("Name", table)).path("Table").deepCopy();
        for (String added : List.of("DatabaseName", "CreateTime", "UpdateTime", "CatalogId",
                "IsRegisteredWithLakeFormation")) {
            definition.remove(added);
        }
        boolean postgres = Format.text(reading, "Format").equals("postgresql");
        if (!postgres) {
            List<String> partitionKeys = Format.strings(reading, "PartitionKeys");
            ArrayNode columns = Api.object().putArray("Columns");
            ArrayNode partitions = Api.object().putArray("PartitionKeys");
            int i = 0;
            for (JsonNode c : reading.path("Columns")) {
                String type = f.get("type." + i);
                String name = Format.text(c, "Name");
                (partitionKeys.contains(name) ? partitions : columns).addObject().put("Name", name)
                        .put("Type", type.isEmpty() ? Format.text(c, "Type") : type);
                i++;
            }
            JsonNode storage = definition.get("StorageDescriptor");
            ObjectNode sd = storage instanceof ObjectNode o ? o : definition.putObject("StorageDescriptor");
            sd.set("Columns", columns);
            if (!partitionKeys.isEmpty()) {
                definition.set("PartitionKeys", partitions);
            }
        }
        try {
            x.api().glue("UpdateTable", Api.object().put("DatabaseName", database).set("TableInput", definition));
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return catalogTable(x, e.getMessage());
        }
        x.session().notice(postgres ? "Columns read again from the database." : "Column types saved.");
        return WebReply.seeOther(Console.PREFIX + "/catalog/" + Api.encode(database) + "/" + Api.encode(table));
    }

    // ---------------------------------------------------------------- configured tables

    record ConfigureView(Chrome chrome, FormState form, List<CatalogRow> catalog, String database, String table,
            List<Column> columns) {
    }

    private WebReply configureForm(Exchange x, FormState form) {
        String database = x.query().get("database");
        String table = x.query().get("table");
        if (form.failed()) {
            database = x.form().get("database");
            table = x.form().get("table");
        }
        List<Column> columns = new ArrayList<>();
        if (!database.isEmpty() && !table.isEmpty()) {
            JsonNode reading = x.api().glue("GetTableSchema", Api.object().put("DatabaseName", database)
                    .put("Name", table)).path("Table");
            for (JsonNode c : reading.path("Columns")) {
                columns.add(new Column(Format.text(c, "Name"), Format.text(c, "Type")));
            }
        }
        FormState shown = form.failed() ? form : FormState.blank(Map.of("name", table));
        return views.page(form.failed() ? 400 : 200, "configured_new", new ConfigureView(
                x.chrome("Configure a table", "tables"), shown, columns.isEmpty() ? catalog(x) : List.of(),
                database, table, columns));
    }

    private WebReply configure(Exchange x) {
        Form f = x.form();
        ObjectNode body = Api.object();
        body.put("name", f.get("name"));
        if (!f.get("description").isEmpty()) {
            body.put("description", f.get("description"));
        }
        body.putObject("tableReference").putObject("glue").put("databaseName", f.get("database"))
                .put("tableName", f.get("table"));
        ArrayNode allowed = body.putArray("allowedColumns");
        f.all("allowedColumns").forEach(allowed::add);
        body.put("analysisMethod", "DIRECT_QUERY");
        JsonNode created;
        try {
            created = x.api().call(Operation.CREATE_CONFIGURED_TABLE, Map.of(), body);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return configureForm(x, new FormState(f, e, Map.of()));
        }
        String id = created.path("configuredTable").path("id").asText();
        x.session().notice("Configured table " + f.get("name") + " created. Add an analysis rule: without one it "
                + "cannot be queried.");
        return WebReply.seeOther(Console.PREFIX + "/configured-tables/" + Api.encode(id));
    }

    record Rule(String type, List<String> summary, String json) {
    }

    record ConfiguredView(Chrome chrome, String id, String name, String description, String database,
            String table, List<String> allowedColumns, String analysisMethod, String createTime, List<Rule> rules) {
    }

    private WebReply configuredTable(Exchange x) {
        String id = x.path("id");
        JsonNode t = x.api().call(Operation.GET_CONFIGURED_TABLE, Map.of("configuredTableIdentifier", id))
                .path("configuredTable");
        List<Rule> rules = new ArrayList<>();
        for (String type : Format.strings(t, "analysisRuleTypes")) {
            JsonNode rule = x.api().call(Operation.GET_CONFIGURED_TABLE_ANALYSIS_RULE,
                    Map.of("configuredTableIdentifier", id, "analysisRuleType", type)).path("analysisRule");
            rules.add(new Rule(type, RuleSummary.describe(rule.path("policy")), pretty(rule.path("policy"))));
        }
        JsonNode glue = t.path("tableReference").path("glue");
        return views.page("configured_table", new ConfiguredView(x.chrome(Format.text(t, "name"), "tables"), id,
                Format.text(t, "name"), Format.text(t, "description"), Format.text(glue, "databaseName"),
                Format.text(glue, "tableName"), Format.strings(t, "allowedColumns"), Format.text(t, "analysisMethod"),
                Format.time(t, "createTime"), rules));
    }

    static String pretty(JsonNode node) {
        try {
            return io.cleanroom.server.wire.Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private WebReply deleteConfigured(Exchange x) {
        x.api().call(Operation.DELETE_CONFIGURED_TABLE, Map.of("configuredTableIdentifier", x.path("id")));
        x.session().notice("Configured table deleted.");
        return WebReply.seeOther(Console.PREFIX + "/tables");
    }

    // ---------------------------------------------------------------- associations

    record Membership(String id, String collaborationName) {
    }

    record Receiver(String accountId, String displayName) {
    }

    record AssociateView(Chrome chrome, FormState form, String tableId, String tableName, String ruleType,
            List<Membership> memberships, String membership, String collaborationName, List<Receiver> receivers) {
    }

    private WebReply associateForm(Exchange x, FormState form) {
        String id = x.path("id");
        JsonNode t = x.api().call(Operation.GET_CONFIGURED_TABLE, Map.of("configuredTableIdentifier", id))
                .path("configuredTable");
        String membership = form.failed() ? x.form().get("membership") : x.query().get("membership");
        List<Membership> memberships = new ArrayList<>();
        String collaborationName = "";
        for (JsonNode m : x.api().call(Operation.LIST_MEMBERSHIPS, Map.of(), Map.of("status", "ACTIVE"), null)
                .path("membershipSummaries")) {
            memberships.add(new Membership(Format.text(m, "id"), Format.text(m, "collaborationName")));
            if (Format.text(m, "id").equals(membership)) {
                collaborationName = Format.text(m, "collaborationName");
            }
        }
        List<Receiver> receivers = new ArrayList<>();
        if (!membership.isEmpty()) {
            JsonNode m = x.api().call(Operation.GET_MEMBERSHIP, Map.of("membershipIdentifier", membership))
                    .path("membership");
            collaborationName = Format.text(m, "collaborationName");
            for (JsonNode member : x.api().call(Operation.LIST_MEMBERS, Map.of("collaborationIdentifier",
                    Format.text(m, "collaborationId"))).path("memberSummaries")) {
                if (Format.strings(member, "abilities").contains("CAN_RECEIVE_RESULTS")) {
                    receivers.add(new Receiver(Format.text(member, "accountId"), Format.text(member, "displayName")));
                }
            }
        }
        List<String> types = Format.strings(t, "analysisRuleTypes");
        FormState shown = form.failed() ? form : FormState.blank(Map.of("name", Format.text(t, "name"),
                "roleArn", "arn:aws:iam::" + x.account() + ":role/cleanrooms"));
        return views.page(form.failed() ? 400 : 200, "associate", new AssociateView(
                x.chrome("Associate " + Format.text(t, "name"), "tables"), shown, id, Format.text(t, "name"),
                types.isEmpty() ? "" : types.get(0), memberships, membership, collaborationName, receivers));
    }

    private WebReply associate(Exchange x) {
        String id = x.path("id");
        Form f = x.form();
        String membership = f.get("membership");
        ObjectNode body = Api.object();
        body.put("name", f.get("name"));
        if (!f.get("description").isEmpty()) {
            body.put("description", f.get("description"));
        }
        body.put("configuredTableIdentifier", id);
        body.put("roleArn", f.get("roleArn"));
        JsonNode created;
        try {
            if (membership.isEmpty()) {
                throw new ApiError(400, "ValidationException", "Choose the collaboration to associate the table with",
                        List.of(new ApiError.FieldError("membership", "Choose a collaboration")));
            }
            created = x.api().call(Operation.CREATE_CONFIGURED_TABLE_ASSOCIATION,
                    Map.of("membershipIdentifier", membership), body);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return associateForm(x, new FormState(f, e, Map.of()));
        }
        List<String> receivers = f.all("allowedResultReceivers");
        String ruleType = f.get("ruleType");
        if (!receivers.isEmpty() && !ruleType.isEmpty()) {
            String association = created.path("configuredTableAssociation").path("id").asText();
            ObjectNode rule = Api.object();
            rule.put("analysisRuleType", ruleType);
            ArrayNode allowed = rule.putObject("analysisRulePolicy").putObject("v1")
                    .putObject(ruleType.toLowerCase(java.util.Locale.ROOT)).putArray("allowedResultReceivers");
            receivers.forEach(allowed::add);
            try {
                x.api().call(Operation.CREATE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, Map.of(
                        "membershipIdentifier", membership, "configuredTableAssociationIdentifier", association), rule);
            } catch (ApiError e) {
                if (e.status() >= 500) {
                    throw e;
                }
                x.session().notice("The table is associated, but who may receive results was not saved: "
                        + e.getMessage());
                return WebReply.seeOther(Console.PREFIX + "/memberships/" + Api.encode(membership) + "/associations");
            }
        }
        x.session().notice("Table associated as " + f.get("name") + ".");
        return WebReply.seeOther(Console.PREFIX + "/memberships/" + Api.encode(membership) + "/associations");
    }

    record Association(String id, String name, String configuredTableId, List<String> ruleTypes,
            List<String> receivers) {
    }

    record AssociationsView(Chrome chrome, String membership, String collaborationId, String collaborationName,
            List<Association> associations, List<ConfiguredRow> configured) {
    }

    private WebReply associations(Exchange x) {
        String membership = x.path("membership");
        JsonNode m = x.api().call(Operation.GET_MEMBERSHIP, Map.of("membershipIdentifier", membership))
                .path("membership");
        List<Association> out = new ArrayList<>();
        for (JsonNode a : x.api().call(Operation.LIST_CONFIGURED_TABLE_ASSOCIATIONS,
                Map.of("membershipIdentifier", membership)).path("configuredTableAssociationSummaries")) {
            List<String> receivers = new ArrayList<>();
            for (String type : Format.strings(a, "analysisRuleTypes")) {
                JsonNode rule = x.api().call(Operation.GET_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, Map.of(
                        "membershipIdentifier", membership, "configuredTableAssociationIdentifier", Format.text(a, "id"),
                        "analysisRuleType", type)).path("analysisRule");
                rule.path("policy").path("v1").forEach(p -> receivers.addAll(Format.strings(p,
                        "allowedResultReceivers")));
            }
            out.add(new Association(Format.text(a, "id"), Format.text(a, "name"), Format.text(a, "configuredTableId"),
                    Format.strings(a, "analysisRuleTypes"), receivers));
        }
        List<ConfiguredRow> configured = new ArrayList<>();
        for (JsonNode t : x.api().call(Operation.LIST_CONFIGURED_TABLES, Map.of()).path("configuredTableSummaries")) {
            configured.add(new ConfiguredRow(Format.text(t, "id"), Format.text(t, "name"),
                    Format.strings(t, "analysisRuleTypes"), Format.text(t, "analysisMethod"),
                    Format.time(t, "createTime")));
        }
        return views.page("associations", new AssociationsView(x.chrome("Tables in " + Format.text(m,
                "collaborationName"), "collaborations"), membership, Format.text(m, "collaborationId"),
                Format.text(m, "collaborationName"), out, configured));
    }

    private WebReply deleteAssociation(Exchange x) {
        String membership = x.path("membership");
        x.api().call(Operation.DELETE_CONFIGURED_TABLE_ASSOCIATION, Map.of("membershipIdentifier", membership,
                "configuredTableAssociationIdentifier", x.path("association")));
        x.session().notice("Association removed.");
        return WebReply.seeOther(Console.PREFIX + "/memberships/" + Api.encode(membership) + "/associations");
    }
}
