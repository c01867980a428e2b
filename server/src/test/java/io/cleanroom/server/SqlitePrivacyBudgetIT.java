package io.cleanroom.server;

/** The differential privacy suite on the default SQLite store. */
class SqlitePrivacyBudgetIT extends PrivacyBudgetSuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.SQLITE;
    }
}
