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

    private static final String PREFIX = "cleanroom-page:";

    /** Cuts one page out of a full, stably ordered listing. */
    public static <T> Page<T> of(List<T> all, Request request) {
        int offset = 0;
        if (request.nextToken() != null) {
            offset = decode(request.nextToken());
        }
        int end = Math.min(all.size(), offset + request.maxResults());
        if (offset > all.size()) {
            offset = all.size();
        }
        String next = end < all.size() ? encode(end) : null;
        return new Page<>(all.subList(offset, end), next);
    }

    private static String encode(int offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decode(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!text.startsWith(PREFIX)) {
                throw new IllegalArgumentException();
            }
            int offset = Integer.parseInt(text.substring(PREFIX.length()));
            if (offset < 0) {
                throw new IllegalArgumentException();
            }
            return offset;
        } catch (IllegalArgumentException e) {
            throw CleanroomException.validation("nextToken", "The pagination token is invalid; pass the nextToken of the previous page");
        }
    }
}
