package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import io.cleanroom.sources.SourceException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The tables of one protected query, ready for the engine: files on the server's disk pinned
 * ({@link PinnedFiles}), opened by the server right before the engine runs and closed after it
 * returns; data behind a connection (S3, PostgreSQL) fetched into the query's {@link Staging} area,
 * deleted after it returns. The engine gets a {@link TableBinding} naming exactly those files, so it
 * reads the files that were checked against their owners' data roots, or the server's own copies.
 */
final class PinnedTables implements AutoCloseable {
    /** A table as checked when the query was started. */
    sealed interface Table permits Local, InS3, InPostgres {
        String name();

        /** The columns the query may read (the engine exposes these and nothing else). */
        List<Column> columns();
    }

    /** A table of files inside its owner's data roots. */
    record Local(String name, List<DataLocation.CheckedFile> files, TableFormat format, List<Column> columns)
            implements Table {
        Local {
            requireNonNull(name, "name is null");
            files = List.copyOf(files);
            requireNonNull(format, "format is null");
            columns = List.copyOf(columns);
        }
    }

    /** A table in S3, with the owner that the failure's detail goes to. */
    record InS3(Sources.S3Table table, List<Column> columns, Failure failure) implements Table {
        InS3 {
            requireNonNull(table, "table is null");
            columns = List.copyOf(columns);
            requireNonNull(failure, "failure is null");
        }

        @Override
        public String name() {
            return table.name();
        }
    }

    /** A PostgreSQL table. */
    record InPostgres(Sources.PostgresTable table, List<Column> columns, Failure failure) implements Table {
        InPostgres {
            requireNonNull(table, "table is null");
            columns = List.copyOf(columns);
            requireNonNull(failure, "failure is null");
        }

        @Override
        public String name() {
            return table.name();
        }
    }

    /**
     * What becomes of a failure to read a table behind a connection: its owner is told the exact
     * cause (its audit trail), and the query fails with the table's name and the category only.
     */
    interface Failure {
        CleanroomException report(SourceException e);
    }

    private final List<PinnedFiles> pins;
    private final List<TableBinding> data;
    private final Staging staging;

    /**
     * The identity of every pinned file, table by table in name order: what "the same data" means
     * for the answer cache of differentially private queries. Empty when a table is behind a
     * connection (S3, PostgreSQL): its data has no identity the server can pin, so its answers are
     * never reused.
     */
    java.util.Optional<String> identities() {
        if (pins.size() != data.size()) {
            return java.util.Optional.empty();
        }
        java.util.TreeMap<String, String> tables = new java.util.TreeMap<>();
        for (int t = 0; t < pins.size(); t++) {
            StringBuilder files = new StringBuilder();
            for (NativeFiles.Identity file : pins.get(t).identities()) {
                files.append(file.device()).append(' ').append(file.inode()).append(' ').append(file.size())
                        .append(' ').append(file.modifiedSeconds()).append('.').append(file.modifiedNanos())
                        .append(' ').append(file.changedSeconds()).append('.').append(file.changedNanos())
                        .append('\n');
            }
            tables.put(data.get(t).name().toLowerCase(java.util.Locale.ROOT), files.toString());
        }
        StringBuilder out = new StringBuilder();
        tables.forEach((name, files) -> out.append("table ").append(name).append('\n').append(files));
        return java.util.Optional.of(out.toString());
    }

    private PinnedTables(List<PinnedFiles> pins, List<TableBinding> data, Staging staging) {
        this.pins = pins;
        this.data = data;
        this.staging = staging;
    }

    /** Pins tables of files only (nothing behind a connection). */
    static PinnedTables open(Map<String, Table> tables) {
        return open(tables, null, Cancellation.NEVER, read -> {
        });
    }

    /**
     * Pins every table's files, and fetches every table behind a connection into a staging area
     * of sources'. A file no longer as checked fails the query (QUERY_FAILED, naming the table,
     * never a path), as does data that cannot be read (the table and a category); nothing stays
     * open or staged then.
     */
    static PinnedTables open(Map<String, Table> tables, Sources sources, Cancellation cancellation,
            Consumer<Sources.Read> reads) {
        List<PinnedFiles> pins = new ArrayList<>();
        List<TableBinding> data = new ArrayList<>();
        Staging staging = null;
        try {
            int index = 0;
            for (Table table : tables.values()) {
                List<BoundColumn> columns = table.columns().stream()
                        .map(c -> new BoundColumn(c.name(), ColumnType.parse(c.type()))).toList();
                TableSource source;
                if (table instanceof Local local) {
                    PinnedFiles pinned;
                    try {
                        pinned = PinnedFiles.open(local.files());
                    } catch (PinnedFiles.ChangedException e) {
                        throw CleanroomException.of(ErrorCode.QUERY_FAILED, "A data file of table " + table.name()
                                + " " + e.getMessage() + "; the query did not read it. Start the query again");
                    }
                    pins.add(pinned);
                    source = new TableSource.Files(pinned.paths().stream().map(java.nio.file.Path::toUri).toList(),
                            local.format());
                } else {
                    if (sources == null) {
                        throw new IllegalStateException("a table behind a connection without sources");
                    }
                    if (staging == null) {
                        staging = Staging.create(sources.settings().stagingRoot());
                    }
                    if (cancellation.cancelled()) {
                        throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The query was cancelled");
                    }
                    source = stage(table, columns, sources, staging, index, cancellation, reads);
                }
                data.add(new TableBinding(table.name(), columns, source));
                index++;
            }
            return new PinnedTables(List.copyOf(pins), List.copyOf(data), staging);
        } catch (RuntimeException e) {
            pins.forEach(PinnedFiles::close);
            if (staging != null) {
                staging.close();
            }
            throw e;
        }
    }

    private static TableSource stage(Table table, List<BoundColumn> columns, Sources sources, Staging staging,
            int index, Cancellation cancellation, Consumer<Sources.Read> reads) {
        try {
            if (table instanceof InS3 s3) {
                try {
                    return sources.stage(s3.table(), columns, staging, staging.table(index), cancellation, reads);
                } catch (SourceException e) {
                    throw s3.failure().report(e);
                }
            }
            InPostgres postgres = (InPostgres) table;
            try {
                return sources.stage(postgres.table(), columns, staging, staging.table(index), cancellation, reads);
            } catch (SourceException e) {
                if (cancellation.cancelled()) {
                    throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The query was cancelled");
                }
                throw postgres.failure().report(e);
            }
        } catch (UncheckedIOException e) {
            throw Sources.stagingFailed(e);
        }
    }

    /** What the engine reads: each table bound to its allowed columns and the names of its files. */
    List<TableBinding> data() {
        return data;
    }

    @Override
    public void close() {
        pins.forEach(PinnedFiles::close);
        if (staging != null) {
            staging.close();
        }
    }
}
