package io.cleanroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.model.Account;
import io.cleanroom.core.store.Kinds;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process mid-stream (SIGKILL, no shutdown hooks) and checks that what survived is
 * whole: every account has the event of the call that created it, every event its account, and
 * the chain verifies.
 */
class AuditKillIT {
    @TempDir
    Path dir;

    @Test
    void aKilledWriterLeavesNoChangeWithoutItsEventNorEventWithoutItsChange() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process writer = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                AuditKillWriter.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long committed = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                committed = Long.parseLong(line.trim());
                if (committed >= 200) {
                    break;
                }
            }
            writer.destroyForcibly();
            writer.waitFor();
        }
        assertThat(committed).as("the writer committed before it was killed").isGreaterThanOrEqualTo(200);

        try (JdbcStore store = JdbcStore.sqlite(dir)) {
            List<AuditEvent> events = store.inTransaction(tx -> tx.of(Kinds.AUDIT_EVENTS).all());
            List<Account> accounts = store.inTransaction(tx -> tx.of(Kinds.ACCOUNTS).all());
            // everything it said it committed is there, and maybe the write in flight
            assertThat(accounts.size()).isGreaterThanOrEqualTo((int) committed);
            assertThat(events).hasSameSizeAs(accounts);
            Set<String> accountIds = accounts.stream().map(a -> a.id().value()).collect(Collectors.toSet());
            Set<String> eventIds = events.stream().map(e -> e.resources().get(0)).collect(Collectors.toSet());
            assertThat(eventIds).isEqualTo(accountIds);
            assertThat(AuditChain.verify(events, 1, AuditEvent.GENESIS)).isEmpty();
        }
    }
}
