package io.cleanroom.store;

/** On the PostgreSQL server named by CLEANROOM_TEST_POSTGRES_URL (scripts/test starts one), wiped first. */
class PostgresGroupCommitIT extends GroupCommitSuite {
    @Override
    String emptyDatabase() throws Exception {
        return PostgresTestDatabase.wiped();
    }
}
