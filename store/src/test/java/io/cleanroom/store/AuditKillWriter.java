package io.cleanroom.store;

import io.cleanroom.core.audit.AuditContext;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.model.Account;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.store.Kinds;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A process that writes accounts, each with the event of its call, as fast as it can until it is
 * killed; it prints the number of each write it committed. Run by {@link AuditKillIT}.
 */
final class AuditKillWriter {
    private AuditKillWriter() {
    }

    public static void main(String[] args) {
        JdbcStore store = JdbcStore.sqlite(Path.of(args[0]));
        for (long n = 1; ; n++) {
            String id = String.format("%012d", n);
            AuditContext audit = AuditContext.begin(AuditEvent.draft("req-" + n, Instant.now(), "127.0.0.1")
                    .withCall("cleanroom-admin", "CreateAccount", List.of(id), "{\"accountId\":\"" + id + "\"}", null));
            try {
                store.inTransaction(tx -> {
                    tx.of(Kinds.ACCOUNTS).insert(new Account(new AccountId(id), "a", true, List.of(), Instant.now()));
                    return null;
                });
            } finally {
                audit.end();
            }
            System.out.println(n);
            System.out.flush();
        }
    }
}
