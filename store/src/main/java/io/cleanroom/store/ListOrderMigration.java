package io.cleanroom.store;

import io.cleanroom.core.store.Kind;
import io.cleanroom.core.store.Kinds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.api.migration.Context;

/**
 * Migration 7.1: fills list_order (added empty by V7__list_order.sql) of the rows stored before,
 * from each record as the kind computes it. SQL alone cannot, because the sort key lies in the
 * record's JSON, which SQLite and PostgreSQL read with different functions. A row whose record
 * cannot be read keeps '' (listed first) rather than stopping the server from starting.
 */
final class ListOrderMigration extends BackfillMigration {
    private final JsonCodec codec = new JsonCodec();

    ListOrderMigration() {
        super("7.1", "fill list order");
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        for (Kind<?> kind : Kinds.ALL) {
            if (kind.listed()) {
                fill(c, kind);
            }
        }
    }

    private <V> void fill(Connection c, Kind<V> kind) throws Exception {
        Map<String, String> orders = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, body FROM " + kind.table()
                + " WHERE " + Kind.LIST_ORDER + " = ''");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                try {
                    V value = codec.read(rs.getString(2), kind.type());
                    orders.put(rs.getString(1), kind.positionOf(value).order());
                } catch (RuntimeException e) {
                    // unreadable: stays '' and is listed first
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + kind.table() + " SET " + Kind.LIST_ORDER
                + " = ? WHERE id = ?")) {
            for (Map.Entry<String, String> entry : orders.entrySet()) {
                ps.setString(1, entry.getValue());
                ps.setString(2, entry.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
