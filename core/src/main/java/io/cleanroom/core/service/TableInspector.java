package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Looks at a catalog table's data where it lies: checks the location and infers columns. Both
 * confine the location to the account's data roots; an account without data roots can register
 * nothing (unless the server allows any path, for development). Files on the server's disk are
 * {@link #checkLocation} and {@link #inferColumns}; data behind a connection (an S3 folder, a
 * PostgreSQL table) is {@link #inspect}.
 */
public interface TableInspector {
    /**
     * Throws a validation error naming the location if it cannot be read as a table, or if any of
     * its files lies outside dataRoots (symbolic links are resolved); the same error whether a path
     * outside the roots exists or not, or if its files cannot be read in that format (a compressed
     * CSV or JSON file). Throws access denied when dataRoots is empty.
     */
    void checkLocation(String location, List<String> dataRoots, TableFormat format);

    /** Columns with Glue-style types, inferred from the data of a location checked as above. */
    List<Column> inferColumns(String location, List<String> dataRoots, TableFormat format);

    /**
     * A table whose data lies behind a connection, as its owner registers it: the location
     * (s3://bucket/folder/ or jdbc:postgresql://...), its format, the columns and partition keys
     * given (partition keys empty when not given, to be inferred from the folders), the table's
     * parameters, the owner's data roots and the connection, opened.
     */
    record Remote(String location, TableFormat format, List<Column> columns, Optional<List<Column>> partitionKeys,
            Map<String, String> parameters, List<String> dataRoots, ConnectionService.Opened connection) {
        public Remote {
            requireNonNull(location, "location is null");
            requireNonNull(format, "format is null");
            columns = List.copyOf(columns);
            partitionKeys = partitionKeys.map(List::copyOf);
            parameters = Map.copyOf(parameters);
            dataRoots = List.copyOf(dataRoots);
            requireNonNull(connection, "connection is null");
        }
    }

    /** A remote table's columns: the data's, then the partition columns, whose names partitionKeys gives. */
    record Layout(List<Column> columns, List<String> partitionKeys) {
        public Layout {
            columns = List.copyOf(columns);
            partitionKeys = List.copyOf(partitionKeys);
        }
    }

    /**
     * Checks a remote table's location against the owner's roots and reads its layout through the
     * connection (the columns given, or inferred from its data or its database's catalog). Errors
     * are validation errors for the owner, never with a secret.
     */
    default Layout inspect(Remote table) {
        throw CleanroomException.validation("TableInput.StorageDescriptor.Location",
                "This server does not read tables from S3 or PostgreSQL");
    }
}
