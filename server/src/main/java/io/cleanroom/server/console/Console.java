package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.server.wire.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console at {@code /console}: finds a request's page, signs in and out, authenticates
 * the session (its key must still be active), refuses a change without the session's CSRF token,
 * lets operator pages serve only the operator's key and account pages only accounts' keys, runs
 * the page, and adds the security headers to every answer. Nothing but a rendered page leaves on
 * failure: no stack trace, no internals.
 */
public final class Console {
    private static final Logger LOG = LoggerFactory.getLogger(Console.class);

    /** Where the console is served. */
    public static final String PREFIX = "/console";

    /** No script, style, frame or connection but the console's own; no inline script or style. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            + "base-uri 'none'";

    /** The Sec-Fetch-Site values of a request this console's own page (or the user) began. */
    private static final java.util.Set<String> SAME_ORIGIN_FETCH = java.util.Set.of("same-origin", "none");

    private static final Pattern ACCESS_KEY_ID = Pattern.compile("^[A-Za-z0-9]{1,128}$");

    /** How the console is set up: session timeouts and bound, the clock, and what the operator pages show. */
    public record Settings(Duration idleTimeout, Duration lifetime, int maxSessions, Clock clock, String region,
            Quotas quotas) {
        public Settings {
            requireNonNull(idleTimeout, "idleTimeout is null");
            requireNonNull(lifetime, "lifetime is null");
            requireNonNull(clock, "clock is null");
            requireNonNull(region, "region is null");
            requireNonNull(quotas, "quotas is null");
        }

        /** Sign out after 30 minutes unused, and after 12 hours in any case; at most 10,000 sessions. */
        public static Settings defaults(String region, Quotas quotas) {
            return new Settings(Duration.ofMinutes(30), Duration.ofHours(12), 10_000, Clock.systemUTC(), region, quotas);
        }

        public Settings withIdleTimeout(Duration idle) {
            return new Settings(idle, lifetime, maxSessions, clock, region, quotas);
        }
    }

    private final Backend backend;
    private final Settings settings;
    private final Sessions sessions;
    private final Cookies cookies;
    private final Views views = new Views();
    private final Assets assets = Assets.load();
    private final Routes routes = new Routes();

    public Console(Backend backend, Settings settings) {
        this.backend = requireNonNull(backend, "backend is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.sessions = new Sessions(settings.clock(), settings.idleTimeout(), settings.lifetime(),
                settings.maxSessions());
        this.cookies = new Cookies(settings.idleTimeout());
        routes.get("/", Routes.Access.PUBLIC, this::home);
        routes.get("/sign-in", Routes.Access.PUBLIC, this::signInPage);
        routes.post("/sign-in", Routes.Access.PUBLIC, this::signIn);
        routes.post("/sign-out", Routes.Access.SIGNED_IN, this::signOut);
        new CollaborationPages(views).register(routes);
        new TablePages(views).register(routes);
        new ConnectionPages(views).register(routes);
        new RulePages(views, settings.quotas()).register(routes);
        new QueryPages(views, settings.clock()).register(routes);
        new GovernancePages(views).register(routes);
        new OperatorPages(views, settings).register(routes);
    }

    /** Whether a raw path is the console's. */
    public static boolean serves(String rawPath) {
        return rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/");
    }

    /** The answer to a request under /console; {@code secure} when it came over TLS. */
    public WebReply handle(HttpRequest request, boolean secure) {
        long start = System.nanoTime();
        WebReply reply = answer(request, secure);
        // how long the server took (the benchmark reads it; a browser's developer tools show it)
        return reply.with("Server-Timing", String.format(Locale.ROOT, "app;dur=%.1f",
                (System.nanoTime() - start) / 1e6));
    }

    private WebReply answer(HttpRequest request, boolean secure) {
        Exchange[] exchange = {null};
        try {
            return secured(dispatch(request, secure, exchange), secure);
        } catch (ConsoleError e) {
            return secured(error(exchange[0], request, e.status(), e.getMessage()), secure);
        } catch (ApiError e) {
            return secured(error(exchange[0], request, e.status(), e.getMessage()), secure);
        } catch (RuntimeException | Error e) {
            String id = UUID.randomUUID().toString();
            LOG.error("console request {} failed", id, e);
            return secured(error(exchange[0], request, 500, "Something went wrong on the server; quote request id "
                    + id + " to its operator"), secure);
        }
    }

    /** The answer to a request whose body is larger than the server accepts. */
    public WebReply tooLarge(boolean secure) {
        return secured(WebReply.text(413, "The request is larger than the server accepts."), secure);
    }

