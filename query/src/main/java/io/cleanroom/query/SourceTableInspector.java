package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.model.S3Location;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.service.TableInspector;
import java.util.List;

/**
 * Looks at every kind of table location: files on the server's disk through {@link LocalTableInspector},
 * and data behind a connection (an S3 folder, a PostgreSQL table) after checking its location
 * ({@link RemoteLocations}).
 */
public final class SourceTableInspector implements TableInspector {
    private final LocalTableInspector local;

    public SourceTableInspector(LocalTableInspector local) {
        this.local = requireNonNull(local, "local is null");
    }

    @Override
    public void checkLocation(String location, List<String> dataRoots) {
        local.checkLocation(location, dataRoots);
    }

    @Override
    public List<Column> inferColumns(String location, List<String> dataRoots, TableFormat format) {
        return local.inferColumns(location, dataRoots, format);
    }

    @Override
    public Layout inspect(Remote table) {
        try {
            if (table.connection().connection().type() == ConnectionType.S3) {
                List<S3Location> roots = table.dataRoots().stream().filter(r -> r.startsWith("s3://"))
                        .map(r -> S3Location.parse(r).location().orElseThrow()).toList();
                RemoteLocations.s3(table.location(), roots);
            } else {
                RemoteLocations.postgres(table.location(), table.parameters(), table.connection().connection());
            }
        } catch (RemoteLocations.Refused e) {
            throw e.forOwner();
        }
        if (table.columns().isEmpty()) {
            throw CleanroomException.validation("TableInput.StorageDescriptor.Columns", "Give the table's columns");
        }
        List<Column> partitions = table.partitionKeys().orElse(List.of());
        List<Column> all = new java.util.ArrayList<>(table.columns());
        all.addAll(partitions);
        return new Layout(all, partitions.stream().map(Column::name).toList());
    }
}
