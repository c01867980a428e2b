package io.cleanroom.engine.spi;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.TableFormat;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/** Where a bound table's rows come from. */
public sealed interface TableSource {
    /**
     * Files the engine reads itself. The locations were checked and pinned by the caller: a
     * {@code file:} URI names exactly the file that was checked (on Linux, {@code /proc/self/fd/N}
     * of a descriptor the server holds open while the query runs), or a file the server wrote for
     * the query into a private staging directory (objects fetched from S3-compatible storage, rows
     * of a PostgreSQL table in the {@link TableFormat#POSTGRESQL} form), deleted after it.
     *
     * <p>A partitioned table (Hive-style folders {@code dt=2026-11-01/}) names its partition columns,
     * and gives for each location the value of each of them as text, null for none (Hive's default
     * partition). A bound column that is a partition column takes, for every row of a file, that
     * file's value converted to the column's type, never a value of the file's own; the data columns
     * come from the files.
     */
    record Files(List<URI> locations, TableFormat format, List<String> partitionColumns,
            List<List<String>> partitionValues) implements TableSource {
        public Files {
            locations = List.copyOf(locations);
            requireNonNull(format, "format is null");
            if (locations.isEmpty()) {
                throw new IllegalArgumentException("a file source needs at least one location");
            }
            partitionColumns = List.copyOf(partitionColumns);
            List<List<String>> values = new java.util.ArrayList<>();
            for (List<String> v : partitionValues) {
                if (v.size() != partitionColumns.size()) {
                    throw new IllegalArgumentException("each location needs a value for each partition column");
                }
                values.add(java.util.Collections.unmodifiableList(new java.util.ArrayList<>(v)));
            }
            partitionValues = List.copyOf(values);
            if (!partitionColumns.isEmpty() && partitionValues.size() != locations.size()) {
                throw new IllegalArgumentException("a partitioned source needs the partition values of each location");
            }
            if (partitionColumns.isEmpty() && !partitionValues.isEmpty()) {
                throw new IllegalArgumentException("partition values without partition columns");
            }
        }

        /** Files without partition columns. */
        public Files(List<URI> locations, TableFormat format) {
            this(locations, format, List.of(), List.of());
        }

        /** The position of the named column among the partition columns (compared without regard to case), or -1. */
        public int partitionIndex(String column) {
            for (int i = 0; i < partitionColumns.size(); i++) {
                if (partitionColumns.get(i).equalsIgnoreCase(column)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * Rows the server supplies, for sources an engine cannot reach itself (a PostgreSQL table,
     * say). Each row holds the values of the binding's columns in order, already of their types.
     */
    record Rows(Supplier<Iterator<List<Object>>> rows) implements TableSource {
        public Rows {
            requireNonNull(rows, "rows is null");
        }
    }
}
