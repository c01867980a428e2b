package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.model.S3Location;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.service.TableInspector;
import java.util.List;

/**
 * Looks at every kind of table location: files on the server's disk through {@link LocalTableInspector},
 * and data behind a connection (an S3 folder, a PostgreSQL table) through {@link Sources}, after
 * checking its location ({@link RemoteLocations}).
 */
public final class SourceTableInspector implements TableInspector {
    private final LocalTableInspector local;
    private final Sources sources;

    public SourceTableInspector(LocalTableInspector local, Sources sources) {
        this.local = requireNonNull(local, "local is null");
        this.sources = requireNonNull(sources, "sources is null");
    }

    @Override
    public void checkLocation(String location, List<String> dataRoots, TableFormat format) {
        local.checkLocation(location, dataRoots, format);
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
                S3Location folder = RemoteLocations.s3(table.location(), roots);
                return sources.inspect(table, folder, local);
            }
            RemoteLocations.PostgresTable where = RemoteLocations.postgres(table.location(), table.parameters(),
                    table.connection().connection());
            return sources.inspect(table, where);
        } catch (RemoteLocations.Refused e) {
            throw e.forOwner();
        }
    }
}
