package io.cleanroom.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteAuditEventNameMigrationIT extends AuditEventNameMigrationSuite {
    @TempDir
    Path dir;

    @Override
    String emptyDatabase() {
        return "jdbc:sqlite:" + dir.resolve("metadata.db");
    }
}
