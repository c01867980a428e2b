package io.cleanroom.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The one line a running query shows on a terminal: a spinner, the query's status and the time
 * since it was started, redrawn in place with a carriage return (no escape sequences, so any
 * terminal shows it). Off a terminal nothing is drawn.
 */
final class Progress {
    private static final String FRAMES = "|/-\\";

    private final PrintWriter out;
    private final boolean enabled;
    private int frame;
    private int drawn;

    Progress(PrintWriter out, boolean enabled) {
        this.out = requireNonNull(out, "out is null");
        this.enabled = enabled;
    }

    boolean enabled() {
        return enabled;
    }

    /** The line for one frame, e.g. {@code / STARTED  elapsed 12.3s  (Ctrl-C to cancel)}. */
    static String line(int frame, String status, Duration elapsed) {
        return FRAMES.charAt(Math.floorMod(frame, FRAMES.length())) + " " + status + "  elapsed " + elapsed(elapsed)
                + "  (Ctrl-C to cancel)";
    }

    /** 4.2s under a minute, then 1m 05s, then 2h 03m 09s. */
    static String elapsed(Duration elapsed) {
        long millis = Math.max(0, elapsed.toMillis());
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%d.%ds", millis / 1000, millis % 1000 / 100);
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm %02ds", seconds / 3600, seconds % 3600 / 60, seconds % 60);
    }

    /** Draws the next frame over the previous one. */
    void draw(String status, Duration elapsed) {
        if (!enabled) {
            return;
        }
        String text = line(frame++, status, elapsed);
        // spaces cover what a longer previous line left behind
        out.print("\r" + text + " ".repeat(Math.max(0, drawn - text.length())));
        drawn = text.length();
        out.flush();
    }

    /** Leaves the line as it is and goes on below it (what follows is printed after it). */
    void leave() {
        if (!enabled) {
            return;
        }
        out.println();
        drawn = 0;
        out.flush();
    }

    /** Removes the line, leaving the cursor at the start of an empty line. */
    void clear() {
        if (!enabled || drawn == 0) {
            return;
        }
        out.print("\r" + " ".repeat(drawn) + "\r");
        drawn = 0;
        out.flush();
    }
}
