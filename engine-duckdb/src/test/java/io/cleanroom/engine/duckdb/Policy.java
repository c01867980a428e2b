package io.cleanroom.engine.duckdb;

import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRulePolicy.ListRule;
import io.cleanroom.core.model.ScalarFunction;
import io.cleanroom.engine.duckdb.World.Ref;
import io.cleanroom.engine.duckdb.World.WorldTable;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a world's rules let a query do with each column, as the generator reads them to bias its
 * queries towards ones the checker admits. The generator also breaks these on purpose; it is the
 * oracle, never this class, that decides what is a leak.
 */
final class Policy {
    private final World world;

    Policy(World world) {
        this.world = world;
    }

    private AnalysisRulePolicy rule(Ref ref) {
        return world.table(ref.table()).rule();
    }

    /** Must not reach the output: a disallowed output column, or a column the renamed variant renames. */
    boolean hiddenInOutput(Ref ref) {
        if (world.renamed().contains(ref)) {
            return true;
        }
        return rule(ref) instanceof Custom custom && World.contains(custom.disallowedOutputColumns(), ref.column());
    }

    /** May be compared with a literal. */
    boolean literalComparable(Ref ref) {
        if (world.renamed().contains(ref)) {
            return false;
        }
        if (rule(ref) instanceof Custom custom) {
            if (World.isIdentity(custom, ref.column())) {
                return false;
            }
            return custom.comparisonControls() == null
                    || World.contains(custom.comparisonControls().allowedLiteralComparisonColumns(), ref.column());
        }
        if (rule(ref) instanceof Aggregation aggregation) {
            return World.contains(aggregation.dimensionColumns(), ref.column());
        }
        return World.contains(((ListRule) rule(ref)).listColumns(), ref.column());
    }

    /** May be compared with another column. */
    boolean columnComparable(Ref ref) {
        if (rule(ref) instanceof Custom custom) {
            return custom.comparisonControls() == null
                    || World.contains(custom.comparisonControls().allowedColumnComparisonColumns(), ref.column());
        }
        return isJoinColumn(ref);
    }

    boolean isJoinColumn(Ref ref) {
        AnalysisRulePolicy rule = rule(ref);
        if (rule instanceof Aggregation aggregation) {
            return World.contains(aggregation.joinColumns(), ref.column());
        }
        if (rule instanceof ListRule list) {
            return World.contains(list.joinColumns(), ref.column());
        }
        return false;
    }

    boolean isDimension(Ref ref) {
        return rule(ref) instanceof Aggregation aggregation && World.contains(aggregation.dimensionColumns(),
                ref.column());
    }

    boolean isListColumn(Ref ref) {
        return rule(ref) instanceof ListRule list && World.contains(list.listColumns(), ref.column());
    }

    /** The aggregate functions an aggregation rule allows on a column. */
    Set<AggregateFunction> aggregateFunctions(Ref ref) {
        Set<AggregateFunction> out = EnumSet.noneOf(AggregateFunction.class);
        if (rule(ref) instanceof Aggregation aggregation) {
            for (AggregateColumn a : aggregation.aggregateColumns()) {
                if (World.contains(a.columnNames(), ref.column())) {
                    out.add(a.function());
                }
            }
        }
        return out;
    }

    /** Scalar functions every aggregation rule of the given tables allows. */
    Set<ScalarFunction> scalarFunctions(Set<String> tables) {
        Set<ScalarFunction> out = EnumSet.allOf(ScalarFunction.class);
        for (String table : tables) {
            if (world.table(table).rule() instanceof Aggregation aggregation) {
                out.retainAll(aggregation.scalarFunctions());
            }
        }
        return out;
    }

    boolean hasThreshold(String table) {
        return world.table(table).rule() instanceof Custom custom && !custom.aggregationThresholds().isEmpty();
    }

    /** Identity columns of the world's thresholds. */
    Set<Ref> identities() {
        Set<Ref> out = new LinkedHashSet<>();
        for (WorldTable table : world.tables()) {
            if (table.rule() instanceof Custom custom) {
                custom.aggregationThresholds().forEach(t -> t.identityColumns()
                        .forEach(c -> out.add(new Ref(table.name(), c))));
            }
        }
        return out;
    }

    boolean columnsOnly(String table) {
        return world.table(table).rule() instanceof Custom custom && custom.aggregationThresholds().stream()
                .anyMatch(t -> t.allowedAggregateExpressionType().equals("COLUMNS_ONLY"));
    }
}
