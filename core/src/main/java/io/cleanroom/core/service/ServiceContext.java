package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.Arns;
import io.cleanroom.core.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What every service needs: the store, a clock, the ARN format of this region, the quotas, and
 * the page tokens of listings.
 */
public record ServiceContext(Store store, Clock clock, Arns arns, Quotas quotas, PageTokens pages) {
    public ServiceContext {
        requireNonNull(store, "store is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(arns, "arns is null");
        requireNonNull(quotas, "quotas is null");
        requireNonNull(pages, "pages is null");
    }

    /** Now, to the millisecond (what the wire can carry). */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
