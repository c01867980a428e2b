package io.cleanroom.engine.duckdb;

import io.cleanroom.engine.duckdb.World.Ref;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the generator knows about where a value comes from: the world columns it reads directly and
 * the other values it is computed from. Nodes may gain inputs after they are first used (a
 * recursive CTE's columns get the recursive member's values), so origins are resolved only when the
 * query is complete.
 */
final class Lineage {
    private final Set<Ref> columns = new LinkedHashSet<>();
    private final List<Lineage> inputs = new ArrayList<>();

    static Lineage none() {
        return new Lineage();
    }

    static Lineage column(Ref ref) {
        Lineage l = new Lineage();
        l.columns.add(ref);
        return l;
    }

    static Lineage of(Lineage... parts) {
        Lineage l = new Lineage();
        for (Lineage part : parts) {
            l.inputs.add(part);
        }
        return l;
    }

    static Lineage of(List<Lineage> parts) {
        Lineage l = new Lineage();
        l.inputs.addAll(parts);
        return l;
    }

    void add(Lineage input) {
        inputs.add(input);
    }

    /** Every world column this value derives from, through any number of steps. */
    Set<Ref> origins() {
        Set<Ref> out = new LinkedHashSet<>();
        Set<Lineage> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Lineage> todo = new ArrayDeque<>();
        todo.push(this);
        while (!todo.isEmpty()) {
            Lineage l = todo.pop();
            if (!seen.add(l)) {
                continue;
            }
            out.addAll(l.columns);
            l.inputs.forEach(todo::push);
        }
        return out;
    }
}
