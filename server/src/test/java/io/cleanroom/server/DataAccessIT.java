package io.cleanroom.server;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicyV1;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AccessDeniedException;
import software.amazon.awssdk.services.glue.model.InvalidInputException;

/**
 * Data access through the API: accounts confined to data roots by default, catalog errors that
 * do not say whether another member's path exists, locations re-checked at query time, and
 * queries that never read another member's file however a member swaps its own files for links
 * while they start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataAccessIT {
    private static final int RACED_QUERIES = 40;

    TestCluster cluster;

    @BeforeAll
    void start() throws Exception {
        // one query at a time, so that a query can be held SUBMITTED behind another
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withEngine(
                new ServerConfig.Engine("512MB", 2, 1, Duration.ofSeconds(60), 100_000)));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private static void createTable(GlueClient glue, String database, String name, String location) {
        try {
            glue.createDatabase(r -> r.databaseInput(d -> d.name(database)));
        } catch (software.amazon.awssdk.services.glue.model.AlreadyExistsException ignored) {
            // shared database
        }
        glue.createTable(r -> r.databaseName(database).tableInput(t -> t.name(name)
                .parameters(Map.of("classification", "csv")).storageDescriptor(sd -> sd.location(location))));
    }

    /** The message of a refused CreateTable. */
    private static String refusal(GlueClient glue, String location) {
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                () -> createTable(glue, "db", "t", location));
        assertThat(e).as(location).isNotNull();
        return e.awsErrorDetails().errorMessage();
    }

    @Test
    void anAccountWithoutDataRootsRegistersNothingUntilTheOperatorGrantsOne() throws Exception {
        TestCluster.Keys keys = cluster.createAccount(Fixtures.randomAccountId(), "rootless", List.of());
        Path root = cluster.dataRoot(keys.accountId());
        Path file = Files.writeString(root.resolve("t.csv"), "a\n1\n");
        try (GlueClient glue = cluster.glue(keys)) {
            for (String location : List.of(file.toString(), "/etc/passwd", root + "/*.csv")) {
                AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class,
                        () -> createTable(glue, "db", "t", location));
                assertThat(e).as(location).isNotNull();
                assertThat(e.awsErrorDetails().errorMessage()).contains("no data roots")
                        .contains("operator must grant one");
            }
            SignedHttpClient.Response grant = cluster.admin("PUT", "/admin/accounts/" + keys.accountId()
                    + "/dataRoots", "{\"dataRoots\":[" + Json.MAPPER.writeValueAsString(root.toString()) + "]}");
            assertThat(grant.status()).as(grant.body()).isEqualTo(200);
            createTable(glue, "db", "t", file.toString());
            assertThat(glue.getTable(r -> r.databaseName("db").name("t")).table().storageDescriptor().location())
                    .isEqualTo(file.toString());
        }
    }

    @Test
    void theAdminApiSetsDataRootsWhenItCreatesAnAccount() throws Exception {
        Path root = Files.createDirectories(cluster.dataDir.resolve("granted"));
        String id = Fixtures.randomAccountId();
        SignedHttpClient.Response created = cluster.admin("POST", "/admin/accounts", "{\"accountId\":\"" + id
                + "\",\"name\":\"n\",\"dataRoots\":[" + Json.MAPPER.writeValueAsString(root + "/./") + "]}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(created.body()).get("dataRoots").get(0).asText())
                .isEqualTo(root.toRealPath().toString());
        SignedHttpClient.Response bad = cluster.admin("POST", "/admin/accounts", "{\"accountId\":\""
                + Fixtures.randomAccountId() + "\",\"name\":\"n\",\"dataRoots\":[\"relative/dir\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("dataRoots[0]");
    }

    @Test
    void catalogErrorsDoNotTellWhetherAPathOutsideTheRootsExists() throws Exception {
        TestCluster.Keys owner = Fixtures.account(cluster, "owner");
        TestCluster.Keys other = Fixtures.account(cluster, "other");
        Path mine = cluster.dataRoot(owner.accountId());
        Path theirs = cluster.dataRoot(other.accountId());
        Path secret = cluster.csv(other, "secret.csv", List.of("x", "1"));
        Files.createSymbolicLink(mine.resolve("to-secret.csv"), secret);
        Files.createSymbolicLink(mine.resolve("to-nothing.csv"), theirs.resolve("nothing.csv"));
        Files.createSymbolicLink(mine.resolve("their-root"), theirs);
        try (GlueClient glue = cluster.glue(owner)) {
            String existing = refusal(glue, secret.toString());
            assertThat(existing).contains("does not exist or is outside your data roots");
            for (String location : List.of(theirs.resolve("nothing.csv").toString(), theirs + "/*.csv",
                    theirs + "/*.parquet", theirs + "/none/*.csv", "/etc/passwd", mine + "/../" + other.accountId()
                            + "/secret.csv", mine.resolve("to-secret.csv").toString(),
                    mine.resolve("to-nothing.csv").toString(), mine + "/their-root/secret.csv",
                    mine + "/their-root/nothing.csv", mine.resolve("nothing.csv").toString())) {
                assertThat(refusal(glue, location)).as(location).isEqualTo(existing);
            }
        }
    }

    /** Where a Solo account's data lies: writes files in its root, returns the table's location. */
    interface Layout {
        String at(Path root) throws Exception;
    }

    /** One account querying its own table "mine" (a custom ANY_QUERY rule) in a collaboration of its own. */
    final class Solo {
        final TestCluster.Keys keys;
        final CleanRoomsClient client;
        final Path root;
        final String membership;

        Solo(Layout layout) throws Exception {
            keys = Fixtures.account(cluster, "querier");
            client = cluster.cleanRooms(keys);
            root = cluster.dataRoot(keys.accountId());
            String location = layout.at(root);
            try (GlueClient glue = cluster.glue(keys)) {
                createTable(glue, "lab", "mine", location);
            }
            String collaboration = client.createCollaboration(r -> r.name("solo").description("d")
                    .creatorDisplayName("q").creatorMemberAbilitiesWithStrings("CAN_QUERY", "CAN_RECEIVE_RESULTS")
                    .members(List.of()).queryLogStatus("DISABLED")).collaboration().id();
            membership = Fixtures.join(client, collaboration);
            // the configured table is named apart from its association, to tell which one a message names
            String table = Fixtures.configuredTable(client, "solo_mine", "lab", "mine", "k");
            client.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1
                            .fromCustom(AnalysisRuleCustom.builder().allowedAnalyses("ANY_QUERY")
                                    .allowedAnalysisProviders(keys.accountId()).build()))));
            Fixtures.associate(client, membership, table, "mine");
        }

        String start(String sql) {
            return client.startProtectedQuery(r -> r.membershipIdentifier(membership).type(ProtectedQueryType.SQL)
                    .sqlParameters(s -> s.queryString(sql))).protectedQuery().id();
        }

        /**
         * Runs SELECT k FROM mine: the rows of a SUCCESS, or none with the refusal (at start or
         * while running) added to refusals.
         */
        List<String> run(List<String> refusals) throws Exception {
            String id;
            try {
                id = start("SELECT k FROM mine");
            } catch (AwsServiceException e) {
                refusals.add(e.awsErrorDetails().errorMessage());
                return List.of();
            }
            return rows(id, refusals);
        }

        /** The rows of a query once it has ended, or none with the reason in refusals. */
        List<String> rows(String id, List<String> refusals) throws Exception {
            ProtectedQuery q = await(id);
            if (q.status() != ProtectedQueryStatus.SUCCESS) {
                refusals.add(q.status() + ": " + (q.error() == null ? "" : q.error().message()));
                return List.of();
            }
            List<String> rows = new ArrayList<>();
            for (JsonNode row : Fixtures.resultRows(cluster, keys, membership, q)) {
                rows.add(row.get(0).asText());
            }
            return rows;
        }

        ProtectedQuery await(String id) throws InterruptedException {
            return Fixtures.await(client, membership, id);
        }
    }

    private static List<String> rows(String tag, int n) {
        List<String> lines = new ArrayList<>(List.of("k"));
        for (int i = 0; i < n; i++) {
            lines.add(tag + "-" + i);
        }
        return lines;
    }

    @Test
    void aTableWhoseLocationLeftItsOwnersRootsIsRefusedAtQueryTime() throws Exception {
        Solo solo = new Solo(root -> Files.write(root.resolve("mine.csv"), rows("mine", 3)).toString());
        List<String> refusals = new ArrayList<>();
        assertThat(solo.run(refusals)).as(String.valueOf(refusals))
                .containsExactlyInAnyOrder("mine-0", "mine-1", "mine-2");
        Path elsewhere = Files.createDirectories(cluster.dataDir.resolve("elsewhere"));
        SignedHttpClient.Response moved = cluster.admin("PUT", "/admin/accounts/" + solo.keys.accountId()
                + "/dataRoots", "{\"dataRoots\":[" + Json.MAPPER.writeValueAsString(elsewhere.toString()) + "]}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        refusals.clear();
        assertThat(solo.run(refusals)).isEmpty();
        assertThat(refusals).singleElement().asString().contains("Table mine (configured table solo_mine of account "
                + solo.keys.accountId() + ") cannot be read");
        SignedHttpClient.Response none = cluster.admin("PUT", "/admin/accounts/" + solo.keys.accountId()
                + "/dataRoots", "{\"dataRoots\":[]}");
        assertThat(none.status()).as(none.body()).isEqualTo(200);
        refusals.clear();
        assertThat(solo.run(refusals)).isEmpty();
        assertThat(refusals).singleElement().asString().contains("no data roots");
    }

    /** The operator's view of the audit trail's events. */
    private List<JsonNode> auditEvents() throws Exception {
        SignedHttpClient.Response r = cluster.admin("GET", "/admin/audit/events", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(r.body()).get("events").forEach(out::add);
        return out;
    }

    /**
     * StartProtectedQuery checks where each table's data lies before it records anything: a
     * refusal leaves no query SUBMITTED (so none counts against the concurrency quota), names the
     * table and its configured table rather than a Glue field, says what is wrong with the data,
     * and is in the audit trail as the failure it was.
     */
    @Test
    void aQueryOverDataThatIsGoneIsRefusedBeforeItIsRecordedNamingTheTableAndAudited() throws Exception {
        Solo solo = new Solo(root -> Files.write(root.resolve("mine.csv"), rows("mine", 3)).toString());
        Path file = solo.root.resolve("mine.csv");
        Path moved = solo.root.resolve("moved.csv");
        Files.move(file, moved);
        String table = "Table mine (configured table solo_mine of account " + solo.keys.accountId() + ")";
        // more refusals than the membership may have queries running at once (5)
        for (int i = 0; i < 7; i++) {
            AwsServiceException refused = catchThrowableOfType(AwsServiceException.class,
                    () -> solo.start("SELECT k FROM mine"));
            assertThat(refused).isInstanceOf(software.amazon.awssdk.services.cleanrooms.model.ValidationException.class);
            assertThat(((software.amazon.awssdk.services.cleanrooms.model.ValidationException) refused)
                    .reasonAsString()).isEqualTo("INVALID_CONFIGURATION");
            assertThat(refused.awsErrorDetails().errorMessage()).startsWith(table + " cannot be read: ")
                    .contains("no data file is where its location points")
                    .doesNotContain("StorageDescriptor").doesNotContain("TableInput")
                    .doesNotContain(solo.root.toString());
        }
        assertThat(solo.client.listProtectedQueries(r -> r.membershipIdentifier(solo.membership))
                .protectedQueries()).isEmpty();
        List<JsonNode> starts = auditEvents().stream()
                .filter(e -> e.get("eventName").asText().equals("StartProtectedQuery")
                        && e.get("accountId").asText().equals(solo.keys.accountId()))
                .toList();
        assertThat(starts).hasSize(7).allSatisfy(e -> {
            assertThat(e.get("errorCode").asText()).isEqualTo("ValidationException");
            assertThat(e.get("errorMessage").asText()).startsWith(table + " cannot be read");
        });

        // a directory that is left without data files says so
        Solo emptied = new Solo(root -> {
            Path dir = Files.createDirectories(root.resolve("parts"));
            Files.write(dir.resolve("part-0.csv"), rows("mine", 2));
            return dir.toString();
        });
        Files.delete(emptied.root.resolve("parts").resolve("part-0.csv"));
        AwsServiceException empty = catchThrowableOfType(AwsServiceException.class,
                () -> emptied.start("SELECT k FROM mine"));
        assertThat(empty.awsErrorDetails().errorMessage()).isEqualTo("Table mine (configured table solo_mine of "
                + "account " + emptied.keys.accountId() + ") cannot be read: its location has no data files now. "
                + "Its owner must put the data back or register the table where the data is now");

        // the data back where it was: the next start is accepted and runs
        Files.move(moved, file);
        List<String> refusals = new ArrayList<>();
        assertThat(solo.rows(solo.start("SELECT k FROM mine"), refusals)).as(String.valueOf(refusals))
                .containsExactlyInAnyOrder("mine-0", "mine-1", "mine-2");
    }

    @Test
    void aCompressedFileAddedToATablesDirectoryRefusesTheQueryInsteadOfBeingReadAsGarbage() throws Exception {
        Solo solo = new Solo(root -> {
            Path dir = Files.createDirectories(root.resolve("gz-parts"));
            Files.write(dir.resolve("part-0.csv"), rows("mine", 2));
            return dir.toString();
        });
        // read pinned, as /proc/self/fd/N, an engine cannot tell the file is compressed by its name
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(
                solo.root.resolve("gz-parts").resolve("part-1.csv.gz")))) {
            out.write(String.join("\n", rows("gz", 2)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        AwsServiceException refused = catchThrowableOfType(AwsServiceException.class,
                () -> solo.start("SELECT k FROM mine"));
        assertThat(refused).isNotNull();
        assertThat(refused.awsErrorDetails().errorMessage()).startsWith("Table mine (configured table solo_mine of "
                + "account " + solo.keys.accountId() + ") cannot be read: its data files are compressed")
                .doesNotContain(solo.root.toString()).doesNotContain("part-1");
        Files.delete(solo.root.resolve("gz-parts").resolve("part-1.csv.gz"));
        List<String> refusals = new ArrayList<>();
        assertThat(solo.rows(solo.start("SELECT k FROM mine"), refusals)).as(String.valueOf(refusals))
                .containsExactlyInAnyOrder("mine-0", "mine-1");
    }

    @Test
    void aLinkInsideTheRootToAnotherFileInsideItIsReadAsThatFile() throws Exception {
        Solo solo = new Solo(root -> {
            Path versions = Files.createDirectories(root.resolve("v1"));
            Files.write(versions.resolve("data.csv"), rows("mine", 2));
            return Files.createSymbolicLink(root.resolve("current.csv"), versions.resolve("data.csv")).toString();
        });
        List<String> refusals = new ArrayList<>();
        assertThat(solo.run(refusals)).as(String.valueOf(refusals)).containsExactlyInAnyOrder("mine-0", "mine-1");
    }

    /**
     * The red team's attack, one swap at a time: a query is accepted over the member's own file,
     * waits behind another, and the file is swapped for a link to another member's file before
     * the engine opens it. The query must not read the other member's rows.
     */
    @Test
    void aQueryWaitingToRunDoesNotReadTheFileALinkNowLeadsTo() throws Exception {
        TestCluster.Keys victim = Fixtures.account(cluster, "victim");
        Path secret = cluster.csv(victim, "data.csv", rows("SECRET", 200));
        Solo solo = new Solo(root -> Files.write(root.resolve("data.csv"), rows("mine", 200)).toString());
        Path file = solo.root.resolve("data.csv");
        Path kept = solo.root.resolve("kept.csv");
        swapWhileQueued(solo, () -> {
            Files.move(file, kept);
            Files.createSymbolicLink(file, secret);
        }, () -> {
            Files.delete(file);
            Files.move(kept, file);
        });
    }

    /** The same with a directory on the file's path swapped for a link to the other member's directory. */
    @Test
    void aQueryWaitingToRunDoesNotReadThroughADirectoryNowALink() throws Exception {
        TestCluster.Keys victim = Fixtures.account(cluster, "victim");
        Path theirs = Files.createDirectories(cluster.dataRoot(victim.accountId()).resolve("sub"));
        Files.write(theirs.resolve("data.csv"), rows("SECRET", 200));
        Solo solo = new Solo(root -> Files.write(Files.createDirectories(root.resolve("sub")).resolve("data.csv"),
                rows("mine", 200)).toString());
        Path sub = solo.root.resolve("sub");
        Path kept = solo.root.resolve("kept");
        swapWhileQueued(solo, () -> {
            Files.move(sub, kept);
            Files.createSymbolicLink(sub, theirs);
        }, () -> {
            Files.delete(sub);
            Files.move(kept, sub);
        });
    }

    /**
     * Starts SELECT k FROM mine while another account's slow query holds the only worker, swaps
     * while it waits SUBMITTED, lets it run: it must fail without the other member's rows. Then
     * restores, and the query works again.
     */
    private void swapWhileQueued(Solo solo, Swap swap, Swap restore) throws Exception {
        Solo blocker = new Solo(root -> Files.write(root.resolve("big.csv"), rows("b", 150_000)).toString());
        String slow = blocker.start("SELECT COUNT(*) FROM mine a JOIN mine b ON a.k <> b.k");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (blocker.client.getProtectedQuery(r -> r.membershipIdentifier(blocker.membership)
                .protectedQueryIdentifier(slow)).protectedQuery().status() != ProtectedQueryStatus.STARTED
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        String waiting = solo.start("SELECT k FROM mine");
        assertThat(solo.client.getProtectedQuery(r -> r.membershipIdentifier(solo.membership)
                .protectedQueryIdentifier(waiting)).protectedQuery().status()).isEqualTo(ProtectedQueryStatus.SUBMITTED);
        swap.once();
        blocker.client.updateProtectedQuery(r -> r.membershipIdentifier(blocker.membership)
                .protectedQueryIdentifier(slow).targetStatus("CANCELLED"));
        List<String> refusals = new ArrayList<>();
        assertThat(solo.rows(waiting, refusals)).noneMatch(r -> r.startsWith("SECRET")).isEmpty();
        assertThat(refusals).singleElement().asString().startsWith("FAILED").containsIgnoringCase("table mine")
                .doesNotContain(cluster.dataDir.toString());
        restore.once();
        refusals.clear();
        assertThat(solo.run(refusals)).as(String.valueOf(refusals)).hasSize(200).allMatch(r -> r.startsWith("mine-"));
    }

    /**
     * The attack of the red-team report: a member's file is swapped again and again for a
     * symbolic link to another member's file while its queries start. No query may ever return
     * the other member's rows; once the swapping stops, queries work.
     */
    @Test
    void noQueryReadsAnotherMembersFileWhileAMemberSwapsItsFileForALink() throws Exception {
        TestCluster.Keys victim = Fixtures.account(cluster, "victim");
        Path secret = cluster.csv(victim, "data.csv", rows("SECRET", 200));
        Solo solo = new Solo(root -> Files.write(Files.createDirectories(root.resolve("sub")).resolve("data.csv"),
                rows("mine", 200)).toString());
        Path file = solo.root.resolve("sub/data.csv");
        // a second name for the member's file, so that swapping back restores the very same file
        Path keep = Files.createLink(solo.root.resolve("keep.csv"), file);
        Path link = Files.createSymbolicLink(solo.root.resolve("link.csv"), secret);
        Path spare = solo.root.resolve("spare.csv");
        race(solo, () -> {
            Files.createLink(spare, keep);
            Files.move(link, file, ATOMIC_MOVE, REPLACE_EXISTING);
            pause();
            Files.createSymbolicLink(link, secret);
            Files.move(spare, file, ATOMIC_MOVE, REPLACE_EXISTING);
            pause();
        });
    }

    /** The same with a directory on the file's path swapped for a link to the other member's directory. */
    @Test
    void noQueryReadsAnotherMembersFileWhileAMemberSwapsADirectoryOnItsPathForALink() throws Exception {
        TestCluster.Keys victim = Fixtures.account(cluster, "victim");
        Path theirs = Files.createDirectories(cluster.dataRoot(victim.accountId()).resolve("sub"));
        Files.write(theirs.resolve("data.csv"), rows("SECRET", 200));
        Solo solo = new Solo(root -> Files.write(Files.createDirectories(root.resolve("sub")).resolve("data.csv"),
                rows("mine", 200)).toString());
        Path sub = solo.root.resolve("sub");
        Path kept = solo.root.resolve("kept");
        Path link = Files.createSymbolicLink(solo.root.resolve("link"), theirs);
        race(solo, () -> {
            Files.move(sub, kept, ATOMIC_MOVE);
            Files.move(link, sub, ATOMIC_MOVE);
            pause();
            Files.move(sub, link, ATOMIC_MOVE);
            Files.move(kept, sub, ATOMIC_MOVE);
            pause();
        });
    }

    /** One round of the swapper: swaps in, waits, swaps back, waits; leaves the member's file in place. */
    interface Swap {
        void once() throws Exception;
    }

    /**
     * A pause of 0 to 8 ms, seeded: some swaps land between the check and the open, others hold
     * the link while the engine opens and reads the file, as the red team's did.
     */
    private final java.util.Random pauses = new java.util.Random(8);

    private void pause() {
        java.util.concurrent.locks.LockSupport.parkNanos(pauses.nextInt(8_000_000));
    }

    private void race(Solo solo, Swap swap) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger swaps = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread swapper = new Thread(() -> {
            try {
                while (!stop.get()) {
                    swap.once();
                    swaps.incrementAndGet();
                }
            } catch (Exception e) {
                failed.set(e);
            }
        }, "swapper");
        List<String> seen = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        swapper.start();
        try {
            for (int i = 0; i < RACED_QUERIES; i++) {
                seen.addAll(solo.run(refusals));
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        assertThat(failed.get()).isNull();
        assertThat(swaps.get()).isPositive();
        assertThat(seen).as("rows read while the files were swapped").noneMatch(r -> r.startsWith("SECRET"));
        assertThat(refusals).noneMatch(r -> r.contains("SECRET"));
        List<String> after = new ArrayList<>();
        assertThat(solo.run(after)).as(String.valueOf(after)).hasSize(200).allMatch(r -> r.startsWith("mine-"));
    }
}
