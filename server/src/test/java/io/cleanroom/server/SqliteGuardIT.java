package io.cleanroom.server;

/** The guard suite on the default SQLite store. */
class SqliteGuardIT extends GuardSuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.SQLITE;
    }
}
