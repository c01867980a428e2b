package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A signed-in browser: which access key it signed in with (never the secret), its CSRF token,
 * when it began and when it was last used, and a notice to show once on the next page.
 */
final class Session {
    private final String id;
    private final String accessKeyId;
    private final String csrfToken;
    private final Instant created;
    private volatile Instant lastSeen;
    private volatile String notice;

    Session(String id, String accessKeyId, String csrfToken, Instant created) {
        this.id = requireNonNull(id, "id is null");
        this.accessKeyId = requireNonNull(accessKeyId, "accessKeyId is null");
        this.csrfToken = requireNonNull(csrfToken, "csrfToken is null");
        this.created = requireNonNull(created, "created is null");
        this.lastSeen = created;
    }

    String id() {
        return id;
    }

    String accessKeyId() {
        return accessKeyId;
    }

    String csrfToken() {
        return csrfToken;
    }

    Instant created() {
        return created;
    }

    Instant lastSeen() {
        return lastSeen;
    }

    void touch(Instant now) {
        lastSeen = now;
    }

    void notice(String text) {
        notice = text;
    }

    /** The notice to show, once. */
    String takeNotice() {
        String n = notice;
        notice = null;
        return n;
    }

    @Override
    public String toString() {
        return "Session[" + accessKeyId + "]";
    }
}
