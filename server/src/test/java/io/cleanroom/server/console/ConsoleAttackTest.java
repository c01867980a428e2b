package io.cleanroom.server.console;

import static io.cleanroom.server.console.ConsoleRequests.body;
import static io.cleanroom.server.console.ConsoleRequests.cookie;
import static io.cleanroom.server.console.ConsoleRequests.csrf;
import static io.cleanroom.server.console.ConsoleRequests.request;
import static io.cleanroom.server.console.ConsoleRequests.signInReply;
import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.Role;
import io.cleanroom.core.service.Quotas;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console under attack, driven as a browser (or a forger) would drive it, against a hand-written
 * backend: what a request may reach without the session's key, token or origin, what user-typed and
 * member-controlled text may become in a page, a header or a file, and what malformed requests get.
 */
class ConsoleAttackTest {
    private static final String KEY = "CRAKAAAAAAAAAAAAAAAA";
    private static final String SECRET = "s3cr3t/with+odd=characters";
    private static final String OTHER = "CRAKBBBBBBBBBBBBBBBB";
    private static final String OTHER_SECRET = "another-secret";
    private static final String OPERATOR = "CROPAAAAAAAAAAAAAAAA";

    private final FakeBackend backend = new FakeBackend();
    private final Console console = new Console(backend, new Console.Settings(Duration.ofMinutes(30),
            Duration.ofHours(12), 100, Clock.systemUTC(), "us-east-1", Quotas.DEFAULTS));

    ConsoleAttackTest() {
        backend.key(KEY, "111111111111", Role.ADMINISTRATOR, SECRET);
        backend.key(OTHER, "222222222222", Role.ADMINISTRATOR, OTHER_SECRET);
        backend.key(OPERATOR, null, Role.ADMINISTRATOR, "operator-secret");
    }

    private String signIn(String key, String secret) {
        WebReply reply = signInReply(console, key, secret, Map.of());
        assertThat(reply.status()).as(body(reply)).isEqualTo(303);
        return cookie(reply, "cleanroom-console");
    }

    private WebReply get(String path, String session) {
        return console.handle(request("GET", path, null, Map.of("Cookie", "cleanroom-console=" + session)), false);
    }

    /** A page's CSRF token (any signed-in page carries it for htmx). */
    private String token(String session) {
        backend.answer("GET /collaborations", "{\"collaborationList\":[]}");
        return csrf(get("/console/collaborations/new", session));
    }

    private WebReply post(String path, String form, String session, String token) {
        return console.handle(request("POST", path, form, Map.of("Cookie", "cleanroom-console=" + session,
                "X-CSRF-Token", token)), false);
    }

    private WebReply send(String method, String path, String form, Map<String, String> headers) {
        return console.handle(request(method, path, form, headers), false);
    }

    private static void noInternals(WebReply reply) {
        assertThat(body(reply)).doesNotContain("Exception").doesNotContain("at io.cleanroom")
                .doesNotContain("at java.");
    }

    // ---------------------------------------------------------------- sessions and CSRF

