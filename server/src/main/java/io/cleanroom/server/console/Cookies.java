package io.cleanroom.server.console;

import io.cleanroom.server.wire.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's cookies. The session cookie carries only the session id: HttpOnly (no script reads
 * it), SameSite=Strict (no other site's page sends it), and over TLS Secure with the __Host- prefix
 * (sent only over TLS, to this host, set by this host); it lasts as long as the browser, and the
 * server ends the session when idle. Before sign-in, a nonce cookie and the form's token derived
 * from it (HMAC under a key of this server process) guard the sign-in form against forged posts.
 */
final class Cookies {
    private static final String SESSION = "cleanroom-console";
    private static final String SIGN_IN = "cleanroom-console-signin";

    private final byte[] key = new byte[32];
    private final Duration idle;

    Cookies(Duration idle) {
        new SecureRandom().nextBytes(key);
        this.idle = idle;
    }

    private static String name(String base, boolean secure) {
        return secure ? "__Host-" + base : base;
    }

    private static String attributes(boolean secure) {
        return secure ? "; Path=/; HttpOnly; SameSite=Strict; Secure" : "; Path=" + Console.PREFIX
                + "; HttpOnly; SameSite=Strict";
    }

    String session(Session session, boolean secure) {
        return name(SESSION, secure) + "=" + session.id() + attributes(secure);
    }

    String clearSession(boolean secure) {
        return name(SESSION, secure) + "=" + attributes(secure) + "; Max-Age=0";
    }

    String signInNonce(String nonce, boolean secure) {
        return name(SIGN_IN, secure) + "=" + nonce + attributes(secure) + "; Max-Age=900";
    }

    String clearSignInNonce(boolean secure) {
        return name(SIGN_IN, secure) + "=" + attributes(secure) + "; Max-Age=0";
    }

    /** The session id the request's cookies carry. */
    Optional<String> session(HttpRequest request, boolean secure) {
        List<String> values = values(request, name(SESSION, secure));
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The sign-in form's token for a nonce. */
    String signInToken(String nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal(nonce.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the sign-in form's token matches the nonce cookie the same browser received with it. */
    boolean signInTokenValid(HttpRequest request, String token, boolean secure) {
        for (String nonce : values(request, name(SIGN_IN, secure))) {
            if (MessageDigest.isEqual(signInToken(nonce).getBytes(StandardCharsets.UTF_8),
                    token.getBytes(StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return false;
    }

    Duration idle() {
        return idle;
    }

    /** The values of a cookie (over TLS only its __Host- name counts, which no other host can set). */
    private static List<String> values(HttpRequest request, String cookie) {
        List<String> out = new ArrayList<>();
        List<String> headers = request.headers().getOrDefault("cookie", List.of());
        for (String header : headers) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String name = pair.substring(0, eq).strip();
                String value = pair.substring(eq + 1).strip();
                if (name.equals(cookie) && !value.isEmpty()) {
                    out.add(value);
                }
            }
        }
        return out;
    }
}
