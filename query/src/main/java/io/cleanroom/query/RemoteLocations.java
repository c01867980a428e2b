package io.cleanroom.query;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Connection;
import io.cleanroom.core.model.PostgresUrl;
import io.cleanroom.core.model.S3Location;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The locations of tables behind a connection, checked as the owner registers them and again when
 * a query reads them: an s3:// folder must lie inside one of the owner's S3 roots (as files must lie
 * inside its data roots), and a jdbc:postgresql:// location must name the database of its
 * connection, with the schema and table in the parameters {@code schema} and {@code table}.
 */
final class RemoteLocations {
    static final String FIELD = "TableInput.StorageDescriptor.Location";
    /** PostgreSQL identifiers as Cleanroom takes them: unquoted-identifier characters, case kept. */
    private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_$]{0,62}$");
    static final String SCHEMA = "schema";
    static final String TABLE = "table";

    /** A PostgreSQL table: its database (from the connection) and its schema and table names. */
    record PostgresTable(PostgresUrl url, String schema, String table) {
    }

    /** What is wrong with a location, for its owner (who may see it). */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String field;

        Refused(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }

        CleanroomException forOwner() {
            return CleanroomException.validation(field, getMessage());
        }
    }

    private RemoteLocations() {
    }

    /**
     * The S3 folder a location names, inside one of the owner's S3 roots. Outside every root, it is
     * refused before anything is asked of the storage: the same answer whether it exists or not.
     */
    static S3Location s3(String location, List<S3Location> roots) {
        S3Location.Parsed parsed = S3Location.parse(location);
        if (parsed.location().isEmpty()) {
            throw new Refused(FIELD, "An S3 location " + parsed.problem());
        }
        S3Location folder = parsed.location().get();
        if (roots.isEmpty()) {
            throw new Refused(FIELD, "Your account has no S3 roots, so it cannot register tables in S3: the operator "
                    + "must grant one first (cleanroom admin set-data-roots --account-id ACCOUNT --path "
                    + "s3://bucket/folder/)");
        }
        if (roots.stream().noneMatch(folder::within)) {
            throw new Refused(FIELD, "The location is outside your account's S3 roots");
        }
        return folder;
    }

    /** The PostgreSQL table a location and its parameters name, in the connection's database. */
    static PostgresTable postgres(String location, Map<String, String> parameters, Connection connection) {
        PostgresUrl.Parsed parsed = PostgresUrl.parse(location);
        if (parsed.url().isEmpty()) {
            throw new Refused(FIELD, "A PostgreSQL location " + parsed.problem());
        }
        PostgresUrl url = PostgresUrl.parse(connection.jdbcUrl()).url().orElseThrow();
        if (!parsed.url().get().sameDatabase(url)) {
            throw new Refused(FIELD, "The location must name the database of connection " + connection.name()
                    + " (the same host, port and database as its JDBC URL)");
        }
        String schema = parameters.getOrDefault(SCHEMA, "public");
        String table = parameters.get(TABLE);
        if (!IDENTIFIER.matcher(schema).matches()) {
            throw new Refused("TableInput.Parameters." + SCHEMA, "A schema name is 1-63 letters, digits, '_' and "
                    + "'$', starting with a letter or '_'");
        }
        if (table == null || !IDENTIFIER.matcher(table).matches()) {
            throw new Refused("TableInput.Parameters." + TABLE, "Name the PostgreSQL table in Parameters." + TABLE
                    + ": 1-63 letters, digits, '_' and '$', starting with a letter or '_'");
        }
        return new PostgresTable(url, schema, table);
    }
}
