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

/** The account's catalog (Glue-compatible): databases and tables registered where the data lies. */
@Command(name = "catalog", description = "Register tables in your catalog (the Glue Data Catalog analogue).",
        subcommands = {CatalogCommand.CreateDatabase.class, CatalogCommand.ListDatabases.class,
                CatalogCommand.DeleteDatabase.class, CatalogCommand.CreateTable.class, CatalogCommand.GetTable.class,
                CatalogCommand.ListTables.class, CatalogCommand.DeleteTable.class})
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
            + "in CSV (with header), Parquet or JSON lines. Columns are inferred from CSV and JSON data when not given.")
    static final class CreateTable extends Sub {
        @Option(names = "--database", required = true)
        String database;

        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--location", required = true,
                description = "Absolute path of a file, a directory or a glob, e.g. /data/audience/*.csv")
        String location;

        @Option(names = "--format", required = true, description = "csv, parquet or json")
        String format;

        @Option(names = "--column", paramLabel = "NAME:TYPE",
                description = "A column, repeatable (e.g. --column user_id_hash:string); inferred when omitted")
        List<String> columns = new ArrayList<>();

        @Option(names = "--description")
        String description;

        @Option(names = "--create-database", description = "Create the database first if it does not exist")
        boolean createDatabase;

        @Override
        public Integer call() {
            String classification = format.toLowerCase(Locale.ROOT);
            if (!List.of("csv", "parquet", "json").contains(classification)) {
                throw new CliException("error: --format must be csv, parquet or json", Main.USAGE_ERROR);
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
            input.putObject("Parameters").put("classification", classification);
            ObjectNode storage = input.putObject("StorageDescriptor").put("Location", location);
            if (!columns.isEmpty()) {
                ArrayNode list = storage.putArray("Columns");
                for (String column : columns) {
                    int colon = column.indexOf(':');
                    list.addObject().put("Name", colon < 0 ? column : column.substring(0, colon))
                            .put("Type", colon < 0 ? "string" : column.substring(colon + 1));
                }
            }
            glue("CreateTable", body);
            return print(glue("GetTable", object().put("DatabaseName", database).put("Name", name)));
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
}
