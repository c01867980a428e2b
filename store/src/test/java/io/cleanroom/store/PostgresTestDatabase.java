package io.cleanroom.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** The PostgreSQL server named by CLEANROOM_TEST_POSTGRES_URL (scripts/test starts one), for the store's suites. */
final class PostgresTestDatabase {
    private PostgresTestDatabase() {
    }

    /** Its JDBC URL, its public schema dropped and made again first, so that a suite starts on an empty database. */
    static String wiped() throws Exception {
        String url = System.getenv("CLEANROOM_TEST_POSTGRES_URL");
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("The PostgreSQL suite needs a server: set CLEANROOM_TEST_POSTGRES_URL "
                    + "(scripts/pg-test-server start target/pg prints one)");
        }
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS public CASCADE");
            s.execute("CREATE SCHEMA public");
        }
        return url;
    }
}
