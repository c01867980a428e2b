package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PageTest {
    private final List<Integer> items = IntStream.range(0, 7).boxed().toList();

    @Test
    void walksEveryItemOnceInOrder() {
        List<Integer> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Page<Integer> page = Page.of(items, new Page.Request(3, token));
            seen.addAll(page.items());
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(seen).isEqualTo(items);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void lastPageHasNoToken() {
        assertThat(Page.of(items, new Page.Request(7, null)).nextToken()).isNull();
        assertThat(Page.of(List.of(), Page.Request.ALL).items()).isEmpty();
    }

    @Test
    void forgedTokensAreRejected() {
        for (String token : List.of("garbage", "Y2xlYW5yb29tLXBhZ2U6LTE", "bm90LW91cnM")) {
            CleanroomException e = catchThrowableOfType(CleanroomException.class,
                    () -> Page.of(items, new Page.Request(3, token)));
            assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::name).containsExactly("nextToken");
        }
    }

    @Test
    void tokenPastTheEndGivesAnEmptyPage() {
        String far = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("cleanroom-page:99".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(Page.of(items, new Page.Request(3, far)).items()).isEmpty();
    }
}
