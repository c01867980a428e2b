package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sessions, in memory only (a restart signs everyone out). A session ends when it
 * has not been used for the idle timeout, after the absolute lifetime, at sign-out, and when its
 * access key is disabled, rotated or deleted (checked on every request by the console). The number
 * of sessions is bounded, and the number one key holds: expired ones are swept when a new one would
 * exceed the first, and a key's least recently used ends when it would exceed the second.
 */
final class Sessions {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final Duration idle;
    private final Duration lifetime;
    private final int max;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    Sessions(Clock clock, Duration idle, Duration lifetime, int max) {
        this.clock = requireNonNull(clock, "clock is null");
        this.idle = requireNonNull(idle, "idle is null");
        this.lifetime = requireNonNull(lifetime, "lifetime is null");
        if (idle.isNegative() || idle.isZero() || max < 1) {
            throw new IllegalArgumentException("a session needs a positive idle timeout and room for one");
        }
        this.max = max;
    }

    /** 32 random bytes, URL-safe: a session id or a CSRF token. */
    static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    Duration idle() {
        return idle;
    }

    /**
     * The most sessions one access key holds: signing in once more ends its least recently used, so
     * that one key signing in again and again cannot fill the server's bound and lock every other
     * key out of the console.
     */
    static final int PER_KEY = 50;

    /** A new session for a key that just proved its secret; empty when the server holds too many. */
    Optional<Session> create(String accessKeyId) {
        Session oldest = null;
        int held = 0;
        for (Session s : sessions.values()) {
            if (s.accessKeyId().equals(accessKeyId)) {
                held++;
                if (oldest == null || s.lastSeen().isBefore(oldest.lastSeen())) {
                    oldest = s;
                }
            }
        }
        if (held >= PER_KEY) {
            end(oldest);
        }
        if (sessions.size() >= max) {
            sweep();
            if (sessions.size() >= max) {
                return Optional.empty();
            }
        }
        Session session = new Session(token(), accessKeyId, token(), clock.instant());
        sessions.put(session.id(), session);
        return Optional.of(session);
    }

    /** The live session with this id, marked used now; an expired one is ended. */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(session, now)) {
            sessions.remove(id, session);
            return Optional.empty();
        }
        session.touch(now);
        return Optional.of(session);
    }

    void end(Session session) {
        sessions.remove(session.id(), session);
    }

    int size() {
        return sessions.size();
    }

    private boolean expired(Session session, Instant now) {
        return !now.isBefore(session.lastSeen().plus(idle)) || !now.isBefore(session.created().plus(lifetime));
    }

    private void sweep() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
    }
}
