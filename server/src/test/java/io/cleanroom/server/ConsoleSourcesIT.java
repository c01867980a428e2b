package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.server.wire.Json;
import io.cleanroom.sources.MemberDatabase;
import io.cleanroom.sources.S3TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * Data where it lives, in the web console in real headless Chromium: the operator gives the
 * publisher an S3 root and a connection to a real S3 server (s3proxy), and no page, form or audit
 * event holds its secret; the publisher registers a partitioned S3 folder through it (columns and
 * partitions read from the objects) and fixes a type; the advertiser makes its own PostgreSQL
 * connection (Glue's operations) and registers a table of the members' database through it, whose
 * columns come from the database's catalog. Everything goes through the API the SDKs call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ConsoleIT.ShotsOnFailure.class)
class ConsoleSourcesIT implements BrowserSuite {
    private static final String PG_PASSWORD = "console-reader-pw-5d2e";

    private S3TestServer s3;
    private TestCluster cluster;
    private TestCluster.Keys publisher;
    private TestCluster.Keys advertiser;
    private TestCluster.Keys operator;
    private final List<Browser> browsers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Browser.chromedriver();
        Browser.chromium();
        s3 = S3TestServer.start();
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE);
        publisher = cluster.createAccount("111111111111", "publisher");
        advertiser = cluster.createAccount("222222222222", "advertiser");
        var creds = cluster.operatorCredentials();
        operator = new TestCluster.Keys(null, creds.get("accessKeyId").asText(), creds.get("secretAccessKey").asText());
        s3.put("pub-lake",
                "clean-room/audience/dt=2026-11-01/part-0.csv", "user_id_hash,segment\nu1,news\nu2,sports\n",
                "clean-room/audience/dt=2026-11-02/part-0.csv", "user_id_hash,segment\nu3,news\nu4,finance\n");
    }

    @AfterAll
    void stop() {
        browsers.forEach(Browser::close);
        if (cluster != null) {
            cluster.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    public List<Browser> browsers() {
        return browsers;
    }

    private Browser signedIn(String name, TestCluster.Keys keys) throws Exception {
        Browser b = Browser.open(name, cluster.server.endpoint());
        browsers.add(b);
        b.get("/console/sign-in");
        b.fill("accessKeyId", keys.accessKeyId());
        b.fill("secretAccessKey", keys.secretAccessKey());
        b.press("Sign in");
        b.waitFor("header.top nav");
        return b;
    }

    @Test
    @Order(1)
    void theOperatorGivesAnAccountAnS3ConnectionWhoseSecretNoPageShows() throws Exception {
        Browser b = signedIn("operator", operator);
        b.get("/console/operator/accounts/" + publisher.accountId());
        b.fill("dataRoots", cluster.dataRoot(publisher.accountId()) + "\ns3://pub-lake/clean-room/");
        b.press("Save data roots");
        b.waitFor(".notice");
        assertThat(b.find("#dataRoots").getAttribute("value")).contains("s3://pub-lake/clean-room/");
        assertThat(b.text("#connections-h + p")).startsWith("None");
        b.find("a[href$='/connections']").click();
        b.waitUntilPath("/console/operator/accounts/" + publisher.accountId() + "/connections");
        b.check("s01-operator-connections-empty");
        // an S3 connection: the PostgreSQL fields are not shown for it
        assertThat(b.find("#jdbcUrl").isDisplayed()).isFalse();
        b.fill("name", "pub-lake");
        b.fill("endpoint", s3.endpoint().toString());
        b.fill("region", "us-east-1");
        b.fill("accessKeyId", S3TestServer.ACCESS_KEY);
        b.tick("pathStyle", "true", true);
        b.fill("secret", S3TestServer.SECRET_KEY);
        b.press("Create connection");
        b.waitFor(".notice");
        assertThat(b.text("#connections")).contains("pub-lake").contains(s3.endpoint().toString())
                .contains(S3TestServer.ACCESS_KEY);
        assertThat(b.driver.getPageSource()).doesNotContain(S3TestServer.SECRET_KEY);
        b.check("s02-operator-connection-created");
        // a refused one is shown again with the message next to its field, and without the secret typed
        b.tick("type", "POSTGRESQL", true);
        assertThat(b.find("#endpoint").isDisplayed()).isFalse();
        b.fill("name", "spare");
        b.fill("jdbcUrl", "jdbc:postgresql://db.internal:5432/dw?password=oops");
        b.fill("user", "reader");
        b.fill("secret", "spare-secret-71f3");
        b.press("Create connection");
        b.waitFor(".field-error");
        assertThat(b.text(".field-error")).contains("jdbcUrl");
        assertThat(b.driver.getPageSource()).doesNotContain("spare-secret-71f3");
        b.check("s03-operator-connection-refused");
        b.fill("jdbcUrl", "jdbc:postgresql://db.internal:5432/dw");
        b.fill("secret", "spare-secret-71f3");
        b.press("Create connection");
        b.waitFor(".notice");
        assertThat(b.text("#connections")).contains("spare").contains("jdbc:postgresql://db.internal:5432/dw as reader");
        b.click("button[aria-label='Delete connection spare']");
        b.waitFor(".notice");
        assertThat(b.text("#connections")).doesNotContain("spare");
        // an edit with the secret left empty keeps it (the publisher's table is read through it below)
        b.find("#connections a[href$='/pub-lake']").click();
        b.waitUntilPath("/console/operator/accounts/" + publisher.accountId() + "/connections/pub-lake");
        assertThat(b.find("#endpoint").getAttribute("value")).isEqualTo(s3.endpoint().toString());
        assertThat(b.find("#secret").getAttribute("value")).isEmpty();
        b.check("s04-operator-connection-edit");
        b.fill("description", "the publisher's lake");
        b.press("Save connection");
        b.waitFor(".notice");
        assertThat(b.text(".notice")).contains("Its secret is unchanged");
        // no audit event holds a secret: the calls that set them record it hidden
        String events = cluster.admin("GET", "/admin/audit/events", null).body();
        assertThat(events).doesNotContain(S3TestServer.SECRET_KEY).doesNotContain("spare-secret-71f3")
                .contains(Front.HIDDEN);
        assertThat(Json.MAPPER.readTree(events).path("events").toString()).contains("\"eventName\":\"CreateConnection\"");
    }

    @Test
    @Order(2)
    void thePublisherRegistersAPartitionedS3FolderThroughItsConnection() throws Exception {
        Browser b = signedIn("publisher", publisher);
        b.get("/console/connections");
        assertThat(b.text("#connections")).contains("pub-lake").contains("the publisher's lake");
        assertThat(b.driver.getPageSource()).doesNotContain(S3TestServer.SECRET_KEY);
        b.check("s10-account-connections");
        b.get("/console/catalog/new");
        b.fill("database", "lake");
        // outside the account's S3 roots: the refusal is shown next to the location
        b.fill("name", "audience");
        b.tick("source", "s3", true);
        assertThat(b.find("#pgTable").isDisplayed()).isFalse();
        b.fill("location", "s3://pub-lake/elsewhere/");
        b.choose("format", "csv");
        b.choose("connection", "pub-lake");
        b.press("Register and read columns");
        b.waitFor("#location-error");
        assertThat(b.text("#location-error")).contains("S3 roots");
        b.check("s11-register-s3-refused");
        b.fill("location", "s3://pub-lake/clean-room/audience/");
        b.press("Register and read columns");
        b.waitUntilPath("/console/catalog/lake/audience");
        assertThat(b.text("main dl")).contains("s3://pub-lake/clean-room/audience/").contains("pub-lake")
                .contains("dt");
        assertThat(b.text("main table")).contains("user_id_hash").contains("segment").contains("dt (partition)");
        b.check("s12-s3-table");
        // the partition column's type is fixed like any other, and stays the partition column
        b.choose("type-2", "string");
        b.press("Save column types");
        b.waitFor(".notice");
        try (GlueClient glue = cluster.glue(publisher)) {
            var table = glue.getTable(r -> r.databaseName("lake").name("audience")).table();
            assertThat(table.partitionKeys()).extracting(c -> c.name() + " " + c.type()).containsExactly("dt string");
            assertThat(table.storageDescriptor().columns()).extracting(c -> c.name())
                    .containsExactly("user_id_hash", "segment");
            assertThat(table.parameters()).containsEntry("connectionName", "pub-lake");
        }
        assertThat(b.text("main table")).contains("dt (partition)");
        b.get("/console/tables");
        assertThat(b.text("main")).contains("s3://pub-lake/clean-room/audience/ via pub-lake");
    }

    @Test
    @Order(3)
    void theAdvertiserRegistersAPostgresTableThroughItsOwnConnection() throws Exception {
        MemberDatabase members = MemberDatabase.fromEnvironment();
        String schema = members.schema("console");
        String reader = members.reader(PG_PASSWORD);
        members.execute("CREATE TABLE " + schema + ".customers (user_id_hash text, campaign varchar(20), visits integer)",
                "INSERT INTO " + schema + ".customers VALUES ('u1', 'spring', 3), ('u3', 'brand', 1)",
                "GRANT USAGE ON SCHEMA " + schema + " TO " + reader,
                "GRANT SELECT ON " + schema + ".customers TO " + reader);
        Browser b = signedIn("advertiser", advertiser);
        b.get("/console/connections");
        b.tick("type", "POSTGRESQL", true);
        b.fill("name", "adv-dw");
        b.fill("jdbcUrl", members.jdbcUrl());
        b.fill("user", reader);
        b.fill("secret", PG_PASSWORD);
        b.press("Create connection");
        b.waitFor(".notice");
        assertThat(b.text("#connections")).contains("adv-dw").contains(members.jdbcUrl() + " as " + reader);
        assertThat(b.driver.getPageSource()).doesNotContain(PG_PASSWORD);
        b.check("s20-advertiser-connection");
        b.get("/console/catalog/new");
        b.fill("database", "dw");
        b.fill("name", "advertiser_audience");
        b.tick("source", "postgresql", true);
        assertThat(b.find("#format").isDisplayed()).isFalse();
        b.choose("connection", "adv-dw");
        b.fill("pgSchema", schema);
        b.fill("pgTable", "customers");
        b.check("s21-register-postgres");
        b.press("Register and read columns");
        b.waitUntilPath("/console/catalog/dw/advertiser_audience");
        // the location is the connection's database; the columns are the database's, not to be set here
        assertThat(b.text("main dl")).contains(members.jdbcUrl()).contains("adv-dw").contains("the database's");
        assertThat(b.text("main table")).contains("user_id_hash").contains("campaign").contains("visits");
        assertThat(b.all("main table select")).isEmpty();
        b.check("s22-postgres-table");
        members.execute("ALTER TABLE " + schema + ".customers ADD COLUMN region text");
        b.press("Read the columns again");
        b.waitFor(".notice");
        assertThat(b.text("main table")).contains("region");
        try (GlueClient glue = cluster.glue(advertiser)) {
            var table = glue.getTable(r -> r.databaseName("dw").name("advertiser_audience")).table();
            assertThat(table.storageDescriptor().location()).isEqualTo(members.jdbcUrl());
            assertThat(table.parameters()).containsEntry("connectionName", "adv-dw").containsEntry("schema", schema)
                    .containsEntry("table", "customers");
        }
    }
}