    @Test
    void signingInAgainEndsTheSessionTheBrowserHad() {
        String first = signIn(KEY, SECRET);
        // the same browser signs in with another key: its cookie still names the first session
        WebReply again = signInReply(console, OTHER, OTHER_SECRET, Map.of("Cookie", "cleanroom-console=" + first));
        assertThat(again.status()).isEqualTo(303);
        String second = cookie(again, "cleanroom-console");
        assertThat(second).isNotEqualTo(first);
        assertThat(get("/console/collaborations", first).status()).as("the replaced session").isEqualTo(303);
        assertThat(get("/console/collaborations", first).header("Location")).isEqualTo("/console/sign-in");
        assertThat(console.sessionCount()).isEqualTo(1);
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void signingOutTakesAPostWithTheTokenAndEndsTheSession() {
        String session = signIn(KEY, SECRET);
        String token = token(session);
        // no sign-out over GET (a link or an image elsewhere must not sign anyone out)
        assertThat(get("/console/sign-out", session).status()).isEqualTo(405);
        assertThat(post("/console/sign-out", "", session, "not-the-token").status()).isEqualTo(403);
        assertThat(send("POST", "/console/sign-out", "", Map.of("Cookie", "cleanroom-console=" + session)).status())
                .isEqualTo(403);
        assertThat(console.sessionCount()).isEqualTo(1);
        WebReply out = post("/console/sign-out", "", session, token);
        assertThat(out.status()).isEqualTo(303);
        assertThat(out.header("Location")).isEqualTo("/console/sign-in?ended=1");
        assertThat(out.headers()).anySatisfy(h -> assertThat(h.value()).startsWith("cleanroom-console=;")
                .contains("Max-Age=0").contains("HttpOnly"));
        assertThat(console.sessionCount()).isZero();
        backend.answer("GET /collaborations", "{\"collaborationList\":[]}");
        int calls = backend.calls.size();
        assertThat(get("/console/collaborations", session).status()).isEqualTo(303);
        assertThat(post("/console/collaborations", "name=x", session, token).status()).isEqualTo(303);
        assertThat(backend.calls).hasSize(calls);
    }

    @Test
    void aChangeFromASiblingHostOrAnUnknownFetchSiteReachesNoApi() {
        String session = signIn(KEY, SECRET);
        String token = token(session);
        int before = backend.calls.size();
        String form = "name=x&creatorDisplayName=y&queryLogStatus=DISABLED";
        for (String site : List.of("cross-site", "same-site", "bogus")) {
            WebReply refused = send("POST", "/console/collaborations", form, Map.of("Cookie", "cleanroom-console="
                    + session, "X-CSRF-Token", token, "Sec-Fetch-Site", site));
            assertThat(refused.status()).as(site).isEqualTo(403);
        }
        // an Origin of another host, of "null" (a sandboxed frame, a data: page), or of this host's look-alike
        for (String origin : List.of("http://127.0.0.1:8081", "null", "http://127.0.0.1:8080.evil.example",
                "http://evil.example@127.0.0.1:8080")) {
            WebReply refused = send("POST", "/console/collaborations", form, Map.of("Cookie", "cleanroom-console="
                    + session, "X-CSRF-Token", token, "Origin", origin, "Host", "127.0.0.1:8080"));
            assertThat(refused.status()).as(origin).isEqualTo(403);
        }
        assertThat(backend.calls).hasSize(before);
        backend.answer("POST /collaborations", "{\"collaboration\":{\"id\":\"c1\"}}");
        WebReply made = send("POST", "/console/collaborations", form, Map.of("Cookie", "cleanroom-console="
                + session, "X-CSRF-Token", token, "Sec-Fetch-Site", "same-origin", "Origin", "http://127.0.0.1:8080",
                "Host", "127.0.0.1:8080"));
        assertThat(made.status()).isEqualTo(303);
        // nor may another page sign a browser in (login CSRF)
        WebReply form2 = console.handle(request("GET", "/console/sign-in", null, Map.of()), false);
        String nonce = cookie(form2, "cleanroom-console-signin");
        WebReply sibling = send("POST", "/console/sign-in", "_csrf=" + csrf(form2) + "&accessKeyId=" + KEY
                + "&secretAccessKey=" + URLEncoder.encode(SECRET, StandardCharsets.UTF_8), Map.of("Cookie",
                "cleanroom-console-signin=" + nonce, "Sec-Fetch-Site", "same-site"));
        assertThat(sibling.status()).isEqualTo(403);
        assertThat(cookie(sibling, "cleanroom-console")).isNull();
    }

    @Test
    void theSignInFormTakesOnlyItsOwnTokenAndRedirectsOnlyHome() {
        WebReply a = console.handle(request("GET", "/console/sign-in", null, Map.of()), false);
        WebReply b = console.handle(request("GET", "/console/sign-in", null, Map.of()), false);
        String creds = "&accessKeyId=" + KEY + "&secretAccessKey=" + URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
        // a token without its cookie, with another form's cookie, or none at all
        for (WebReply forged : List.of(
                send("POST", "/console/sign-in", "_csrf=" + csrf(a) + creds, Map.of()),
                send("POST", "/console/sign-in", "_csrf=" + csrf(a) + creds, Map.of("Cookie",
                        "cleanroom-console-signin=" + cookie(b, "cleanroom-console-signin"))),
                send("POST", "/console/sign-in", creds.substring(1), Map.of("Cookie",
                        "cleanroom-console-signin=" + cookie(a, "cleanroom-console-signin"))))) {
            assertThat(forged.status()).isEqualTo(403);
            assertThat(cookie(forged, "cleanroom-console")).isNull();
        }
        assertThat(backend.signIns).as("a forged form does not even reach the key check").isEmpty();
        // a parameter naming where to go after signing in is not followed: home is the console's own
        WebReply form = console.handle(request("GET", "/console/sign-in?next=https://evil.example/", null, Map.of()),
                false);
        WebReply in = send("POST", "/console/sign-in?next=https://evil.example/&redirect=//evil.example",
                "_csrf=" + csrf(form) + creds + "&next=https://evil.example/", Map.of("Cookie",
                        "cleanroom-console-signin=" + cookie(form, "cleanroom-console-signin")));
        assertThat(in.status()).isEqualTo(303);
        assertThat(in.header("Location")).isEqualTo("/console/");
        assertThat(body(form)).doesNotContain("evil.example");
    }

    @Test
    void oneKeySigningInAgainAndAgainCannotLockOtherKeysOut() {
        ConsoleTest.MutableClock clock = new ConsoleTest.MutableClock();
        Console small = new Console(backend, new Console.Settings(Duration.ofMinutes(30), Duration.ofHours(12),
                Sessions.PER_KEY + 1, clock, "us-east-1", Quotas.DEFAULTS));
        java.util.function.BiFunction<String, String, WebReply> signInTo = (key, secret) -> {
            clock.now = clock.now.plusSeconds(1);
            WebReply form = small.handle(request("GET", "/console/sign-in", null, Map.of()), false);
            return small.handle(request("POST", "/console/sign-in", "_csrf=" + csrf(form) + "&accessKeyId=" + key
                    + "&secretAccessKey=" + URLEncoder.encode(secret, StandardCharsets.UTF_8), Map.of("Cookie",
                    "cleanroom-console-signin=" + cookie(form, "cleanroom-console-signin"))), false);
        };
        String first = cookie(signInTo.apply(KEY, SECRET), "cleanroom-console");
        for (int i = 1; i < Sessions.PER_KEY + 5; i++) {
            assertThat(signInTo.apply(KEY, SECRET).status()).isEqualTo(303);
        }
        assertThat(small.sessionCount()).isEqualTo(Sessions.PER_KEY);
        // another key still signs in
        assertThat(signInTo.apply(OTHER, OTHER_SECRET).status()).isEqualTo(303);
        // the key's least recently used session is the one that ended
        assertThat(small.handle(request("GET", "/console/collaborations", null, Map.of("Cookie",
                "cleanroom-console=" + first)), false).status()).isEqualTo(303);
    }

    // ---------------------------------------------------------------- authorization

    @Test
    void aFormOfTheOtherKindOfKeyIsRefusedEvenWithTheToken() {
        String account = signIn(KEY, SECRET);
        String accountToken = token(account);
        String operator = signIn(OPERATOR, "operator-secret");
        String operatorToken = csrf(get("/console/operator/server", operator));
        int before = backend.calls.size();
        for (String path : List.of("/console/operator/keys/" + OTHER + "/delete", "/console/operator/keys/" + OTHER
                + "/rotate", "/console/operator/accounts/222222222222/enabled", "/console/operator/accounts",
                "/console/operator/accounts/222222222222/connections", "/console/operator/audit/digest")) {
            assertThat(post(path, "enabled=false&accountId=333333333333", account, accountToken).status()).as(path)
                    .isEqualTo(403);
        }
        for (String path : List.of("/console/collaborations", "/console/collaborations/c1/delete",
                "/console/memberships/m1/queries", "/console/connections", "/console/configured-tables/ct1/delete")) {
            assertThat(post(path, "name=x&sql=select", operator, operatorToken).status()).as(path).isEqualTo(403);
        }
        // a token is its session's: the account's does not pass for the operator's session
        assertThat(post("/console/operator/audit/digest", "", operator, accountToken).status()).isEqualTo(403);
        assertThat(backend.calls).hasSize(before);
    }

    @Test
    void anotherAccountsResourceIsAskedForAsTheSessionsKeyAndTheApisRefusalShown() {
        String session = signIn(KEY, SECRET);
        backend.answer("GET /collaborations/c-theirs", 403, "AccessDeniedException",
                "{\"message\":\"Caller is not a member of this collaboration\"}");
        backend.answer("GET /memberships/m-theirs/protectedQueries/q1/result", 403, "AccessDeniedException",
                "{\"message\":\"Only the result receiver may read the result\"}");
        backend.answer("GET /memberships/m-theirs", 404, "ResourceNotFoundException",
                "{\"message\":\"No membership m-theirs\"}");
        WebReply collaboration = get("/console/collaborations/c-theirs", session);
        assertThat(collaboration.status()).isEqualTo(403);
        assertThat(body(collaboration)).contains("Caller is not a member");
        // the CSV download and the result page of a query this account does not receive
        WebReply csv = get("/console/memberships/m-theirs/queries/q1/results.csv", session);
        assertThat(csv.status()).isEqualTo(403);
        assertThat(csv.header("Content-Disposition")).isNull();
        assertThat(csv.contentType()).startsWith("text/html");
        assertThat(body(csv)).contains("Only the result receiver may read the result");
        WebReply results = get("/console/memberships/m-theirs/queries/q1/results", session);
        assertThat(results.status()).isEqualTo(403);
        assertThat(get("/console/memberships/m-theirs/queries", session).status()).isEqualTo(404);
        assertThat(backend.calls).isNotEmpty().allSatisfy(c -> {
            assertThat(c.caller().accessKeyId()).isEqualTo(KEY);
            assertThat(c.caller().account().value()).isEqualTo("111111111111");
        });
    }

    @Test
    void anIdInThePathCannotReachAnotherApiPath() {
        String session = signIn(KEY, SECRET);
        backend.otherwise = r -> new io.cleanroom.server.wire.Reply(404, "req", "ResourceNotFoundException",
                "application/json", "{\"message\":\"no such thing\"}".getBytes(StandardCharsets.UTF_8));
        get("/console/collaborations/..%2F..%2Fadmin%2Faccounts", session);
        get("/console/memberships/m1%2Fprotected%3Fx=1/queries/..%2F..%2Fq/results.csv", session);
        // each id stays one encoded segment of the operation's own path: no "/admin" or other path is reached
        assertThat(backend.calls).extracting(c -> c.request().rawPath()).allSatisfy(p -> assertThat(p)
                .doesNotContain("/admin").doesNotContain("?").doesNotContain("/../"))
                .contains(
                "/collaborations/..%2F..%2Fadmin%2Faccounts",
                "/memberships/m1%2Fprotected%3Fx%3D1/protectedQueries/..%2F..%2Fq/result");
    }

    // ---------------------------------------------------------------- injection

    @Test
    void csvFormulasMadeOfNumbersAreDisarmedAndNumbersKept() {
        // a spreadsheet computes these: the cell would show 1, not what the member's data holds
        assertThat(QueryPages.cell("-1+2")).isEqualTo("'-1+2");
        assertThat(QueryPages.cell("+1-1")).isEqualTo("'+1-1");
        assertThat(QueryPages.cell("-2e3-4")).isEqualTo("'-2e3-4");
        assertThat(QueryPages.cell("\t=1")).isEqualTo("'\t=1");
        assertThat(QueryPages.cell("\r-1")).isEqualTo("\"'\r-1\"");
        for (String number : List.of("-42", "+42", "-0.5", "-.5", "-1.5e-3", "1E+10", "42")) {
            assertThat(QueryPages.cell(number)).isEqualTo(number);
        }
    }

    @Test
    void theCsvHoldsMemberTextDisarmedAndItsFileNameOnlyTheIdsSafeCharacters() {
        String session = signIn(KEY, SECRET);
        backend.otherwise = r -> new io.cleanroom.server.wire.Reply(200, "req", null, "application/json",
                ("{\"columns\":[{\"name\":\"=cmd|' /C calc'!A0\",\"type\":\"varchar\"}],\"rows\":[[\"@SUM(1)\"],"
                        + "[\"-1+2\"],[\"a\\r\\nb\"]]}").getBytes(StandardCharsets.UTF_8));
        WebReply csv = get("/console/memberships/m1/queries/q1%22%0D%0ASet-Cookie:%20x=y;%20a%22/results.csv",
                session);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Disposition")).isEqualTo("attachment; filename=\"query-q1Set-Cookiexya.csv\"");
        assertThat(csv.headers()).noneSatisfy(h -> assertThat(h.value()).contains("x=y"));
        assertThat(body(csv)).isEqualTo("'=cmd|' /C calc'!A0\r\n'@SUM(1)\r\n'-1+2\r\n\"a\r\nb\"\r\n");
    }

