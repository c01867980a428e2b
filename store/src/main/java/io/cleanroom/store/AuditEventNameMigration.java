package io.cleanroom.store;

import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.store.Kinds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flywaydb.core.api.migration.Context;

/**
 * Migration 12.1: fills event_name (added empty by V12__audit_event_names.sql) of the audit events
 * stored before, from each event's record, a batch at a time in key order so that a long trail
 * takes bounded memory. SQL alone cannot (the name lies in the record's JSON, which SQLite and
 * PostgreSQL read with different functions). An event whose record cannot be read keeps '', as the
 * column then disagrees with the record, which `audit verify` reports and lookups skip, exactly as
 * they do for any row edited in the database.
 */
final class AuditEventNameMigration extends BackfillMigration {
    private static final int BATCH = 1000;
    private final JsonCodec codec = new JsonCodec();

    AuditEventNameMigration() {
        super("12.1", "fill audit event names");
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        String table = Kinds.AUDIT_EVENTS.table();
        String after = "";
        while (true) {
            Map<String, String> names = new LinkedHashMap<>();
            String last = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT id, body FROM " + table
                    + " WHERE event_name = '' AND id > ? ORDER BY id LIMIT " + BATCH)) {
                ps.setString(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        last = rs.getString(1);
                        try {
                            names.put(last, codec.read(rs.getString(2), AuditEvent.class).eventName());
                        } catch (RuntimeException e) {
                            // unreadable: stays '' (and disagrees with its record, as verify says)
                        }
                    }
                }
            }
            if (last == null) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET event_name = ? WHERE id = ?")) {
                for (Map.Entry<String, String> entry : names.entrySet()) {
                    ps.setString(1, entry.getValue());
                    ps.setString(2, entry.getKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            after = last;
        }
    }
}