    private WebReply dispatch(HttpRequest request, boolean secure, Exchange[] exchange) {
        String rest = request.rawPath().substring(PREFIX.length());
        List<String> segments = new ArrayList<>();
        for (String raw : Routes.segments(rest)) {
            segments.add(decodeSegment(raw));
        }
        String method = request.method().equals("HEAD") ? "GET" : request.method();
        if (method.equals("GET") && segments.size() == 2 && segments.get(0).equals("static")) {
            return asset(segments.get(1));
        }
        Routes.Match match = routes.find(method, segments, false).orElseThrow(() -> routes.find(method, segments, true)
                .isPresent() ? new ConsoleError(405, "This page does not take " + method + " requests")
                : new ConsoleError(404, "There is no such page in the console"));
        Form query = Form.parse(request.rawQuery());
        Session session = cookies.session(request, secure).flatMap(sessions::find).orElse(null);
        Caller caller = null;
        if (session != null) {
            Optional<AccountService.Credential> credential = backend.credential(session.accessKeyId());
            if (credential.isEmpty()) {
                // the key was disabled, rotated, deleted, or its account disabled: the session ends with it
                sessions.end(session);
                session = null;
            } else {
                caller = new Caller(credential.get().key().accountId(), credential.get().key().accessKeyId(),
                        credential.get().key().role());
            }
        }
        boolean changes = !method.equals("GET");
        Form form = changes ? form(request) : Form.EMPTY;
        Routes.Access access = match.route().access();
        Api api = caller == null ? null : new Api(backend, caller, request.sourceAddress());
        exchange[0] = new Exchange(request, secure, match.parameters(), query, form, session, api);
        if (access != Routes.Access.PUBLIC) {
            if (session == null) {
                return signInFirst(request);
            }
            if (changes) {
                requireCsrf(request, form, session);
            }
            if (access == Routes.Access.OPERATOR && !caller.operator()) {
                throw new ConsoleError(403, "This page is for the server's operator; your access key belongs to "
                        + "account " + caller.account().value());
            }
            if (access == Routes.Access.ACCOUNT && caller.operator()) {
                throw new ConsoleError(403, "The operator's key manages accounts only; sign in with an account's "
                        + "access key to use this page");
            }
        }
        return match.route().handler().handle(exchange[0]);
    }

    private static String decodeSegment(String raw) {
        try {
            return java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConsoleError(404, "There is no such page in the console");
        }
    }

    private static Form form(HttpRequest request) {
        String type = request.header("content-type").orElse("").toLowerCase(Locale.ROOT);
        if (request.body().length > 0 && !type.startsWith("application/x-www-form-urlencoded")) {
            throw new ConsoleError(415, "The console takes forms only");
        }
        return Form.parse(new String(request.body(), StandardCharsets.UTF_8));
    }

