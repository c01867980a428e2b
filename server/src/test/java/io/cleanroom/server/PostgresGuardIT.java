package io.cleanroom.server;

/** The guard suite on a real PostgreSQL server. */
class PostgresGuardIT extends GuardSuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.POSTGRES;
    }
}
