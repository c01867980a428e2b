package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.query.Sources;
import io.cleanroom.server.wire.Json;
import io.cleanroom.sources.S3TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AggregateColumn;
import software.amazon.awssdk.services.cleanrooms.model.AggregateFunctionName;
import software.amazon.awssdk.services.cleanrooms.model.AggregationConstraint;
import software.amazon.awssdk.services.cleanrooms.model.AggregationType;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleAggregation;
import software.amazon.awssdk.services.cleanrooms.model.CollaborationQueryLogStatus;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicyV1;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.JoinRequiredOption;
import software.amazon.awssdk.services.cleanrooms.model.MemberAbility;
import software.amazon.awssdk.services.cleanrooms.model.MemberSpecification;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.GlueException;

/**
 * Tables in S3-compatible storage, end to end through the SDK against a real S3-protocol server
 * (s3proxy, SigV4, in a JVM of its own): the seed lab with both members' tables as Parquet
 * partitioned by date, registered with Glue without columns, queried through each association's
 * role on DuckDB and on Spark, giving the rows of the same lab over local files; a query filtering
 * on the date fetches only that partition; nothing of the members' data stays on the server's disk;
 * and a table that cannot be read fails the query with the table and a category, its owner's audit
 * trail holding the cause.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3SourcesIT {
    private static final List<String> DATES = List.of("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04",
            "2026-11-05");
    private static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2";
    private static final String ON_ONE_DAY = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "WHERE p.dt = DATE '2026-11-02' GROUP BY 1, 2";

    private S3TestServer s3;
    private TestCluster cluster;
    private Path work;
    /** The local directory the server maps bucket "mapped-results" to (the no-setup default). */
    private Path mapped;
    private final List<Sources.Read> reads = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        s3 = S3TestServer.start();
        work = Files.createTempDirectory("s3-sources-it");
        mapped = Files.createDirectories(work.resolve("mapped-results"));
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withEngine(new ServerConfig.Engine("512MB", 2,
                2, Duration.ofMinutes(5), 100_000, new ServerConfig.Backends("duckdb", List.of("spark"),
                        Map.of("spark", Map.of("master", "local[2]", "driver-memory", "768m")))))
                .withS3Buckets(Map.of("mapped-results", mapped)));
        cluster.server.queries().sourceReads(reads::add);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (s3 != null) {
            s3.close();
        }
        try (Stream<Path> walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A user id that appears nowhere but in the members' data, to look for it on the server's disk. */
    private static String user(int i) {
        return String.format("usr-5e1f-%06d", i);
    }

    /** 1000 publisher users over five days; every third is the advertiser's, on the same day. */
    private static List<String[]> publisherRows() {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(new String[] {user(i), i % 2 == 0 ? "news" : "sports", DATES.get(i % 5)});
        }
        return rows;
    }

    private static List<String[]> advertiserRows() {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i += 3) {
            rows.add(new String[] {user(i), i % 4 < 2 ? "spring" : "brand", DATES.get(i % 5)});
        }
        return rows;
    }

    /** Writes rows as a CSV file with a header. */
    private static Path csv(Path file, String header, List<String[]> rows) throws Exception {
        List<String> lines = new ArrayList<>(List.of(header));
        rows.forEach(r -> lines.add(String.join(",", r)));
        Files.createDirectories(file.getParent());
        return Files.write(file, lines);
    }

    /** Puts the rows into the bucket as Parquet, one file per day under dt=DAY/, without the dt column. */
    private void parquet(String bucket, String folder, String header, List<String[]> rows) throws Exception {
        parquet(bucket, folder, header, rows, "");
    }

    /** As above, with more columns: extra is a list of "expression AS name" to add. */
    private void parquet(String bucket, String folder, String header, List<String[]> rows, String extra)
            throws Exception {
        Path all = csv(work.resolve(bucket + "-" + folder.replace('/', '-') + ".csv"), header + ",dt", rows);
        List<String> columns = new ArrayList<>(List.of(header.split(",")));
        if (!extra.isEmpty()) {
            columns.add(extra);
        }
        try (java.sql.Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                java.sql.Statement s = duck.createStatement()) {
            for (String day : DATES) {
                Path file = work.resolve(bucket + "-" + day + "-" + System.nanoTime() + ".parquet");
                s.execute("COPY (SELECT " + String.join(", ", columns) + " FROM read_csv('" + all
                        + "', header = true, all_varchar = true) WHERE dt = '" + day + "') TO '" + file
                        + "' (FORMAT PARQUET)");
                s3.putFile(bucket, folder + "dt=" + day + "/part-0.parquet", file);
            }
        }
        s3.put(bucket, folder + "_SUCCESS", "");
    }

    private static ConfiguredTableAnalysisRulePolicy rule(List<String> dimensions) {
        return ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1.fromAggregation(
                AnalysisRuleAggregation.builder()
                        .aggregateColumns(AggregateColumn.builder().columnNames("user_id_hash")
                                .function(AggregateFunctionName.COUNT_DISTINCT).build())
                        .joinColumns("user_id_hash").joinRequired(JoinRequiredOption.QUERY_RUNNER)
                        .dimensionColumns(dimensions).scalarFunctions(List.of())
                        .outputConstraints(AggregationConstraint.builder().columnName("user_id_hash").minimum(2)
                                .type(AggregationType.COUNT_DISTINCT).build())
                        .build()));
    }

    /** The lab: the publisher's audience and the advertiser's customers, in S3 or in local files. */
    final class Lab {
        final TestCluster.Keys publisher;
        final TestCluster.Keys advertiser;
        final CleanRoomsClient pub;
        final CleanRoomsClient adv;
        final String advertiserMembership;
        final String pubBucket;
        final String advBucket;

        Lab(String name, Map<String, String> tags, boolean inS3) throws Exception {
            this(name, tags, inS3, "");
        }

        /** With publisherExtra, the publisher's Parquet objects have more columns than its rule allows. */
        Lab(String name, Map<String, String> tags, boolean inS3, String publisherExtra) throws Exception {
            publisher = Fixtures.account(cluster, "publisher");
            advertiser = Fixtures.account(cluster, "advertiser");
            pub = cluster.cleanRooms(publisher);
            adv = cluster.cleanRooms(advertiser);
            pubBucket = "pub-" + publisher.accountId();
            advBucket = "adv-" + advertiser.accountId();
            if (inS3) {
                parquet(pubBucket, "clean-room/audience/", "user_id_hash,segment", publisherRows(), publisherExtra);
                parquet(advBucket, "clean-room/customers/", "user_id_hash,campaign", advertiserRows());
                s3Table(publisher, "pub-lake", pubBucket, "audience", "publisher_audience");
                s3Table(advertiser, "adv-lake", advBucket, "customers", "advertiser_audience");
            } else {
                localTable(publisher, "publisher_audience", "user_id_hash,segment,dt", publisherRows());
                localTable(advertiser, "advertiser_audience", "user_id_hash,campaign,dt", advertiserRows());
            }
            String collaboration = pub.createCollaboration(r -> r.name(name).description("lab")
                    .members(MemberSpecification.builder().accountId(advertiser.accountId()).displayName("advertiser")
                            .memberAbilities(MemberAbility.CAN_QUERY, MemberAbility.CAN_RECEIVE_RESULTS).build())
                    .creatorMemberAbilities(List.of()).creatorDisplayName("publisher")
                    .queryLogStatus(CollaborationQueryLogStatus.DISABLED).tags(tags)).collaboration().id();
            String publisherMembership = Fixtures.join(pub, collaboration);
            advertiserMembership = Fixtures.join(adv, collaboration);
            String pt = Fixtures.configuredTable(pub, "publisher_audience", "lab", "publisher_audience",
                    "user_id_hash", "segment", "dt");
            String at = Fixtures.configuredTable(adv, "advertiser_audience", "lab", "advertiser_audience",
                    "user_id_hash", "campaign");
            pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(pt)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION)
                    .analysisRulePolicy(rule(List.of("segment", "dt"))));
            adv.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(at)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.AGGREGATION)
                    .analysisRulePolicy(rule(List.of("campaign"))));
            pub.createConfiguredTableAssociation(r -> r.membershipIdentifier(publisherMembership)
                    .configuredTableIdentifier(pt).name("publisher_audience")
                    .roleArn("arn:aws:iam::" + publisher.accountId() + ":role/pub-lake"));
            adv.createConfiguredTableAssociation(r -> r.membershipIdentifier(advertiserMembership)
                    .configuredTableIdentifier(at).name("advertiser_audience")
                    .roleArn("arn:aws:iam::" + advertiser.accountId() + ":role/adv-lake"));
        }

        private void s3Table(TestCluster.Keys owner, String connection, String bucket, String folder, String table)
                throws Exception {
            SignedHttpClient.Response roots = cluster.admin("PUT", "/admin/accounts/" + owner.accountId()
                    + "/dataRoots", "{\"dataRoots\":[\"s3://" + bucket + "/clean-room/\"]}");
            assertThat(roots.status()).as(roots.body()).isEqualTo(200);
            SignedHttpClient.Response created = cluster.admin("POST", "/admin/accounts/" + owner.accountId()
                    + "/connections", "{\"name\":\"" + connection + "\",\"type\":\"S3\",\"endpoint\":\""
                    + s3.endpoint() + "\",\"region\":\"us-east-1\",\"accessKeyId\":\"" + S3TestServer.ACCESS_KEY
                    + "\",\"secretAccessKey\":\"" + S3TestServer.SECRET_KEY + "\",\"pathStyle\":true}");
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            try (GlueClient glue = cluster.glue(owner)) {
                glue.createDatabase(r -> r.databaseInput(d -> d.name("lab")));
                // no columns, no partition keys: both read from the objects
                glue.createTable(r -> r.databaseName("lab").tableInput(t -> t.name(table)
                        .parameters(Map.of("classification", "parquet", "connectionName", connection))
                        .storageDescriptor(sd -> sd.location("s3://" + bucket + "/clean-room/" + folder + "/"))));
            }
        }

        private void localTable(TestCluster.Keys owner, String table, String header, List<String[]> rows)
                throws Exception {
            Path file = csv(cluster.dataRoot(owner.accountId()).resolve(table + ".csv"), header, rows);
            try (GlueClient glue = cluster.glue(owner)) {
                glue.createDatabase(r -> r.databaseInput(d -> d.name("lab")));
                glue.createTable(r -> r.databaseName("lab").tableInput(t -> t.name(table)
                        .parameters(Map.of("classification", "csv"))
                        .storageDescriptor(sd -> sd.location(file.toString()).columns(
                                java.util.Arrays.stream(header.split(",")).map(c -> software.amazon.awssdk.services
                                        .glue.model.Column.builder().name(c).type(c.equals("dt") ? "date" : "string")
                                        .build()).toList()))));
            }
        }

        ProtectedQuery run(String sql) throws InterruptedException {
            return await(adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(s -> s.queryString(sql))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                            advertiser.accountId()))))).protectedQuery().id());
        }

        ProtectedQuery await(String id) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
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
    void theLabReadFromS3GivesTheRowsOfLocalFilesOnDuckDbAndOnSpark() throws Exception {
        Lab local = new Lab("local", Map.of(), false);
        Lab inS3 = new Lab("s3 on duckdb", Map.of(), true);
        Lab onSpark = new Lab("s3 on spark", Map.of("cleanroom:engine", "spark"), true);
        // the partition column was inferred from the folders, with its type from the values
        JsonNode schema = Json.MAPPER.readTree(new SignedHttpClient(cluster.endpoint(), inS3.advertiser.accessKeyId(),
                inS3.advertiser.secretAccessKey(), "us-east-1", Clock.systemUTC()).send("GET", "/collaborations/"
                        + inS3.adv.getMembership(r -> r.membershipIdentifier(inS3.advertiserMembership)).membership()
                                .collaborationId() + "/schemas/publisher_audience", Map.of(), Map.of(), null,
                        "cleanrooms").body());
        assertThat(schema.at("/schema/columns").toString()).contains("{\"name\":\"dt\",\"type\":\"date\"}")
                .contains("{\"name\":\"segment\",\"type\":\"string\"}");

        List<String> expected = local.rows(local.run(OVERLAP));
        assertThat(expected).hasSize(4);
        assertThat(inS3.rows(inS3.run(OVERLAP))).isEqualTo(expected);
        assertThat(onSpark.rows(onSpark.run(OVERLAP))).isEqualTo(expected);
        List<String> oneDay = local.rows(local.run(ON_ONE_DAY));
        assertThat(oneDay).isNotEmpty().isNotEqualTo(expected);
        assertThat(inS3.rows(inS3.run(ON_ONE_DAY))).isEqualTo(oneDay);
        assertThat(onSpark.rows(onSpark.run(ON_ONE_DAY))).isEqualTo(oneDay);
    }

    @Test
    void aQueryOnOneDayFetchesOnlyThatDaysObjects() throws Exception {
        Lab lab = new Lab("pruning", Map.of(), true);
        reads.clear();
        lab.rows(lab.run(OVERLAP));
        Sources.Read whole = reads.stream().filter(r -> r.table().equals("publisher_audience")).findFirst()
                .orElseThrow();
        assertThat(whole.objects()).isEqualTo(5);
        assertThat(whole.objectsRead()).isEqualTo(5);
        assertThat(whole.bytesRead()).isEqualTo(whole.bytes());
        reads.clear();
        lab.rows(lab.run(ON_ONE_DAY));
        Sources.Read pruned = reads.stream().filter(r -> r.table().equals("publisher_audience")).findFirst()
                .orElseThrow();
        assertThat(pruned.partitions()).isEqualTo(5);
        assertThat(pruned.partitionsRead()).isEqualTo(1);
        assertThat(pruned.objectsRead()).isEqualTo(1);
        assertThat(pruned.bytesRead()).isLessThan(whole.bytesRead() / 3);
        // the advertiser's table has no condition on it: all of it is read
        Sources.Read other = reads.stream().filter(r -> r.table().equals("advertiser_audience")).findFirst()
                .orElseThrow();
        assertThat(other.objectsRead()).isEqualTo(5);
        System.out.printf("S3SourcesIT: the query on one day fetched %d of %d bytes (%d of %d objects)%n",
                pruned.bytesRead(), whole.bytesRead(), pruned.objectsRead(), whole.objects());

        // nothing of the members' data stays on the server's disk: the staging area is empty, and no file
        // of the data directory but the members' own local files holds one of their user ids
        Path staging = cluster.dataDir.resolve("staging");
        try (Stream<Path> left = Files.list(staging)) {
            assertThat(left.toList()).isEmpty();
        }
        Path files = cluster.dataDir.resolve("files");
        try (Stream<Path> all = Files.walk(cluster.dataDir)) {
            for (Path file : all.filter(Files::isRegularFile).filter(p -> !p.startsWith(files)).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                assertThat(content).as(file.toString()).doesNotContain("usr-5e1f-");
            }
        }
    }

    @Test
    void ofAParquetObjectOnlyTheChunksOfTheColumnsTheQueryMayReadAreFetched() throws Exception {
        // a column the rule does not allow, 1 KB of hashes a row: the publisher's objects are ~200 KB each
        StringBuilder notes = new StringBuilder("concat(");
        for (int i = 0; i < 32; i++) {
            notes.append(i == 0 ? "" : ", ").append("md5(user_id_hash || '").append(i).append("')");
        }
        notes.append(") AS notes");
        Lab local = new Lab("wide local", Map.of(), false);
        Lab wide = new Lab("wide s3 on duckdb", Map.of(), true, notes.toString());
        Lab wideOnSpark = new Lab("wide s3 on spark", Map.of("cleanroom:engine", "spark"), true, notes.toString());
        List<String> expected = local.rows(local.run(OVERLAP));
        assertThat(expected).hasSize(4);

        reads.clear();
        assertThat(wide.rows(wide.run(OVERLAP))).isEqualTo(expected);
        Sources.Read read = reads.stream().filter(r -> r.table().equals("publisher_audience")).findFirst()
                .orElseThrow();
        assertThat(read.objectsRead()).isEqualTo(5);
        assertThat(read.bytes()).isGreaterThan(5 * 100_000L);
        assertThat(read.bytesRead()).isLessThan(read.bytes() / 8);
        System.out.printf("S3SourcesIT: the overlap fetched %d of %d bytes of the wide table's 5 objects%n",
                read.bytesRead(), read.bytes());

        reads.clear();
        assertThat(wideOnSpark.rows(wideOnSpark.run(OVERLAP))).isEqualTo(expected);
        assertThat(reads.stream().filter(r -> r.table().equals("publisher_audience")).findFirst().orElseThrow()
                .bytesRead()).isEqualTo(read.bytesRead());
        try (Stream<Path> left = Files.list(cluster.dataDir.resolve("staging"))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void aDifferentiallyPrivateQueryOnATableInS3IsComputedAndPaidEachTimeNeverAnsweredFromTheCache()
            throws Exception {
        // the lab's accounts and S3 tables, in a second collaboration where the publisher's table has
        // differential privacy on user_id_hash
        Lab lab = new Lab("dp lab", Map.of(), true);
        String collaboration = Fixtures.createCollaboration(lab.pub, "dp over s3", lab.advertiser);
        String publisherMembership = Fixtures.join(lab.pub, collaboration);
        String advertiserMembership = Fixtures.join(lab.adv, collaboration);
        String table = Fixtures.configuredTable(lab.pub, "dp_audience", "lab", "publisher_audience",
                "user_id_hash", "segment", "dt");
        lab.pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(DifferentialPrivacyQuerySuite.custom(lab.advertiser.accountId(), "user_id_hash")));
        lab.pub.createConfiguredTableAssociation(r -> r.membershipIdentifier(publisherMembership)
                .configuredTableIdentifier(table).name("publisher_audience")
                .roleArn("arn:aws:iam::" + lab.publisher.accountId() + ":role/pub-lake"));
        lab.pub.createPrivacyBudgetTemplate(r -> r.membershipIdentifier(publisherMembership)
                .privacyBudgetType(software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetType
                        .DIFFERENTIAL_PRIVACY)
                .autoRefresh(software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateAutoRefresh.NONE)
                .parameters(PrivacyBudgetSuite.parameters(10, 10)));
        java.util.function.Supplier<Integer> remaining = () -> lab.adv.listPrivacyBudgets(r -> r
                .membershipIdentifier(advertiserMembership).privacyBudgetType(software.amazon.awssdk.services
                        .cleanrooms.model.PrivacyBudgetType.DIFFERENTIAL_PRIVACY)).privacyBudgetSummaries().get(0)
                .budget().differentialPrivacy().aggregations().stream()
                .filter(a -> a.typeAsString().equals("COUNT_DISTINCT")).findFirst().orElseThrow().remainingCount();
        int before = remaining.get();
        String sql = "SELECT COUNT(DISTINCT user_id_hash) AS users FROM publisher_audience";
        for (int run = 1; run <= 2; run++) {
            reads.clear();
            String id = lab.adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(sql))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                            lab.advertiser.accountId()))))).protectedQuery().id();
            ProtectedQuery done;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            do {
                Thread.sleep(50);
                done = lab.adv.getProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                        .protectedQueryIdentifier(id)).protectedQuery();
            } while (done.status() != ProtectedQueryStatus.SUCCESS && done.status() != ProtectedQueryStatus.FAILED
                    && System.nanoTime() < deadline);
            assertThat(done.status()).as(String.valueOf(done.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
            // the data was fetched again, and the budget paid again
            assertThat(reads).as("run %d", run).anyMatch(r -> r.table().equals("publisher_audience"));
            assertThat(remaining.get()).as("run %d", run).isEqualTo(before - run);
        }
    }

    @Test
    void aTableThatCannotBeReadFailsTheQueryWithItsNameAndACategoryWhileItsOwnerReadsTheCause() throws Exception {
        Lab lab = new Lab("failures", Map.of(), true);
        String connections = "/admin/accounts/" + lab.publisher.accountId() + "/connections/pub-lake";
        // wrong credentials
        assertThat(cluster.admin("PUT", connections, "{\"type\":\"S3\",\"endpoint\":\"" + s3.endpoint()
                + "\",\"region\":\"us-east-1\",\"accessKeyId\":\"" + S3TestServer.ACCESS_KEY + "\",\"pathStyle\":true,"
                + "\"secretAccessKey\":\"not-the-secret\"}").status()).isEqualTo(200);
        ProtectedQuery refused = lab.run(OVERLAP);
        assertThat(refused.status()).isEqualTo(ProtectedQueryStatus.FAILED);
        assertThat(refused.error().message()).contains("publisher_audience").contains("refused the credentials")
                .doesNotContain(lab.pubBucket).doesNotContain(String.valueOf(s3.port())).doesNotContain("pub-lake");

        // an unreachable endpoint, within a bounded time
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertThat(cluster.admin("PUT", connections, "{\"type\":\"S3\",\"endpoint\":\"http://127.0.0.1:" + closed
                + "\",\"region\":\"us-east-1\",\"accessKeyId\":\"" + S3TestServer.ACCESS_KEY + "\",\"pathStyle\":true,"
                + "\"secretAccessKey\":\"" + S3TestServer.SECRET_KEY + "\"}").status()).isEqualTo(200);
        ProtectedQuery unreachable = lab.run(OVERLAP);
        assertThat(unreachable.error().message()).contains("could not be reached")
                .doesNotContain(String.valueOf(closed));

        // a missing bucket
        assertThat(cluster.admin("PUT", connections, "{\"type\":\"S3\",\"endpoint\":\"" + s3.endpoint()
                + "\",\"region\":\"us-east-1\",\"accessKeyId\":\"" + S3TestServer.ACCESS_KEY + "\",\"pathStyle\":true,"
                + "\"secretAccessKey\":\"" + S3TestServer.SECRET_KEY + "\"}").status()).isEqualTo(200);
        try (var client = s3.client()) {
            for (String key : s3.keys(lab.pubBucket, "")) {
                client.deleteObject(r -> r.bucket(lab.pubBucket).key(key));
            }
            client.deleteBucket(r -> r.bucket(lab.pubBucket));
        }
        ProtectedQuery missing = lab.run(OVERLAP);
        assertThat(missing.error().message()).contains("does not exist").doesNotContain(lab.pubBucket);

        // the owner's trail has each cause; the querier's has none of them
        try (var trail = cluster.cloudTrail(lab.publisher); var theirs = cluster.cloudTrail(lab.advertiser)) {
            List<String> causes = new ArrayList<>();
            trail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey("EventName").attributeValue(
                    "ReadTableData"))).events().forEach(e -> causes.add(e.cloudTrailEvent()));
            assertThat(causes).hasSize(3);
            assertThat(String.join("\n", causes)).contains("CREDENTIALS").contains("UNREACHABLE").contains("MISSING")
                    .contains("s3://" + lab.pubBucket + "/clean-room/audience/").contains("403")
                    .contains("127.0.0.1:" + closed).doesNotContain(S3TestServer.SECRET_KEY)
                    .doesNotContain("not-the-secret");
            assertThat(theirs.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey("EventName").attributeValue(
                    "ReadTableData"))).events()).isEmpty();
        }
    }

    @Test
    void resultsGoToARealBucketThroughTheRoleOfTheMembershipsDefaultResultConfiguration() throws Exception {
        Lab lab = new Lab("results", Map.of(), true);
        String role = "arn:aws:iam::" + lab.advertiser.accountId() + ":role/adv-lake";
        assertThat(cluster.admin("PUT", "/admin/accounts/" + lab.advertiser.accountId() + "/dataRoots",
                "{\"dataRoots\":[\"s3://" + lab.advBucket + "/clean-room/\",\"s3://mapped-results/adv/\"]}").status())
                .isEqualTo(200);
        s3.put("mapped-results", "adv/.keep", "");
        // the default result configuration: CSV under clean-room/results, written through the role
        lab.adv.updateMembership(r -> r.membershipIdentifier(lab.advertiserMembership).defaultResultConfiguration(
                d -> d.roleArn(role).outputConfiguration(o -> o.s3(x -> x.resultFormat("CSV").bucket(lab.advBucket)
                        .keyPrefix("clean-room/results")))));
        ProtectedQuery csv = lab.await(lab.adv.startProtectedQuery(r -> r.membershipIdentifier(
                lab.advertiserMembership).type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP)))
                .protectedQuery().id());
        assertThat(csv.status()).as(String.valueOf(csv.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
        String key = "clean-room/results/" + csv.id() + "/result.csv";
        assertThat(csv.result().output().s3().location()).isEqualTo("s3://" + lab.advBucket + "/" + key);
        List<String> lines = new ArrayList<>(List.of(new String(s3.get(lab.advBucket, key), StandardCharsets.UTF_8)
                .split("\n")));
        assertThat(lines.remove(0)).isEqualTo("campaign,segment,overlap_count");
        assertThat(lines).hasSize(4).allSatisfy(l -> assertThat(l).matches("(spring|brand),(news|sports),\\d+"));

        // Parquet, with another key prefix, given with the query
        ProtectedQuery parquet = lab.await(lab.adv.startProtectedQuery(r -> r.membershipIdentifier(
                lab.advertiserMembership).type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP))
                .resultConfiguration(c -> c.outputConfiguration(o -> o.s3(x -> x.resultFormat("PARQUET")
                        .bucket(lab.advBucket).keyPrefix("clean-room/parquet/"))))).protectedQuery().id());
        assertThat(parquet.status()).as(String.valueOf(parquet.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
        Path file = Files.write(work.resolve("result.parquet"), s3.get(lab.advBucket, "clean-room/parquet/"
                + parquet.id() + "/result.parquet"));
        try (java.sql.Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                java.sql.ResultSet rs = duck.createStatement().executeQuery("SELECT count(*), sum(overlap_count) "
                        + "FROM read_parquet('" + file + "')")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(4);
            assertThat(rs.getLong(2)).isPositive();
        }

        // a bucket both mapped and reachable through the role: the role's connection wins
        ProtectedQuery both = lab.await(lab.adv.startProtectedQuery(r -> r.membershipIdentifier(
                lab.advertiserMembership).type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP))
                .resultConfiguration(c -> c.outputConfiguration(o -> o.s3(x -> x.resultFormat("CSV")
                        .bucket("mapped-results").keyPrefix("adv"))))).protectedQuery().id());
        assertThat(both.status()).as(String.valueOf(both.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
        assertThat(s3.keys("mapped-results", "adv/" + both.id() + "/")).containsExactly("adv/" + both.id()
                + "/result.csv");
        assertThat(mapped.resolve("adv").resolve(both.id())).doesNotExist();

        // outside the account's S3 roots: refused before anything runs
        var outside = catchThrowableOfType(software.amazon.awssdk.services.cleanrooms.model.ValidationException.class,
                () -> lab.adv.startProtectedQuery(r -> r.membershipIdentifier(lab.advertiserMembership)
                        .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP))
                        .resultConfiguration(c -> c.outputConfiguration(o -> o.s3(x -> x.resultFormat("CSV")
                                .bucket(lab.pubBucket).keyPrefix("clean-room/stolen"))))));
        assertThat(outside.getMessage()).contains("outside your account's S3 roots");

        // without a role naming a connection, the mapping is the default
        lab.adv.updateMembership(r -> r.membershipIdentifier(lab.advertiserMembership).defaultResultConfiguration(
                d -> d.outputConfiguration(o -> o.s3(x -> x.resultFormat("CSV").bucket("mapped-results")
                        .keyPrefix("adv")))));
        ProtectedQuery local = lab.await(lab.adv.startProtectedQuery(r -> r.membershipIdentifier(
                lab.advertiserMembership).type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP)))
                .protectedQuery().id());
        assertThat(local.status()).as(String.valueOf(local.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
        assertThat(mapped.resolve("adv").resolve(local.id()).resolve("result.csv")).exists();
        assertThat(s3.keys("mapped-results", "adv/" + local.id() + "/")).isEmpty();
    }

    @Test
    void registrationReadsTheObjectsThroughTheConnection() throws Exception {
        TestCluster.Keys owner = Fixtures.account(cluster, "owner");
        String bucket = "reg-" + owner.accountId();
        s3.put(bucket, "clean-room/empty/_SUCCESS", "", "clean-room/gz/part-0.csv.gz", "not really gzip",
                "clean-room/mixed/dt=2026-11-01/a.csv", "x\n1\n", "clean-room/mixed/b.csv", "x\n2\n",
                "clean-room/plain/one.csv", "user_id_hash,visits\nu1,3\n", "clean-room/plain/sub/two.csv",
                "user_id_hash,visits\nu2,4\n");
        assertThat(cluster.admin("PUT", "/admin/accounts/" + owner.accountId() + "/dataRoots",
                "{\"dataRoots\":[\"s3://" + bucket + "/clean-room/\"]}").status()).isEqualTo(200);
        assertThat(cluster.admin("POST", "/admin/accounts/" + owner.accountId() + "/connections", "{\"name\":\"c\","
                + "\"type\":\"S3\",\"endpoint\":\"" + s3.endpoint() + "\",\"region\":\"us-east-1\",\"accessKeyId\":\""
                + S3TestServer.ACCESS_KEY + "\",\"secretAccessKey\":\"" + S3TestServer.SECRET_KEY + "\","
                + "\"pathStyle\":true}").status()).isEqualTo(200);
        try (GlueClient glue = cluster.glue(owner)) {
            glue.createDatabase(r -> r.databaseInput(d -> d.name("db")));
            java.util.function.Function<String, GlueException> create = folder -> catchThrowableOfType(
                    GlueException.class, () -> glue.createTable(r -> r.databaseName("db").tableInput(t -> t
                            .name(folder).parameters(Map.of("classification", "csv", "connectionName", "c"))
                            .storageDescriptor(sd -> sd.location("s3://" + bucket + "/clean-room/" + folder + "/")))));
            assertThat(create.apply("empty").getMessage()).contains("No data objects found");
            assertThat(create.apply("gz").getMessage()).contains("compressed");
            assertThat(create.apply("mixed").getMessage()).contains("same partition folders");
            assertThat(create.apply("plain")).isNull();
            assertThat(create.apply("nothing-here").getMessage()).contains("No data objects found");
        }
    }
}
