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

    /** One response header; no control character (a CR or LF would end it and begin another) is let in. */
    public record Header(String name, String value) {
        public Header {
            requireNonNull(name, "name is null");
            requireNonNull(value, "value is null");
            if (!name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')
                    || value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                throw new IllegalArgumentException("a header name or value with a control character");
            }
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
