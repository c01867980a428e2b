package io.cleanroom.server;

/** The wire suite on the default SQLite store. */
class SqliteWireIT extends WireSuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.SQLITE;
    }
}
