package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.server.console.Console;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.NoAlertPresentException;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AccessDeniedException;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateAutoRefresh;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetType;
import software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;

/**
 * The web console in real headless Chromium: the seed guide's lab end to end as two users in two
 * browsers (sign in, register and configure tables, rules, create and accept the collaboration,
 * associate, explain a refused query, run the overlap query, see its result and chart, cancel a
 * query, history, audit trail, query logs), then the web-security cases (cookie flags, CSRF,
 * CSP, escaping) and one case each where a key may not see more than through the API: an
 * analyst key, a member who does not receive results, and an outsider; and the privacy budget's gauge
 * moving when a differentially private query spends it. Every page visited is screenshotted under
 * target/console-screenshots and checked by axe-core.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ConsoleIT.ShotsOnFailure.class)
class ConsoleIT implements BrowserSuite {
    static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count FROM advertiser_audience a "
            + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY 1, 2 ORDER BY 1, 2";
    static final String RAW = "SELECT a.user_id_hash, COUNT(*) FROM advertiser_audience a JOIN publisher_audience p "
            + "ON a.user_id_hash = p.user_id_hash GROUP BY a.user_id_hash";
    static final String XSS = "<script>alert(1)</script>";
    static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private TestCluster cluster;
    private TestCluster.Keys publisher;
    private TestCluster.Keys advertiser;
    private TestCluster.Keys agency;
    private TestCluster.Keys outsider;
    private Browser pub;
    private Browser adv;
    private final List<Browser> browsers = new ArrayList<>();

    // what the lab leaves for the later cases
    private String collaboration;
    private String advertiserMembership;
    private String overlapQuery;

    @BeforeAll
    void start() throws Exception {
        Browser.chromedriver();
        Browser.chromium();
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE);
        publisher = cluster.createAccount("111111111111", "publisher");
        advertiser = cluster.createAccount("222222222222", "advertiser");
        agency = cluster.createAccount("333333333333", "agency");
        outsider = cluster.createAccount("444444444444", "outsider");
        List<String> pubRows = new ArrayList<>(List.of("user_id_hash,segment,zip"));
        List<String> advRows = new ArrayList<>(List.of("user_id_hash,campaign"));
        // 36 users in common, in segments and campaigns of different sizes (every group counts at least 3)
        for (int i = 0; i < 48; i++) {
            pubRows.add(String.format("u%03d,%s,0%04d", i, i < 24 ? "news" : i < 38 ? "sports" : "finance", 2100 + i));
        }
        for (int i = 12; i < 60; i++) {
            advRows.add(String.format("u%03d,%s", i, i % 3 == 0 ? "brand_awareness" : "spring_launch"));
        }
        cluster.csv(publisher, "publisher_audience.csv", pubRows);
        cluster.csv(advertiser, "advertiser_audience.csv", advRows);
        pub = browser("publisher");
        adv = browser("advertiser");
    }

    private Browser browser(String name) throws IOException {
        Browser b = Browser.open(name, cluster.server.endpoint());
        browsers.add(b);
        return b;
    }

    @AfterAll
    void stop() {
        browsers.forEach(Browser::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public List<Browser> browsers() {
        return browsers;
    }

    private static void signIn(Browser b, TestCluster.Keys keys) {
        b.get("/console/sign-in");
        b.fill("accessKeyId", keys.accessKeyId());
        b.fill("secretAccessKey", keys.secretAccessKey());
        b.press("Sign in");
        b.waitFor("header.top nav");
    }

    /** Registers the account's CSV in its catalog through the console and checks the columns read. */
    private void registerTable(Browser b, TestCluster.Keys keys, String table, String step) throws IOException {
        b.get("/console/catalog/new");
        b.check(step + "-register-form");
        b.fill("database", "cleanrooms_lab");
        b.fill("name", table);
        b.fill("location", cluster.dataRoot(keys.accountId()).resolve(table + ".csv").toString());
        b.choose("format", "csv");
        b.press("Register and read columns");
        b.waitUntilPath("/console/catalog/cleanrooms_lab/" + table);
        assertThat(b.text("main")).contains("read from the data").contains("user_id_hash");
        b.check(step + "-inferred-columns");
    }

    private String configure(Browser b, String table, String dimension, String step) throws IOException {
        b.get("/console/configured-tables/new?database=cleanrooms_lab&table=" + table);
        b.tick("allowedColumns", "user_id_hash", true);
        b.tick("allowedColumns", dimension, true);
        b.check(step + "-column-picker");
        b.press("Create configured table");
        b.waitUntilPathMatches("/console/configured-tables/" + UUID);
        assertThat(b.text(".warn")).contains("No analysis rule yet");
        return b.path().substring("/console/configured-tables/".length());
    }

    /** The guided aggregation rule of the lab: COUNT DISTINCT of user_id_hash, join on it, 2 per row. */
    private void aggregationRule(Browser b, String tableId, String dimension, String step) throws IOException {
        b.get("/console/configured-tables/" + tableId + "/rule?type=AGGREGATION");
        b.choose("agg0-function", "COUNT_DISTINCT");
        b.tick("agg[0].columns", "user_id_hash", true);
        b.tick("joinColumns", "user_id_hash", true);
        b.choose("joinRequired", "QUERY_RUNNER");
        b.tick("dimensionColumns", dimension, true);
        b.choose("oc0-column", "user_id_hash");
        b.fill("oc0-minimum", "2");
        b.waitForText("#rule-check", "passes the server's checks");
        assertThat(b.text("#rule-json")).contains("\"dimensionColumns\"").contains(dimension);
        b.check(step + "-rule-valid");
        b.find("#create-rule").click();
        b.waitUntilPath("/console/configured-tables/" + tableId);
        assertThat(b.text(".rule-summary")).contains("Each result row must count at least 2 distinct user_id_hash");
    }

    private void associate(Browser b, String tableId, String membership, List<String> receivers, String step)
            throws IOException {
        b.get("/console/configured-tables/" + tableId + "/associate?membership=" + membership);
        for (String r : receivers) {
            b.tick("allowedResultReceivers", r, true);
        }
        b.check(step + "-associate");
        b.press("Associate table");
        b.waitUntilPath("/console/memberships/" + membership + "/associations");
    }

    @Test
    @Order(1)
    void theLabEndToEndInTwoBrowsers() throws Exception {
        // --- the publisher: sign in, register, fix a type, configure, rule
        pub.get("/console/");
        pub.waitUntilPath("/console/sign-in");
        pub.check("01-sign-in");
        pub.assertKeyboardOrder("01-sign-in");
        signIn(pub, publisher);
        assertThat(pub.path()).isEqualTo("/console/collaborations");
        assertThat(pub.js("return document.cookie;")).as("the session cookie is not readable by scripts")
                .isEqualTo("");
        pub.check("02-publisher-collaborations");
        registerTable(pub, publisher, "publisher_audience", "03-publisher");
        // the inferred type of zip (leading zeros) is fixed by hand
        List<String> types = new ArrayList<>();
        pub.all("select[id^=type-]").forEach(e -> types.add(e.getAttribute("value")));
        assertThat(types).containsExactly("string", "string", "bigint");
        pub.choose("type-2", "string");
        pub.press("Save column types");
        pub.waitForText(".notice", "Column types saved");
        assertThat(pub.find("#type-2").getAttribute("value")).isEqualTo("string");
        assertThat(pub.text("main")).contains("as you set them");
        String publisherTable = configure(pub, "publisher_audience", "segment", "04-publisher");

        // the rule form: a checking error next to its field as the author types, then a server error on create
        pub.get("/console/configured-tables/" + publisherTable + "/rule?type=AGGREGATION");
        pub.check("05-rule-form");
        pub.tick("agg[0].columns", "user_id_hash", true);
        pub.tick("joinColumns", "user_id_hash", true);
        pub.tick("dimensionColumns", "user_id_hash", true);
        pub.choose("oc0-column", "user_id_hash");
        pub.fill("oc0-minimum", "1");
        pub.waitFor("#err-oc-0-minimum");
        assertThat(pub.text("#err-oc-0-minimum")).contains("minimum");
        pub.shot("05-rule-errors-as-typed");
        pub.find("#create-rule").click();
        pub.waitFor("div.error[role=alert]");
        assertThat(pub.text("div.error[role=alert]")).contains("minimum");
        assertThat(pub.text("#err-oc-0-minimum")).as("the server's error, next to the field it names")
                .contains("minimum");
        pub.check("05-rule-server-error");
        aggregationRule(pub, publisherTable, "segment", "06-publisher");
        // the list and custom forms check as they are filled too (nothing is created: the table has its rule)
        pub.get("/console/configured-tables/" + publisherTable + "/rule?type=LIST");
        pub.waitFor("#rule-check p");
        assertThat(pub.text("#rule-check")).doesNotContain("passes");
        pub.tick("joinColumns", "user_id_hash", true);
        pub.tick("listColumns", "segment", true);
        pub.waitForText("#rule-check", "passes the server's checks");
        assertThat(pub.text("#rule-json")).contains("\"list\"").contains("\"listColumns\"");
        pub.check("06-list-rule-form");
        pub.get("/console/configured-tables/" + publisherTable + "/rule?type=CUSTOM");
        pub.waitFor("#err-allowedAnalysisProviders");
        assertThat(pub.text("#err-allowedAnalysisProviders")).contains("required when allowedAnalyses is ANY_QUERY");
        pub.fill("allowedAnalysisProviders", advertiser.accountId());
        pub.waitForText("#rule-check", "passes the server's checks");
        pub.fill("allowedAnalyses", "not a template");
        pub.waitFor("#err-allowedAnalyses");
        assertThat(pub.text("#err-allowedAnalyses")).isNotBlank();
        pub.check("06-custom-rule-form");

        // --- the publisher creates the collaboration, inviting the advertiser (query, receive) and an agency
        //     (which contributes data only)
        pub.get("/console/collaborations/new");
        pub.check("07-create-collaboration");
        pub.assertKeyboardOrder("07-create-collaboration");
        pub.fill("name", "cleanrooms-lab-collab");
        pub.fill("description", "Audience overlap lab");
        pub.fill("creatorDisplayName", "publisher");
        pub.fill("m0-account", advertiser.accountId());
        pub.fill("m0-name", "advertiser");
        pub.tick("members[0].memberAbilities", "CAN_QUERY", true);
        pub.tick("members[0].memberAbilities", "CAN_RECEIVE_RESULTS", true);
        pub.fill("m1-account", agency.accountId());
        pub.fill("m1-name", "agency");
        pub.tick("queryLogStatus", "ENABLED", true);
        pub.press("Create collaboration");
        pub.waitUntilPathMatches("/console/collaborations/" + UUID);
        collaboration = pub.path().substring("/console/collaborations/".length());
        assertThat(pub.text(".notice")).contains("cleanrooms-lab-collab");
        pub.check("08-collaboration-created");
        // the creator joins, logging the queries on its tables
        pub.tick("queryLogStatus", "ENABLED", true);
        pub.click("#accept-button");
        pub.waitForText(".notice", "You joined");
        assertThat(pub.text("main")).contains("ACTIVE");
        String publisherMembership = membershipOf(pub);
        associate(pub, publisherTable, publisherMembership, List.of(advertiser.accountId()), "09-publisher");
        assertThat(pub.text("main")).contains("publisher_audience").contains(advertiser.accountId());
        pub.check("10-publisher-associations");

        // --- the advertiser: the invitation, accept, its own table and rule, associate
        signIn(adv, advertiser);
        assertThat(adv.text("#invitations-h + table")).contains("cleanrooms-lab-collab");
        adv.check("11-advertiser-invitation");
        adv.click("a[href='/console/collaborations/" + collaboration + "#accept']");
        adv.waitFor("#accept-button");
        adv.check("12-advertiser-accept");
        adv.click("#accept-button");
        adv.waitForText(".notice", "You joined");
        advertiserMembership = membershipOf(adv);
        registerTable(adv, advertiser, "advertiser_audience", "13-advertiser");
        String advertiserTable = configure(adv, "advertiser_audience", "campaign", "14-advertiser");
        aggregationRule(adv, advertiserTable, "campaign", "15-advertiser");
        associate(adv, advertiserTable, advertiserMembership, List.of(), "16-advertiser");

        // --- the query page: schema browser, a refused query explained, the overlap query run
        adv.get("/console/memberships/" + advertiserMembership + "/query");
        adv.waitFor(".CodeMirror");
        assertThat(adv.text(".schema")).contains("publisher_audience").contains("advertiser_audience")
                .contains("user_id_hash").contains("segment").contains("campaign")
                .contains("Each result row must count at least 2 distinct user_id_hash")
                .doesNotContain("zip");
        adv.check("17-query-page");
        adv.assertKeyboardOrder("17-query-page");
        adv.typeSql(RAW);
        adv.click("#explain-button");
        adv.waitFor("#rejection");
        assertThat(adv.text("#rejection")).startsWith("Refused.");
        assertThat(adv.text("#fault")).as("the part of the query at fault").containsIgnoringCase("user_id_hash");
        adv.check("18-explain-refused");
        adv.typeSql(OVERLAP);
        adv.click("#explain-button");
        adv.waitForText("#explain", "Allowed.");
        adv.click("#run-button");
        adv.waitForText("#query-status", "SUCCESS");
        assertThat(adv.text("#elapsed")).matches("\\d+(\\.\\d)? (ms|s)");
        adv.waitFor("#result-table");
        List<String> rows = new ArrayList<>();
        adv.all("#result-table tbody tr").forEach(r -> rows.add(r.getText()));
        assertThat(rows).hasSize(6).anySatisfy(r -> assertThat(r).contains("spring_launch").contains("news"));
        // the chart: grouped bars, campaigns along the axis, one bar per segment
        adv.waitFor("#result-chart");
        Object labels = adv.js("var c = Chart.getChart(document.getElementById('result-chart'));"
                + "return c ? c.data.labels.join(',') + '|' + c.data.datasets.map(d => d.label).join(',') : null;");
        assertThat(labels).isEqualTo("brand_awareness,spring_launch|finance,news,sports");
        assertThat(adv.text("#explain")).as("running a query clears the explanation of the one before").isEmpty();
        adv.check("19-query-result-chart");
        // the picture of the query page the README shows (docs/console-query.png is a copy of it)
        adv.fullShot("console-query");
        overlapQuery = adv.find("#run-status a").getAttribute("href").replaceAll(".*/queries/", "");

        // the same query through the API gives the same rows, and the console's call is in the audit trail
        try (CleanRoomsClient sdk = cluster.cleanRooms(advertiser)) {
            assertThat(sdk.getProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .protectedQueryIdentifier(overlapQuery)).protectedQuery().statusAsString()).isEqualTo("SUCCESS");
        }
        try (var trail = cluster.cloudTrail(advertiser)) {
            var events = trail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME)
                    .attributeValue("StartProtectedQuery"))).events();
            assertThat(events).anySatisfy(e -> {
                assertThat(e.accessKeyId()).isEqualTo(advertiser.accessKeyId());
                assertThat(e.cloudTrailEvent()).contains("overlap_count").contains(advertiserMembership);
            });
            var signIns = trail.lookupEvents(r -> r.lookupAttributes(a -> a.attributeKey(LookupAttributeKey.EVENT_NAME)
                    .attributeValue("ConsoleLogin"))).events();
            assertThat(signIns).anySatisfy(e -> assertThat(e.accessKeyId()).isEqualTo(advertiser.accessKeyId()));
        }

        // CSV download, as the browser's cookie gets it
        HttpResponse<String> csv = asBrowser(adv, "GET", "/console/memberships/" + advertiserMembership + "/queries/"
                + overlapQuery + "/results.csv", null, Map.of());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-disposition").orElse("")).contains("attachment");
        assertThat(List.of(csv.body().split("\r\n"))).hasSize(7).first().isEqualTo("campaign,segment,overlap_count");

        // --- cancel: a query held before it starts shows its status and elapsed time live, and is cancelled
        CountDownLatch release = new CountDownLatch(1);
        cluster.server.queries().beforeStart(id -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            adv.get("/console/memberships/" + advertiserMembership + "/query");
            adv.typeSql(OVERLAP);
            adv.click("#run-button");
            adv.waitForText("#query-status", "SUBMITTED");
            String first = adv.text("#elapsed");
            adv.waitFor("#cancel-button");
            new org.openqa.selenium.support.ui.WebDriverWait(adv.driver, Duration.ofSeconds(20))
                    .until(d -> !adv.text("#elapsed").equals(first));
            adv.check("20-query-running");
            adv.click("#cancel-button");
            adv.waitForText("#query-status", "CANCELLED");
            assertThat(adv.all("#cancel-button")).isEmpty();
            adv.check("21-query-cancelled");
        } finally {
            release.countDown();
            cluster.server.queries().beforeStart(id -> {
            });
        }

        // --- history, audit trail, query logs
        adv.get("/console/memberships/" + advertiserMembership + "/queries");
        assertThat(adv.text("table")).contains("SUCCESS").contains("CANCELLED").contains("overlap_count");
        adv.check("22-query-history");
        adv.get("/console/audit?operation=StartProtectedQuery");
        assertThat(adv.text("#events")).contains("StartProtectedQuery").contains(advertiser.accessKeyId());
        assertThat(adv.text("#events")).doesNotContain("ListCollaborations");
        adv.check("23-audit-trail");
        pub.get("/console/memberships/" + publisherMembership + "/query-logs");
        assertThat(pub.text("main table")).contains("overlap_count").contains(advertiser.accountId());
        pub.check("24-publisher-query-logs");
        pub.get("/console/tables");
        pub.check("25-publisher-tables");
        pub.get("/console/configured-tables/" + publisherTable);
        pub.check("26-publisher-configured-table");
        pub.get("/console/collaborations/" + collaboration);
        assertThat(pub.text("main")).contains("advertiser").contains("agency");
        pub.check("27-publisher-collaboration");
    }

    /** The signed-in user's membership of the collaboration, from the page's query link. */
    private String membershipOf(Browser b) {
        b.get("/console/collaborations/" + collaboration);
        String href = b.find("a[href*='/associations']").getAttribute("href");
        Matcher m = Pattern.compile("/memberships/([0-9a-f-]{36})/").matcher(href);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    // ---------------------------------------------------------------- web security

    @Test
    @Order(2)
    void aCollaborationNamedLikeAScriptIsShownAsText() throws Exception {
        pub.get("/console/collaborations/new");
        pub.fill("name", XSS);
        pub.fill("description", "<img src=x onerror=alert(2)>");
        pub.fill("creatorDisplayName", "<b>publisher</b>");
        pub.press("Create collaboration");
        pub.waitUntilPathMatches("/console/collaborations/" + UUID);
        assertThat(pub.text("h1")).isEqualTo(XSS);
        assertThat(pub.driver.getPageSource()).contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<img src=x");
        assertThatThrownBy(() -> pub.driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        pub.get("/console/collaborations");
        assertThat(pub.all("a")).anySatisfy(a -> assertThat(a.getText()).isEqualTo(XSS));
        assertThatThrownBy(() -> pub.driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        pub.check("30-xss-name-escaped");
        // an API error that quotes what was typed is escaped too
        pub.get("/console/collaborations/new");
        pub.fill("name", "x");
        pub.fill("creatorDisplayName", "p");
        pub.fill("m0-account", "\"><svg onload=alert(3)>");
        pub.fill("m0-name", "m");
        pub.press("Create collaboration");
        pub.waitFor("div.error[role=alert]");
        assertThat(pub.driver.getPageSource()).doesNotContain("<svg onload");
        assertThatThrownBy(() -> pub.driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        pub.check("31-error-escaped");
    }

    @Test
    @Order(3)
    void cookiesAndSecurityHeaders() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(cluster.server.endpoint()
                + "/console/sign-in")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                .isEqualTo(Console.CONTENT_SECURITY_POLICY)
                .contains("script-src 'self'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(page.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(page.body()).doesNotContainPattern("(?i)<script(?![^>]*\\bsrc=)")
                .doesNotContainPattern("(?i)\\son[a-z]+=").doesNotContainPattern("(?i)\\sstyle=");
        HttpResponse<String> signedIn = signInRaw(http, cluster.server.endpoint(), advertiser);
        String cookie = signedIn.headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith("cleanroom-console=")).findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain("Secure")
                .doesNotContain("Expires").doesNotContain("Max-Age");
        // the secret never comes back, in any header or page
        assertThat(signedIn.headers().map().toString()).doesNotContain(advertiser.secretAccessKey());

        // over TLS: Secure, and the __Host- prefix (only this host, only over TLS)
        try (TestCluster tls = TestCluster.startTls(TestCluster.StoreKind.SQLITE)) {
            TestCluster.Keys keys = tls.createAccount("555555555555", "tls");
            HttpClient https = HttpClient.newBuilder().sslContext(tls.tls())
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<String> secure = signInRaw(https, tls.server.endpoint(), keys);
            String secureCookie = secure.headers().allValues("set-cookie").stream()
                    .filter(c -> c.startsWith("__Host-cleanroom-console=")).findFirst().orElseThrow();
            assertThat(secureCookie).contains("Secure").contains("HttpOnly").contains("SameSite=Strict")
                    .contains("Path=/");
            assertThat(secure.headers().firstValue("strict-transport-security")).isPresent();
        }
    }

    @Test
    @Order(4)
    void aChangeWithoutTheSessionsCsrfTokenIsRefused() throws Exception {
        int before;
        try (CleanRoomsClient sdk = cluster.cleanRooms(advertiser)) {
            before = sdk.listCollaborations(r -> r.maxResults(100)).collaborationList().size();
        }
        String form = "name=csrf-made&creatorDisplayName=x&queryLogStatus=DISABLED";
        HttpResponse<String> none = asBrowser(adv, "POST", "/console/collaborations", form, Map.of());
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.body()).contains("did not come from this console");
        HttpResponse<String> wrong = asBrowser(adv, "POST", "/console/collaborations", form + "&_csrf=" + "A".repeat(43),
                Map.of());
        assertThat(wrong.statusCode()).isEqualTo(403);
        // the publisher's token is worth nothing in the advertiser's session
        String publisherToken = (String) pub.js("return document.body.getAttribute('data-csrf');");
        HttpResponse<String> other = asBrowser(adv, "POST", "/console/collaborations", form + "&_csrf="
                + publisherToken, Map.of());
        assertThat(other.statusCode()).isEqualTo(403);
        // a cross-site form with the right token is refused too
        String token = (String) adv.js("return document.body.getAttribute('data-csrf');");
        HttpResponse<String> crossSite = asBrowser(adv, "POST", "/console/collaborations", form + "&_csrf=" + token,
                Map.of("Origin", "http://evil.example"));
        assertThat(crossSite.statusCode()).isEqualTo(403);
        // a sign-out without the token does not sign out
        assertThat(asBrowser(adv, "POST", "/console/sign-out", "", Map.of()).statusCode()).isEqualTo(403);
        try (CleanRoomsClient sdk = cluster.cleanRooms(advertiser)) {
            assertThat(sdk.listCollaborations(r -> r.maxResults(100)).collaborationList()).hasSize(before)
                    .noneSatisfy(c -> assertThat(c.name()).isEqualTo("csrf-made"));
        }
        // with it, the same form works (so the refusals above were the token's)
        HttpResponse<String> ok = asBrowser(adv, "POST", "/console/collaborations", form + "&_csrf=" + token,
                Map.of());
        assertThat(ok.statusCode()).isEqualTo(303);
        // a sign-in form without its token signs no one in
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(cluster.server.endpoint()
                + "/console/sign-in")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("accessKeyId=" + advertiser.accessKeyId()
                        + "&secretAccessKey=" + advertiser.secretAccessKey())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.headers().allValues("set-cookie")).noneMatch(c -> c.startsWith("cleanroom-console="));
    }

    @Test
    @Order(5)
    void anAnalystKeySeesAndDoesNoMoreThanThroughTheApi() throws Exception {
        TestCluster.Keys analyst = cluster.createKey(advertiser.accountId(), "ANALYST");
        Browser b = browser("analyst");
        signIn(b, analyst);
        // the tables page reads configured tables, which the analyst's role may not
        b.get("/console/tables");
        assertThat(b.text("h1")).isEqualTo("Not allowed");
        assertThat(b.text(".error")).contains("ANALYST").contains("ListConfiguredTables");
        try (CleanRoomsClient sdk = cluster.cleanRooms(analyst)) {
            assertThatThrownBy(() -> sdk.listConfiguredTables(r -> { }))
                    .isInstanceOf(AccessDeniedException.class);
        }
        // it cannot create a collaboration with a valid form either
        b.get("/console/collaborations/new");
        b.fill("name", "analyst-made");
        b.fill("creatorDisplayName", "analyst");
        b.press("Create collaboration");
        b.waitFor("div.error[role=alert]");
        assertThat(b.text("div.error[role=alert]")).contains("CreateCollaboration");
        try (CleanRoomsClient sdk = cluster.cleanRooms(advertiser)) {
            assertThat(sdk.listCollaborations(r -> r.maxResults(100)).collaborationList())
                    .noneSatisfy(c -> assertThat(c.name()).isEqualTo("analyst-made"));
        }
        // but it may query, as through the API
        b.get("/console/memberships/" + advertiserMembership + "/query");
        b.typeSql(OVERLAP);
        b.click("#run-button");
        b.waitForText("#query-status", "SUCCESS");
        b.waitFor("#result-table");
        b.check("32-analyst-query");
    }

    @Test
    @Order(6)
    void aMemberWhoDoesNotReceiveResultsDoesNotSeeThem() throws Exception {
        // the publisher is a member without CAN_RECEIVE_RESULTS: the advertiser's result is not its to read
        String publisherMembership = membershipOf(pub);
        String resultPath = "/memberships/" + publisherMembership + "/protectedQueries/" + overlapQuery + "/result";
        int api = signed(publisher).send("GET", resultPath, Map.of(), Map.of(), null, "cleanrooms").status();
        assertThat(api).isEqualTo(403);
        HttpResponse<String> csv = asBrowser(pub, "GET", "/console/memberships/" + publisherMembership + "/queries/"
                + overlapQuery + "/results.csv", null, Map.of());
        assertThat(csv.statusCode()).isEqualTo(api);
        assertThat(csv.body()).doesNotContain("spring_launch");
        HttpResponse<String> rows = asBrowser(pub, "GET", "/console/memberships/" + publisherMembership + "/queries/"
                + overlapQuery + "/results", null, Map.of());
        assertThat(rows.statusCode()).isEqualTo(api);
        // nor the query itself, through its own membership or the advertiser's
        int get = signed(publisher).send("GET", "/memberships/" + publisherMembership + "/protectedQueries/"
                + overlapQuery, Map.of(), Map.of(), null, "cleanrooms").status();
        pub.get("/console/memberships/" + publisherMembership + "/queries/" + overlapQuery);
        assertThat(asBrowser(pub, "GET", "/console/memberships/" + publisherMembership + "/queries/" + overlapQuery,
                null, Map.of()).statusCode()).isEqualTo(get);
        assertThat(pub.driver.getPageSource()).doesNotContain("spring_launch");
        pub.check("33-non-receiver");
        HttpResponse<String> theirs = asBrowser(pub, "GET", "/console/memberships/" + advertiserMembership
                + "/queries/" + overlapQuery + "/results.csv", null, Map.of());
        assertThat(theirs.statusCode()).isEqualTo(signed(publisher).send("GET", "/memberships/"
                + advertiserMembership + "/protectedQueries/" + overlapQuery + "/result", Map.of(), Map.of(), null,
                "cleanrooms").status()).isEqualTo(404);
    }

    private io.cleanroom.client.SignedHttpClient signed(TestCluster.Keys keys) throws IOException {
        return new io.cleanroom.client.SignedHttpClient(URI.create(cluster.server.endpoint()), keys.accessKeyId(),
                keys.secretAccessKey(), "us-east-1", java.time.Clock.systemUTC(), cluster.tls());
    }

    @Test
    @Order(7)
    void anOutsiderSeesNothingOfTheCollaboration() throws Exception {
        Browser b = browser("outsider");
        signIn(b, outsider);
        b.get("/console/collaborations");
        assertThat(b.text("main")).doesNotContain("cleanrooms-lab-collab");
        for (String path : List.of("/console/collaborations/" + collaboration,
                "/console/memberships/" + advertiserMembership + "/query",
                "/console/memberships/" + advertiserMembership + "/queries/" + overlapQuery,
                "/console/memberships/" + advertiserMembership + "/queries/" + overlapQuery + "/results.csv")) {
            HttpResponse<String> r = asBrowser(b, "GET", path, null, Map.of());
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).doesNotContain("cleanrooms-lab-collab").doesNotContain("spring_launch");
        }
        b.get("/console/collaborations/" + collaboration);
        assertThat(b.text("h1")).isEqualTo("Not found");
        b.check("34-outsider-not-found");
        try (CleanRoomsClient sdk = cluster.cleanRooms(outsider)) {
            assertThatThrownBy(() -> sdk.getCollaboration(r -> r.collaborationIdentifier(collaboration)))
                    .isInstanceOf(ResourceNotFoundException.class);
        }
        // the operator's pages are the operator's: an account's session gets none
        b.get("/console/operator/accounts");
        assertThat(b.text("h1")).isEqualTo("Not allowed");
    }

    @Test
    @Order(8)
    void theOperatorsPagesAndSignOut() throws Exception {
        Browser b = browser("operator");
        var creds = cluster.operatorCredentials();
        signIn(b, new TestCluster.Keys(null, creds.get("accessKeyId").asText(),
                creds.get("secretAccessKey").asText()));
        assertThat(b.path()).isEqualTo("/console/operator/accounts");
        assertThat(b.text("main table")).contains("publisher").contains("advertiser");
        b.check("40-operator-accounts");
        b.get("/console/operator/accounts/" + advertiser.accountId());
        b.check("41-operator-account");
        b.get("/console/operator/server");
        b.check("42-operator-server");
        b.get("/console/operator/audit");
        b.press("Verify the chain");
        b.waitFor("#verification");
        assertThat(b.text("#verification")).startsWith("The trail verifies");
        b.check("43-operator-audit");
        // the operator's key has no clean-room pages
        b.get("/console/collaborations");
        assertThat(b.text("h1")).isEqualTo("Not allowed");
        // disabling a key ends its sessions at once
        TestCluster.Keys second = cluster.createKey(outsider.accountId(), "ADMINISTRATOR");
        Browser victim = browser("disabled");
        signIn(victim, second);
        b.get("/console/operator/accounts/" + outsider.accountId());
        b.click("button[aria-label='Disable key " + second.accessKeyId() + "']");
        b.waitFor(".notice");
        victim.get("/console/collaborations");
        victim.waitUntilPath("/console/sign-in");
        // sign-out ends the session: its cookie is worth nothing afterwards
        String before = sessionCookie(adv);
        adv.get("/console/collaborations");
        adv.press("Sign out");
        adv.waitUntilPath("/console/sign-in");
        HttpResponse<String> replay = raw("GET", "/console/collaborations", null, Map.of("Cookie",
                "cleanroom-console=" + before));
        assertThat(replay.statusCode()).isEqualTo(303);
        assertThat(replay.headers().firstValue("location")).hasValue("/console/sign-in");
    }

    @Test
    @Order(9)
    void thePrivacyBudgetIsAGaugeThatMovesWhenADifferentiallyPrivateQuerySpendsIt() throws Exception {
        // the lab's tables again, in a collaboration where differential privacy protects the publisher's users
        String dpCollaboration;
        String publisherMembership;
        String advertiserMembership;
        try (CleanRoomsClient p = cluster.cleanRooms(publisher); CleanRoomsClient a = cluster.cleanRooms(advertiser)) {
            dpCollaboration = Fixtures.createCollaboration(p, "cleanrooms-lab-dp", advertiser);
            publisherMembership = Fixtures.join(p, dpCollaboration);
            advertiserMembership = Fixtures.join(a, dpCollaboration);
            String pt = Fixtures.configuredTable(p, "publisher_audience_dp", "cleanrooms_lab", "publisher_audience",
                    "user_id_hash", "segment");
            p.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(pt)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(DifferentialPrivacyQuerySuite.custom(advertiser.accountId(), "user_id_hash")));
            Fixtures.associate(p, publisherMembership, pt, "publisher_audience");
            String at = Fixtures.configuredTable(a, "advertiser_audience_dp", "cleanrooms_lab", "advertiser_audience",
                    "user_id_hash", "campaign");
            a.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(at)
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(DifferentialPrivacyQuerySuite.custom(advertiser.accountId(), null)));
            Fixtures.associate(a, advertiserMembership, at, "advertiser_audience");
            // epsilon 1, noise hiding 10 users: 10 COUNTs, 5 AVGs, 3 STDDEVs
            p.createPrivacyBudgetTemplate(r -> r.membershipIdentifier(publisherMembership)
                    .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                    .autoRefresh(PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH)
                    .parameters(PrivacyBudgetSuite.parameters(1, 10)));
        }
        signIn(adv, advertiser);
        adv.get("/console/memberships/" + advertiserMembership + "/query");
        assertThat(adv.text("#budget-COUNT-text")).isEqualTo("10 of 10 left");
        assertThat(adv.find("#budget-COUNT").getAttribute("value")).isEqualTo("10");
        assertThat(adv.text("#budget-STDDEV-text")).isEqualTo("3 of 3 left");
        adv.check("50-privacy-budget");
        // a differentially private count of the overlap: the gauge moves in the page as the query ends
        adv.typeSql("SELECT COUNT(DISTINCT p.user_id_hash) AS users FROM advertiser_audience a "
                + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash");
        adv.click("#run-button");
        adv.waitForText("#query-status", "SUCCESS");
        adv.waitForText("#budget-COUNT-text", "9 of 10 left");
        assertThat(adv.find("#budget-COUNT").getAttribute("value")).isEqualTo("9");
        assertThat(adv.text("#budget-AVG-text")).isEqualTo("4 of 5 left");
        adv.check("51-privacy-budget-spent");
        // the same budget on the collaboration page, for the member who protects the data, and through the API
        pub.get("/console/collaborations/" + dpCollaboration);
        assertThat(pub.text("#budget-COUNT-text")).isEqualTo("9 of 10 left");
        assertThat(pub.text("#privacy-budget")).contains("refreshes at the start of each calendar month");
        pub.check("52-collaboration-privacy-budget");
        try (CleanRoomsClient sdk = cluster.cleanRooms(publisher)) {
            String memberships = publisherMembership;
            assertThat(sdk.listPrivacyBudgets(r -> r.membershipIdentifier(memberships)
                    .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)).privacyBudgetSummaries().get(0)
                    .budget().differentialPrivacy().aggregations())
                    .anySatisfy(g -> assertThat(g.typeAsString() + " " + g.remainingCount() + "/" + g.maxCount())
                            .isEqualTo("COUNT 9/10"));
        }
        // a collaboration without differential privacy has no gauge
        adv.get("/console/memberships/" + this.advertiserMembership + "/query");
        assertThat(adv.all("#budget-COUNT")).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private static HttpResponse<String> signInRaw(HttpClient http, String endpoint, TestCluster.Keys keys)
            throws Exception {
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/console/sign-in"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(form.body());
        assertThat(token.find()).isTrue();
        String nonce = form.headers().allValues("set-cookie").stream().filter(c -> c.contains("-signin="))
                .map(c -> c.substring(0, c.indexOf(';'))).findFirst().orElseThrow();
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/console/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Cookie", nonce)
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token.group(1) + "&accessKeyId="
                        + keys.accessKeyId() + "&secretAccessKey=" + java.net.URLEncoder.encode(keys.secretAccessKey(),
                        StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedIn.statusCode()).isEqualTo(303);
        return signedIn;
    }

    private static String sessionCookie(Browser b) {
        var cookie = b.driver.manage().getCookieNamed("cleanroom-console");
        assertThat(cookie).as("the browser's session cookie").isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        return cookie.getValue();
    }

    /** A request with the browser's session cookie, as a form or link of another origin could send it. */
    private HttpResponse<String> asBrowser(Browser b, String method, String path, String form,
            Map<String, String> headers) throws Exception {
        java.util.Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Cookie", "cleanroom-console=" + sessionCookie(b));
        return raw(method, path, form, all);
    }

    private HttpResponse<String> raw(String method, String path, String form, Map<String, String> headers)
            throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.server.endpoint() + path))
                .method(method, form == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(form));
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded");
        }
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** On a failure, a screenshot of every open browser, named after the test, with its path printed. */
    static final class ShotsOnFailure implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            Object test = context.getRequiredTestInstance();
            if (!(test instanceof BrowserSuite it)) {
                return;
            }
            for (Browser b : it.browsers()) {
                try {
                    Path file = b.shot("FAILED-" + context.getRequiredTestMethod().getName() + "-" + b.name);
                    System.err.println("Screenshot of " + b.name + " at " + b.path() + " when "
                            + context.getDisplayName() + " failed: " + file.toAbsolutePath());
                } catch (IOException | RuntimeException e) {
                    System.err.println("No screenshot of " + b.name + ": " + e);
                }
            }
        }
    }
}
