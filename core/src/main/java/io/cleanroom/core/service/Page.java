package io.cleanroom.core.service;

import io.cleanroom.core.CleanroomException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** One page of a listing and the opaque token for the next one (null at the end). */
public record Page<T>(List<T> items, String nextToken) {
    public Page {
        items = List.copyOf(items);
    }

    /** A page request: maxResults (1..100, default 100) and the token from the previous page, or null. */
    public record Request(int maxResults, String nextToken) {
        public static final Request ALL = new Request(100, null);
    }

    private static final java.util.regex.Pattern OFFSET = java.util.regex.Pattern.compile("[0-9]{1,9}");

    /** Cuts one page out of a full, stably ordered listing. */
    public static <T> Page<T> of(List<T> all, Request request) {
        int offset = 0;
        if (request.nextToken() != null) {
            offset = Integer.parseInt(position("page", request.nextToken(), OFFSET));
        }
        int end = Math.min(all.size(), offset + request.maxResults());
        if (offset > all.size()) {
            offset = all.size();
        }
        String next = end < all.size() ? token("page", String.valueOf(end)) : null;
        return new Page<>(all.subList(offset, end), next);
    }

    /** An opaque token naming a position in a listing of the given kind ("page": an offset). */
    public static String token(String kind, String position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("cleanroom-" + kind + ":" + position).getBytes(StandardCharsets.UTF_8));
    }

    /** The position a token of this kind names; anything else is a ValidationException on nextToken. */
    public static String position(String kind, String token, java.util.regex.Pattern shape) {
        String prefix = "cleanroom-" + kind + ":";
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (text.startsWith(prefix) && shape.matcher(text.substring(prefix.length())).matches()) {
                return text.substring(prefix.length());
            }
        } catch (IllegalArgumentException e) {
            // not base64: refused below
        }
        throw CleanroomException.validation("nextToken",
                "The pagination token is invalid; pass the nextToken of the previous page");
    }
}
