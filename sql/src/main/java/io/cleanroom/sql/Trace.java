package io.cleanroom.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * What query control decided about each part of a query, in order: the clause, the part (a
 * column, a function, a join condition), and which rule of which table admits it. Collected for
 * explanations; checking without one costs nothing.
 */
final class Trace {
    static final Trace NONE = new Trace(false);

    private final boolean enabled;
    private final List<Explanation.Decision> decisions = new ArrayList<>();

    private Trace(boolean enabled) {
        this.enabled = enabled;
    }

    static Trace recording() {
        return new Trace(true);
    }

    void allow(String clause, String part, String reason) {
        if (enabled) {
            decisions.add(new Explanation.Decision(clause, part, "ALLOWED", reason));
        }
    }

    List<Explanation.Decision> decisions() {
        return List.copyOf(decisions);
    }
}
