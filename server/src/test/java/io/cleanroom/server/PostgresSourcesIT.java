package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.query.Sources;
import io.cleanroom.server.wire.Json;
import io.cleanroom.sources.MemberDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.CollaborationQueryLogStatus;
import software.amazon.awssdk.services.cleanrooms.model.MemberAbility;
import software.amazon.awssdk.services.cleanrooms.model.MemberSpecification;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.GlueException;

/**
 * A member's table in PostgreSQL, through the SDK: the advertiser registers its customers table of
 * the members' database (the real server the suite starts) through its own JDBC connection, whose
 * user holds SELECT on the allowed columns only; columns come from the database's catalog; the lab's
 * overlap gives the rows of the same lab over local files; a condition on an allowed column is pushed
 * down (fewer rows staged); and a revoked grant, a dropped table or a wrong password fail the query
 * with the table and a category, the cause in the owner's audit trail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresSourcesIT {
    private static final String PASSWORD = "member-reader-pw-8c21";
    private static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2";
    private static final String SPRING = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "WHERE a.campaign = 'spring' GROUP BY 1, 2";

    private TestCluster cluster;
    private MemberDatabase members;
    private final List<Sources.Read> reads = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        members = MemberDatabase.fromEnvironment();
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withEngine(new ServerConfig.Engine("512MB", 2,
                2, Duration.ofMinutes(2), 100_000)));
        cluster.server.queries().sourceReads(reads::add);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<String> publisher() {
        List<String> rows = new ArrayList<>(List.of("user_id_hash,segment"));
        for (int i = 0; i < 600; i++) {
            rows.add("u" + i + "," + (i % 2 == 0 ? "news" : "sports"));
        }
        return rows;
    }

    private static List<String> advertiser() {
        List<String> rows = new ArrayList<>(List.of("user_id_hash,campaign,email"));
        for (int i = 0; i < 600; i += 3) {
            rows.add("u" + i + "," + (i % 4 < 2 ? "spring" : "brand") + ",user" + i + "@example.com");
        }
        return rows;
    }

    /** The lab, with the advertiser's table in a local file or in the members' PostgreSQL database. */
    final class Lab {
        final TestCluster.Keys publisher;
        final TestCluster.Keys advertiser;
        final CleanRoomsClient adv;
        final String advertiserMembership;
        String schema;
        String reader;

        Lab(String name, boolean inPostgres) throws Exception {
            publisher = Fixtures.account(cluster, "publisher");
            advertiser = Fixtures.account(cluster, "advertiser");
            CleanRoomsClient pub = cluster.cleanRooms(publisher);
            adv = cluster.cleanRooms(advertiser);
            Fixtures.catalogTable(cluster, publisher, "lab", "publisher_audience", PostgresSourcesIT.publisher(), false);
            if (inPostgres) {
                postgresTable();
            } else {
                Fixtures.catalogTable(cluster, advertiser, "lab", "advertiser_audience", PostgresSourcesIT.advertiser(),
                        false);
            }
            String collaboration = pub.createCollaboration(r -> r.name(name).description("lab")
                    .members(MemberSpecification.builder().accountId(advertiser.accountId()).displayName("advertiser")
                            .memberAbilities(MemberAbility.CAN_QUERY, MemberAbility.CAN_RECEIVE_RESULTS).build())
                    .creatorMemberAbilities(List.of()).creatorDisplayName("publisher")
                    .queryLogStatus(CollaborationQueryLogStatus.DISABLED)).collaboration().id();
            String publisherMembership = Fixtures.join(pub, collaboration);
            advertiserMembership = Fixtures.join(adv, collaboration);
            String pt = Fixtures.configuredTable(pub, "publisher_audience", "lab", "publisher_audience",
                    "user_id_hash", "segment");
            // email is in the table, never allowed
            String at = Fixtures.configuredTable(adv, "advertiser_audience", "lab", "advertiser_audience",
                    "user_id_hash", "campaign");
            Fixtures.aggregationRule(pub, pt, "user_id_hash", "segment");
            Fixtures.aggregationRule(adv, at, "user_id_hash", "campaign");
            Fixtures.associate(pub, publisherMembership, pt, "publisher_audience");
            adv.createConfiguredTableAssociation(r -> r.membershipIdentifier(advertiserMembership)
                    .configuredTableIdentifier(at).name("advertiser_audience")
                    .roleArn("arn:aws:iam::" + advertiser.accountId() + ":role/" + (inPostgres ? "adv-dw" : "x")));
        }

        /**
         * The advertiser's customers in a schema of the members' database, readable by a role that may
         * SELECT the two allowed columns and nothing else, registered through the account's own
         * connection.
         */
        private void postgresTable() throws Exception {
            schema = members.schema("adv");
            reader = members.reader(PASSWORD);
            List<String> statements = new ArrayList<>(List.of("CREATE TABLE " + schema + ".customers "
                    + "(user_id_hash text, campaign varchar(20), email text, visits integer)"));
            for (String line : PostgresSourcesIT.advertiser().subList(1, PostgresSourcesIT.advertiser().size())) {
                String[] v = line.split(",");
                statements.add("INSERT INTO " + schema + ".customers VALUES ('" + v[0] + "', '" + v[1] + "', '" + v[2]
                        + "', 1)");
            }
            statements.add("GRANT USAGE ON SCHEMA " + schema + " TO " + reader);
            statements.add("GRANT SELECT (user_id_hash, campaign) ON " + schema + ".customers TO " + reader);
            members.execute(statements.toArray(String[]::new));
            try (GlueClient glue = cluster.glue(advertiser)) {
                glue.createConnection(r -> r.connectionInput(c -> c.name("adv-dw").connectionType("JDBC")
                        .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL", members.jdbcUrl(),
                                "USERNAME", reader, "PASSWORD", PASSWORD))));
                glue.createDatabase(r -> r.databaseInput(d -> d.name("lab")));
                // columns are never given: they come from the database's catalog
                glue.createTable(r -> r.databaseName("lab").tableInput(t -> t.name("advertiser_audience")
                        .parameters(Map.of("connectionName", "adv-dw", "schema", schema, "table", "customers"))
                        .storageDescriptor(sd -> sd.location(members.jdbcUrl()))));
            }
        }

        ProtectedQuery run(String sql) throws InterruptedException {
            String id = adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(s -> s.queryString(sql))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                            advertiser.accountId()))))).protectedQuery().id();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (true) {
                ProtectedQuery q = adv.getProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                        .protectedQueryIdentifier(id)).protectedQuery();
                if (q.status() == ProtectedQueryStatus.SUCCESS || q.status() == ProtectedQueryStatus.FAILED
                        || q.status() == ProtectedQueryStatus.TIMED_OUT || System.nanoTime() > deadline) {
                    return q;
                }
                Thread.sleep(50);
            }
        }

        List<String> rows(ProtectedQuery q) throws Exception {
            assertThat(q.status()).as(String.valueOf(q.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
            SignedHttpClient.Response result = new SignedHttpClient(cluster.endpoint(), advertiser.accessKeyId(),
                    advertiser.secretAccessKey(), "us-east-1", Clock.systemUTC()).send("GET", "/memberships/"
                            + advertiserMembership + "/protectedQueries/" + q.id() + "/result", Map.of(), Map.of(),
                            null, "cleanrooms");
            assertThat(result.status()).as(result.body()).isEqualTo(200);
            List<String> rows = new ArrayList<>();
            for (JsonNode row : Json.MAPPER.readTree(result.body()).get("rows")) {
                rows.add(row.toString());
            }
            rows.sort(null);
            return rows;
        }
    }

    @Test
    void theLabWithOneTableInPostgresGivesTheRowsOfLocalFilesReadingOnlyTheAllowedColumns() throws Exception {
        Lab local = new Lab("local", false);
        Lab inPostgres = new Lab("postgres", true);
        // the columns came from the database's catalog, the email among them though no rule allows it
        try (GlueClient glue = cluster.glue(inPostgres.advertiser)) {
            assertThat(glue.getTable(r -> r.databaseName("lab").name("advertiser_audience")).table()
                    .storageDescriptor().location()).isEqualTo(members.jdbcUrl());
        }
        List<String> expected = local.rows(local.run(OVERLAP));
        assertThat(expected).hasSize(4);
        reads.clear();
        // the reader may not SELECT email: had the query fetched more than the allowed columns, it would fail
        assertThat(inPostgres.rows(inPostgres.run(OVERLAP))).isEqualTo(expected);
        Sources.Read all = reads.stream().filter(r -> r.table().equals("advertiser_audience")).findFirst().orElseThrow();

        reads.clear();
        List<String> spring = inPostgres.rows(inPostgres.run(SPRING));
        assertThat(spring).isEqualTo(local.rows(local.run(SPRING))).hasSize(2);
        Sources.Read pushed = reads.stream().filter(r -> r.table().equals("advertiser_audience")).findFirst()
                .orElseThrow();
        // half the rows are spring: the condition ran in PostgreSQL, fewer rows were streamed
        assertThat(pushed.bytesRead()).isLessThan(all.bytesRead() * 2 / 3);
        System.out.printf("PostgresSourcesIT: the pushed-down query staged %d bytes, the whole table %d%n",
                pushed.bytesRead(), all.bytesRead());
        try (var left = Files.list(cluster.dataDir.resolve("staging"))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void aRevokedGrantADroppedTableOrAWrongPasswordIsACategoryAndTheOwnersTrailHasTheCause() throws Exception {
        Lab lab = new Lab("failures", true);
        assertThat(lab.run(OVERLAP).status()).isEqualTo(ProtectedQueryStatus.SUCCESS);
        members.execute("REVOKE SELECT (campaign) ON " + lab.schema + ".customers FROM " + lab.reader);
        ProtectedQuery revoked = lab.run(OVERLAP);
        assertThat(revoked.status()).isEqualTo(ProtectedQueryStatus.FAILED);
        assertThat(revoked.error().message()).contains("advertiser_audience").contains("not allowed to read it")
                .doesNotContain(lab.schema).doesNotContain(lab.reader).doesNotContain(String.valueOf(members.port()));
        members.execute("GRANT SELECT (campaign) ON " + lab.schema + ".customers TO " + lab.reader);
        try (GlueClient glue = cluster.glue(lab.advertiser)) {
            glue.updateConnection(r -> r.name("adv-dw").connectionInput(c -> c.name("adv-dw").connectionType("JDBC")
                    .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL", members.jdbcUrl(), "USERNAME",
                            lab.reader, "PASSWORD", "wrong-pw-0a9"))));
        }
        ProtectedQuery wrong = lab.run(OVERLAP);
        assertThat(wrong.error().message()).contains("refused the credentials");
        try (GlueClient glue = cluster.glue(lab.advertiser)) {
            glue.updateConnection(r -> r.name("adv-dw").connectionInput(c -> c.name("adv-dw").connectionType("JDBC")
                    .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL", members.jdbcUrl(), "USERNAME",
                            lab.reader, "PASSWORD", PASSWORD))));
        }
        members.execute("DROP TABLE " + lab.schema + ".customers");
        ProtectedQuery dropped = lab.run(OVERLAP);
        assertThat(dropped.error().message()).contains("does not exist");
        try (var trail = cluster.cloudTrail(lab.advertiser)) {
            String causes = trail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey("EventName")
                    .attributeValue("ReadTableData"))).events().stream().map(e -> e.cloudTrailEvent()).toList()
                    .toString();
            assertThat(causes).contains("DENIED").contains("42501").contains("CREDENTIALS").contains("MISSING")
                    .contains(lab.schema + ".customers").doesNotContain(PASSWORD).doesNotContain("wrong-pw-0a9");
        }
    }

    @Test
    void registrationRefusesWhatCannotBeReadAndGivenColumns() throws Exception {
        TestCluster.Keys owner = Fixtures.account(cluster, "owner");
        String schema = members.schema("reg");
        String reader = members.reader(PASSWORD);
        members.execute("CREATE TABLE " + schema + ".secret (x text)", "CREATE TABLE " + schema
                + ".\"Mixed\" (\"A\" text, a text)", "GRANT USAGE ON SCHEMA " + schema + " TO " + reader,
                "GRANT SELECT ON " + schema + ".\"Mixed\" TO " + reader);
        try (GlueClient glue = cluster.glue(owner)) {
            glue.createConnection(r -> r.connectionInput(c -> c.name("pg").connectionType("JDBC")
                    .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL", members.jdbcUrl(), "USERNAME",
                            reader, "PASSWORD", PASSWORD))));
            glue.createDatabase(r -> r.databaseInput(d -> d.name("db")));
            java.util.function.BiFunction<String, Boolean, GlueException> create = (table, columns) ->
                    catchThrowableOfType(GlueException.class, () -> glue.createTable(r -> r.databaseName("db")
                            .tableInput(t -> t.name("t").parameters(Map.of("connectionName", "pg", "schema", schema,
                                    "table", table)).storageDescriptor(sd -> {
                                        sd.location(members.jdbcUrl());
                                        if (columns) {
                                            sd.columns(software.amazon.awssdk.services.glue.model.Column.builder()
                                                    .name("x").type("string").build());
                                        }
                                    }))));
            assertThat(create.apply("secret", false).getMessage()).contains("not allowed to read it")
                    .contains("GRANT SELECT").doesNotContain(PASSWORD);
            assertThat(create.apply("nope", false).getMessage()).contains("does not exist");
            assertThat(create.apply("Mixed", false).getMessage()).contains("differ only in case");
            assertThat(create.apply("Mixed", true).getMessage()).contains("leave StorageDescriptor.Columns out");
        }
    }
}
