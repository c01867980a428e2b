package io.cleanroom.engine.duckdb;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.engine.duckdb.Datasets.Outcome;
import io.cleanroom.engine.duckdb.Datasets.Variant;
import io.cleanroom.engine.duckdb.World.Ref;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.QueryChecker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Non-interference: a query the checker admits must give the same output (rows as a multiset, or
 * the same observable failure) on data that differs only in what the rules hide. The renamed
 * variant renames the values of join-only and compare-only columns by one order-preserving
 * bijection; the permuted variant permutes a disallowed output column's values among the rows of
 * its table, for a query that references that column only where its values flow to the output.
 * A difference that also shows between the base data and the same rows stored in another order is
 * non-determinism, not a leak.
 */
final class Oracle implements AutoCloseable {
    /** What happened to one query. */
    sealed interface Verdict {
        /** The checker refused it (as INVALID_QUERY). */
        record Refused(String message) implements Verdict {
        }

        /** The checker failed otherwise: not a leak, but a bug to report. */
        record CheckerError(String message) implements Verdict {
        }

        /** Admitted, but no variant applies: the world hides nothing the query could reveal. */
        record NoVariant(String sql) implements Verdict {
        }

        /** The outputs were equal on every variant tried. */
        record Clean(String sql, Outcome base, int variants) implements Verdict {
        }

        /** A time-out or memory limit made a comparison impossible. */
        record Inconclusive(String sql, String why) implements Verdict {
        }

        /** The output depends on the order the rows are stored in: skipped. */
        record NonDeterministic(String sql, String variant) implements Verdict {
        }

        /** The output depends on hidden data. */
        record Leak(String checkedSql, String variant, Outcome base, Outcome other) implements Verdict {
        }
    }

    private final QueryChecker checker = new QueryChecker();
    private final Map<String, Datasets> datasets = new LinkedHashMap<>();

    Oracle(List<World> worlds, Path dir, io.cleanroom.engine.spi.Limits limits, long timeoutMillis) {
        for (World world : worlds) {
            datasets.put(world.name(), new Datasets(world, dir.resolve(world.name()), limits, timeoutMillis));
        }
    }

    /** Checks the query and, if admitted, runs it on the variants of the world's data. */
    Verdict judge(World world, String sql, Set<Ref> flowOnly) {
        CheckedQuery checked;
        try {
            checked = checker.check(world.request(sql));
        } catch (CleanroomException e) {
            if (e.code() == ErrorCode.INVALID_QUERY) {
                return new Verdict.Refused(e.getMessage());
            }
            return new Verdict.CheckerError(e.code() + ": " + e.getMessage());
        } catch (StackOverflowError e) {
            return new Verdict.CheckerError("StackOverflowError");
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            // Calcite throws AssertionError on some trees: the checker lets it escape
            return new Verdict.CheckerError(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        String run;
        try {
            run = checked.sql();
        } catch (RuntimeException e) {
            return new Verdict.CheckerError("rendering: " + e);
        }
        List<Variant> variants = new ArrayList<>();
        if (!world.renamed().isEmpty()) {
            variants.add(Variant.RENAMED);
        }
        Set<Ref> permute = new LinkedHashSet<>(flowOnly);
        permute.retainAll(world.permutable());
        if (!permute.isEmpty()) {
            variants.add(Variant.permuted(permute));
        }
        if (variants.isEmpty()) {
            return new Verdict.NoVariant(run);
        }
        Datasets data = datasets.get(world.name());
        Outcome base = data.run(Variant.BASE, run);
        if (base instanceof Outcome.Resource resource) {
            return new Verdict.Inconclusive(run, resource.what());
        }
        for (Variant variant : variants) {
            Outcome other = data.run(variant, run);
            if (other instanceof Outcome.Resource resource) {
                return new Verdict.Inconclusive(run, variant + ": " + resource.what());
            }
            if (base.sameAs(other)) {
                continue;
            }
            for (Variant reordered : List.of(Variant.REVERSED, Variant.SHUFFLED)) {
                Outcome again = data.run(reordered, run);
                if (!base.sameAs(again)) {
                    return new Verdict.NonDeterministic(run, variant.name());
                }
            }
            return new Verdict.Leak(run, variant.name(), base, other);
        }
        return new Verdict.Clean(run, base, variants.size());
    }

    @Override
    public void close() {
        datasets.values().forEach(Datasets::close);
    }
}
