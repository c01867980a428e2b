package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tables of one protected query with their data files pinned ({@link PinnedFiles}): opened by
 * the server right before the engine runs, closed after it returns. The engine gets a
 * {@link TableBinding} naming the pinned files, so it reads exactly the files that were checked
 * against their owners' data roots.
 */
final class PinnedTables implements AutoCloseable {
    /** A table as checked when the query was started: its files inside its owner's data roots. */
    record Table(String name, List<DataLocation.CheckedFile> files, TableFormat format, List<Column> columns) {
        Table {
            requireNonNull(name, "name is null");
            files = List.copyOf(files);
            requireNonNull(format, "format is null");
            columns = List.copyOf(columns);
        }
    }

    private final List<PinnedFiles> pins;
    private final List<TableBinding> data;

    /**
     * The identity of every pinned file, table by table in the order the tables were given: what
     * "the same data" means for the answer cache of differentially private queries.
     */
    String identities() {
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
        return out.toString();
    }

    private PinnedTables(List<PinnedFiles> pins, List<TableBinding> data) {
        this.pins = pins;
        this.data = data;
    }

    /**
     * Pins every table's files. A file no longer as checked fails the query (QUERY_FAILED, naming
     * the table, never a path); nothing stays open then.
     */
    static PinnedTables open(Map<String, Table> tables) {
        List<PinnedFiles> pins = new ArrayList<>();
        List<TableBinding> data = new ArrayList<>();
        try {
            for (Map.Entry<String, Table> entry : tables.entrySet()) {
                Table table = entry.getValue();
                PinnedFiles pinned;
                try {
                    pinned = PinnedFiles.open(table.files());
                } catch (PinnedFiles.ChangedException e) {
                    throw CleanroomException.of(ErrorCode.QUERY_FAILED, "A data file of table " + table.name() + " "
                            + e.getMessage() + "; the query did not read it. Start the query again");
                }
                pins.add(pinned);
                data.add(new TableBinding(table.name(), table.columns().stream()
                        .map(c -> new BoundColumn(c.name(), ColumnType.parse(c.type()))).toList(),
                        new TableSource.Files(pinned.paths().stream().map(java.nio.file.Path::toUri).toList(),
                                table.format())));
            }
            return new PinnedTables(List.copyOf(pins), List.copyOf(data));
        } catch (RuntimeException e) {
            pins.forEach(PinnedFiles::close);
            throw e;
        }
    }

    /** What the engine reads: each table bound to its allowed columns and the names of its pinned files. */
    List<TableBinding> data() {
        return data;
    }

    @Override
    public void close() {
        pins.forEach(PinnedFiles::close);
    }
}
