package io.cleanroom.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqlitePrivacyBudgetLedgerIT extends PrivacyBudgetLedgerSuite {
    @TempDir
    Path dir;

    @Override
    String emptyDatabase() {
        return "jdbc:sqlite:" + dir.resolve("metadata.db");
    }
}
