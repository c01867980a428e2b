package io.cleanroom.sql;

import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.ComparisonControls;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelShuttleImpl;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexVisitorImpl;
import org.apache.calcite.sql.SqlKind;

/**
 * Comparison controls of custom rules, on the relational plan: every comparison (in filters, join
 * conditions and projected expressions such as CASE) is classified as a literal comparison (one
 * side has no column) or a column comparison (both sides have columns). The columns involved are
 * traced to their origin columns; a literal comparison needs each origin in its table's
 * allowedLiteralComparisonColumns, a column comparison in allowedColumnComparisonColumns. A table
 * without comparisonControls allows any comparison, except that an identity column of an
 * aggregation threshold never takes part in a literal comparison.
 */
final class ComparisonChecker {
    private static final Set<SqlKind> COMPARISONS = Set.of(SqlKind.EQUALS, SqlKind.NOT_EQUALS, SqlKind.LESS_THAN,
            SqlKind.LESS_THAN_OR_EQUAL, SqlKind.GREATER_THAN, SqlKind.GREATER_THAN_OR_EQUAL, SqlKind.LIKE,
            SqlKind.SIMILAR, SqlKind.SEARCH, SqlKind.IS_DISTINCT_FROM, SqlKind.IS_NOT_DISTINCT_FROM, SqlKind.IN,
            SqlKind.NOT_IN, SqlKind.BETWEEN);

    private final Map<String, TableSpec> tables;
    private final RelMetadataQuery mq;

    private ComparisonChecker(Map<String, TableSpec> tables, RelMetadataQuery mq) {
        this.tables = tables;
        this.mq = mq;
    }

    static boolean applies(Map<String, TableSpec> tables) {
        return tables.values().stream().map(ComparisonChecker::rule)
                .anyMatch(r -> r.comparisonControls() != null || !r.aggregationThresholds().isEmpty());
    }

    private static Custom rule(TableSpec table) {
        return (Custom) table.rule().orElseThrow();
    }

    static void check(RelNode root, Map<String, TableSpec> tables) {
        if (!applies(tables)) {
            return;
        }
        ComparisonChecker checker = new ComparisonChecker(tables, root.getCluster().getMetadataQuery());
        root.accept(new RelShuttleImpl() {
            @Override
            public RelNode visit(LogicalFilter filter) {
                checker.expression(filter.getCondition(), filter.getInput());
                return super.visit(filter);
            }

            @Override
            public RelNode visit(LogicalJoin join) {
                checker.expression(join.getCondition(), join);
                return super.visit(join);
            }

            @Override
            public RelNode visit(LogicalProject project) {
                for (RexNode e : project.getProjects()) {
                    checker.expression(e, project.getInput());
                }
                return super.visit(project);
            }

            @Override
            public RelNode visit(RelNode other) {
                if (other instanceof Filter || other instanceof Join || other instanceof Project) {
                    throw Rejection.of("The query uses a construct that cannot be checked against comparison "
                            + "controls");
                }
                return super.visit(other);
            }
        });
    }

    /** Checks every comparison inside an expression whose input references resolve against input. */
    private void expression(RexNode expression, RelNode input) {
        expression.accept(new RexVisitorImpl<Void>(true) {
            @Override
            public Void visitCall(RexCall call) {
                if (COMPARISONS.contains(call.getKind())) {
                    comparison(call, input);
                }
                return super.visitCall(call);
            }
        });
    }

    private void comparison(RexCall call, RelNode input) {
        List<List<Lineage.Origin>> sides = new ArrayList<>();
        for (RexNode operand : call.getOperands()) {
            sides.add(origins(operand, input));
        }
        long withColumns = sides.stream().filter(s -> !s.isEmpty()).count();
        if (withColumns == 0) {
            return;
        }
        boolean literal = withColumns < sides.size() || call.getKind() == SqlKind.SEARCH;
        for (List<Lineage.Origin> side : sides) {
            for (Lineage.Origin origin : side) {
                Custom rule = rule(origin.table());
                if (literal && isIdentity(rule, origin.column())) {
                    throw Rejection.of("Column " + origin.describe() + " is an identity column of an aggregation "
                            + "threshold and can never be compared with a literal");
                }
                ComparisonControls controls = rule.comparisonControls();
                if (controls == null) {
                    continue;
                }
                List<String> allowed = literal ? controls.allowedLiteralComparisonColumns()
                        : controls.allowedColumnComparisonColumns();
                if (allowed.stream().noneMatch(c -> c.equalsIgnoreCase(origin.column()))) {
                    throw Rejection.of("The comparison controls of table " + origin.table().name() + " do not allow "
                            + (literal ? "literal" : "column") + " comparisons on column " + origin.column());
                }
            }
        }
    }

    private static boolean isIdentity(Custom rule, String column) {
        for (AggregationThreshold t : rule.aggregationThresholds()) {
            if (t.identityColumns().stream().anyMatch(c -> c.equalsIgnoreCase(column))) {
                return true;
            }
        }
        return false;
    }

    /** The origin columns of every input reference in an expression. */
    private List<Lineage.Origin> origins(RexNode expression, RelNode input) {
        Set<Integer> refs = new HashSet<>();
        expression.accept(new RexVisitorImpl<Void>(true) {
            @Override
            public Void visitInputRef(RexInputRef ref) {
                refs.add(ref.getIndex());
                return null;
            }
        });
        List<Lineage.Origin> out = new ArrayList<>();
        for (int index : refs) {
            out.addAll(Lineage.origins(mq, input, index, tables).orElseThrow(() -> Rejection.of("Cannot establish "
                    + "which columns a compared expression derives from, and a referenced table has comparison "
                    + "controls; simplify the comparison")));
        }
        return out;
    }
}
