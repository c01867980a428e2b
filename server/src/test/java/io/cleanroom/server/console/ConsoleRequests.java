package io.cleanroom.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.server.wire.HttpRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the console unit tests send and read as a browser would: requests, bodies, cookies, CSRF tokens, the sign-in. */
final class ConsoleRequests {
    private ConsoleRequests() {
    }

    /** A request; a form is sent form-encoded unless the headers name another content type. */
    static HttpRequest request(String method, String path, String form, Map<String, String> headers) {
        Map<String, List<String>> all = new HashMap<>();
        headers.forEach((k, v) -> all.put(k.toLowerCase(java.util.Locale.ROOT), List.of(v)));
        if (form != null && !all.containsKey("content-type")) {
            all.put("content-type", List.of("application/x-www-form-urlencoded"));
        }
        int q = path.indexOf('?');
        return new HttpRequest(method, q < 0 ? path : path.substring(0, q), q < 0 ? null : path.substring(q + 1), all,
                form == null ? new byte[0] : form.getBytes(StandardCharsets.UTF_8), "127.0.0.1");
    }

    static String body(WebReply reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    /** The value a Set-Cookie of the reply gives the cookie, or null. */
    static String cookie(WebReply reply, String name) {
        return reply.headers().stream().filter(h -> h.name().equals("Set-Cookie") && h.value().startsWith(name + "="))
                .map(h -> h.value().substring(name.length() + 1, h.value().indexOf(';'))).findFirst().orElse(null);
    }

    /** The CSRF token of the page's first form. */
    static String csrf(WebReply page) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(body(page));
        assertThat(m.find()).as("the page has a form with a CSRF token").isTrue();
        return m.group(1);
    }

    /** Fetches the sign-in form and posts it with its token and cookie (and any other headers). */
    static WebReply signInReply(Console console, String key, String secret, Map<String, String> extra) {
        WebReply form = console.handle(request("GET", "/console/sign-in", null, Map.of()), false);
        String nonce = cookie(form, "cleanroom-console-signin");
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.merge("Cookie", "cleanroom-console-signin=" + nonce, (a, b) -> a + "; " + b);
        return console.handle(request("POST", "/console/sign-in", "_csrf=" + csrf(form) + "&accessKeyId=" + key
                + "&secretAccessKey=" + URLEncoder.encode(secret, StandardCharsets.UTF_8), headers), false);
    }
}
