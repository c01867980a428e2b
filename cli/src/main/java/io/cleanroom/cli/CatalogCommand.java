package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The account's catalog (Glue-compatible): databases and tables registered where the data lies, and
 * the connections through which the server reaches data in S3 or PostgreSQL.
 */
@Command(name = "catalog", description = "Register tables in your catalog (the Glue Data Catalog analogue), and "
        + "the connections that reach your data in S3 or PostgreSQL.",
        subcommands = {CatalogCommand.CreateDatabase.class, CatalogCommand.ListDatabases.class,
                CatalogCommand.DeleteDatabase.class, CatalogCommand.CreateTable.class, CatalogCommand.GetTable.class,
                CatalogCommand.ListTables.class, CatalogCommand.DeleteTable.class,
                CatalogCommand.CreateConnection.class, CatalogCommand.GetConnection.class,
                CatalogCommand.ListConnections.class, CatalogCommand.UpdateConnection.class,
                CatalogCommand.DeleteConnection.class})
final class CatalogCommand {
    abstract static class Sub implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Spec
        CommandSpec spec;

        JsonNode glue(String operation, ObjectNode body) {
            return Calls.call(client.client(), operation, "POST", "/", Map.of(),
                    Map.of("X-Amz-Target", "AWSGlue." + operation, "Content-Type", "application/x-amz-json-1.1"),
                    body.toString(), "glue");
        }

        int print(JsonNode json) {
            Calls.print(spec.commandLine().getOut(), json);
            return 0;
        }

