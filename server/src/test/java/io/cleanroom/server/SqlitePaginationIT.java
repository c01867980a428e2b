package io.cleanroom.server;

/** The pagination suite on the default SQLite store. */
class SqlitePaginationIT extends PaginationSuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.SQLITE;
    }
}
