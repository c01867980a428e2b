package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnFilter;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.core.model.S3Location;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.service.ConnectionService;
import io.cleanroom.core.service.TableInspector;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.TableSource;
import io.cleanroom.sources.ParquetRanges;
import io.cleanroom.sources.PostgresDatabase;
import io.cleanroom.sources.S3Storage;
import io.cleanroom.sources.SourceException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data that lies behind a connection, read for a query or looked at to register a table.
 *
 * <p>For a query, each table's data is written into the query's {@link Staging} area and the
 * engine reads those files: an S3 table's objects, listed afresh, each fetched whole unless its
 * partition cannot hold a row the query counts ({@link S3Layout#keep}); a PostgreSQL table's rows,
 * only the columns the query may read, streamed through a cursor into JSON lines with the filters
 * that are safe to push down. Both engines read these files as they read the owner's own, so one
 * mechanism serves DuckDB (whose S3 and PostgreSQL extensions cannot be installed here) and Spark
 * (whose s3a would need the whole AWS SDK bundle and the owners' keys in its configuration).
 */
public final class Sources {
    private static final Logger LOG = LoggerFactory.getLogger(Sources.class);

    /**
     * Where queries stage what they read (a directory of the server's, never shared with members),
     * how long to wait for storage and databases, and the most objects one table may have.
     */
    public record Settings(Path stagingRoot, S3Storage.Timeouts s3, Duration database, int maxObjects) {
        public Settings {
            requireNonNull(stagingRoot, "stagingRoot is null");
            requireNonNull(s3, "s3 is null");
            requireNonNull(database, "database is null");
            if (maxObjects < 1) {
                throw new IllegalArgumentException("maxObjects must be at least 1");
            }
        }

        public static Settings defaults(Path stagingRoot) {
            return new Settings(stagingRoot, S3Storage.Timeouts.defaults(), Duration.ofMinutes(30), 100_000);
        }
    }

    /**
     * What a query read of one table behind a connection: the objects and bytes its location held
     * (for S3: -1 bytes when unknown), and those it fetched; for S3 also its partitions and those
     * read. A pruned query reads fewer.
     */
    public record Read(String table, String location, int objects, int objectsRead, long bytes, long bytesRead,
            int partitions, int partitionsRead) {
    }

    private final ConnectionService connections;
    private final Settings settings;

    public Sources(ConnectionService connections, Settings settings) {
        this.connections = requireNonNull(connections, "connections is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    Settings settings() {
        return settings;
    }

    /** The owner's connection of that name, opened, if it has one. */
    Optional<ConnectionService.Opened> open(AccountId owner, String name) {
        return connections.open(owner, name);
    }

    /** Deletes what queries left in the staging root (a crash), at start. */
    void cleanStaging() {
        Staging.clean(settings.stagingRoot());
    }

    // ---- for a query ----

    /** An S3 table as a query reads it: where, in which format, its layout, and the query's filters. */
    record S3Table(String name, ConnectionService.Opened connection, S3Location folder, TableFormat format,
            List<Column> partitionColumns, List<ColumnFilter> filters) {
        S3Table {
            requireNonNull(name, "name is null");
            requireNonNull(connection, "connection is null");
            requireNonNull(folder, "folder is null");
            requireNonNull(format, "format is null");
            partitionColumns = List.copyOf(partitionColumns);
            filters = List.copyOf(filters);
        }
    }

    /** A PostgreSQL table as a query reads it. */
    record PostgresTable(String name, ConnectionService.Opened connection, RemoteLocations.PostgresTable table,
            List<ColumnFilter> filters) {
        PostgresTable {
            requireNonNull(name, "name is null");
            requireNonNull(connection, "connection is null");
            requireNonNull(table, "table is null");
            filters = List.copyOf(filters);
        }
    }

    /**
     * Fetches the objects of an S3 table that may hold rows the query counts into the staging
     * area: the files the engine reads, with each one's partition values.
     */
    TableSource.Files stage(S3Table table, List<BoundColumn> columns, Staging staging, Path directory,
            Cancellation cancellation, Consumer<Read> reads) {
        List<String> keys = table.partitionColumns().stream().map(Column::name).toList();
        List<java.net.URI> files = new ArrayList<>();
        List<List<String>> values = new ArrayList<>();
        Map<List<String>, Boolean> partitions = new LinkedHashMap<>();
        int objects = 0;
        long bytes = 0;
        long fetched = 0;
        try (S3Storage storage = S3Storage.open(table.connection(), settings.s3())) {
            for (S3Storage.Listed object : storage.list(table.folder(), settings.maxObjects())) {
                Optional<List<String>> segments = S3Layout.segments(table.folder(), object.key());
                Optional<List<String>> partition = segments.flatMap(s -> S3Layout.values(s, keys));
                if (partition.isEmpty()) {
                    continue;
                }
                objects++;
                bytes += object.size();
                boolean keep = S3Layout.keep(partition.get(), table.partitionColumns(), table.filters());
                partitions.merge(partition.get(), keep, Boolean::logicalOr);
                if (!keep) {
                    continue;
                }
                requireUncompressed(table.format(), table.folder().bucket(), object.key());
                if (cancellation.cancelled()) {
                    throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The query was cancelled");
                }
                Path file = staging.file(directory, extension(table.format()));
                fetched += table.format() == TableFormat.PARQUET
                        ? fetchParquet(storage, table.folder().bucket(), object, columns, file)
                        : storage.fetch(table.folder().bucket(), object.key(), file);
                files.add(file.toUri());
                values.add(partition.get());
            }
        }
        int read = (int) partitions.values().stream().filter(Boolean::booleanValue).count();
        reads.accept(new Read(table.name(), table.folder().toString(), objects, files.size(), bytes, fetched,
                partitions.size(), read));
        if (files.isEmpty()) {
            return empty(staging, directory);
        }
        return new TableSource.Files(files, table.format(), keys.isEmpty() ? List.of() : keys,
                keys.isEmpty() ? List.of() : values);
    }

    /**
     * How much of a Parquet object's end is fetched first, in the hope that it holds the whole footer
     * (a longer footer takes a second request).
     */
    static final int PARQUET_TAIL = 16 * 1024;
    /** A footer longer than this is not read: the object is fetched whole. */
    private static final long MAX_FOOTER = 16L * 1024 * 1024;

    /**
     * Fetches of a Parquet object only what an engine reading the bound columns needs: its footer
     * first, then the chunks of those columns in every row group ({@link ParquetRanges}), into a file
     * as long as the object whose other bytes are a hole. An object no larger than the first fetch,
     * one whose footer cannot be read for certain, or one where the columns are most of it, is
     * fetched whole. Returns the bytes fetched.
     */
    private static long fetchParquet(S3Storage storage, String bucket, S3Storage.Listed object,
            List<BoundColumn> columns, Path file) {
        // without an entity tag, ranges fetched one after another could be of two versions of the object
        // (the footer of one placing the chunks of another): it is fetched whole, in one GET
        if (object.size() <= PARQUET_TAIL || object.etag() == null) {
            return storage.fetch(bucket, object.key(), file);
        }
        Optional<byte[]> first = storage.tail(object, bucket, PARQUET_TAIL);
        if (first.isEmpty()) {
            // a storage that ignores ranges
            return storage.fetch(bucket, object.key(), file);
        }
        byte[] tail = first.get();
        long fetched = tail.length;
        long footer = ParquetRanges.footerLength(tail);
        if (footer >= 0 && footer + 8 > tail.length && footer <= MAX_FOOTER && footer + 8 < object.size()) {
            Optional<byte[]> whole = storage.tail(object, bucket, (int) (footer + 8));
            if (whole.isEmpty()) {
                return fetched + storage.fetch(bucket, object.key(), file);
            }
            tail = whole.get();
            fetched += tail.length;
        }
        Set<String> names = new java.util.HashSet<>();
        columns.forEach(c -> names.add(c.name()));
        Optional<ParquetRanges.Plan> plan = ParquetRanges.needed(tail, object.size(), names);
        if (plan.isEmpty() || plan.get().bytes() > object.size() * 9 / 10) {
            return fetched + storage.fetch(bucket, object.key(), file);
        }
        fetched += storage.fetchRanges(object, bucket, plan.get().fetch(), plan.get().write(), file);
        long tailStart = object.size() - tail.length;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            for (S3Storage.Range range : plan.get().fromTail()) {
                S3Storage.writeAt(channel, tail, (int) (range.start() - tailStart), (int) range.length(),
                        range.start());
            }
            // the footer (without what it says of the values of columns not read) ends the file
            byte[] ending = plan.get().footer();
            S3Storage.writeAt(channel, ending, 0, ending.length, plan.get().footerAt());
            channel.truncate(plan.get().footerAt() + ending.length);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return fetched;
    }

    /** Streams the rows of a PostgreSQL table, only the columns bound, into the staging area. */
    TableSource.Files stage(PostgresTable table, List<BoundColumn> columns, Staging staging, Path directory,
            Cancellation cancellation, Consumer<Read> reads) {
        RemoteLocations.PostgresTable where = table.table();
        try (PostgresDatabase db = PostgresDatabase.open(table.connection(), settings.database())) {
            Map<String, PostgresDatabase.TableColumn> byName = new LinkedHashMap<>();
            for (PostgresDatabase.TableColumn c : db.columns(where.schema(), where.table())) {
                byName.putIfAbsent(c.name().toLowerCase(Locale.ROOT), c);
            }
            List<PostgresDatabase.Export> exports = new ArrayList<>();
            for (BoundColumn column : columns) {
                PostgresDatabase.TableColumn c = byName.get(column.name().toLowerCase(Locale.ROOT));
                if (c == null) {
                    throw new SourceException(SourceException.Category.MISSING, "Column " + column.name()
                            + " is no longer in table " + where.schema() + "." + where.table() + " of "
                            + where.url().host() + ":" + where.url().port() + "/" + where.url().database());
                }
                exports.add(new PostgresDatabase.Export(c.name(), column.name(), column.type(), c.databaseType()));
            }
            Path file = staging.file(directory, ".json");
            cancellation.onCancel(db::cancel);
            long written = db.export(where.schema(), where.table(), exports, table.filters(), file,
                    cancellation::cancelled);
            reads.accept(new Read(table.name(), where.url().toString() + " " + where.schema() + "." + where.table(),
                    1, 1, -1, written, 0, 0));
            return new TableSource.Files(List.of(file.toUri()), TableFormat.POSTGRESQL);
        }
    }

    /** No rows at all: an empty file of rows the server wrote. */
    private static TableSource.Files empty(Staging staging, Path directory) {
        Path file = staging.file(directory, ".json");
        try {
            Files.createFile(file);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TableSource.Files(List.of(file.toUri()), TableFormat.POSTGRESQL);
    }

    /** CSV and JSON objects are read as they are: a compressed one would read as garbage, so it is refused. */
    private static void requireUncompressed(TableFormat format, String bucket, String key) {
        if (format == TableFormat.PARQUET) {
            return;
        }
        String lower = key.toLowerCase(Locale.ROOT);
        for (String suffix : DataLocation.COMPRESSED) {
            if (lower.endsWith(suffix)) {
                throw new SourceException(SourceException.Category.FAILED, "Object s3://" + bucket
                        + "/" + key + " is compressed (" + suffix + "); Cleanroom reads CSV and JSON objects "
                        + "uncompressed (or use Parquet, whose compression is inside the file)");
            }
        }
    }

    private static String extension(TableFormat format) {
        return switch (format) {
            case CSV -> ".csv";
            case PARQUET -> ".parquet";
            case JSON, POSTGRESQL -> ".json";
        };
    }

    // ---- for registering a table ----

    /**
     * An S3 table's layout: its partition columns (given, or the k=v folders of its objects, with
     * types from their values) and its data columns (given, or inferred from its first object,
     * fetched into a private directory that is deleted afterwards).
     */
    TableInspector.Layout inspect(TableInspector.Remote table, S3Location folder, LocalTableInspector local) {
        try (S3Storage storage = S3Storage.open(table.connection(), settings.s3())) {
            List<String> keys = new ArrayList<>();
            List<List<String>> data = new ArrayList<>();
            List<String> dataKeys = new ArrayList<>();
            for (S3Storage.Listed object : storage.list(folder, settings.maxObjects())) {
                S3Layout.segments(folder, object.key()).ifPresent(s -> {
                    data.add(s);
                    dataKeys.add(object.key());
                });
            }
            if (data.isEmpty()) {
                throw CleanroomException.validation(RemoteLocations.FIELD, "No data objects found at " + folder
                        + " (objects and folders whose names start with _ or . are not data)");
            }
            List<Column> given = table.partitionKeys().orElse(null);
            if (given != null) {
                given.forEach(c -> keys.add(c.name().toLowerCase(Locale.ROOT)));
            } else {
                keys.addAll(S3Layout.keysOf(data.get(0)));
                for (List<String> segments : data) {
                    if (!S3Layout.keysOf(segments).equals(keys)) {
                        throw CleanroomException.validation("TableInput.PartitionKeys", "The objects under " + folder
                                + " do not all lie in the same partition folders (" + (keys.isEmpty() ? "none"
                                : String.join("/", keys)) + "); give PartitionKeys, and objects elsewhere are not "
                                + "read");
                    }
                }
            }
            List<List<String>> values = new ArrayList<>();
            String first = null;
            for (int i = 0; i < data.size(); i++) {
                Optional<List<String>> v = S3Layout.values(data.get(i), keys);
                if (v.isPresent()) {
                    values.add(v.get());
                    if (first == null) {
                        first = dataKeys.get(i);
                    }
                }
            }
            if (first == null) {
                throw CleanroomException.validation("TableInput.PartitionKeys", "No object under " + folder
                        + " lies in partition folders " + String.join("=.../", keys) + "=.../");
            }
            List<Column> partitions = new ArrayList<>();
            for (int k = 0; k < keys.size(); k++) {
                if (given != null) {
                    partitions.add(new Column(keys.get(k), given.get(k).type()));
                } else {
                    int index = k;
                    partitions.add(new Column(keys.get(k), S3Layout.typeOf(values.stream().map(v -> v.get(index))
                            .toList())));
                }
            }
            List<Column> columns = table.columns().isEmpty()
                    ? infer(storage, folder, first, table.format(), local) : table.columns();
            List<Column> all = new ArrayList<>();
            for (Column c : columns) {
                if (!keys.contains(c.name().toLowerCase(Locale.ROOT))) {
                    all.add(c);
                }
            }
            all.addAll(partitions);
            return new TableInspector.Layout(all, keys);
        } catch (SourceException e) {
            throw CleanroomException.validation(RemoteLocations.FIELD, "Cannot read " + folder + ": "
                    + e.category().forQuery() + ". " + e.ownerDetail());
        }
    }

    /** The columns of one object, fetched into a private directory deleted right after. */
    private List<Column> infer(S3Storage storage, S3Location folder, String key, TableFormat format,
            LocalTableInspector local) {
        requireUncompressed(format, folder.bucket(), key);
        try (Staging staging = Staging.create(settings.stagingRoot())) {
            Path file = staging.file(staging.table(0), extension(format));
            storage.fetch(folder.bucket(), key, file);
            String name = key.substring(key.lastIndexOf('/') + 1);
            return local.inferStaged(file, name, format);
        }
    }

    /**
     * A PostgreSQL table's columns, from its database's catalog, read through the connection as its
     * user sees them: a table it may not SELECT is refused. Columns are never given.
     */
    TableInspector.Layout inspect(TableInspector.Remote table, RemoteLocations.PostgresTable where) {
        if (!table.columns().isEmpty()) {
            throw CleanroomException.validation("TableInput.StorageDescriptor.Columns", "A PostgreSQL table's columns "
                    + "come from its database's catalog: leave StorageDescriptor.Columns out");
        }
        try (PostgresDatabase db = PostgresDatabase.open(table.connection(), Duration.ofSeconds(60))) {
            List<Column> columns = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (PostgresDatabase.TableColumn c : db.columns(where.schema(), where.table())) {
                if (!seen.add(c.name().toLowerCase(Locale.ROOT))) {
                    throw CleanroomException.validation("TableInput.StorageDescriptor.Location", "Table "
                            + where.schema() + "." + where.table() + " has columns whose names differ only in case ("
                            + c.name() + "); Cleanroom names columns in lower case. Register a view that renames them");
                }
                columns.add(new Column(c.name(), c.glueType()));
            }
            if (columns.isEmpty()) {
                throw CleanroomException.validation(RemoteLocations.FIELD, "Table " + where.schema() + "."
                        + where.table() + " has no columns");
            }
            return new TableInspector.Layout(columns, List.of());
        } catch (SourceException e) {
            throw CleanroomException.validation(RemoteLocations.FIELD, "Cannot read " + where.schema() + "."
                    + where.table() + ": " + e.category().forQuery() + ". " + e.ownerDetail());
        }
    }

    /** Logs what a query read (the operator's log: the owner's location, never a value). */
    static void log(Read read) {
        LOG.info("read table {} from {}: {} of {} objects, {} of {} bytes, {} of {} partitions", read.table(),
                read.location(), read.objectsRead(), read.objects(), read.bytesRead(), read.bytes() < 0 ? "?"
                        : read.bytes(), read.partitionsRead(), read.partitions());
    }

    /** A failure to stage (the server's disk): the query fails, the operator's log says why. */
    static CleanroomException stagingFailed(UncheckedIOException e) {
        LOG.error("cannot stage a query's data", e);
        return CleanroomException.of(ErrorCode.QUERY_FAILED, "The server could not stage the query's data (its "
                + "staging directory: no space left, or not writable); the operator must free disk space, then run "
                + "the query again");
    }

}
