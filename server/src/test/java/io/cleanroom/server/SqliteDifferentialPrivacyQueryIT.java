package io.cleanroom.server;

/** Differentially private queries end to end on the default SQLite store. */
class SqliteDifferentialPrivacyQueryIT extends DifferentialPrivacyQuerySuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.SQLITE;
    }
}
