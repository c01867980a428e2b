package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.CatalogDatabase;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ConfiguredTable;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Each account's own catalog, the analogue of the Glue Data Catalog: databases and tables
 * registered in place. Names are lowercased, as Glue does.
 */
public final class CatalogService {
    private static final Pattern NAME = Pattern.compile("^[a-z0-9_][a-z0-9_-]{0,254}$");
    private static final Pattern COLUMN = Pattern.compile("^[a-z0-9_](([a-z0-9_ ]+-)*([a-z0-9_ ]+))?$");

    private final ServiceContext context;
    private final TableInspector inspector;
    private final ConnectionService connections;

    /** A catalog of local files only: tables behind a connection are refused. */
    public CatalogService(ServiceContext context, TableInspector inspector) {
        this(context, inspector, null);
    }

    /** connections opens the connection a remote table names (null: none may be named). */
    public CatalogService(ServiceContext context, TableInspector inspector, ConnectionService connections) {
        this.context = requireNonNull(context, "context is null");
        this.inspector = requireNonNull(inspector, "inspector is null");
        this.connections = connections;
    }

    public static String normaliseName(String field, String name) {
        String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
        if (!NAME.matcher(lower).matches()) {
            throw CleanroomException.validation(field,
                    "Name must be 1-255 letters, digits, underscores or hyphens, starting with a letter, digit or underscore");
        }
        return lower;
    }

