package io.cleanroom.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.Role;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.server.wire.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    private static HttpRequest request(String method, String path, String form, Map<String, String> headers) {
        Map<String, List<String>> all = new HashMap<>();
        headers.forEach((k, v) -> all.put(k.toLowerCase(java.util.Locale.ROOT), List.of(v)));
        if (form != null) {
            all.put("content-type", List.of("application/x-www-form-urlencoded"));
        }
        int q = path.indexOf('?');
        return new HttpRequest(method, q < 0 ? path : path.substring(0, q), q < 0 ? null : path.substring(q + 1), all,
                form == null ? new byte[0] : form.getBytes(StandardCharsets.UTF_8), "127.0.0.1");
    }

    private static String body(WebReply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    private static String cookie(WebReply reply, String name) {
        return reply.headers().stream().filter(h -> h.name().equals("Set-Cookie") && h.value().startsWith(name + "="))
                .map(h -> h.value().substring(name.length() + 1, h.value().indexOf(';'))).findFirst().orElse(null);
    }

    private static String csrf(WebReply page) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(body(page));
        assertThat(m.find()).as("the page has a form with a CSRF token").isTrue();
        return m.group(1);
    }

    /** Signs in through the form and returns the session cookie. */
    private String signIn(String key, String secret) {
        WebReply form = console.handle(request("GET", "/console/sign-in", null, Map.of()), false);
        String nonce = cookie(form, "cleanroom-console-signin");
        WebReply reply = console.handle(request("POST", "/console/sign-in", "_csrf=" + csrf(form) + "&accessKeyId="
                + key + "&secretAccessKey=" + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8),
                Map.of("Cookie", "cleanroom-console-signin=" + nonce)), false);
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
