package io.cleanroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisMethod;
import io.cleanroom.core.model.ConfiguredTable;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.GlueTableReference;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Position;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migrations 7 and 7.1: rows stored before list_order existed get it from their records, so
 * listings of old and new rows together come newest first, a page at a time from the store. Each
 * store runs it (SqliteListOrderMigrationIT, PostgresListOrderMigrationIT).
 */
abstract class ListOrderMigrationSuite {
    private static final AccountId OWNER = new AccountId("111111111111");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A JDBC URL of an empty database. */
    abstract String emptyDatabase() throws Exception;

    private static ConfiguredTable table(int minute) {
        return new ConfiguredTable(ConfiguredTableId.random(), OWNER, "t" + minute, null,
                new GlueTableReference("db", "t", null), List.of("c"), AnalysisMethod.DIRECT_QUERY, List.of(),
                T0.plusSeconds(60L * minute), T0.plusSeconds(60L * minute));
    }

    /** Inserts a row as the version 6 schema held it, without list_order. */
    private static void insertAtVersion6(Connection c, ConfiguredTable t) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO configured_tables (id, owner_account_id, body) VALUES (?, ?, ?)")) {
            ps.setString(1, t.id().value());
            ps.setString(2, t.ownerAccountId().value());
            ps.setString(3, new JsonCodec().write(t));
            ps.executeUpdate();
        }
    }

    private static String listOrder(String url, String id) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ps = c.prepareStatement("SELECT list_order FROM configured_tables WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    @Test
    void rowsStoredBeforeAreListedNewestFirstWithNewOnes() throws Exception {
        String url = emptyDatabase();
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("6").load()
                .migrate();
        List<ConfiguredTable> old = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url)) {
            for (int minute : new int[] {3, 1, 4, 5}) {
                ConfiguredTable t = table(minute);
                old.add(t);
                insertAtVersion6(c, t);
            }
            // a row whose record cannot be read keeps '' rather than stopping the migration
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO configured_tables (id, owner_account_id, "
                    + "body) VALUES ('damaged', '222222222222', '{')")) {
                ps.executeUpdate();
            }
        }
        try (JdbcStore store = JdbcStore.open(url, null, null)) {
            store.inTransaction(tx -> {
                tx.of(Kinds.CONFIGURED_TABLES).insert(table(2));
                tx.of(Kinds.CONFIGURED_TABLES).insert(table(6));
                return null;
            });
            assertThat(listOrder(url, old.get(0).id().value()))
                    .isEqualTo(Position.newestFirst(old.get(0).createTime()));
            assertThat(listOrder(url, "damaged")).isEmpty();
            // page by page from the store: two at a time after the last one returned
            List<String> names = new ArrayList<>();
            Position after = null;
            while (true) {
                Position from = after;
                List<ConfiguredTable> page = store.inTransaction(tx -> tx.of(Kinds.CONFIGURED_TABLES)
                        .findAfter("owner_account_id", OWNER.value(), from, 2));
                page.forEach(t -> names.add(t.name()));
                if (page.size() < 2) {
                    break;
                }
                after = Kinds.CONFIGURED_TABLES.positionOf(page.get(page.size() - 1));
            }
            assertThat(names).containsExactly("t6", "t5", "t4", "t3", "t2", "t1");
        }
    }
}