    public CatalogDatabase createDatabase(Caller caller, String name, String description, String locationUri) {
        AccountId account = caller.requireAccount();
        String db = normaliseName("DatabaseInput.Name", name);
        return context.store().inTransaction(tx -> {
            if (tx.of(Kinds.CATALOG_DATABASES).get(account.value() + "/" + db).isPresent()) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.CATALOG_DATABASE, db,
                        "Database " + db + " already exists");
            }
            CatalogDatabase database = new CatalogDatabase(account, db, description, locationUri, context.now());
            tx.of(Kinds.CATALOG_DATABASES).insert(database);
            return database;
        });
    }

    private static CatalogDatabase database(Tx tx, AccountId account, String name) {
        return tx.of(Kinds.CATALOG_DATABASES).get(account.value() + "/" + name.toLowerCase(Locale.ROOT))
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.CATALOG_DATABASE, name,
                        "Database " + name + " not found"));
    }

    public CatalogDatabase getDatabase(Caller caller, String name) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> database(tx, account, name));
    }

    public Page<CatalogDatabase> listDatabases(Caller caller, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("NextToken", "GetDatabases", caller);
        return context.store().inTransaction(tx -> listing.read(page,
                (after, n) -> tx.of(Kinds.CATALOG_DATABASES).findAfter("account_id", account.value(), after, n),
                Kinds.CATALOG_DATABASES::positionOf, d -> true));
    }

    /** Deletes a database and its tables, unless a configured table still references one of them. */
    public void deleteDatabase(Caller caller, String name) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            CatalogDatabase database = database(tx, account, name);
            List<CatalogTable> tables = tx.of(Kinds.CATALOG_TABLES).find("database_key", database.key());
            for (CatalogTable table : tables) {
                requireUnreferenced(tx, table);
            }
            tables.forEach(t -> tx.of(Kinds.CATALOG_TABLES).delete(t.key()));
            tx.of(Kinds.CATALOG_DATABASES).delete(database.key());
            return null;
        });
    }

    private static Optional<ConfiguredTable> referencing(Tx tx, CatalogTable table) {
        return tx.of(Kinds.CONFIGURED_TABLES).find("owner_account_id", table.accountId().value()).stream()
                .filter(t -> t.tableReference().databaseName().equalsIgnoreCase(table.databaseName())
                        && t.tableReference().tableName().equalsIgnoreCase(table.name()))
                .findFirst();
    }

    private static void requireUnreferenced(Tx tx, CatalogTable table) {
        Optional<ConfiguredTable> user = referencing(tx, table);
        if (user.isPresent()) {
            throw CleanroomException.conflict(ErrorCode.SUBRESOURCES_EXIST, ResourceType.CATALOG_TABLE, table.name(),
                    "Table " + table.databaseName() + "." + table.name() + " is used by configured table "
                            + user.get().id() + "; delete that first");
        }
    }

    /**
     * A table definition: as the owner gave it (definition, kept and answered back unchanged) and as
     * Cleanroom reads it (the other fields, derived from it); columns may be empty to infer them from
     * the data; partitionKeys null when the definition gives none (an S3 table's are then inferred
     * from its folders), empty when it gives an empty list.
     */
    public record TableInput(
            String name,
            String description,
            String location,
            TableFormat format,
            List<Column> columns,
            Map<String, String> parameters,
            String definition,
            List<Column> partitionKeys) {
        public TableInput {
            columns = List.copyOf(columns == null ? List.of() : columns);
            parameters = Map.copyOf(parameters == null ? Map.of() : parameters);
            partitionKeys = partitionKeys == null ? null : List.copyOf(partitionKeys);
        }

        /** A definition without partition keys. */
        public TableInput(String name, String description, String location, TableFormat format, List<Column> columns,
                Map<String, String> parameters, String definition) {
            this(name, description, location, format, columns, parameters, definition, null);
        }
    }

    static final String LOCATION = "TableInput.StorageDescriptor.Location";
    static final String CONNECTION = "TableInput.Parameters." + ConnectionService.TABLE_PARAMETER;

    private List<String> dataRoots(AccountId account) {
        return context.store().inTransaction(tx -> tx.of(Kinds.ACCOUNTS).get(account.value())
                .map(io.cleanroom.core.model.Account::dataRoots).orElse(List.of()));
    }

    /** Whether a location lies behind a connection rather than on the server's disk. */
    public static boolean remote(String location) {
        return location != null && (location.startsWith("s3://") || location.startsWith("s3a://")
                || location.startsWith("jdbc:"));
    }

    private TableInspector.Layout layout(AccountId account, TableInput input) {
        List<String> roots = dataRoots(account);
        String connection = input.parameters().get(ConnectionService.TABLE_PARAMETER);
        if (remote(input.location())) {
            return remoteLayout(account, input, roots, connection);
        }
        if (connection != null) {
            throw CleanroomException.validation(CONNECTION, "A table of files on the server's disk is read "
                    + "without a connection; remove Parameters." + ConnectionService.TABLE_PARAMETER);
        }
        if (input.format() == TableFormat.POSTGRESQL) {
            throw CleanroomException.validation(LOCATION, "A PostgreSQL table's location is the database's "
                    + "jdbc:postgresql://host:port/database URL");
        }
        // the partition keys of a table on the server's disk are kept in its definition but not read
        List<String> local = roots.stream().filter(r -> !r.startsWith("s3://")).toList();
        inspector.checkLocation(input.location(), local, input.format());
        List<Column> columns = input.columns().isEmpty()
                ? inspector.inferColumns(input.location(), local, input.format())
                : input.columns();
        return new TableInspector.Layout(columns, List.of());
    }

    /** An s3:// or jdbc:postgresql:// table: read through the connection it names, of the right type. */
    private TableInspector.Layout remoteLayout(AccountId account, TableInput input, List<String> roots,
            String connection) {
        boolean s3 = input.location().startsWith("s3://");
        if (input.location().startsWith("s3a://")) {
            throw CleanroomException.validation(LOCATION, "Write an S3 location as s3://bucket/folder/");
        }
        if (!s3 && !input.location().startsWith("jdbc:postgresql:")) {
            throw CleanroomException.validation(LOCATION, "The only JDBC locations read are "
                    + "jdbc:postgresql://host:port/database");
        }
        if (connection == null) {
            throw CleanroomException.validation(CONNECTION, "A table in " + (s3 ? "S3" : "PostgreSQL")
                    + " names the connection it is read through: set Parameters."
                    + ConnectionService.TABLE_PARAMETER + " to one of your account's connections");
        }
        ConnectionService.checkName(CONNECTION, connection);
        if (connections == null) {
            throw CleanroomException.validation(LOCATION, "This server does not read tables from S3 or PostgreSQL");
        }
        ConnectionService.Opened opened = connections.open(account, connection).orElseThrow(() ->
                CleanroomException.validation(CONNECTION, "Your account has no connection named " + connection));
        io.cleanroom.core.model.ConnectionType wanted = s3 ? io.cleanroom.core.model.ConnectionType.S3
                : io.cleanroom.core.model.ConnectionType.POSTGRESQL;
        if (opened.connection().type() != wanted) {
            throw CleanroomException.validation(CONNECTION, "Connection " + connection + " is a "
                    + opened.connection().type() + " connection; a table at this location needs a " + wanted
                    + " one");
        }
        if (s3 == (input.format() == TableFormat.POSTGRESQL)) {
            throw CleanroomException.validation("TableInput.Parameters.classification", s3
                    ? "An S3 table's classification is csv, parquet or json"
                    : "A PostgreSQL table's classification is postgresql (or none)");
        }
        if (!s3 && input.partitionKeys() != null && !input.partitionKeys().isEmpty()) {
            throw CleanroomException.validation("TableInput.PartitionKeys", "A PostgreSQL table has no partition "
                    + "columns");
        }
        return inspector.inspect(new TableInspector.Remote(input.location(), input.format(), input.columns(),
                java.util.Optional.ofNullable(input.partitionKeys()), input.parameters(), roots, opened));
    }

    /** The table's columns, checked and in lower case; the partition columns last. */
    private TableInspector.Layout columns(AccountId account, TableInput input) {
        TableInspector.Layout layout = layout(account, input);
        List<Column> columns = layout.columns();
        List<Column> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i).name().toLowerCase(Locale.ROOT);
            if (!COLUMN.matcher(name).matches() || name.length() > 128) {
                throw CleanroomException.validation("TableInput.StorageDescriptor.Columns[" + i + "].Name",
                        "Column name " + columns.get(i).name()
                                + " must be at most 128 letters, digits, underscores, spaces or hyphens");
            }
            if (!seen.add(name)) {
                throw CleanroomException.validation("TableInput.StorageDescriptor.Columns[" + i + "].Name",
                        "Column " + name + " appears twice");
            }
            out.add(new Column(name, columns.get(i).type().toLowerCase(Locale.ROOT)));
        }
        if (out.isEmpty()) {
            throw CleanroomException.validation("TableInput.StorageDescriptor.Columns", "A table needs at least one column");
        }
        List<String> partitionKeys = layout.partitionKeys().stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        List<String> names = out.stream().map(Column::name).toList();
        if (!names.subList(names.size() - partitionKeys.size(), names.size()).equals(partitionKeys)) {
            throw CleanroomException.internal("partition columns out of place", null);
        }
        return new TableInspector.Layout(out, partitionKeys);
    }

    public CatalogTable createTable(Caller caller, String databaseName, TableInput input) {
        AccountId account = caller.requireAccount();
        String name = normaliseName("TableInput.Name", input.name());
        TableInspector.Layout layout = columns(account, input);
        List<Column> columns = layout.columns();
        return context.store().inTransaction(tx -> {
            CatalogDatabase database = database(tx, account, databaseName);
            if (tx.of(Kinds.CATALOG_TABLES).get(database.key() + "/" + name).isPresent()) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.CATALOG_TABLE, name,
                        "Table " + database.name() + "." + name + " already exists");
            }
            Instant now = context.now();
            CatalogTable table = new CatalogTable(account, database.name(), name, input.description(),
                    input.location(), input.format(), columns, input.parameters(), now, now, input.definition(),
                    layout.partitionKeys());
            tx.of(Kinds.CATALOG_TABLES).insert(table);
            return table;
        });
    }

    private static CatalogTable table(Tx tx, AccountId account, String databaseName, String name) {
        CatalogDatabase database = database(tx, account, databaseName);
        return tx.of(Kinds.CATALOG_TABLES).get(database.key() + "/" + name.toLowerCase(Locale.ROOT))
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.CATALOG_TABLE, name,
                        "Table " + databaseName + "." + name + " not found"));
    }

    public CatalogTable getTable(Caller caller, String databaseName, String name) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> table(tx, account, databaseName, name));
    }

    /** Tables of a database; pattern is a Glue-style regular expression on names, or null. */
    public Page<CatalogTable> listTables(Caller caller, String databaseName, String pattern, Page.Request page) {
        AccountId account = caller.requireAccount();
        Pattern filter;
        try {
            filter = pattern == null || pattern.isEmpty() ? null : Pattern.compile(pattern);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw CleanroomException.validation("Expression", "Not a valid regular expression");
        }
        return context.store().inTransaction(tx -> {
            CatalogDatabase database = database(tx, account, databaseName);
            Listing listing = context.pages().listing("NextToken", "GetTables", caller, database.key(), pattern);
            return listing.read(page,
                    (after, n) -> tx.of(Kinds.CATALOG_TABLES).findAfter("database_key", database.key(), after, n),
                    Kinds.CATALOG_TABLES::positionOf, t -> filter == null || filter.matcher(t.name()).matches());
        });
    }

    public CatalogTable updateTable(Caller caller, String databaseName, TableInput input) {
        AccountId account = caller.requireAccount();
        TableInspector.Layout layout = columns(account, input);
        List<Column> columns = layout.columns();
        return context.store().inTransaction(tx -> {
            CatalogTable existing = table(tx, account, databaseName, input.name());
            Optional<ConfiguredTable> user = referencing(tx, existing);
            if (user.isPresent()) {
                for (String allowed : user.get().allowedColumns()) {
                    if (columns.stream().noneMatch(c -> c.name().equalsIgnoreCase(allowed))) {
                        throw CleanroomException.validation("TableInput.StorageDescriptor.Columns",
                                "Column " + allowed + " is allowed by configured table " + user.get().id()
                                        + " and cannot be removed");
                    }
                }
            }
            CatalogTable updated = new CatalogTable(account, existing.databaseName(), existing.name(),
                    input.description(), input.location(), input.format(), columns, input.parameters(),
                    existing.createTime(), context.now(), input.definition(), layout.partitionKeys());
            tx.of(Kinds.CATALOG_TABLES).update(updated);
            return updated;
        });
    }

    public void deleteTable(Caller caller, String databaseName, String name) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            CatalogTable table = table(tx, account, databaseName, name);
            requireUnreferenced(tx, table);
            tx.of(Kinds.CATALOG_TABLES).delete(table.key());
            return null;
        });
    }
}
