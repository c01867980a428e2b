package io.cleanroom.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.ColumnFilter;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.core.model.Connection;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.service.ConnectionService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL reader against the real server the suite starts, in the members' database, as a
 * role that has SELECT on one table and nothing else.
 */
class PostgresDatabaseIT {
    private static final String PASSWORD = "reader-pw-51ac";
    private static MemberDatabase members;
    private static String schema;
    private static String reader;
    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        members = MemberDatabase.fromEnvironment();
        schema = members.schema("sources_it");
        reader = members.reader(PASSWORD);
        members.execute(
                "CREATE TABLE " + schema + ".customers (\"UserId\" text, segment varchar(20), visits integer, "
                        + "spend numeric(10,2), ratio double precision, active boolean, joined date, "
                        + "seen timestamp, seen_tz timestamptz, note text, big numeric, tags text[])",
                "INSERT INTO " + schema + ".customers VALUES ('u1', 'news', 3, 12.50, 0.5, true, '2026-11-01', "
                        + "'2026-11-01 10:00:00', '2026-11-01 10:00:00+02', 'line1\nline2 \"quoted\"', 1.5, "
                        + "'{a,b}')",
                "INSERT INTO " + schema + ".customers VALUES ('u2', 'sports', NULL, NULL, NULL, NULL, NULL, NULL, "
                        + "NULL, '', NULL, NULL)",
                "INSERT INTO " + schema + ".customers SELECT 'g' || g, CASE WHEN g % 2 = 0 THEN 'news' ELSE 'finance' "
                        + "END, g, g, g, g % 3 = 0, DATE '2026-01-01' + g, NULL, NULL, 'n', NULL, NULL "
                        + "FROM generate_series(1, 25000) g",
                "CREATE TABLE " + schema + ".measures (id integer, spend numeric(10,2))",
                "INSERT INTO " + schema + ".measures VALUES (1, 1.25), (2, 'NaN'), (3, NULL), (4, -0.50)",
                "GRANT SELECT ON " + schema + ".measures TO " + reader,
                "CREATE TABLE " + schema + ".secret (x text)",
                "GRANT USAGE ON SCHEMA " + schema + " TO " + reader,
                "GRANT SELECT ON " + schema + ".customers TO " + reader);
    }

    private static ConnectionService.Opened connection(String user, String password) {
        Instant now = Instant.now();
        return new ConnectionService.Opened(new Connection(new AccountId("222222222222"), "adv-dw",
                ConnectionType.POSTGRESQL, null, null, null, null, false, members.jdbcUrl(), user, "sealed", now, now),
                password);
    }

    private static PostgresDatabase.Export export(String name, String type, String databaseType) {
        return new PostgresDatabase.Export(name, name.toLowerCase(java.util.Locale.ROOT), ColumnType.parse(type),
                databaseType);
    }

    @Test
    void columnsComeFromTheCatalogWithTheirGlueTypes() {
        try (PostgresDatabase db = PostgresDatabase.open(connection(reader, PASSWORD), Duration.ofSeconds(30))) {
            assertThat(db.columns(schema, "customers")).extracting(PostgresDatabase.TableColumn::name,
                    PostgresDatabase.TableColumn::glueType).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("UserId", "string"),
                    org.assertj.core.groups.Tuple.tuple("segment", "string"),
                    org.assertj.core.groups.Tuple.tuple("visits", "int"),
                    org.assertj.core.groups.Tuple.tuple("spend", "decimal(10,2)"),
                    org.assertj.core.groups.Tuple.tuple("ratio", "double"),
                    org.assertj.core.groups.Tuple.tuple("active", "boolean"),
                    org.assertj.core.groups.Tuple.tuple("joined", "date"),
                    org.assertj.core.groups.Tuple.tuple("seen", "timestamp"),
                    org.assertj.core.groups.Tuple.tuple("seen_tz", "timestamp"),
                    org.assertj.core.groups.Tuple.tuple("note", "string"),
                    org.assertj.core.groups.Tuple.tuple("big", "string"),
                    org.assertj.core.groups.Tuple.tuple("tags", "string"));
            SourceException denied = catchThrowableOfType(SourceException.class, () -> db.columns(schema, "secret"));
            assertThat(denied.category()).isEqualTo(SourceException.Category.DENIED);
            assertThat(denied.ownerDetail()).contains("GRANT SELECT").contains(schema + ".secret");
            assertThat(catchThrowableOfType(SourceException.class, () -> db.columns(schema, "nope")).category())
                    .isEqualTo(SourceException.Category.MISSING);
        }
    }

    @Test
    void rowsStreamAsTextOfOnlyTheColumnsAskedWithSafeFiltersPushedDown() throws Exception {
        List<PostgresDatabase.Export> columns = List.of(export("UserId", "string", "text"),
                export("segment", "string", "character varying(20)"), export("visits", "int", "integer"),
                export("spend", "decimal(10,2)", "numeric(10,2)"), export("active", "boolean", "boolean"),
                export("joined", "date", "date"), export("seen", "timestamp", "timestamp without time zone"),
                export("seen_tz", "timestamp", "timestamp with time zone"), export("note", "string", "text"));
        try (PostgresDatabase db = PostgresDatabase.open(connection(reader, PASSWORD), Duration.ofSeconds(30))) {
            Path all = dir.resolve("all.json");
            db.export(schema, "customers", columns, List.of(), all, () -> false);
            List<String> lines = Files.readAllLines(all);
            assertThat(lines).hasSize(25_002);
            assertThat(lines.get(0)).isEqualTo("{\"userid\":\"u1\",\"segment\":\"news\",\"visits\":\"3\",\"spend\":"
                    + "\"12.50\",\"active\":\"true\",\"joined\":\"2026-11-01\",\"seen\":\"2026-11-01 10:00:00.000000\","
                    + "\"seen_tz\":\"2026-11-01 08:00:00.000000\",\"note\":\"line1\\nline2 \\\"quoted\\\"\"}");
            assertThat(lines.get(1)).isEqualTo("{\"userid\":\"u2\",\"segment\":\"sports\",\"visits\":null,\"spend\":"
                    + "null,\"active\":null,\"joined\":null,\"seen\":null,\"seen_tz\":null,\"note\":\"\"}");

            Path some = dir.resolve("some.json");
            ColumnFilter news = new ColumnFilter("segment", ColumnFilter.Operator.EQ,
                    List.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.STRING, "news")));
            ColumnFilter visits = new ColumnFilter("visits", ColumnFilter.Operator.BETWEEN, List.of(
                    new ColumnFilter.Literal(ColumnFilter.Literal.Kind.NUMBER, "100"),
                    new ColumnFilter.Literal(ColumnFilter.Literal.Kind.NUMBER, "199")));
            ColumnFilter floating = new ColumnFilter("ratio", ColumnFilter.Operator.GT,
                    List.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.NUMBER, "0")));
            db.export(schema, "customers", columns.subList(0, 3), List.of(news, visits, floating), some, () -> false);
            List<String> filtered = Files.readAllLines(some);
            // news and 100..199: the even visits only; ratio (floating point) is never pushed down
            assertThat(filtered).hasSize(50).allSatisfy(l -> assertThat(l).contains("\"segment\":\"news\""));
            assertThat(filtered.get(0)).isEqualTo("{\"userid\":\"g100\",\"segment\":\"news\",\"visits\":\"100\"}");
        }
    }

    @Test
    void aNumericNaNIsReadAsNullNotAFailureThatFiltersCouldProbe() throws Exception {
        List<PostgresDatabase.Export> columns = List.of(export("id", "int", "integer"),
                export("spend", "decimal(10,2)", "numeric(10,2)"));
        try (PostgresDatabase db = PostgresDatabase.open(connection(reader, PASSWORD), Duration.ofSeconds(30))) {
            Path all = dir.resolve("measures.json");
            db.export(schema, "measures", columns, List.of(), all, () -> false);
            assertThat(Files.readAllLines(all)).containsExactlyInAnyOrder("{\"id\":\"1\",\"spend\":\"1.25\"}",
                    "{\"id\":\"2\",\"spend\":null}", "{\"id\":\"3\",\"spend\":null}",
                    "{\"id\":\"4\",\"spend\":\"-0.50\"}");
            // PostgreSQL sorts NaN above every number, so a pushed-down range keeps its row: it must
            // still be read, as NULL (the engine's own comparison then drops it), not end the query
            Path above = dir.resolve("above.json");
            ColumnFilter positive = new ColumnFilter("spend", ColumnFilter.Operator.GT,
                    List.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.NUMBER, "1")));
            db.export(schema, "measures", columns, List.of(positive), above, () -> false);
            assertThat(Files.readAllLines(above)).containsExactlyInAnyOrder("{\"id\":\"1\",\"spend\":\"1.25\"}",
                    "{\"id\":\"2\",\"spend\":null}");
        }
    }

    @Test
    void aRevokedGrantWrongPasswordOrDroppedTableIsACategory() throws Exception {
        String revoked = members.reader(PASSWORD);
        members.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + revoked,
                "CREATE TABLE " + schema + ".dropped (x text)",
                "GRANT SELECT ON " + schema + ".customers, " + schema + ".dropped TO " + revoked);
        List<PostgresDatabase.Export> x = List.of(export("x", "string", "text"));
        try (PostgresDatabase db = PostgresDatabase.open(connection(revoked, PASSWORD), Duration.ofSeconds(30))) {
            db.export(schema, "dropped", x, List.of(), dir.resolve("d1.json"), () -> false);
            members.execute("DROP TABLE " + schema + ".dropped");
            SourceException missing = catchThrowableOfType(SourceException.class, () -> db.export(schema, "dropped", x,
                    List.of(), dir.resolve("d2.json"), () -> false));
            assertThat(missing.category()).isEqualTo(SourceException.Category.MISSING);
            members.execute("REVOKE SELECT ON " + schema + ".customers FROM " + revoked);
            SourceException denied = catchThrowableOfType(SourceException.class, () -> db.export(schema, "customers",
                    List.of(export("segment", "string", "text")), List.of(), dir.resolve("d3.json"), () -> false));
            assertThat(denied.category()).isEqualTo(SourceException.Category.DENIED);
            assertThat(denied.ownerDetail()).contains("42501").doesNotContain(PASSWORD);
        }
        SourceException wrong = catchThrowableOfType(SourceException.class,
                () -> PostgresDatabase.open(connection(reader, "wrong-password-77"), Duration.ofSeconds(30)));
        assertThat(wrong.category()).isEqualTo(SourceException.Category.CREDENTIALS);
        assertThat(wrong.ownerDetail()).doesNotContain("wrong-password-77");
    }

    @Test
    void theSessionIsReadOnlyWhateverTheUserMayDo() throws Exception {
        // the owner of the database could write; through a connection its session still cannot
        try (PostgresDatabase db = PostgresDatabase.open(connection(reader, PASSWORD), Duration.ofSeconds(30));
                java.sql.Connection raw = members.owner()) {
            assertThat(raw.isReadOnly()).isFalse();
            java.lang.reflect.Field jdbc = PostgresDatabase.class.getDeclaredField("jdbc");
            jdbc.setAccessible(true);
            java.sql.Connection session = (java.sql.Connection) jdbc.get(db);
            assertThat(session.isReadOnly()).isTrue();
            try (java.sql.Statement s = session.createStatement()) {
                assertThat(catchThrowableOfType(java.sql.SQLException.class,
                        () -> s.execute("CREATE TEMP TABLE t (x int)")).getSQLState()).isEqualTo("25006");
            }
        }
    }
}
