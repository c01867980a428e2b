package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What the console answers: a status, headers (Set-Cookie may repeat), a content type and a body. */
public record WebReply(int status, List<Header> headers, String contentType, byte[] body) {
    public WebReply {
        headers = List.copyOf(headers);
        requireNonNull(body, "body is null");
    }

    /** One response header. */
    public record Header(String name, String value) {
        public Header {
            requireNonNull(name, "name is null");
            requireNonNull(value, "value is null");
        }
    }

    static WebReply html(int status, byte[] body) {
        return new WebReply(status, List.of(), "text/html; charset=utf-8", body);
    }

    static WebReply text(int status, String text) {
        return new WebReply(status, List.of(), "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** A redirect after a form (303, so the browser follows with GET). */
    static WebReply seeOther(String location) {
        return new WebReply(303, List.of(new Header("Location", location)), "text/plain; charset=utf-8",
                new byte[0]);
    }

    WebReply with(String name, String value) {
        List<Header> all = new ArrayList<>(headers);
        all.add(new Header(name, value));
        return new WebReply(status, all, contentType, body);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }
}
