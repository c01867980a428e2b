package io.cleanroom.store;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * A migration written in Java because SQL alone cannot do it (it reads the records' JSON, which
 * SQLite and PostgreSQL read with different functions): its version and description, run inside
 * the migration's transaction, with no checksum.
 */
abstract class BackfillMigration implements JavaMigration {
    private final MigrationVersion version;
    private final String description;

    BackfillMigration(String version, String description) {
        this.version = MigrationVersion.fromVersion(version);
        this.description = description;
    }

    @Override
    public final MigrationVersion getVersion() {
        return version;
    }

    @Override
    public final String getDescription() {
        return description;
    }

    @Override
    public final Integer getChecksum() {
        return null;
    }

    @Override
    public final boolean canExecuteInTransaction() {
        return true;
    }
}