    @Test
    void anIdTheApiAnswersGoesIntoTheRedirectEncoded() {
        String session = signIn(KEY, SECRET);
        String token = token(session);
        backend.answer("POST /collaborations", "{\"collaboration\":{\"id\":\"c1\\r\\nSet-Cookie: x=y\"}}");
        WebReply made = post("/console/collaborations", "name=x&creatorDisplayName=y&queryLogStatus=DISABLED",
                session, token);
        assertThat(made.status()).isEqualTo(303);
        assertThat(made.header("Location")).isEqualTo("/console/collaborations/c1%0D%0ASet-Cookie%3A%20x%3Dy");
        assertThat(made.headers()).noneSatisfy(h -> assertThat(h.name()).isEqualToIgnoringCase("Set-Cookie"));
    }

    @Test
    void noHeaderTakesAControlCharacter() {
        WebReply reply = WebReply.text(200, "x");
        for (String value : List.of("a\r\nSet-Cookie: x=y", "a\nb", "a\rb", "a\u0000b")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> reply.with("Location", value))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reply.with("X-A\r\nB", "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(reply.with("Content-Disposition", "attachment; filename=\"q.csv\"").header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"q.csv\"");
    }

    @Test
    void theAuditFiltersGoIntoTheOlderEventsLinkAsValuesNotParameters() {
        String session = signIn(KEY, SECRET);
        backend.answer("POST / CloudTrail_20131101.LookupEvents", "{\"Events\":[],\"NextToken\":\"t+1/2=\"}");
        // a filter typed (or put in a link sent to the user) with "&" cannot add a parameter to the next page
        WebReply page = get("/console/audit?user=a%26nextToken%3Dforged%26x%3D%22%3E", session);
        assertThat(page.status()).isEqualTo(200);
        assertThat(body(page)).contains("href=\"/console/audit?operation=&amp;user=a%26nextToken%3Dforged%26x%3D%22"
                + "%3E&amp;from=&amp;to=&amp;nextToken=t%2B1%2F2%3D\"").doesNotContain("user=a&amp;nextToken=forged");
    }

    // ---------------------------------------------------------------- errors

    @Test
    void malformedAndUnknownRequestsGetAnErrorPageWithNothingOfTheServerInIt() {
        String session = signIn(KEY, SECRET);
        String token = token(session);
        int before = backend.calls.size();
        WebReply r;
        r = get("/console/no-such-page", session);
        assertThat(r.status()).isEqualTo(404);
        noInternals(r);
        r = get("/console/collaborations/%ZZ", session);
        assertThat(r.status()).isEqualTo(404);
        noInternals(r);
        r = get("/console/audit?operation=%ZZ", session);
        assertThat(r.status()).isEqualTo(400);
        noInternals(r);
        r = post("/console/collaborations", "name=%E0%A4%A&secret=hunter2", session, token);
        assertThat(r.status()).isEqualTo(400);
        assertThat(body(r)).contains("malformed escape").doesNotContain("hunter2");
        noInternals(r);
        r = send("POST", "/console/collaborations", "{\"name\":\"x\"}", Map.of("Cookie", "cleanroom-console="
                + session, "X-CSRF-Token", token, "Content-Type", "application/json"));
        assertThat(r.status()).isEqualTo(415);
        noInternals(r);
        r = send("POST", "/console/collaborations", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
                Map.of("Cookie", "cleanroom-console=" + session, "X-CSRF-Token", token, "Content-Type",
                        "multipart/form-data; boundary=b"));
        assertThat(r.status()).isEqualTo(415);
        for (String method : List.of("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")) {
            r = send(method, "/console/collaborations", "", Map.of("Cookie", "cleanroom-console=" + session,
                    "X-CSRF-Token", token));
            assertThat(r.status()).as(method).isEqualTo(405);
            noInternals(r);
        }
        // bytes that are not UTF-8 are read as replacement characters, not a failure
        r = post("/console/configured-tables/ct1/rule/check", "type=LIST&listColumns=%FF%FE", session, token);
        assertThat(r.status()).isEqualTo(200);
        // static files: the allow-list only, whatever the path spells
        for (String path : List.of("/console/static/%2e%2e%2fconsole.js", "/console/static/..%5cconsole.js",
                "/console/static/%2Fetc%2Fpasswd", "/console/static/htmx.min.js%00", "/console/static/./htmx.min.js",
                "/console/static/HTMX.MIN.JS", "/console/static/htmx.min.js/x", "/console/static/")) {
            r = get(path, "none");
            assertThat(r.status()).as(path).isIn(404, 303);
            assertThat(r.contentType()).as(path).doesNotContain("javascript");
        }
        assertThat(backend.calls).hasSize(before);
    }

    @Test
    void aFailureInsideTheServerShowsARequestIdNotItsMessage() {
        String session = signIn(KEY, SECRET);
        backend.otherwise = r -> {
            throw new IllegalStateException("jdbc:postgresql://db/x?password=hunter2 failed");
        };
        WebReply r = get("/console/collaborations", session);
        assertThat(r.status()).isEqualTo(500);
        assertThat(body(r)).contains("request id").doesNotContain("hunter2").doesNotContain("jdbc");
        noInternals(r);
        // the API answering something that is not JSON is the server's fault too, and says nothing of it
        backend.otherwise = q -> new io.cleanroom.server.wire.Reply(200, "req", null, "text/plain",
                "<html>secret-page</html>".getBytes(StandardCharsets.UTF_8));
        r = get("/console/collaborations", session);
        assertThat(r.status()).isEqualTo(500);
        assertThat(body(r)).doesNotContain("secret-page");
        noInternals(r);
    }
}
