package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.store.Position;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One listing (an operation, a caller, its parameters) and how it is paged: each page resumes
 * strictly after the position of the last item the previous page returned, in a total order that
 * never changes for an item (see {@link Position}). Items created or deleted between pages
 * therefore never make another item appear twice or not at all. The position travels in a sealed
 * token bound to this listing ({@link PageTokens}).
 */
public final class Listing {
    /** After the first batch (one more than a page), batches of this many while a filter leaves items out. */
    private static final int BATCH = 200;

    private final PageTokens tokens;
    private final String tokenField;
    private final byte[] binding;

    Listing(PageTokens tokens, String tokenField, byte[] binding) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.tokenField = requireNonNull(tokenField, "tokenField is null");
        this.binding = binding.clone();
    }

    /** The position a request's token names, null for the first page; ValidationException if it is not this listing's. */
    public Position after(Page.Request request) {
        return request.nextToken() == null ? null : tokens.open(binding, request.nextToken(), tokenField);
    }

    /** The token for a page that ended at this position. */
    public String tokenAt(Position position) {
        return tokens.seal(binding, position);
    }

    /** A page of a listing held whole in memory: the items after the token's position, in position order. */
    public <T> Page<T> page(List<T> all, Function<T, Position> position, Page.Request request) {
        Position after = after(request);
        List<T> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparing(position));
        List<T> out = new ArrayList<>();
        for (T item : sorted) {
            if (after != null && position.apply(item).compareTo(after) <= 0) {
                continue;
            }
            if (out.size() == request.maxResults()) {
                return new Page<>(out, tokenAt(position.apply(out.get(out.size() - 1))));
            }
            out.add(item);
        }
        return new Page<>(out, null);
    }

    /**
     * A page read from the store in position order: fetch(after, n) returns up to n items after a
     * position (from the first when null), in position order; keep says which belong to the listing.
     * Reads on until the page is full and one more kept item shows that a next page exists.
     */
    public <T> Page<T> read(Page.Request request, BiFunction<Position, Integer, List<T>> fetch,
            Function<T, Position> position, Predicate<T> keep) {
        Position cursor = after(request);
        List<T> out = new ArrayList<>();
        int batch = request.maxResults() + 1;
        while (true) {
            List<T> items = fetch.apply(cursor, batch);
            for (T item : items) {
                cursor = position.apply(item);
                if (!keep.test(item)) {
                    continue;
                }
                if (out.size() == request.maxResults()) {
                    return new Page<>(out, tokenAt(position.apply(out.get(out.size() - 1))));
                }
                out.add(item);
            }
            if (items.size() < batch) {
                return new Page<>(out, null);
            }
            batch = BATCH;
        }
    }
}