    /**
     * A change must carry the session's CSRF token (the form's _csrf field, or the X-CSRF-Token header
     * htmx sends), and must not come from another origin.
     */
    private static void requireCsrf(HttpRequest request, Form form, Session session) {
        requireSameOrigin(request);
        String token = request.header("x-csrf-token").orElse(form.get("_csrf"));
        if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
            throw new ConsoleError(403, "This form has expired or did not come from this console: reload the page "
                    + "and try again");
        }
    }

    /** A browser names the origin of a form it sends: it must be this server's. */
    private static void requireSameOrigin(HttpRequest request) {
        Optional<String> origin = request.header("origin");
        Optional<String> host = request.header("host");
        if (origin.isPresent() && host.isPresent()) {
            String o = origin.get();
            int scheme = o.indexOf("://");
            String originHost = scheme < 0 ? o : o.substring(scheme + 3);
            if (!originHost.equalsIgnoreCase(host.get())) {
                throw new ConsoleError(403, "This form did not come from this console");
            }
        }
        // what a browser says of where the request began: only this origin (or the user, "none") may change
        // anything; another site, a sibling host of this one ("same-site"), or anything unknown may not
        if (request.header("sec-fetch-site").map(s -> !SAME_ORIGIN_FETCH.contains(s)).orElse(false)) {
            throw new ConsoleError(403, "This form did not come from this console");
        }
    }

    private static WebReply signInFirst(HttpRequest request) {
        if (request.header("hx-request").isPresent()) {
            return WebReply.text(401, "Your session has ended; sign in again.").with("HX-Redirect",
                    PREFIX + "/sign-in");
        }
        return WebReply.seeOther(PREFIX + "/sign-in");
    }

    // ---------------------------------------------------------------- sign-in

    private WebReply home(Exchange x) {
        if (!hasSession(x)) {
            return WebReply.seeOther(PREFIX + "/sign-in");
        }
        return WebReply.seeOther(PREFIX + (x.caller().operator() ? "/operator/accounts" : "/collaborations"));
    }

    private static boolean hasSession(Exchange x) {
        try {
            x.session();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private WebReply signInPage(Exchange x) {
        if (hasSession(x)) {
            return home(x);
        }
        return signInForm(x, 200, "", null, x.query().get("ended").equals("1")
                ? "You have signed out." : null);
    }

    private WebReply signInForm(Exchange x, int status, String accessKeyId, String error, String notice) {
        String nonce = Sessions.token();
        SignInView view = new SignInView(Chrome.signedOut("Sign in", cookies.signInToken(nonce), notice),
                accessKeyId, error);
        return views.page(status, "signin", view).with("Set-Cookie", cookies.signInNonce(nonce, x.secure()));
    }

    private WebReply signIn(Exchange x) {
        Form form = x.form();
        requireSameOrigin(x.request());
        if (!cookies.signInTokenValid(x.request(), form.get("_csrf"), x.secure())) {
            return signInForm(x, 403, "", "The sign-in form expired or did not come from this console; try again.",
                    null);
        }
        String keyId = form.get("accessKeyId");
        String secret = form.raw("secretAccessKey");
        String refusal = "The access key id or secret is wrong, or the key is disabled.";
        if (!ACCESS_KEY_ID.matcher(keyId).matches() || secret.isEmpty() || secret.length() > 256) {
            return signInForm(x, 401, keyId.length() <= 128 ? keyId : "", refusal, null);
        }
        Optional<AccountService.Credential> credential = backend.credential(keyId);
        boolean valid = credential.isPresent() && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                credential.get().secret().getBytes(StandardCharsets.UTF_8));
        String account = credential.map(c -> c.key().accountId()).map(AccountId::value)
                .orElse(credential.isPresent() ? "operator" : null);
        if (!valid) {
            backend.recordSignIn(keyId, account, x.request().sourceAddress(), "Failed authentication");
            return signInForm(x, 401, keyId, refusal, null);
        }
        Optional<Session> session = sessions.create(keyId);
        if (session.isEmpty()) {
            backend.recordSignIn(keyId, account, x.request().sourceAddress(), "Too many sessions");
            return signInForm(x, 503, keyId, "The server holds too many sessions now; try again later.", null);
        }
        backend.recordSignIn(keyId, account, x.request().sourceAddress(), null);
        if (hasSession(x)) {
            // the session this browser had is replaced, not left alive beside the new one
            sessions.end(x.session());
        }
        // a new session id at sign-in: one planted before it is worth nothing
        return WebReply.seeOther(PREFIX + "/")
                .with("Set-Cookie", cookies.session(session.get(), x.secure()))
                .with("Set-Cookie", cookies.clearSignInNonce(x.secure()));
    }

    private WebReply signOut(Exchange x) {
        sessions.end(x.session());
        return WebReply.seeOther(PREFIX + "/sign-in?ended=1").with("Set-Cookie", cookies.clearSession(x.secure()));
    }

    // ---------------------------------------------------------------- answers

    private WebReply asset(String name) {
        Assets.Asset asset = assets.get(name).orElseThrow(() -> new ConsoleError(404, "There is no such file"));
        return new WebReply(200, List.of(new WebReply.Header("Cache-Control", "public, max-age=3600")),
                asset.contentType(), asset.body());
    }

    private WebReply error(Exchange x, HttpRequest request, int status, String message) {
        Chrome chrome;
        try {
            chrome = x == null ? Chrome.signedOut("Error", null, null) : x.chrome("Error", "");
        } catch (IllegalStateException e) {
            chrome = Chrome.signedOut("Error", null, null);
        }
        if (request.header("hx-request").isPresent()) {
            return views.page(status, "error_fragment", new ErrorView(chrome, status, message));
        }
        return views.page(status, "error", new ErrorView(chrome, status, message));
    }

    /** Every answer: no caching of pages, no framing, no sniffing, no referrer, and the policy above. */
    private static WebReply secured(WebReply reply, boolean secure) {
        WebReply out = reply
                .with("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .with("X-Content-Type-Options", "nosniff")
                .with("X-Frame-Options", "DENY")
                .with("Referrer-Policy", "same-origin")
                .with("Cross-Origin-Opener-Policy", "same-origin")
                .with("Cross-Origin-Resource-Policy", "same-origin");
        if (reply.header("Cache-Control") == null) {
            out = out.with("Cache-Control", "no-store");
        }
        if (secure) {
            out = out.with("Strict-Transport-Security", "max-age=31536000");
        }
        return out;
    }

    /** The sign-in page's model. */
    record SignInView(Chrome chrome, String accessKeyId, String error) {
    }

    /** An error page's model. */
    record ErrorView(Chrome chrome, int status, String message) {
    }

    /** For tests in this package: the number of live sessions. */
    int sessionCount() {
        return sessions.size();
    }
}
