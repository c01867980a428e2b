package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.store.Position;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ListingTest {
    private static final Caller ALICE = new Caller(new AccountId("111111111111"), "AKIAALICE0000000000A",
            Role.ADMINISTRATOR);
    private static final Caller BOB = new Caller(new AccountId("222222222222"), "AKIABOB00000000000BB",
            Role.ADMINISTRATOR);

    private final PageTokens tokens = PageTokens.random();
    private final List<String> items = IntStream.range(0, 7).mapToObj(i -> "item" + i).toList();

    private static List<String> all(Listing listing, List<String> items, int size) {
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            Page<String> page = listing.page(items, Position::of, new Page.Request(size, token));
            seen.addAll(page.items());
            token = page.nextToken();
        } while (token != null);
        return seen;
    }

    @Test
    void walksEveryItemOnceInPositionOrder() {
        Listing listing = tokens.listing("ListThings", ALICE);
        List<String> shuffled = new ArrayList<>(items);
        java.util.Collections.reverse(shuffled);
        assertThat(all(listing, shuffled, 3)).isEqualTo(items);
        assertThat(all(listing, items, 7)).isEqualTo(items);
        Page<String> whole = listing.page(items, Position::of, new Page.Request(7, null));
        assertThat(whole.nextToken()).isNull();
        assertThat(listing.page(List.<String>of(), Position::of, Page.Request.ALL).items()).isEmpty();
    }

    @Test
    void aPageEndingExactlyAtTheLastItemHasNoToken() {
        Listing listing = tokens.listing("ListThings", ALICE);
        Page<String> first = listing.page(items.subList(0, 4), Position::of, new Page.Request(2, null));
        Page<String> second = listing.page(items.subList(0, 4), Position::of, new Page.Request(2, first.nextToken()));
        assertThat(second.items()).containsExactly("item2", "item3");
        assertThat(second.nextToken()).isNull();
    }

    @Test
    void itemsCreatedOrDeletedBetweenPagesNeitherRepeatNorSkipTheOthers() {
        Listing listing = tokens.listing("ListThings", ALICE);
        List<String> now = new ArrayList<>(List.of("b", "d", "f", "h", "j"));
        Page<String> first = listing.page(now, Position::of, new Page.Request(2, null));
        assertThat(first.items()).containsExactly("b", "d");
        // created before and after the cursor, one seen and one unseen item deleted
        now.addAll(List.of("a", "c", "e", "k"));
        now.removeAll(List.of("b", "h"));
        Page<String> second = listing.page(now, Position::of, new Page.Request(2, first.nextToken()));
        Page<String> third = listing.page(now, Position::of, new Page.Request(2, second.nextToken()));
        assertThat(second.items()).containsExactly("e", "f");
        assertThat(third.items()).containsExactly("j", "k");
        assertThat(third.nextToken()).isNull();
    }

    /** A sorted store: fetch returns the items after a position, as the JDBC store's findAfter does. */
    private static List<Position> fetch(TreeMap<Position, Boolean> store, Position after, int n) {
        var tail = after == null ? store.navigableKeySet() : store.navigableKeySet().tailSet(after, false);
        return tail.stream().limit(n).toList();
    }

    @Test
    void readsBatchesFromTheStoreAndFiltersWithoutLosingItsPlace() {
        TreeMap<Position, Boolean> store = new TreeMap<>();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < 500; i++) {
            store.put(new Position(Position.newestFirst(t0.plusSeconds(i)), "id" + i), i % 7 == 0);
        }
        Listing listing = tokens.listing("ListThings", ALICE, "kept-only");
        List<Position> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Page<Position> page = listing.read(new Page.Request(3, token), (after, n) -> fetch(store, after, n),
                    p -> p, store::get);
            seen.addAll(page.items());
            token = page.nextToken();
            pages++;
        } while (token != null);
        List<Position> expected = store.entrySet().stream().filter(e -> e.getValue()).map(e -> e.getKey()).toList();
        assertThat(seen).isEqualTo(expected);
        // newest first: id499 would come first if kept; 497 is the newest kept (497 % 7 == 0)
        assertThat(seen.get(0).key()).isEqualTo("id497");
        assertThat(pages).isEqualTo((expected.size() + 2) / 3);
    }

    @Test
    void timesSortNewestOrOldestFirstAsText() {
        Instant a = Instant.parse("1969-12-31T23:59:59.999Z");
        Instant b = Instant.parse("2026-01-01T00:00:00Z");
        Instant c = Instant.parse("2026-01-01T00:00:00.000000001Z");
        assertThat(Position.oldestFirst(a)).isLessThan(Position.oldestFirst(b));
        assertThat(Position.oldestFirst(b)).isLessThan(Position.oldestFirst(c));
        assertThat(Position.newestFirst(c)).isLessThan(Position.newestFirst(b));
        assertThat(Position.newestFirst(b)).isLessThan(Position.newestFirst(a));
        assertThat(Position.newestFirst(Instant.MIN)).hasSize(Position.newestFirst(Instant.MAX).length());
    }

    private static void assertRefused(Listing listing, String token) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> listing.after(new Page.Request(3, token)));
        assertThat(e).as(token).isNotNull();
        assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::message)
                .allMatch(m -> m.startsWith("Invalid nextToken"));
        assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::name).containsExactly("nextToken");
    }

    @Test
    void forgedTamperedAndForeignTokensAreRefused() {
        Listing listing = tokens.listing("ListThings", ALICE, "collaboration-1", null);
        String token = listing.page(items, Position::of, new Page.Request(3, null)).nextToken();
        assertThat(listing.after(new Page.Request(3, token))).isEqualTo(Position.of("item2"));
        // forged: garbage, the old offset tokens, an empty sealed box
        String oldOffset = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("cleanroom-page:3".getBytes(StandardCharsets.UTF_8));
        for (String forged : List.of("garbage", "", "!!!!", oldOffset, "AQ", "A".repeat(10241))) {
            assertRefused(listing, forged);
        }
        // version byte and nonce, then fewer bytes than an authentication tag (found by the fuzzer: the
        // cipher failed with a ProviderException, answered 500)
        for (int extra = 0; extra <= 16; extra++) {
            byte[] shorter = new byte[1 + 12 + extra];
            shorter[0] = 1;
            assertRefused(listing, Base64.getUrlEncoder().withoutPadding().encodeToString(shorter));
        }
        // tampered: every single bit flipped in turn
        byte[] raw = Base64.getUrlDecoder().decode(token);
        for (int bit = 0; bit < raw.length * 8; bit++) {
            byte[] flipped = raw.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertRefused(listing, Base64.getUrlEncoder().withoutPadding().encodeToString(flipped));
        }
        // foreign: another operation, caller, parameter, absent parameter, or server key
        for (Listing other : List.of(tokens.listing("ListOtherThings", ALICE, "collaboration-1", null),
                tokens.listing("ListThings", BOB, "collaboration-1", null),
                tokens.listing("ListThings", ALICE, "collaboration-2", null),
                tokens.listing("ListThings", ALICE, "collaboration-1", ""),
                tokens.listing("ListThings", ALICE, "collaboration-1"),
                PageTokens.random().listing("ListThings", ALICE, "collaboration-1", null))) {
            assertRefused(other, token);
        }
    }

    @Test
    void partsOfTheBindingCannotBeShiftedIntoOneAnother() {
        String token = tokens.listing("List", ALICE, "ab", "c").tokenAt(Position.of("x"));
        assertRefused(tokens.listing("List", ALICE, "a", "bc"), token);
        assertRefused(tokens.listing("List", ALICE, "abc"), token);
    }

    @Test
    void tokensOfTheSamePositionDifferAndStillOpen() {
        Listing listing = tokens.listing("ListThings", ALICE);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String token = listing.tokenAt(new Position("order", "key"));
            assertThat(seen.add(token)).isTrue();
            assertThat(listing.after(new Page.Request(1, token))).isEqualTo(new Position("order", "key"));
        }
    }

    @Test
    void glueAndCloudTrailNameTheirField() {
        Listing listing = tokens.listing("NextToken", "GetTables", ALICE);
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> listing.after(new Page.Request(3, "garbage")));
        assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::name).containsExactly("NextToken");
    }
}
