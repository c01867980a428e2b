package io.cleanroom.server;

/** The pagination suite on a real PostgreSQL server (CLEANROOM_TEST_POSTGRES_URL; .ci/run starts one). */
class PostgresPaginationIT extends PaginationSuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.POSTGRES;
    }
}
