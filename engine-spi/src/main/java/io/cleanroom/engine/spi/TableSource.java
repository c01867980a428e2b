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
     * of a descriptor the server holds open while the query runs).
     */
    record Files(List<URI> locations, TableFormat format) implements TableSource {
        public Files {
            locations = List.copyOf(locations);
            requireNonNull(format, "format is null");
            if (locations.isEmpty()) {
                throw new IllegalArgumentException("a file source needs at least one location");
            }
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
