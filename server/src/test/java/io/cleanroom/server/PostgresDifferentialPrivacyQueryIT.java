package io.cleanroom.server;

/** Differentially private queries end to end on the PostgreSQL store. */
class PostgresDifferentialPrivacyQueryIT extends DifferentialPrivacyQuerySuite {
    @Override
    TestCluster.StoreKind kind() {
        return TestCluster.StoreKind.POSTGRES;
    }
}
