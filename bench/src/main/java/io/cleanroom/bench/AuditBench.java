package io.cleanroom.bench;

import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.audit.AuditService;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Page;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.store.JdbcStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * What the audit trail costs as it grows, on the SQLite store: appending one event per
 * transaction (as each API call does), an account's LookupEvents page, and verifying the whole
 * chain. Usage: AuditBench [events,events,...] (default 10000,100000). Prints medians.
 */
public final class AuditBench {
    private AuditBench() {
    }

    private static AuditEvent draft(long n) {
        String account = String.format("%012d", 100_000_000_000L + n % 100);
        return AuditEvent.draft("req-" + n, Instant.now(), "127.0.0.1")
                .withCall("cleanrooms.amazonaws.com", "GetCollaboration", List.of("collab-" + (n % 50)),
                        "{\"collaborationIdentifier\":\"collab-" + (n % 50) + "\"}", null)
                .withIdentity(account, "AKIA" + account);
    }

    public static void main(String[] args) throws Exception {
        long[] sizes = Arrays.stream((args.length > 0 ? args[0] : "10000,100000").split(","))
                .mapToLong(Long::parseLong).toArray();
        System.out.printf("%10s %16s %18s %14s%n", "events", "append µs/call", "lookup page ms", "verify ms");
        for (long size : sizes) {
            Path dir = Files.createTempDirectory("audit-bench");
            try (JdbcStore store = JdbcStore.sqlite(dir)) {
                long n = 0;
                while (n < size) {
                    long from = n;
                    long to = Math.min(size, n + 5000);
                    store.inTransaction(tx -> {
                        for (long i = from; i < to; i++) {
                            AuditChain.append(tx, draft(i));
                        }
                        return null;
                    });
                    n = to;
                }
                // one event per transaction, as API calls append them
                int calls = 2000;
                long start = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    long id = size + i;
                    store.inTransaction(tx -> AuditChain.append(tx, draft(id)));
                }
                double appendMicros = (System.nanoTime() - start) / 1e3 / calls;

                AuditService service = new AuditService(store, io.cleanroom.core.service.PageTokens.random());
                Caller caller = new Caller(new AccountId("100000000007"), "AKIA", Role.ADMINISTRATOR);
                double[] lookups = new double[7];
                for (int i = 0; i < lookups.length; i++) {
                    long t = System.nanoTime();
                    service.lookup(caller, new AuditService.Lookup(e -> true, null, null, null), new Page.Request(50, null));
                    lookups[i] = (System.nanoTime() - t) / 1e6;
                }
                double[] verifies = new double[3];
                for (int i = 0; i < verifies.length; i++) {
                    long t = System.nanoTime();
                    List<AuditEvent> events = store.inTransaction(tx -> tx.of(Kinds.AUDIT_EVENTS).all());
                    if (AuditChain.verify(events, 1, AuditEvent.GENESIS).isPresent()) {
                        throw new IllegalStateException("the benchmark's chain does not verify");
                    }
                    verifies[i] = (System.nanoTime() - t) / 1e6;
                }
                System.out.printf("%10d %16.0f %18.1f %14.1f%n", size + calls, appendMicros, Stats.median(lookups),
                        Stats.median(verifies));
            } finally {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
