package io.cleanroom.server.console;

import static io.cleanroom.server.console.ConsoleRequests.body;
import static io.cleanroom.server.console.ConsoleRequests.cookie;
import static io.cleanroom.server.console.ConsoleRequests.csrf;
import static io.cleanroom.server.console.ConsoleRequests.request;
import static io.cleanroom.server.console.ConsoleRequests.signInReply;
import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.Role;
import io.cleanroom.core.service.Quotas;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleTest {
    private static final String KEY = "CRAKAAAAAAAAAAAAAAAA";
    private static final String SECRET = "s3cr3t/with+odd=characters";
    private static final String OPERATOR = "CROPAAAAAAAAAAAAAAAA";

    private final FakeBackend backend = new FakeBackend();
    private final MutableClock clock = new MutableClock();
    private final Console console = new Console(backend, new Console.Settings(Duration.ofMinutes(30),
            Duration.ofHours(12), 3, clock, "us-east-1", Quotas.DEFAULTS));

    ConsoleTest() {
        backend.key(KEY, "111111111111", Role.ADMINISTRATOR, SECRET);
        backend.key(OPERATOR, null, Role.ADMINISTRATOR, "operator-secret");
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Signs in through the form and returns the session cookie. */
    private String signIn(String key, String secret) {
        WebReply reply = signInReply(console, key, secret, Map.of());
        assertThat(reply.status()).as(body(reply)).isEqualTo(303);
        return cookie(reply, "cleanroom-console");
    }

    private WebReply get(String path, String session) {
        return console.handle(request("GET", path, null, Map.of("Cookie", "cleanroom-console=" + session)), false);
    }

    private WebReply post(String path, String form, String session) {
        return console.handle(request("POST", path, form, Map.of("Cookie", "cleanroom-console=" + session)), false);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() {
        for (WebReply reply : List.of(get("/console/sign-in", "none"), get("/console/collaborations", "none"),
                get("/console/no-such-page", "none"), get("/console/static/htmx.min.js", "none"))) {
            assertThat(reply.header("Content-Security-Policy")).isEqualTo(Console.CONTENT_SECURITY_POLICY);
            assertThat(reply.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(reply.header("X-Frame-Options")).isEqualTo("DENY");
        }
        assertThat(Console.CONTENT_SECURITY_POLICY).contains("script-src 'self'").contains("style-src 'self'")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe");
    }

    @Test
    void signingInKeepsNoSecretAndAuditsTheAttempt() {
        WebReply form = console.handle(request("GET", "/console/sign-in", null, Map.of()), false);
        String nonce = cookie(form, "cleanroom-console-signin");
        WebReply wrong = console.handle(request("POST", "/console/sign-in", "_csrf=" + csrf(form) + "&accessKeyId="
                + KEY + "&secretAccessKey=guess", Map.of("Cookie", "cleanroom-console-signin=" + nonce)), false);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(cookie(wrong, "cleanroom-console")).isNull();
        assertThat(body(wrong)).contains("wrong").doesNotContain("guess");
        String session = signIn(KEY, SECRET);
        assertThat(session).hasSizeGreaterThan(40);
        assertThat(backend.signIns).containsExactly(new FakeBackend.SignIn(KEY, "111111111111",
                "Failed authentication"), new FakeBackend.SignIn(KEY, "111111111111", null));
        // the session cookie is only an id: the secret is nowhere in it or the page
        assertThat(session).doesNotContain(SECRET);
        assertThat(console.sessionCount()).isEqualTo(1);
    }

    @Test
    void theSessionCookieFlags() {
        WebReply form = console.handle(request("GET", "/console/sign-in", null, Map.of()), true);
        String nonce = cookie(form, "__Host-cleanroom-console-signin");
        WebReply reply = console.handle(request("POST", "/console/sign-in", "_csrf=" + csrf(form) + "&accessKeyId="
                + KEY + "&secretAccessKey=" + java.net.URLEncoder.encode(SECRET, StandardCharsets.UTF_8),
                Map.of("Cookie", "__Host-cleanroom-console-signin=" + nonce)), true);
        String set = reply.headers().stream().filter(h -> h.value().startsWith("__Host-cleanroom-console="))
                .findFirst().orElseThrow().value();
        assertThat(set).contains("; Path=/;").contains("HttpOnly").contains("SameSite=Strict").contains("Secure");
        String session = cookie(reply, "__Host-cleanroom-console");
        // over TLS, a cookie without the prefix (which another host could have set) is no session
        backend.answer("GET /collaborations", "{\"collaborationList\":[]}");
        WebReply plain = console.handle(request("GET", "/console/collaborations", null,
                Map.of("Cookie", "cleanroom-console=" + session)), true);
        assertThat(plain.status()).isEqualTo(303);
        WebReply prefixed = console.handle(request("GET", "/console/collaborations", null,
                Map.of("Cookie", "__Host-cleanroom-console=" + session)), true);
        assertThat(prefixed.status()).isEqualTo(200);
    }

    @Test
    void aChangeWithoutTheTokenReachesNoApi() {
        String session = signIn(KEY, SECRET);
        backend.answer("GET /collaborations", "{\"collaborationList\":[]}");
        String token = csrf(get("/console/collaborations/new", session));
        int before = backend.calls.size();
        String form = "name=x&creatorDisplayName=y&queryLogStatus=DISABLED";
        assertThat(post("/console/collaborations", form, session).status()).isEqualTo(403);
        assertThat(post("/console/collaborations", form + "&_csrf=" + token.substring(1), session).status())
                .isEqualTo(403);
        assertThat(console.handle(request("POST", "/console/collaborations", form + "&_csrf=" + token,
                Map.of("Cookie", "cleanroom-console=" + session, "Origin", "https://elsewhere.example",
                        "Host", "127.0.0.1:8080")), false).status()).isEqualTo(403);
        assertThat(backend.calls).hasSize(before);
        backend.answer("POST /collaborations", "{\"collaboration\":{\"id\":\"c1\"}}");
        WebReply made = console.handle(request("POST", "/console/collaborations", form, Map.of(
                "Cookie", "cleanroom-console=" + session, "X-CSRF-Token", token, "Origin", "http://127.0.0.1:8080",
                "Host", "127.0.0.1:8080")), false);
        assertThat(made.status()).isEqualTo(303);
        assertThat(backend.calls).hasSize(before + 1);
    }

    @Test
    void everyCallIsMadeAsTheSignedInKey() {
        String session = signIn(KEY, SECRET);
        backend.answer("GET /collaborations", "{\"collaborationList\":[]}");
        get("/console/collaborations", session);
        assertThat(backend.calls).isNotEmpty().allSatisfy(c -> {
            assertThat(c.caller().accessKeyId()).isEqualTo(KEY);
            assertThat(c.caller().account().value()).isEqualTo("111111111111");
            assertThat(c.request().header("authorization")).isEmpty();
        });
    }

    @Test
    void aDisabledKeyEndsItsSessions() {
        String session = signIn(KEY, SECRET);
        backend.disable(KEY);
        WebReply reply = get("/console/collaborations", session);
        assertThat(reply.status()).isEqualTo(303);
        assertThat(reply.header("Location")).isEqualTo("/console/sign-in");
        assertThat(backend.calls).isEmpty();
        assertThat(console.sessionCount()).isZero();
    }

    @Test
    void anIdleSessionEnds() {
        String session = signIn(KEY, SECRET);
        backend.answer("GET /collaborations", "{\"collaborationList\":[]}");
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(get("/console/collaborations", session).status()).isEqualTo(200);
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(get("/console/collaborations", session).status()).as("used 29 minutes ago").isEqualTo(200);
        clock.now = clock.now.plus(Duration.ofMinutes(30));
        assertThat(get("/console/collaborations", session).status()).isEqualTo(303);
    }

    @Test
    void theSessionsAreBounded() {
        for (int i = 0; i < 3; i++) {
            signIn(KEY, SECRET);
        }
        WebReply form = console.handle(request("GET", "/console/sign-in", null, Map.of()), false);
        WebReply full = console.handle(request("POST", "/console/sign-in", "_csrf=" + csrf(form) + "&accessKeyId="
                + KEY + "&secretAccessKey=" + java.net.URLEncoder.encode(SECRET, StandardCharsets.UTF_8),
                Map.of("Cookie", "cleanroom-console-signin=" + cookie(form, "cleanroom-console-signin"))), false);
        assertThat(full.status()).isEqualTo(503);
        clock.now = clock.now.plus(Duration.ofMinutes(31));
        signIn(KEY, SECRET);
        assertThat(console.sessionCount()).isEqualTo(1);
    }

    @Test
    void operatorPagesAreTheOperatorsAndAccountPagesTheAccounts() {
        String account = signIn(KEY, SECRET);
        String operator = signIn(OPERATOR, "operator-secret");
        assertThat(get("/console/operator/accounts", account).status()).isEqualTo(403);
        assertThat(get("/console/collaborations", operator).status()).isEqualTo(403);
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void whatTheApiAnswersIsEscaped() {
        String session = signIn(KEY, SECRET);
        // in text and in an attribute (the link made of the id)
        backend.answer("GET /collaborations", "{\"collaborationList\":[{\"id\":\"c1\\\" onmouseover=\\\"x\","
                + "\"name\":\"<script>alert(1)</script>\",\"creatorDisplayName\":\"p\",\"creatorAccountId\":"
                + "\"111111111111\",\"memberStatus\":\"ACTIVE\",\"createTime\":1.7E9}]}");
        String page = body(get("/console/collaborations", session));
        assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert")
                .contains("c1&#34; onmouseover").doesNotContain("c1\" onmouseover");
        backend.answer("GET /collaborations/c2", 400, "ValidationException",
                "{\"message\":\"Value '<img src=x onerror=alert(1)>' is bad\"}");
        String error = body(get("/console/collaborations/c2", session));
        assertThat(error).contains("&lt;img src=x").doesNotContain("<img src=x");
    }

    @Test
    void anAnalysisTemplateRunsWithTheParametersOfItsForm() throws Exception {
        String session = signIn(KEY, SECRET);
        String arn = "arn:aws:cleanrooms:us-east-1:111111111111:membership/m1/analysistemplate/t1";
        backend.answer("GET /memberships/m1", "{\"membership\":{\"id\":\"m1\",\"collaborationId\":\"c1\","
                + "\"collaborationName\":\"lab\",\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}}");
        backend.answer("GET /collaborations/c1/members", "{\"memberSummaries\":[{\"accountId\":\"111111111111\","
                + "\"displayName\":\"me\",\"abilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}]}");
        backend.answer("GET /collaborations/c1/schemas", "{\"schemaSummaries\":[]}");
        backend.answer("GET /memberships/m1/privacybudgets", "{\"privacyBudgetSummaries\":[]}");
        backend.answer("GET /collaborations/c1/analysistemplates", "{\"collaborationAnalysisTemplateSummaries\":"
                + "[{\"arn\":\"" + arn + "\"}]}");
        backend.answer("POST /collaborations/c1/batch-analysistemplates", "{\"collaborationAnalysisTemplates\":[{"
                + "\"arn\":\"" + arn + "\",\"name\":\"by_segment\",\"creatorAccountId\":\"111111111111\","
                + "\"source\":{\"text\":\"SELECT segment, COUNT(*) FROM t WHERE campaign = :campaign GROUP BY 1\"},"
                + "\"analysisParameters\":[{\"name\":\"campaign\",\"type\":\"VARCHAR\",\"defaultValue\":\"spring\"}]}]}");
        String page = body(get("/console/memberships/m1/query", session));
        assertThat(page).contains("by_segment").contains("name=\"param.campaign\"").contains("value=\"spring\"")
                .contains("WHERE campaign = :campaign");
        backend.answer("POST /memberships/m1/protectedQueries", "{\"protectedQuery\":{\"id\":\"q1\"}}");
        WebReply started = post("/console/memberships/m1/queries", "_csrf=" + csrf(get("/console/memberships/m1/query",
                session)) + "&analysisTemplateArn=" + java.net.URLEncoder.encode(arn, StandardCharsets.UTF_8)
                + "&receiver=111111111111&param.campaign=brand+awareness", session);
        assertThat(started.status()).isEqualTo(303);
        assertThat(started.header("Location")).isEqualTo("/console/memberships/m1/queries/q1");
        FakeBackend.Recorded start = backend.calls.get(backend.calls.size() - 1);
        com.fasterxml.jackson.databind.JsonNode sent = io.cleanroom.server.wire.Json.MAPPER.readTree(
                start.request().body());
        assertThat(sent.path("sqlParameters").path("analysisTemplateArn").asText()).isEqualTo(arn);
        assertThat(sent.path("sqlParameters").path("parameters").toString()).isEqualTo(
                "{\"campaign\":\"brand awareness\"}");
        assertThat(sent.path("sqlParameters").has("queryString")).isFalse();
        assertThat(sent.at("/resultConfiguration/outputConfiguration/member/accountId").asText())
                .isEqualTo("111111111111");
    }

    private FakeBackend.Recorded last(String target) {
        for (int i = backend.calls.size() - 1; i >= 0; i--) {
            if (backend.calls.get(i).target().equals(target)) {
                return backend.calls.get(i);
            }
        }
        throw new AssertionError("the console did not call " + target);
    }

    private static com.fasterxml.jackson.databind.JsonNode sent(FakeBackend.Recorded call) throws Exception {
        return io.cleanroom.server.wire.Json.MAPPER.readTree(call.request().body());
    }

    private void queryPage() {
        backend.answer("GET /memberships/m1", "{\"membership\":{\"id\":\"m1\",\"collaborationId\":\"c1\","
                + "\"collaborationName\":\"lab\",\"memberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}}");
        backend.answer("GET /collaborations/c1/members", "{\"memberSummaries\":[{\"accountId\":\"111111111111\","
                + "\"displayName\":\"me\",\"abilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"]}]}");
        backend.answer("GET /collaborations/c1/schemas", "{\"schemaSummaries\":[]}");
        backend.answer("GET /collaborations/c1/analysistemplates", "{\"collaborationAnalysisTemplateSummaries\":[]}");
    }

    private static String budget(long count) {
        return "{\"privacyBudgetSummaries\":[{\"id\":\"b1\",\"privacyBudgetTemplateId\":\"t1\",\"collaborationId\":"
                + "\"c1\",\"type\":\"DIFFERENTIAL_PRIVACY\",\"budget\":{\"differentialPrivacy\":{\"epsilon\":1,"
                + "\"aggregations\":[{\"type\":\"COUNT\",\"maxCount\":10,\"remainingCount\":" + count + "},"
                + "{\"type\":\"AVG\",\"maxCount\":5,\"remainingCount\":" + (count / 2) + "},"
                + "{\"type\":\"STDDEV\",\"maxCount\":3,\"remainingCount\":" + (count / 3) + "}]}}}]}";
    }

    @Test
    void thePrivacyBudgetIsAGaugeWithItsTextThatReloadsWhenAQueryEnds() {
        String session = signIn(KEY, SECRET);
        queryPage();
        backend.answer("GET /memberships/m1/privacybudgets", budget(10));
        backend.answer("GET /collaborations/c1/privacybudgettemplates/t1", "{\"collaborationPrivacyBudgetTemplate\":"
                + "{\"id\":\"t1\",\"creatorAccountId\":\"222222222222\",\"autoRefresh\":\"CALENDAR_MONTH\","
                + "\"parameters\":{\"differentialPrivacy\":{\"epsilon\":1,\"usersNoisePerQuery\":10}}}}");
        String page = body(get("/console/memberships/m1/query", session));
        // the budget is asked for through the API, as DIFFERENTIAL_PRIVACY, for this membership
        assertThat(last("GET /memberships/m1/privacybudgets").request().rawQuery())
                .isEqualTo("privacyBudgetType=DIFFERENTIAL_PRIVACY");
        assertThat(page).contains("<label for=\"budget-COUNT\">COUNT</label>")
                .contains("id=\"budget-COUNT\" min=\"0\" max=\"10\"").contains("value=\"10\"")
                .contains("10 of 10 left").contains("id=\"budget-STDDEV\"").contains("3 of 3 left")
                .contains("noise hiding 10 users per answer").contains("each calendar month")
                .contains("hx-get=\"/console/memberships/m1/budget\"")
                .contains("hx-trigger=\"" + QueryPages.QUERY_ENDED + " from:body\"");
        // a query that ended says so to the page, which reloads the gauge: it has moved
        backend.answer("GET /memberships/m1/protectedQueries/q1", "{\"protectedQuery\":{\"id\":\"q1\","
                + "\"status\":\"RUNNING\",\"createTime\":1.8E9}}");
        assertThat(get("/console/memberships/m1/queries/q1/status", session).header("HX-Trigger")).isNull();
        backend.answer("GET /memberships/m1/protectedQueries/q1", "{\"protectedQuery\":{\"id\":\"q1\","
                + "\"status\":\"FAILED\",\"createTime\":1.8E9,\"error\":{\"message\":\"no\",\"code\":\"X\"}}}");
        assertThat(get("/console/memberships/m1/queries/q1/status", session).header("HX-Trigger"))
                .isEqualTo(QueryPages.QUERY_ENDED);
        backend.answer("GET /memberships/m1/privacybudgets", budget(9));
        String gauge = body(get("/console/memberships/m1/budget", session));
        assertThat(gauge).startsWith("<section id=\"privacy-budget\"").contains("value=\"9\"").contains("9 of 10 left")
                .doesNotContain("<html");
        // a collaboration without differential privacy has no gauge
        backend.answer("GET /memberships/m1/privacybudgets", "{\"privacyBudgetSummaries\":[]}");
        assertThat(body(get("/console/memberships/m1/budget", session)).strip())
                .isEqualTo("<div id=\"privacy-budget\"></div>");
        assertThat(body(get("/console/memberships/m1/query", session))).doesNotContain("<meter")
                .doesNotContain("Privacy budget");
    }

    @Test
    void aConnectionsSecretGoesToTheApiAndIsNeverShown() throws Exception {
        String session = signIn(KEY, SECRET);
        String secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY";
        backend.answer("POST / AWSGlue.GetConnections", "{\"ConnectionList\":[{\"Name\":\"pub-lake\","
                + "\"ConnectionType\":\"S3\",\"ConnectionProperties\":{\"ENDPOINT\":\"http://minio:9000\","
                + "\"REGION\":\"us-east-1\",\"ACCESS_KEY_ID\":\"PUBREADER\",\"PATH_STYLE\":\"true\"},"
                + "\"LastUpdatedTime\":1.8E9}]}");
        String list = body(get("/console/connections", session));
        assertThat(list).contains("pub-lake").contains("http://minio:9000 (us-east-1)").contains("PUBREADER")
                .contains("type=\"password\"");
        // refused: shown again with the API's message next to its field, and without the secret typed
        // (Glue's errors name their field only in the message, as the server writes them)
        backend.answer("POST / AWSGlue.CreateConnection", 400, "InvalidInputException", "{\"message\":\""
                + "ConnectionInput.ConnectionProperties.REGION: Value at 'ConnectionInput.ConnectionProperties.REGION' "
                + "must be lower-case\"}");
        WebReply refused = post("/console/connections", "_csrf=" + csrf(get("/console/connections", session))
                + "&name=adv-lake&type=S3&endpoint=http%3A%2F%2Fminio%3A9000&region=US&accessKeyId=ADV&pathStyle=true"
                + "&secret=" + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8), session);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(body(refused)).doesNotContain(secret).doesNotContain(java.net.URLEncoder.encode(secret,
                StandardCharsets.UTF_8)).contains("<p class=\"field-error\">Value at 'ConnectionInput.ConnectionProperties.REGION")
                .contains("value=\"adv-lake\"");
        com.fasterxml.jackson.databind.JsonNode created = sent(last("POST / AWSGlue.CreateConnection"));
        assertThat(created.at("/ConnectionInput/ConnectionType").asText()).isEqualTo("S3");
        assertThat(created.at("/ConnectionInput/ConnectionProperties/SECRET_ACCESS_KEY").asText()).isEqualTo(secret);
        assertThat(created.at("/ConnectionInput/ConnectionProperties/PATH_STYLE").asText()).isEqualTo("true");
        assertThat(created.at("/ConnectionInput/ConnectionProperties").has("USERNAME")).isFalse();
        backend.answer("POST / AWSGlue.CreateConnection", "{\"CreateConnectionStatus\":\"READY\"}");
        WebReply ok = post("/console/connections", "_csrf=" + csrf(get("/console/connections", session))
                + "&name=adv-lake&type=S3&region=us-east-1&accessKeyId=ADV&secret=" + java.net.URLEncoder.encode(secret,
                        StandardCharsets.UTF_8), session);
        assertThat(ok.status()).isEqualTo(303);
        assertThat(body(get("/console/connections", session))).contains("never shown again").doesNotContain(secret);

        // the operator, for any account, through the admin API: a PostgreSQL connection, then its edit
        String operator = signIn(OPERATOR, "operator-secret");
        backend.answer("GET /admin/accounts/222222222222/connections", "{\"connections\":[{\"accountId\":"
                + "\"222222222222\",\"name\":\"adv-dw\",\"type\":\"POSTGRESQL\",\"jdbcUrl\":"
                + "\"jdbc:postgresql://dw:5432/marketing\",\"user\":\"reader\",\"updateTime\":1.8E9}]}");
        backend.answer("POST /admin/accounts/222222222222/connections", "{}");
        WebReply made = post("/console/operator/accounts/222222222222/connections", "_csrf=" + csrf(get(
                "/console/operator/accounts/222222222222/connections", operator)) + "&name=adv-dw&type=POSTGRESQL"
                + "&jdbcUrl=jdbc%3Apostgresql%3A%2F%2Fdw%3A5432%2Fmarketing&user=reader&region=us-east-1&secret=pw%21",
                operator);
        assertThat(made.status()).isEqualTo(303);
        com.fasterxml.jackson.databind.JsonNode admin = sent(last("POST /admin/accounts/222222222222/connections"));
        assertThat(admin.toString()).isEqualTo("{\"type\":\"POSTGRESQL\",\"jdbcUrl\":\"jdbc:postgresql://dw:5432/"
                + "marketing\",\"user\":\"reader\",\"password\":\"pw!\",\"name\":\"adv-dw\"}");
        backend.answer("GET /admin/accounts/222222222222/connections/adv-dw", "{\"accountId\":\"222222222222\","
                + "\"name\":\"adv-dw\",\"type\":\"POSTGRESQL\",\"jdbcUrl\":\"jdbc:postgresql://dw:5432/marketing\","
                + "\"user\":\"reader\",\"updateTime\":1.8E9}");
        String edit = body(get("/console/operator/accounts/222222222222/connections/adv-dw", operator));
        assertThat(edit).contains("value=\"jdbc:postgresql://dw:5432/marketing\"").contains("Leave it empty to keep");
        backend.answer("PUT /admin/accounts/222222222222/connections/adv-dw", "{}");
        // the type is the stored one whatever the form says; an empty secret keeps the stored one
        assertThat(post("/console/operator/accounts/222222222222/connections/adv-dw", "_csrf=" + csrf(get(
                "/console/operator/accounts/222222222222/connections/adv-dw", operator)) + "&type=S3&jdbcUrl="
                + "jdbc%3Apostgresql%3A%2F%2Fdw2%3A5432%2Fmarketing&user=reader&secret=", operator).status())
                .isEqualTo(303);
        assertThat(sent(last("PUT /admin/accounts/222222222222/connections/adv-dw")).toString()).isEqualTo(
                "{\"type\":\"POSTGRESQL\",\"jdbcUrl\":\"jdbc:postgresql://dw2:5432/marketing\",\"user\":\"reader\"}");
        // an account's key has no operator pages, and the operator's none of an account's own
        assertThat(get("/console/operator/accounts/222222222222/connections", session).status()).isEqualTo(403);
        assertThat(get("/console/connections", operator).status()).isEqualTo(403);
    }

    @Test
    void theRegisterFormSendsTheTableInputOfEachKindOfLocation() throws Exception {
        String session = signIn(KEY, SECRET);
        backend.answer("POST / AWSGlue.GetConnections", "{\"ConnectionList\":[{\"Name\":\"pub-lake\","
                + "\"ConnectionType\":\"S3\",\"ConnectionProperties\":{\"REGION\":\"us-east-1\",\"ACCESS_KEY_ID\":"
                + "\"K\",\"PATH_STYLE\":\"false\"}},{\"Name\":\"adv-dw\",\"ConnectionType\":\"JDBC\","
                + "\"ConnectionProperties\":{\"JDBC_CONNECTION_URL\":\"jdbc:postgresql://dw:5432/marketing\","
                + "\"USERNAME\":\"reader\"}}]}");
        backend.answer("POST / AWSGlue.GetDatabase", "{\"Database\":{\"Name\":\"lab\"}}");
        backend.answer("POST / AWSGlue.CreateTable", "{}");
        String form = body(get("/console/catalog/new", session));
        assertThat(form).contains("<option value=\"pub-lake\">pub-lake (S3,").contains("<option value=\"adv-dw\">"
                + "adv-dw (POSTGRESQL, jdbc:postgresql://dw:5432/marketing as reader)");
        String csrf = csrf(get("/console/catalog/new", session));

        assertThat(post("/console/catalog", "_csrf=" + csrf + "&database=lab&name=audience&source=s3&location="
                + "s3%3A%2F%2Fpub%2Fclean-room%2Faudience%2F&format=parquet&connection=pub-lake&pgSchema=public",
                session).status()).isEqualTo(303);
        com.fasterxml.jackson.databind.JsonNode s3 = sent(last("POST / AWSGlue.CreateTable"));
        assertThat(s3.at("/TableInput/StorageDescriptor/Location").asText()).isEqualTo("s3://pub/clean-room/audience/");
        assertThat(s3.at("/TableInput/Parameters").toString()).isEqualTo(
                "{\"classification\":\"parquet\",\"connectionName\":\"pub-lake\"}");

        // PostgreSQL: the location left empty is the connection's database
        backend.answer("POST / AWSGlue.GetConnection", "{\"Connection\":{\"Name\":\"adv-dw\",\"ConnectionType\":"
                + "\"JDBC\",\"ConnectionProperties\":{\"JDBC_CONNECTION_URL\":\"jdbc:postgresql://dw:5432/marketing\","
                + "\"USERNAME\":\"reader\"}}}");
        assertThat(post("/console/catalog", "_csrf=" + csrf + "&database=lab&name=customers&source=postgresql"
                + "&location=&format=csv&connection=adv-dw&pgSchema=crm&pgTable=customers", session).status())
                .isEqualTo(303);
        com.fasterxml.jackson.databind.JsonNode pg = sent(last("POST / AWSGlue.CreateTable"));
        assertThat(pg.at("/TableInput/StorageDescriptor/Location").asText())
                .isEqualTo("jdbc:postgresql://dw:5432/marketing");
        assertThat(pg.at("/TableInput/Parameters").toString()).isEqualTo(
                "{\"connectionName\":\"adv-dw\",\"schema\":\"crm\",\"table\":\"customers\"}");

        // files: no connection; the API's error on a field is shown next to it
        backend.answer("POST / AWSGlue.CreateTable", 400, "InvalidInputException", "{\"message\":\"TableInput."
                + "Parameters.connectionName: A table in S3 names the connection it is read through\"}");
        WebReply refused = post("/console/catalog", "_csrf=" + csrf + "&database=lab&name=audience&source=files"
                + "&location=%2Fsrv%2Fa.csv&format=csv&connection=pub-lake", session);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(sent(last("POST / AWSGlue.CreateTable")).at("/TableInput/Parameters").toString())
                .isEqualTo("{\"classification\":\"csv\"}");
        assertThat(body(refused)).contains("<p class=\"field-error\" id=\"connection-error\">A table in S3 names")
                .doesNotContain("<div class=\"error\" role=\"alert\">");
    }

    @Test
    void onlyTheListedAssetsAreServed() {
        assertThat(get("/console/static/htmx.min.js", "x").status()).isEqualTo(200);
        assertThat(get("/console/static/chart.umd.js", "x").header("Cache-Control")).contains("max-age");
        assertThat(get("/console/static/..%2F..%2Fconsole.js", "x").status()).isEqualTo(404);
        assertThat(get("/console/static/pom.properties", "x").status()).isEqualTo(404);
    }

    @Test
    void theTemplatesAreCompiledAtBuildTime() {
        // the server's class path has jte's runtime only: no template compiler, no javac needed to render
        assertThat(Console.class.getClassLoader().getResource("gg/jte/compiler/TemplateCompiler.class")).isNull();
        assertThat(Console.class.getClassLoader().getResource("gg/jte/TemplateEngine.class")).isNotNull();
    }
}
