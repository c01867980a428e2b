package io.cleanroom.server;

import io.cleanroom.server.admin.AdminApi;
import io.cleanroom.server.admin.AuditKeeper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;

/** Every API call leaves one event in a hash chain that detects tampering in the database. */
class AuditIT {
    TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private List<JsonNode> events() throws Exception {
        SignedHttpClient.Response r = cluster.admin("GET", "/admin/audit/events", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        Json.MAPPER.readTree(r.body()).get("events").forEach(out::add);
        return out;
    }

    private JsonNode verify() throws Exception {
        return Json.MAPPER.readTree(cluster.admin("GET", "/admin/audit/verify", null).body());
    }

    private Connection db() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + cluster.dataDir.resolve("metadata.db"));
    }

    @Test
    void callsAreRecordedWithWhoWhatAndHowTheyEnded() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        String collaboration;
        try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
            collaboration = Fixtures.createCollaboration(client, "audited");
            client.getCollaboration(r -> r.collaborationIdentifier(collaboration));
            assertThatThrownBy(() -> client.updateCollaboration(r -> r.collaborationIdentifier(collaboration)
                    .name("n".repeat(101)))).isInstanceOf(ValidationException.class);
        }
        HttpResponse<String> unsigned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(cluster.server.endpoint() + "/collaborations")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(403);

        List<JsonNode> events = events();
        List<String> names = events.stream().map(e -> e.get("eventName").asText() + ":"
                + (e.get("errorCode").isNull() ? "ok" : e.get("errorCode").asText())).toList();
        assertThat(names).containsSubsequence("CreateAccount:ok", "CreateCollaboration:ok", "GetCollaboration:ok",
                "UpdateCollaboration:ValidationException", "ListCollaborations:AccessDeniedException");
        JsonNode create = events.stream().filter(e -> e.get("eventName").asText().equals("CreateCollaboration"))
                .findFirst().orElseThrow();
        assertThat(create.get("accountId").asText()).isEqualTo(keys.accountId());
        assertThat(create.get("accessKeyId").asText()).isEqualTo(keys.accessKeyId());
        assertThat(create.get("sourceIpAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(create.get("eventSource").asText()).isEqualTo("cleanrooms.amazonaws.com");
        assertThat(create.get("requestParameters").asText()).contains("\"name\":\"audited\"");
        JsonNode get = events.stream().filter(e -> e.get("eventName").asText().equals("GetCollaboration"))
                .findFirst().orElseThrow();
        assertThat(get.get("collaborationId").asText()).isEqualTo(collaboration);
        assertThat(get.get("resources").toString()).contains(collaboration);
        JsonNode operator = events.get(0);
        assertThat(operator.get("accountId").asText()).isEqualTo("operator");
        // no event ever carries a secret
        assertThat(events.toString()).doesNotContain(keys.secretAccessKey());
        // every sequence number once, chained
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).get("sequence").asLong()).isEqualTo(i + 1);
            if (i > 0) {
                assertThat(events.get(i).get("previousHash").asText()).isEqualTo(events.get(i - 1).get("hash").asText());
            }
        }
        assertThat(verify().get("verified").asBoolean()).isTrue();
    }

    @Test
    void accountsLookUpTheirEventsThroughTheCloudTrailClient() throws Exception {
        lookUpThroughTheCloudTrailClient(cluster);
    }

    @Test
    void lookupsDigestsAndPruningWorkOnPostgres() throws Exception {
        cluster.close();
        cluster = TestCluster.start(TestCluster.StoreKind.POSTGRES);
        lookUpThroughTheCloudTrailClient(cluster);
        assertThat(cluster.admin("POST", "/admin/audit/digests", "{}").body()).contains("signature");
        assertThat(cluster.admin("POST", "/admin/audit/prune", "{\"olderThanDays\": 0}").status()).isEqualTo(200);
        assertThat(events().get(0).get("eventName").asText()).isEqualTo("PruneAuditTrail");
        JsonNode verified = verify();
        assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
        assertThat(verified.get("digests").asInt()).isEqualTo(2);
    }

    private static void lookUpThroughTheCloudTrailClient(TestCluster cluster) throws Exception {
        TestCluster.Keys creator = Fixtures.account(cluster, "creator");
        TestCluster.Keys invitee = Fixtures.account(cluster, "invitee");
        TestCluster.Keys outsider = Fixtures.account(cluster, "outsider");
        String collaboration;
        try (CleanRoomsClient c = cluster.cleanRooms(creator); CleanRoomsClient i = cluster.cleanRooms(invitee);
                CleanRoomsClient o = cluster.cleanRooms(outsider)) {
            collaboration = Fixtures.createCollaboration(c, "shared", invitee);
            Fixtures.join(i, collaboration);
            o.listCollaborations(r -> { });
        }
        try (var trail = cluster.cloudTrail(creator); var other = cluster.cloudTrail(outsider)) {
            var events = trail.lookupEvents(r -> { }).events();
            assertThat(events).extracting(e -> e.eventName()).contains("CreateCollaboration", "CreateMembership")
                    .doesNotContain("ListCollaborations");
            var membership = events.stream().filter(e -> e.eventName().equals("CreateMembership")).findFirst()
                    .orElseThrow();
            assertThat(membership.username()).isEqualTo(invitee.accountId());
            assertThat(membership.eventTime()).isNotNull();
            assertThat(membership.cloudTrailEvent()).contains(collaboration);
            // newest first
            assertThat(events.get(0).eventTime()).isAfterOrEqualTo(events.get(events.size() - 1).eventTime());
            var filtered = trail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey("EventName")
                    .attributeValue("CreateCollaboration"))).events();
            assertThat(filtered).singleElement().satisfies(e -> assertThat(e.readOnly()).isEqualTo("false"));
            assertThat(trail.lookupEvents(r -> r.maxResults(1)).nextToken()).isNotNull();
            // paging walks back from where it was, so calls recorded meanwhile (the lookups themselves)
            // neither repeat nor hide events
            List<String> all = trail.lookupEvents(r -> r.maxResults(50)).events().stream()
                    .map(e -> e.eventId()).toList();
            assertThat(all.size()).isLessThan(50);
            List<String> paged = new ArrayList<>();
            String token = null;
            do {
                String current = token;
                var page = trail.lookupEvents(r -> r.maxResults(2).nextToken(current));
                assertThat(page.events().size()).isLessThanOrEqualTo(2);
                page.events().forEach(e -> paged.add(e.eventId()));
                token = page.nextToken();
            } while (token != null);
            assertThat(paged).doesNotHaveDuplicates().endsWith(all.toArray(String[]::new));
            // the outsider sees only its own calls
            assertThat(other.lookupEvents(r -> { }).events()).extracting(e -> e.username())
                    .containsOnly(outsider.accountId());
            assertThatThrownBy(() -> trail.lookupEvents(r -> r.nextToken("forged")))
                    .isInstanceOf(software.amazon.awssdk.services.cloudtrail.model.InvalidNextTokenException.class);
        }
    }

    @Test
    void verificationFindsAlteredRemovedAndReorderedEvents() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
            for (int i = 0; i < 3; i++) {
                Fixtures.createCollaboration(client, "c" + i);
            }
        }
        assertThat(verify().get("verified").asBoolean()).isTrue();
        String key = String.format("%019d", 3);
        String original;
        String eventName;
        try (Connection c = db(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT body, event_name FROM audit_events WHERE id = '" + key + "'")) {
                rs.next();
                original = rs.getString(1);
                eventName = rs.getString(2);
            }
            // altered: an attacker renames the caller
            s.execute("UPDATE audit_events SET body = replace(body, '" + keys.accountId() + "', '999999999999') "
                    + "WHERE id = '" + key + "'");
        }
        JsonNode altered = verify();
        assertThat(altered.get("verified").asBoolean()).isFalse();
        assertThat(altered.at("/firstProblem/kind").asText()).isEqualTo("ALTERED");
        assertThat(altered.at("/firstProblem/sequence").asLong()).isEqualTo(3);

        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("UPDATE audit_events SET body = '" + original.replace("'", "''") + "' WHERE id = '" + key + "'");
        }
        assertThat(verify().get("verified").asBoolean()).isTrue();

        // removed: an event disappears
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM audit_events WHERE id = '" + key + "'");
        }
        JsonNode removed = verify();
        assertThat(removed.at("/firstProblem/kind").asText()).isEqualTo("REMOVED");
        assertThat(removed.at("/firstProblem/sequence").asLong()).isEqualTo(3);
        try (Connection c = db(); Statement s = c.createStatement()) {
            // put back as it was, columns included (the event of a CreateCollaboration names no collaboration)
            s.execute("INSERT INTO audit_events (id, account_id, collaboration_id, event_name, body) VALUES ('" + key
                    + "', '" + keys.accountId() + "', '', '" + eventName + "', '" + original.replace("'", "''") + "')");
        }
        assertThat(verify().get("verified").asBoolean()).isTrue();

        // reordered: two events swap places
        String next = String.format("%019d", 4);
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("UPDATE audit_events SET id = 'tmp' WHERE id = '" + key + "'");
            s.execute("UPDATE audit_events SET id = '" + key + "' WHERE id = '" + next + "'");
            s.execute("UPDATE audit_events SET id = '" + next + "' WHERE id = 'tmp'");
        }
        JsonNode reordered = verify();
        assertThat(reordered.at("/firstProblem/kind").asText()).isEqualTo("REORDERED");
        assertThat(reordered.at("/firstProblem/sequence").asLong()).isEqualTo(3);
    }

    /** Every field of an event the CloudTrail client returns, CloudTrailEvent and Resources included. */
    private static String everyField(software.amazon.awssdk.services.cloudtrail.model.Event event) {
        StringBuilder out = new StringBuilder();
        for (software.amazon.awssdk.core.SdkField<?> field : event.sdkFields()) {
            out.append(field.memberName()).append('=').append(field.getValueOrDefault(event)).append('\n');
        }
        return out.toString();
    }

    /** Every event the account may see, all pages. */
    private static List<software.amazon.awssdk.services.cloudtrail.model.Event> lookUpAll(
            software.amazon.awssdk.services.cloudtrail.CloudTrailClient trail) {
        List<software.amazon.awssdk.services.cloudtrail.model.Event> out = new ArrayList<>();
        String token = null;
        do {
            String current = token;
            var page = trail.lookupEvents(r -> r.maxResults(50).nextToken(current));
            out.addAll(page.events());
            token = page.nextToken();
        } while (token != null);
        return out;
    }

    private static JsonNode cloudTrailEvent(software.amazon.awssdk.services.cloudtrail.model.Event event) {
        try {
            return Json.MAPPER.readTree(event.cloudTrailEvent());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void membersSeeEachOthersCallsAsMetadataOnly() throws Exception {
        TestCluster.Keys owner = Fixtures.account(cluster, "publisher");
        TestCluster.Keys runner = Fixtures.account(cluster, "advertiser");
        Fixtures.catalogTable(cluster, owner, "lab", "publisher_audience", Fixtures.PUBLISHER, false);
        Fixtures.catalogTable(cluster, runner, "lab", "advertiser_audience", Fixtures.ADVERTISER, false);
        // words only one account ever sends: the runner's SQL, the owner's template, rule and description
        String runnerSecret = "runner_secret_9e7b";
        String ownerSecret = "owner_secret_4c1d";
        String collaboration;
        String ownerMembership;
        String runnerMembership;
        try (CleanRoomsClient pub = cluster.cleanRooms(owner); CleanRoomsClient adv = cluster.cleanRooms(runner)) {
            // query logging DISABLED: the runner's SQL is not the owner's to read
            collaboration = Fixtures.createCollaboration(pub, "logs-off", runner);
            ownerMembership = Fixtures.join(pub, collaboration);
            runnerMembership = Fixtures.join(adv, collaboration);
            String pt = Fixtures.configuredTable(pub, "publisher_audience", "lab", "publisher_audience",
                    "user_id_hash", "segment");
            String at = Fixtures.configuredTable(adv, "advertiser_audience", "lab", "advertiser_audience",
                    "user_id_hash", "campaign");
            Fixtures.aggregationRule(pub, pt, "user_id_hash", "segment");
            Fixtures.aggregationRule(adv, at, "user_id_hash", "campaign");
            String association = pub.createConfiguredTableAssociation(r -> r.membershipIdentifier(ownerMembership)
                    .configuredTableIdentifier(pt).name("publisher_audience").roleArn(Fixtures.ROLE)
                    .description("kept by " + ownerSecret)).configuredTableAssociation().id();
            pub.createConfiguredTableAssociationAnalysisRule(r -> r.membershipIdentifier(ownerMembership)
                    .configuredTableAssociationIdentifier(association)
                    .analysisRuleType("AGGREGATION")
                    .analysisRulePolicy(p -> p.v1(v -> v.aggregation(a -> a.allowedResultReceivers(
                            runner.accountId())))));
            pub.createAnalysisTemplate(r -> r.membershipIdentifier(ownerMembership).name("owner_template")
                    .format("SQL").source(src -> src.text("SELECT segment AS " + ownerSecret
                            + " FROM publisher_audience")));
            Fixtures.associate(adv, runnerMembership, at, "advertiser_audience");
            adv.startProtectedQuery(r -> r.membershipIdentifier(runnerMembership).type("SQL")
                    .sqlParameters(q -> q.queryString("SELECT a.campaign, p.segment, COUNT(*) AS " + runnerSecret
                            + " FROM advertiser_audience a JOIN publisher_audience p"
                            + " ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2"))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                            runner.accountId())))));
            // a refused query: its error message would echo what it asked for
            assertThatThrownBy(() -> adv.startProtectedQuery(r -> r.membershipIdentifier(runnerMembership)
                    .type("SQL").sqlParameters(q -> q.queryString("SELECT " + runnerSecret + "_column FROM "
                            + runnerSecret + "_table"))
                    .resultConfiguration(c -> c.outputConfiguration(o -> o.member(m -> m.accountId(
                            runner.accountId())))))).isInstanceOf(ValidationException.class);
        }

        try (var ownerTrail = cluster.cloudTrail(owner); var runnerTrail = cluster.cloudTrail(runner)) {
            var ownerSees = lookUpAll(ownerTrail);
            var runnerSees = lookUpAll(runnerTrail);

            // the owner learns that the runner ran queries: when, on what, and how each ended...
            var queries = ownerSees.stream().filter(e -> e.eventName().equals("StartProtectedQuery")).toList();
            assertThat(queries).hasSize(2).allSatisfy(e -> {
                assertThat(e.username()).isEqualTo(runner.accountId());
                assertThat(e.eventTime()).isNotNull();
                assertThat(e.resources()).extracting(r -> r.resourceName()).contains(runnerMembership);
                assertThat(cloudTrailEvent(e).get("collaborationId").asText()).isEqualTo(collaboration);
                assertThat(e.accessKeyId()).isNull();
            });
            assertThat(queries).extracting(e -> cloudTrailEvent(e).get("errorCode").isNull() ? "ok"
                    : cloudTrailEvent(e).get("errorCode").asText())
                    .containsExactlyInAnyOrder("ok", "ValidationException");
            // ...but nothing of what it asked, in any field
            assertThat(ownerSees).allSatisfy(e -> assertThat(everyField(e)).doesNotContain(runnerSecret)
                    .doesNotContain(runner.accessKeyId()));
            // and the same the other way: the runner sees that the owner set up rules and templates, not what
            assertThat(runnerSees).extracting(e -> e.eventName()).contains("CreateConfiguredTableAssociation",
                    "CreateConfiguredTableAssociationAnalysisRule", "CreateAnalysisTemplate");
            assertThat(runnerSees).allSatisfy(e -> assertThat(everyField(e)).doesNotContain(ownerSecret)
                    .doesNotContain(owner.accessKeyId()).doesNotContain("allowedResultReceivers"));
            var ownerRule = runnerSees.stream().filter(e -> e.eventName().equals(
                    "CreateConfiguredTableAssociationAnalysisRule")).findFirst().orElseThrow();
            assertThat(cloudTrailEvent(ownerRule).has("requestParameters")).isFalse();
            assertThat(cloudTrailEvent(ownerRule).has("sourceIpAddress")).isFalse();
            assertThat(cloudTrailEvent(ownerRule).has("requestId")).isFalse();
            assertThat(cloudTrailEvent(ownerRule).has("hash")).isFalse();

            // each sees its own calls in full
            assertThat(runnerSees.stream().filter(e -> e.eventName().equals("StartProtectedQuery")))
                    .hasSize(2).allSatisfy(e -> {
                        assertThat(e.accessKeyId()).isEqualTo(runner.accessKeyId());
                        assertThat(cloudTrailEvent(e).get("requestParameters").asText()).contains(runnerSecret);
                        assertThat(cloudTrailEvent(e).get("sourceIpAddress").asText()).isEqualTo("127.0.0.1");
                    });
            assertThat(runnerSees.stream().filter(e -> e.eventName().equals("StartProtectedQuery")
                    && !cloudTrailEvent(e).get("errorMessage").isNull())).singleElement()
                    .satisfies(e -> assertThat(cloudTrailEvent(e).get("errorCode").asText())
                            .isEqualTo("ValidationException"));
            assertThat(ownerSees.stream().filter(e -> e.eventName().equals("CreateAnalysisTemplate")))
                    .singleElement().satisfies(e -> assertThat(cloudTrailEvent(e).get("requestParameters").asText())
                            .contains(ownerSecret));
            assertThat(ownerSees.stream().filter(e -> e.eventName().equals(
                    "CreateConfiguredTableAssociationAnalysisRule"))).singleElement()
                    .satisfies(e -> assertThat(e.cloudTrailEvent()).contains("allowedResultReceivers"));

            // a withheld field is no search term either: the runner's access key finds nothing for the owner
            assertThat(ownerTrail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey("AccessKeyId")
                    .attributeValue(runner.accessKeyId()))).events()).isEmpty();
            assertThat(runnerTrail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey("AccessKeyId")
                    .attributeValue(runner.accessKeyId()))).events()).isNotEmpty();
        }

        // the operator sees everything: through the CloudTrail client and in the export
        JsonNode operator = cluster.operatorCredentials();
        try (var operatorTrail = cluster.cloudTrail(new TestCluster.Keys("operator",
                operator.get("accessKeyId").asText(), operator.get("secretAccessKey").asText()))) {
            String everything = lookUpAll(operatorTrail).stream().map(e -> e.cloudTrailEvent())
                    .collect(java.util.stream.Collectors.joining("\n"));
            assertThat(everything).contains(runnerSecret).contains(ownerSecret);
        }
        assertThat(events().toString()).contains(runnerSecret).contains(ownerSecret);
    }

    private static Connection db(TestCluster cluster) throws Exception {
        return cluster.kind == TestCluster.StoreKind.POSTGRES ? DriverManager.getConnection(TestCluster.postgresUrl())
                : DriverManager.getConnection("jdbc:sqlite:" + cluster.dataDir.resolve("metadata.db"));
    }

    @Test
    void verificationFindsRewrittenColumnsOnSqlite() throws Exception {
        verificationFindsRewrittenColumns();
    }

    @Test
    void verificationFindsRewrittenColumnsOnPostgres() throws Exception {
        cluster.close();
        cluster = TestCluster.start(TestCluster.StoreKind.POSTGRES);
        verificationFindsRewrittenColumns();
    }

    /**
     * The id, account_id and collaboration_id columns are copies of the hashed event that decide
     * where it is found and who reads it: rewriting one, in the database, must fail verification
     * naming the event, and must not hand the event to the account it now names.
     */
    private void verificationFindsRewrittenColumns() throws Exception {
        TestCluster.Keys creator = Fixtures.account(cluster, "creator");
        TestCluster.Keys outsider = Fixtures.account(cluster, "outsider");
        String collaboration;
        String theirs;
        try (CleanRoomsClient c = cluster.cleanRooms(creator); CleanRoomsClient o = cluster.cleanRooms(outsider)) {
            collaboration = Fixtures.createCollaboration(c, "mine");
            theirs = Fixtures.createCollaboration(o, "theirs");
            c.getCollaboration(r -> r.collaborationIdentifier(collaboration));
        }
        JsonNode get = events().stream().filter(e -> e.get("eventName").asText().equals("GetCollaboration"))
                .findFirst().orElseThrow();
        long sequence = get.get("sequence").asLong();
        String key = String.format("%019d", sequence);
        assertThat(verify().get("verified").asBoolean()).isTrue();

        record Rewrite(String column, String value) {
        }
        for (Rewrite rewrite : List.of(new Rewrite("account_id", outsider.accountId()),
                new Rewrite("collaboration_id", theirs), new Rewrite("id", key + "x"))) {
            String original;
            try (Connection c = db(cluster); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT " + rewrite.column() + " FROM audit_events WHERE id = '"
                        + key + "'")) {
                    assertThat(rs.next()).isTrue();
                    original = rs.getString(1);
                }
                s.execute("UPDATE audit_events SET " + rewrite.column() + " = '" + rewrite.value() + "' WHERE id = '"
                        + key + "'");
            }
            JsonNode broken = verify();
            assertThat(broken.get("verified").asBoolean()).as(rewrite.column()).isFalse();
            assertThat(broken.at("/firstProblem/kind").asText()).as(broken.toString()).isEqualTo("INCONSISTENT");
            assertThat(broken.at("/firstProblem/sequence").asLong()).isEqualTo(sequence);
            assertThat(broken.at("/firstProblem/message").asText()).contains("Event " + sequence)
                    .contains(rewrite.column());
            // the account the row now names does not get the event
            try (var trail = cluster.cloudTrail(outsider)) {
                assertThat(lookUpAll(trail)).extracting(e -> e.eventId())
                        .doesNotContain(get.get("eventId").asText());
            }
            try (Connection c = db(cluster); Statement s = c.createStatement()) {
                String where = rewrite.column().equals("id") ? rewrite.value() : key;
                s.execute("UPDATE audit_events SET " + rewrite.column() + " = '" + original + "' WHERE id = '"
                        + where + "'");
            }
            JsonNode restored = verify();
            assertThat(restored.get("verified").asBoolean()).as(restored.toString()).isTrue();
        }
    }

    @Test
    void lookupEventsAnswersTheTargetsOfTheJavaAndJavaScriptSdksOnly() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        SignedHttpClient client = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(),
                keys.secretAccessKey(), "us-east-1", java.time.Clock.systemUTC());
        java.util.function.Function<String, SignedHttpClient.Response> lookup = target -> {
            try {
                return client.send("POST", "/", java.util.Map.of(), java.util.Map.of("X-Amz-Target", target,
                        "Content-Type", "application/x-amz-json-1.1"), "{}", "cloudtrail");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        for (String target : List.of("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
                "CloudTrail_20131101.LookupEvents")) {
            SignedHttpClient.Response r = lookup.apply(target);
            assertThat(r.status()).as(target + ": " + r.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(r.body()).get("Events").isArray()).isTrue();
        }
        for (String target : List.of("cloudtrail_20131101.LookupEvents", "CloudTrail_20131101.lookupevents",
                "com.amazonaws.cloudtrail.v20131101.LookupEvents",
                "CloudTrail_20131101.GetTrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail",
                "CloudTrail_20131101.LookupEvents.LookupEvents", "LookupEvents")) {
            SignedHttpClient.Response r = lookup.apply(target);
            assertThat(r.status()).as(target + ": " + r.body()).isBetween(400, 499);
            assertThat(r.body()).as(target).contains("UnknownOperationException");
        }
    }

    @Test
    void signedDigestsCatchATruncatedTailAndForgedSignatures() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
            Fixtures.createCollaboration(client, "c1");
        }
        JsonNode digest = Json.MAPPER.readTree(cluster.admin("POST", "/admin/audit/digests", "{}").body())
                .get("digest");
        long sequence = digest.get("sequence").asLong();
        // the digest covers the newest event before the call that asked for it
        long asked = events().stream().filter(e -> e.get("eventName").asText().equals("CreateAuditDigest"))
                .findFirst().orElseThrow().get("sequence").asLong();
        assertThat(sequence).isEqualTo(asked - 1);

        // an auditor checks the signature with the published key alone
        java.nio.file.Path publicFile = cluster.dataDir.resolve("audit-signing.pub");
        java.security.PublicKey publicKey = java.security.KeyFactory.getInstance("Ed25519").generatePublic(
                new java.security.spec.X509EncodedKeySpec(java.util.Base64.getDecoder().decode(
                        java.nio.file.Files.readString(publicFile).trim())));
        java.security.Signature check = java.security.Signature.getInstance("Ed25519");
        check.initVerify(publicKey);
        check.update(("cleanroom-audit-digest-v1|DIGEST|" + sequence + "|" + digest.get("hash").asText() + "|"
                + Math.round(digest.get("time").asDouble() * 1000))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(check.verify(java.util.Base64.getDecoder().decode(digest.get("signature").asText()))).isTrue();
        assertThat(java.nio.file.Files.getPosixFilePermissions(cluster.dataDir.resolve("audit-signing.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        JsonNode fine = verify();
        assertThat(fine.get("verified").asBoolean()).as(fine.toString()).isTrue();
        assertThat(fine.get("digests").asInt()).isEqualTo(1);

        // a digest whose signature is not the server's
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("UPDATE audit_digests SET body = replace(body, '" + digest.get("signature").asText() + "', '"
                    + java.util.Base64.getEncoder().encodeToString(new byte[64]) + "')");
        }
        JsonNode forged = verify();
        assertThat(forged.get("verified").asBoolean()).isFalse();
        assertThat(forged.at("/firstProblem/kind").asText()).isEqualTo("BAD_SIGNATURE");
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("UPDATE audit_digests SET body = replace(body, '"
                    + java.util.Base64.getEncoder().encodeToString(new byte[64]) + "', '"
                    + digest.get("signature").asText() + "')");
        }
        assertThat(verify().get("verified").asBoolean()).isTrue();

        // cutting the newest events off leaves a chain that holds by itself; the digest does not
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM audit_events WHERE id >= '" + String.format("%019d", sequence) + "'");
        }
        JsonNode truncated = verify();
        assertThat(truncated.get("verified").asBoolean()).isFalse();
        assertThat(truncated.at("/firstProblem/kind").asText()).isEqualTo("DIGEST_MISMATCH");
        assertThat(truncated.at("/firstProblem/sequence").asLong()).isEqualTo(sequence);
    }

    @Test
    void pruningLeavesASignedCheckpointAndAVerifiableTrail() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
            Fixtures.createCollaboration(client, "before");
        }
        long before = events().size();
        SignedHttpClient.Response bad = cluster.admin("POST", "/admin/audit/prune", "{\"olderThanDays\": -1}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("ValidationException").contains("olderThanDays");

        SignedHttpClient.Response pruned = cluster.admin("POST", "/admin/audit/prune", "{\"olderThanDays\": 0}");
        assertThat(pruned.status()).as(pruned.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(pruned.body()).get("removed").asLong()).isGreaterThanOrEqualTo(before);
        List<JsonNode> left = events();
        // who pruned is the first thing the trail now says
        assertThat(left.get(0).get("eventName").asText()).isEqualTo("PruneAuditTrail");
        assertThat(left.get(0).get("sequence").asLong()).isGreaterThan(before);
        assertThat(verify().get("verified").asBoolean()).as(verify().toString()).isTrue();

        try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
            Fixtures.createCollaboration(client, "after");
        }
        assertThat(verify().get("verified").asBoolean()).isTrue();

        // removing the first event left after the checkpoint is still caught
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM audit_events WHERE id = '" + String.format("%019d",
                    left.get(0).get("sequence").asLong()) + "'");
        }
        assertThat(verify().at("/firstProblem/kind").asText()).isEqualTo("REMOVED");
    }

    @Test
    void theServerSignsDigestsOnItsOwn() throws Exception {
        try (TestCluster ticking = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withAudit(
                new ServerConfig.Audit(java.time.Duration.ofMillis(100), java.time.Duration.ZERO)))) {
            Fixtures.account(ticking, "publisher");
            JsonNode result = null;
            for (int i = 0; i < 200; i++) {
                result = Json.MAPPER.readTree(ticking.admin("GET", "/admin/audit/verify", null).body());
                if (result.get("digests").asInt() > 0) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(result.get("digests").asInt()).as(result.toString()).isPositive();
            assertThat(result.get("verified").asBoolean()).isTrue();
        }
    }

    /** Follows ExportAuditTrail's pages from the start; returns the pages. */
    private List<JsonNode> exportPages() throws Exception {
        List<JsonNode> pages = new ArrayList<>();
        String token = null;
        do {
            SignedHttpClient.Response r = cluster.operator().send("GET", "/admin/audit/events",
                    token == null ? java.util.Map.of() : java.util.Map.of("nextToken", List.of(token)), java.util.Map.of(),
                    null, AdminApi.SIGNING_NAME);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode page = Json.MAPPER.readTree(r.body());
            pages.add(page);
            token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        return pages;
    }

    @Test
    void aLongTrailIsVerifiedAndExportedInBoundedPieces() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        SignedHttpClient client = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(),
                "us-east-1", java.time.Clock.systemUTC());
        // large refused calls: each event keeps the first 64 KiB of its request
        String huge = "{\"name\":\"" + "n".repeat(100_000) + "\"}";
        for (int i = 0; i < 70; i++) {
            assertThat(client.send("POST", "/collaborations", java.util.Map.of(), java.util.Map.of(), huge,
                    "cleanrooms").status()).isEqualTo(400);
        }
        // and many small ones, past one batch of the walk over the trail
        for (int i = 0; i < 1_000; i++) {
            assertThat(client.send("GET", "/collaborations", java.util.Map.of(), java.util.Map.of(), null,
                    "cleanrooms").status()).isEqualTo(200);
        }
        JsonNode verified = verify();
        assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
        assertThat(verified.get("events").asInt()).isGreaterThan(AuditKeeper.BATCH);

        List<JsonNode> pages = exportPages();
        // the large events fill a page long before 1000 events: a page holds a bounded amount
        assertThat(pages.get(0).get("events").size()).isLessThan(70);
        List<Long> sequences = new ArrayList<>();
        for (JsonNode page : pages) {
            assertThat(page.get("events").size()).isBetween(1, AdminApi.EXPORT_PAGE);
            page.get("events").forEach(e -> sequences.add(e.get("sequence").asLong()));
        }
        // together the pages are the whole trail, in order, each event once
        assertThat(sequences.get(0)).isEqualTo(1);
        for (int i = 1; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).isEqualTo(sequences.get(i - 1) + 1);
        }
        assertThat(sequences.size()).isGreaterThanOrEqualTo(verified.get("events").asInt());
        assertThat(cluster.operator().send("GET", "/admin/audit/events", java.util.Map.of("maxResults", List.of("0")),
                java.util.Map.of(), null, AdminApi.SIGNING_NAME).status()).isEqualTo(400);
        SignedHttpClient.Response two = cluster.operator().send("GET", "/admin/audit/events",
                java.util.Map.of("maxResults", List.of("2")), java.util.Map.of(), null, AdminApi.SIGNING_NAME);
        assertThat(Json.MAPPER.readTree(two.body()).get("events")).hasSize(2);
        assertThat(Json.MAPPER.readTree(two.body()).get("nextToken").asText()).isEqualTo(String.format("%019d", 2));
        SignedHttpClient.Response forged = cluster.operator().send("GET", "/admin/audit/events",
                java.util.Map.of("nextToken", List.of("../1")), java.util.Map.of(), null, AdminApi.SIGNING_NAME);
        assertThat(forged.status()).isEqualTo(400);
        assertThat(forged.body()).contains("nextToken");

        // a gap past the first batch is still told apart from a reordering
        long late = AuditKeeper.BATCH + 20;
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM audit_events WHERE id = '" + String.format("%019d", late) + "'");
        }
        JsonNode broken = verify();
        assertThat(broken.at("/firstProblem/kind").asText()).isEqualTo("REMOVED");
        assertThat(broken.at("/firstProblem/sequence").asLong()).isEqualTo(late);
    }

    @Test
    void callsWithIdentifiersNoCollaborationCanHaveAreRecordedOnSqlite() throws Exception {
        callsWithIdentifiersNoCollaborationCanHaveAreRecorded();
    }

    @Test
    void callsWithIdentifiersNoCollaborationCanHaveAreRecordedOnPostgres() throws Exception {
        cluster.close();
        cluster = TestCluster.start(TestCluster.StoreKind.POSTGRES);
        callsWithIdentifiersNoCollaborationCanHaveAreRecorded();
    }

    /**
     * A path's collaboration identifier goes to the trail's collaboration column only when it is one
     * (found by the fuzzer: a NUL byte or 500 characters there made PostgreSQL refuse the event, and
     * the call went unrecorded). A NUL (%00) no longer reaches a call at all (the HTTP layer refuses
     * it: MalformedRequestsIT); other control characters do.
     */
    private void callsWithIdentifiersNoCollaborationCanHaveAreRecorded() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        SignedHttpClient client = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(),
                "us-east-1", java.time.Clock.systemUTC());
        for (String id : List.of("%01", "a%1Fb", "x".repeat(500))) {
            SignedHttpClient.Response r = client.send("GET", "/collaborations/" + id + "/members", java.util.Map.of(),
                    java.util.Map.of(), null, "cleanrooms");
            assertThat(r.status()).as(r.body()).isEqualTo(400);
        }
        List<JsonNode> refused = events().stream().filter(e -> e.get("eventName").asText().equals("ListMembers"))
                .toList();
        assertThat(refused).hasSize(3).allSatisfy(e -> {
            assertThat(e.get("errorCode").asText()).isEqualTo("ValidationException");
            assertThat(e.get("collaborationId").isNull()).isTrue();
        });
        assertThat(verify().get("verified").asBoolean()).isTrue();
    }
}
