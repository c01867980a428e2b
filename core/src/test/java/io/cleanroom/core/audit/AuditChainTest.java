package io.cleanroom.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Verification checks the stored rows, not only the events they hold. */
class AuditChainTest {
    private static List<Row<AuditEvent>> chain(int n) {
        List<Row<AuditEvent>> rows = new ArrayList<>();
        String previous = AuditEvent.GENESIS;
        for (int i = 1; i <= n; i++) {
            AuditEvent e = AuditEvent.draft("req-" + i, Instant.parse("2026-11-25T00:00:00Z").plusSeconds(i),
                    "127.0.0.1").withIdentity("11111111111" + i, "AKID" + i)
                    .withCall("cleanrooms.amazonaws.com", "GetCollaboration", List.of("c" + i), "", "c" + i)
                    .chainedAfter(i, previous);
            previous = e.hash();
            rows.add(Kinds.AUDIT_EVENTS.row(e));
        }
        return rows;
    }

    private static Row<AuditEvent> edit(Row<AuditEvent> row, String column, String value) {
        if (column.equals("id")) {
            return new Row<>(value, row.columns(), row.value());
        }
        Map<String, String> columns = new HashMap<>(row.columns());
        columns.put(column, value);
        return new Row<>(row.key(), columns, row.value());
    }

    @Test
    void aWholeChainVerifies() {
        assertThat(AuditChain.verify(chain(3), List.of(), d -> true)).isEmpty();
    }

    @Test
    void everyColumnThatDisagreesWithItsEventIsNamed() {
        for (String column : List.of("id", "account_id", "collaboration_id")) {
            List<Row<AuditEvent>> rows = chain(3);
            rows.set(1, edit(rows.get(1), column, rows.get(1).key() + "0"));
            Optional<AuditChain.Problem> problem = AuditChain.verify(rows, List.of(), d -> true);
            assertThat(problem).as(column).hasValueSatisfying(p -> {
                assertThat(p.kind()).isEqualTo("INCONSISTENT");
                assertThat(p.sequence()).isEqualTo(2);
                assertThat(p.message()).contains("Event 2").contains(column);
            });
        }
    }

    @Test
    void aDigestStoredUnderAnotherKeyIsNamed() {
        List<Row<AuditEvent>> rows = chain(2);
        AuditDigest digest = new AuditDigest(2, rows.get(1).value().hash(), Instant.parse("2026-11-25T01:00:00Z"),
                AuditDigest.DIGEST, "sig");
        assertThat(AuditChain.verify(rows, List.of(Kinds.AUDIT_DIGESTS.row(digest)), d -> true)).isEmpty();
        Row<AuditDigest> moved = new Row<>(AuditDigest.key(1, AuditDigest.DIGEST), Map.of(), digest);
        assertThat(AuditChain.verify(rows, List.of(moved), d -> true)).hasValueSatisfying(p -> {
            assertThat(p.kind()).isEqualTo("INCONSISTENT");
            assertThat(p.sequence()).isEqualTo(2);
        });
    }
}