        static ObjectNode object() {
            return Calls.MAPPER.createObjectNode();
        }
    }

    @Command(name = "create-database", description = "Create a database in your catalog.")
    static final class CreateDatabase extends Sub {
        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--description")
        String description;

        @Override
        public Integer call() {
            ObjectNode input = object().put("Name", name);
            if (description != null) {
                input.put("Description", description);
            }
            ObjectNode body = object();
            body.set("DatabaseInput", input);
            glue("CreateDatabase", body);
            return print(glue("GetDatabase", object().put("Name", name)));
        }
    }

    @Command(name = "list-databases", description = "List your databases.")
    static final class ListDatabases extends Sub {
        @Override
        public Integer call() {
            return print(glue("GetDatabases", object()));
        }
    }

    @Command(name = "delete-database", description = "Delete a database and its tables (refused while a "
            + "configured table uses one).")
    static final class DeleteDatabase extends Sub {
        @Option(names = "--name", required = true)
        String name;

        @Override
        public Integer call() {
            return print(glue("DeleteDatabase", object().put("Name", name)));
        }
    }

    @Command(name = "create-table", description = "Register a table in place: a local file, directory or glob, "
            + "or an S3 folder, in CSV (with header), Parquet or JSON lines; or a PostgreSQL table. Columns are "
            + "inferred when not given.")
    static final class CreateTable extends Sub {
        @Option(names = "--database", required = true)
        String database;

        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--location", required = true,
                description = "Absolute path of a file, a directory or a glob (/data/audience/*.csv), an S3 folder "
                        + "(s3://bucket/folder/) or a database (jdbc:postgresql://host:5432/db)")
        String location;

        @Option(names = "--format", required = true, description = "csv, parquet, json or postgresql")
        String format;

        @Option(names = "--column", paramLabel = "NAME:TYPE",
                description = "A column, repeatable (e.g. --column user_id_hash:string); inferred when omitted")
        List<String> columns = new ArrayList<>();

        @Option(names = "--partition", paramLabel = "NAME:TYPE", description = "S3: a partition column (folders "
                + "NAME=value/), repeatable; inferred from the folders when omitted")
        List<String> partitions = new ArrayList<>();

        @Option(names = "--connection", description = "S3 or PostgreSQL: the connection the data is read through")
        String connection;

        @Option(names = "--schema", description = "PostgreSQL: the table's schema (default public)")
        String schema;

        @Option(names = "--table", description = "PostgreSQL: the table's name in its schema")
        String table;

        @Option(names = "--description")
        String description;

        @Option(names = "--create-database", description = "Create the database first if it does not exist")
        boolean createDatabase;

        @Override
        public Integer call() {
            String classification = format.toLowerCase(Locale.ROOT);
            if (!List.of("csv", "parquet", "json", "postgresql").contains(classification)) {
                throw new CliException("error: --format must be csv, parquet, json or postgresql", Main.USAGE_ERROR);
            }
            if (createDatabase) {
                ObjectNode db = object();
                db.putObject("DatabaseInput").put("Name", database);
                try {
                    glue("CreateDatabase", db);
                } catch (CliException e) {
                    if (!e.getMessage().contains("AlreadyExistsException")) {
                        throw e;
                    }
                }
            }
            ObjectNode body = object().put("DatabaseName", database);
            ObjectNode input = body.putObject("TableInput").put("Name", name);
            if (description != null) {
                input.put("Description", description);
            }
            ObjectNode parameters = input.putObject("Parameters").put("classification", classification);
            if (connection != null) {
                parameters.put("connectionName", connection);
            }
            if (schema != null) {
                parameters.put("schema", schema);
            }
            if (table != null) {
                parameters.put("table", table);
            }
            ObjectNode storage = input.putObject("StorageDescriptor").put("Location", location);
            if (!columns.isEmpty()) {
                columns(storage.putArray("Columns"), columns);
            }
            if (!partitions.isEmpty()) {
                columns(input.putArray("PartitionKeys"), partitions);
            }
            glue("CreateTable", body);
            return print(glue("GetTable", object().put("DatabaseName", database).put("Name", name)));
        }
    }

    private static void columns(ArrayNode list, List<String> columns) {
        for (String column : columns) {
            int colon = column.indexOf(':');
            list.addObject().put("Name", colon < 0 ? column : column.substring(0, colon))
                    .put("Type", colon < 0 ? "string" : column.substring(colon + 1));
        }
    }

    @Command(name = "get-table", description = "Show a table.")
    static final class GetTable extends Sub {
        @Option(names = "--database", required = true)
        String database;

        @Option(names = "--name", required = true)
        String name;

        @Override
        public Integer call() {
            return print(glue("GetTable", object().put("DatabaseName", database).put("Name", name)));
        }
    }

    @Command(name = "list-tables", description = "List the tables of a database.")
    static final class ListTables extends Sub {
        @Option(names = "--database", required = true)
        String database;

        @Override
        public Integer call() {
            return print(glue("GetTables", object().put("DatabaseName", database)));
        }
    }

    @Command(name = "delete-table", description = "Delete a table (refused while a configured table uses it).")
    static final class DeleteTable extends Sub {
        @Option(names = "--database", required = true)
        String database;

        @Option(names = "--name", required = true)
        String name;

        @Override
        public Integer call() {
            return print(glue("DeleteTable", object().put("DatabaseName", database).put("Name", name)));
        }
    }

    @Command(name = "create-connection", description = "Store how the server reaches your data (Glue "
            + "CreateConnection): an S3 endpoint, region and access key pair, or a PostgreSQL JDBC URL, user and "
            + "password. The secret comes from " + ConnectionOptions.SECRET_ENV + ", or else the first line of "
            + "standard input, and is never shown again.")
    static final class CreateConnection extends Sub {
        @Option(names = "--name", required = true, description = "1-64 letters, digits and + = , . @ _ -")
        String name;

        @Mixin
        ConnectionOptions options;

        @Override
        public Integer call() {
            ObjectNode body = object();
            body.set("ConnectionInput", options.glueInput(name, ConnectionOptions.secret()));
            glue("CreateConnection", body);
            return print(glue("GetConnection", object().put("Name", name)));
        }
    }

    @Command(name = "get-connection", description = "Show one of your connections (never its secret).")
    static final class GetConnection extends Sub {
        @Option(names = "--name", required = true)
        String name;

        @Override
        public Integer call() {
            return print(glue("GetConnection", object().put("Name", name)));
        }
    }

    @Command(name = "list-connections", description = "List your connections (never their secrets).")
    static final class ListConnections extends Sub {
        @Override
        public Integer call() {
            return print(glue("GetConnections", object()));
        }
    }

    @Command(name = "update-connection", description = "Replace a connection's settings (its type stays). The "
            + "secret stays unless --replace-secret is given.")
    static final class UpdateConnection extends Sub {
        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--replace-secret", description = "Read a new secret (from "
                + ConnectionOptions.SECRET_ENV + " or standard input)")
        boolean replaceSecret;

        @Mixin
        ConnectionOptions options;

        @Override
        public Integer call() {
            ObjectNode body = object().put("Name", name);
            body.set("ConnectionInput", options.glueInput(name, replaceSecret ? ConnectionOptions.secret() : null));
            glue("UpdateConnection", body);
            return print(glue("GetConnection", object().put("Name", name)));
        }
    }

    @Command(name = "delete-connection", description = "Delete a connection (refused while a table names it).")
    static final class DeleteConnection extends Sub {
        @Option(names = "--name", required = true)
        String name;

        @Override
        public Integer call() {
            return print(glue("DeleteConnection", object().put("ConnectionName", name)));
        }
    }
}
