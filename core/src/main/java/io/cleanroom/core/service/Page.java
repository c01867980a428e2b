package io.cleanroom.core.service;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a listing and the opaque token for the next one (null at the end). How pages are cut
 * and what their tokens hold is {@link Listing}'s.
 */
public record Page<T>(List<T> items, String nextToken) {
    public Page {
        items = List.copyOf(items);
    }

    /** A page request: maxResults and the token from the previous page, or null. */
    public record Request(int maxResults, String nextToken) {
        public static final Request ALL = new Request(100, null);

        public Request {
            if (maxResults < 1) {
                throw new IllegalArgumentException("maxResults must be at least 1");
            }
        }
    }

    /** The same page with each item mapped. */
    public <R> Page<R> map(Function<T, R> mapping) {
        return new Page<>(items.stream().map(mapping).toList(), nextToken);
    }
}
