package io.cleanroom.server;

/** The differential privacy suite on a real PostgreSQL server (CLEANROOM_TEST_POSTGRES_URL; .ci/run starts one). */
class PostgresPrivacyBudgetIT extends PrivacyBudgetSuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.POSTGRES;
    }
}
