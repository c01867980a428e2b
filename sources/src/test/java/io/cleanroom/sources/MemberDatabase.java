package io.cleanroom.sources;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The members' own PostgreSQL database for tests: {@code cleanroom_members} on the server that
 * {@code scripts/test} starts (CLEANROOM_TEST_POSTGRES_URL), whose user owns it and may create
 * roles. A test makes its tables in a schema of its own and a reader role per table, with SELECT
 * only, as a data owner would.
 */
public final class MemberDatabase {
    public static final String DATABASE = "cleanroom_members";
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    private MemberDatabase(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** The member database of the test server; fails with how to get one when there is none. */
    public static MemberDatabase fromEnvironment() {
        String url = System.getenv("CLEANROOM_TEST_POSTGRES_URL");
        if (url == null || url.isBlank()) {
            url = System.getProperty("cleanroom.test.postgres.url");
        }
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("The PostgreSQL source tests need a server: set CLEANROOM_TEST_POSTGRES_URL "
                    + "(scripts/pg-test-server start target/pg prints one), or run scripts/test");
        }
        URI uri = URI.create(url.substring("jdbc:".length()));
        Map<String, String> query = new LinkedHashMap<>();
        if (uri.getQuery() != null) {
            for (String pair : uri.getQuery().split("&")) {
                int eq = pair.indexOf('=');
                query.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return new MemberDatabase(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), query.get("user"),
                query.get("password"));
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The JDBC URL a connection names: no credentials in it. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE;
    }

    /** A connection as the database's owner, to make tables and roles. */
    public Connection owner() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user, password);
    }

    /** Runs statements as the owner. */
    public void execute(String... statements) throws SQLException {
        try (Connection c = owner(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** A new schema of the test's own. */
    public String schema(String prefix) throws SQLException {
        String schema = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        execute("CREATE SCHEMA " + schema);
        return schema;
    }

    /** A new login role with a password and nothing granted; returns its name. */
    public String reader(String password) throws SQLException {
        String role = "reader_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
        return role;
    }
}
