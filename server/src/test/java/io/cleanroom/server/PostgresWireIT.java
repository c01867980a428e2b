package io.cleanroom.server;

/** The wire suite on a real PostgreSQL server (CLEANROOM_TEST_POSTGRES_URL; .ci/run starts one). */
class PostgresWireIT extends WireSuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.POSTGRES;
    }
}
