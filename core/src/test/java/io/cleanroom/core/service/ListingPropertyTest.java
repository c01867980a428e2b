package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.store.Position;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random listings with random writes between pages: items created and deleted anywhere in the
 * order, random page sizes, a filter. No item is returned twice, and every item present from the
 * first page to the last that the filter keeps is returned, in order.
 */
class ListingPropertyTest {
    private static final Caller CALLER = new Caller(new AccountId("111111111111"), "AKIAALICE0000000000A",
            Role.ADMINISTRATOR);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** One write between two pages: create an item at a time (seconds after T0), or delete the n-th item. */
    record Write(boolean create, int value) {
    }

    record Step(int pageSize, List<Write> writes) {
    }

    @Provide
    Arbitrary<List<Integer>> initial() {
        return Arbitraries.integers().between(0, 60).list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Write> write = Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(0, 60))
                .as(Write::new);
        return Combinators.combine(Arbitraries.integers().between(1, 5), write.list().ofMaxSize(6))
                .as(Step::new).list().ofMinSize(1).ofMaxSize(30);
    }

    private static Position position(int seconds, int serial) {
        return new Position(Position.newestFirst(T0.plusSeconds(seconds)), String.format("id%04d", serial));
    }

    @Property(tries = 300)
    void noRepeatsNoSkips(@ForAll("initial") List<Integer> initial, @ForAll("steps") List<Step> steps,
            @ForAll boolean filtered) {
        TreeMap<Position, Boolean> store = new TreeMap<>();
        int serial = 0;
        for (int seconds : initial) {
            store.put(position(seconds, serial), serial % 3 != 0);
            serial++;
        }
        Set<Position> presentThroughout = new HashSet<>(store.keySet());
        Listing listing = PageTokens.random().listing("ListThings", CALLER);
        List<Position> returned = new ArrayList<>();
        String token = null;
        int step = 0;
        do {
            Step s = steps.get(Math.min(step, steps.size() - 1));
            Page<Position> page = listing.read(new Page.Request(s.pageSize(), token), (after, n) -> {
                var tail = after == null ? store.navigableKeySet() : store.navigableKeySet().tailSet(after, false);
                return tail.stream().limit(n).toList();
            }, p -> p, p -> !filtered || store.get(p));
            for (Position p : page.items()) {
                assertThat(store).containsKey(p);
            }
            returned.addAll(page.items());
            token = page.nextToken();
            if (step < steps.size()) {
                for (Write w : s.writes()) {
                    if (w.create()) {
                        store.put(position(w.value(), serial), serial % 3 != 0);
                        serial++;
                    } else if (!store.isEmpty()) {
                        Position gone = new ArrayList<>(store.keySet()).get(w.value() % store.size());
                        store.remove(gone);
                        presentThroughout.remove(gone);
                    }
                }
            }
            step++;
        } while (token != null);
        assertThat(new HashSet<>(returned)).hasSameSizeAs(returned);
        assertThat(returned).isSorted();
        for (Position p : presentThroughout) {
            if (!filtered || store.get(p)) {
                assertThat(returned).contains(p);
            }
        }
    }
}
