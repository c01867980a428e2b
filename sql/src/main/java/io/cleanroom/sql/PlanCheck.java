package io.cleanroom.sql;

import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.ComparisonControls;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.CorrelationId;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.Uncollect;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalCorrelate;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalIntersect;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalMinus;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.logical.LogicalUnion;
import org.apache.calcite.rel.logical.LogicalValues;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexFieldAccess;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexWindowBound;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Custom analysis rules on the relational plan, by allow-list: every relational node and every
 * expression has an explicit rule saying which values of which table reads its result carries;
 * a node or expression without one refuses the query.
 *
 * <p>A value carries a {@link Flow} from a {@link Source} (a column of one read of a table; a
 * self-join reads a table twice) either unchanged ({@link Via#EXACT}), transformed ({@link
 * Via#DERIVED}), or only through a count of its values ({@link Via#COUNTED}). Flows pass through
 * aliases, expressions, subqueries, CTEs, correlations (LATERAL, correlated subqueries), UNNEST,
 * set operations and windows; an expression derives from every value it reads, including the
 * conditions of CASE and the partition and order keys of windows.
 *
 * <p>Three rules are checked on the way:
 * <ul>
 *   <li>A column that may neither be output (a disallowed output column, or an identity column of
 *       an aggregation threshold) nor compared with a literal is opaque: it may only be moved,
 *       compared with another plain column, tested for NULL, grouped, sorted or counted. Any other
 *       operation on it is refused, wherever it appears.</li>
 *   <li>Comparison controls, wherever a value decides which rows or branches survive (WHERE, ON,
 *       HAVING, QUALIFY, CASE WHEN, aggregate FILTER): a comparison of two plain columns needs
 *       both in allowedColumnComparisonColumns; any other decision on a column (a literal, a
 *       function of it, a value computed elsewhere) needs it in allowedLiteralComparisonColumns.
 *       Identity columns of aggregation thresholds never take part in such decisions.</li>
 *   <li>The output: no flow of any kind from a disallowed output column; identity columns only
 *       counted.</li>
 * </ul>
 */
final class PlanCheck {
    /** One read of a collaboration table. */
    record Read(int id, TableSpec table) {
    }

    /** A column of one read; {@link #ROWS} stands for the rows themselves (what COUNT(*) counts). */
    record Source(Read read, String column) {
        static final String ROWS = "*";

        String describe() {
            return read.table().name() + "." + column;
        }

        boolean isRows() {
            return column.equals(ROWS);
        }
    }

    /** How a value is carried. */
    enum Via {
        EXACT, DERIVED, COUNTED
    }

    /** A value of a source carried into a field. */
    record Flow(Source source, Via via) {
    }

    /** What the fields and the rows of a relational expression carry. */
    record Shape(List<Set<Flow>> fields, Set<Flow> rows) {
    }

    private final Map<String, TableSpec> tables;
    private final java.util.Optional<TableSpec> columnsOnly;
    private final Map<CorrelationId, Shape> correlations = new HashMap<>();
    private final Map<RelNode, Shape> shapes = new IdentityHashMap<>();
    private final List<Read> reads = new ArrayList<>();

    private PlanCheck(Map<String, TableSpec> tables) {
        this.tables = tables;
        this.columnsOnly = tables.values().stream().filter(t -> ((Custom) t.rule().orElseThrow())
                .aggregationThresholds().stream().anyMatch(a -> a.allowedAggregateExpressionType()
                        .equals("COLUMNS_ONLY"))).findFirst();
    }

    /** Analyses the plan, checking opaque columns and comparison controls on the way. */
    static PlanCheck of(RelNode root, Map<String, TableSpec> tables) {
        PlanCheck check = new PlanCheck(tables);
        check.shape(root);
        return check;
    }

    Shape shapeOf(RelNode node) {
        Shape shape = shapes.get(node);
        if (shape == null) {
            throw new IllegalStateException("node was not analysed: " + node);
        }
        return shape;
    }

    List<Read> reads() {
        return List.copyOf(reads);
    }

    /** Refuses an output field that carries a disallowed output column, or an identity column uncounted. */
    void checkOutput(RelNode root, int field, String name) {
        for (Flow flow : shapeOf(root).fields().get(field)) {
            Source source = flow.source();
            if (source.isRows()) {
                continue;
            }
            if (isDisallowed(source)) {
                throw Rejection.of("Output column " + name + " derives from " + source.describe()
                        + ", a disallowed output column of the custom analysis rule");
            }
            if (isIdentity(source) && flow.via() != Via.COUNTED) {
                throw Rejection.of("Output column " + name + " carries " + source.describe() + ", an identity column "
                        + "of an aggregation threshold, which may only be counted");
            }
        }
    }

    // ---- relational nodes ----

    private Shape shape(RelNode node) {
        Shape known = shapes.get(node);
        if (known != null) {
            return known;
        }
        Shape shape = analyse(node);
        if (shape.fields().size() != node.getRowType().getFieldCount()) {
            throw Rejection.of("The query uses a construct that cannot be analysed (" + node.getRelTypeName() + ")");
        }
        shapes.put(node, shape);
        return shape;
    }

    private Shape analyse(RelNode node) {
        if (node instanceof LogicalTableScan scan) {
            return scan(scan);
        }
        if (node instanceof LogicalProject project) {
            Shape in = shape(project.getInput());
            List<Set<Flow>> fields = new ArrayList<>();
            for (RexNode e : project.getProjects()) {
                fields.add(flows(e, in));
            }
            return new Shape(fields, in.rows());
        }
        if (node instanceof LogicalFilter filter) {
            Shape in = shape(filter.getInput());
            decision(filter.getCondition(), in);
            return in;
        }
        if (node instanceof LogicalJoin join) {
            return join(join);
        }
        if (node instanceof LogicalCorrelate correlate) {
            Shape left = shape(correlate.getLeft());
            correlations.put(correlate.getCorrelationId(), left);
            Shape right = shape(correlate.getRight());
            return combine(left, right, correlate.getJoinType());
        }
        if (node instanceof LogicalAggregate aggregate) {
            return aggregate(aggregate);
        }
        if (node instanceof LogicalSort sort) {
            Shape in = shape(sort.getInput());
            for (RexNode bound : new RexNode[] {sort.offset, sort.fetch}) {
                if (bound != null && !(bound instanceof RexLiteral)) {
                    throw Rejection.of("LIMIT and OFFSET must be integer literals");
                }
            }
            return in;
        }
        if (node instanceof LogicalUnion || node instanceof LogicalIntersect || node instanceof LogicalMinus) {
            return setOperation(node);
        }
        if (node instanceof LogicalValues values) {
            List<Set<Flow>> fields = new ArrayList<>();
            values.getRowType().getFieldList().forEach(f -> fields.add(Set.of()));
            return new Shape(fields, Set.of());
        }
        if (node instanceof Uncollect uncollect && uncollect.getClass() == Uncollect.class) {
            Shape in = shape(uncollect.getInput());
            Set<Flow> all = new LinkedHashSet<>();
            in.fields().forEach(all::addAll);
            Set<Flow> element = derived(all);
            List<Set<Flow>> fields = new ArrayList<>();
            uncollect.getRowType().getFieldList().forEach(f -> fields.add(element));
            return new Shape(fields, in.rows());
        }
        throw Rejection.of("The query uses a construct query control cannot analyse (" + node.getRelTypeName()
                + ")");
    }

    private Shape scan(LogicalTableScan scan) {
        List<String> name = scan.getTable().getQualifiedName();
        TableSpec table = tables.get(name.get(name.size() - 1).toLowerCase(Locale.ROOT));
        if (table == null) {
            throw Rejection.of("The query reads a table query control does not know");
        }
        Read read = new Read(reads.size(), table);
        reads.add(read);
        List<Set<Flow>> fields = new ArrayList<>();
        for (var field : scan.getRowType().getFieldList()) {
            fields.add(Set.of(new Flow(new Source(read, field.getName()), Via.EXACT)));
        }
        return new Shape(fields, Set.of(new Flow(new Source(read, Source.ROWS), Via.EXACT)));
    }

    private Shape join(LogicalJoin join) {
        if (!join.getVariablesSet().isEmpty()) {
            throw Rejection.of("The query uses a correlated join that cannot be analysed");
        }
        Shape left = shape(join.getLeft());
        Shape right = shape(join.getRight());
        Shape both = combine(left, right, JoinRelType.INNER);
        decision(join.getCondition(), both);
        return combine(left, right, join.getJoinType());
    }

    private static Shape combine(Shape left, Shape right, JoinRelType type) {
        if (type == JoinRelType.SEMI || type == JoinRelType.ANTI) {
            return left;
        }
        if (type != JoinRelType.INNER && type != JoinRelType.LEFT && type != JoinRelType.RIGHT
                && type != JoinRelType.FULL) {
            throw Rejection.of("The query uses a join (" + type + ") that cannot be analysed");
        }
        List<Set<Flow>> fields = new ArrayList<>(left.fields());
        fields.addAll(right.fields());
        Set<Flow> rows = new LinkedHashSet<>(left.rows());
        rows.addAll(right.rows());
        return new Shape(fields, rows);
    }

    private Shape setOperation(RelNode node) {
        List<Set<Flow>> fields = new ArrayList<>();
        Set<Flow> rows = new LinkedHashSet<>();
        for (int i = 0; i < node.getRowType().getFieldCount(); i++) {
            fields.add(new LinkedHashSet<>());
        }
        for (RelNode input : node.getInputs()) {
            Shape in = shape(input);
            for (int i = 0; i < fields.size(); i++) {
                fields.get(i).addAll(in.fields().get(i));
            }
            rows.addAll(in.rows());
        }
        return new Shape(fields, rows);
    }

    private Shape aggregate(LogicalAggregate aggregate) {
        Shape in = shape(aggregate.getInput());
        List<Set<Flow>> fields = new ArrayList<>();
        Set<Flow> keys = new LinkedHashSet<>();
        for (int key : aggregate.getGroupSet()) {
            fields.add(in.fields().get(key));
            keys.addAll(in.fields().get(key));
        }
        for (AggregateCall call : aggregate.getAggCallList()) {
            Operators.Entry entry = Operators.of(call.getAggregation()).orElseThrow(() -> Rejection.of(
                    "Aggregate function " + call.getAggregation().getName() + " is not supported by query control"));
            if (!call.rexList.isEmpty() || call.distinctKeys != null
                    || !call.getCollation().getFieldCollations().isEmpty()) {
                throw Rejection.of("Aggregate function " + call.getAggregation().getName() + " with an ordering or "
                        + "extra arguments is not supported by query control");
            }
            Set<Flow> args = new LinkedHashSet<>();
            call.getArgList().forEach(a -> args.addAll(in.fields().get(a)));
            columnsOnly(args, call.getAggregation().getName());
            if (call.filterArg >= 0) {
                decide(in.fields().get(call.filterArg), "an aggregate FILTER");
            }
            switch (entry.role()) {
                case COUNT -> fields.add(counted(args.isEmpty() ? in.rows() : args));
                case AGGREGATE -> {
                    if (call.getAggregation().getKind() == SqlKind.GROUPING) {
                        fields.add(derived(args));
                    } else {
                        opaque(args, call.getAggregation().getName());
                        fields.add(derived(args));
                    }
                }
                default -> throw Rejection.of(call.getAggregation().getName() + " is not an aggregate function");
            }
        }
        // a global aggregate has exactly one row whatever its input; groups exist where input rows do
        Set<Flow> rows = new LinkedHashSet<>();
        if (!aggregate.getGroupSet().isEmpty() || aggregate.getGroupSets().size() > 1) {
            rows.addAll(counted(in.rows()));
            rows.addAll(counted(keys));
        }
        return new Shape(fields, rows);
    }

    /** Under a COLUMNS_ONLY threshold, aggregate arguments are columns, not expressions. */
    private void columnsOnly(Set<Flow> args, String function) {
        if (columnsOnly.isPresent() && args.stream().anyMatch(f -> f.via() != Via.EXACT)) {
            throw Rejection.of("The aggregation threshold of table " + columnsOnly.get().name() + " allows only "
                    + "columns as aggregate arguments (COLUMNS_ONLY); " + function + " has an expression");
        }
    }

    // ---- aggregation thresholds ----

    /**
     * The minimum distinct identities of each threshold (keyed table.identity, lower case) for the
     * output: the table's minimum, or, for a query with dimension outputs, the largest over them
     * of the minimum for that output, which is an outputColumnThresholds entry when the output is
     * exactly that column of the table (by origin, never by alias).
     */
    Map<String, Integer> thresholdMinimums(RelNode root, List<Integer> outputFields, List<Integer> dimensions) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (TableSpec table : tables.values()) {
            for (AggregationThreshold threshold : ((Custom) table.rule().orElseThrow()).aggregationThresholds()) {
                int minimum = threshold.minimumIdentityCount();
                if (!dimensions.isEmpty()) {
                    minimum = 0;
                    for (int d : dimensions) {
                        minimum = Math.max(minimum, outputMinimum(threshold, table,
                                shapeOf(root).fields().get(outputFields.get(d))));
                    }
                }
                out.merge(key(table, threshold), minimum, Math::max);
            }
        }
        return out;
    }

    private static int outputMinimum(AggregationThreshold threshold, TableSpec table, Set<Flow> flows) {
        if (flows.size() == 1) {
            Flow flow = flows.iterator().next();
            if (flow.via() == Via.EXACT && flow.source().read().table() == table) {
                for (var o : threshold.outputColumnThresholds()) {
                    if (o.outputColumnName().equalsIgnoreCase(flow.source().column())) {
                        return o.minimumIdentityCount();
                    }
                }
            }
        }
        return threshold.minimumIdentityCount();
    }

    static String key(TableSpec table, AggregationThreshold threshold) {
        return table.key() + "." + threshold.identityColumns().get(0).toLowerCase(Locale.ROOT);
    }

    /**
     * Every read of a thresholded table whose values or rows reach the final aggregation or the
     * output must be counted there: HAVING COUNT(DISTINCT c) >= minimum, where c carries that
     * read's identity column unchanged. A read that cannot be counted (in a scalar subquery, an
     * aggregated subquery, a subquery that drops the identity) refuses the query.
     */
    void verifyThresholds(RelNode root, List<Integer> outputFields, Map<String, Integer> minimums) {
        RelNode node = root;
        RexNode having = null;
        LogicalAggregate aggregate = null;
        while (aggregate == null) {
            if (node instanceof LogicalSort || node instanceof LogicalProject) {
                node = node.getInput(0);
            } else if (node instanceof LogicalFilter filter && filter.getInput() instanceof LogicalAggregate a
                    && !a.getAggCallList().isEmpty()) {
                having = filter.getCondition();
                node = a;
            } else if (node instanceof LogicalAggregate a) {
                if (a.getAggCallList().isEmpty()) {
                    node = a.getInput();
                } else {
                    aggregate = a;
                }
            } else {
                throw Rejection.of("A table with an aggregation threshold is referenced: the final query must be one "
                        + "aggregating SELECT whose output comes from its aggregation (no subqueries in its SELECT list)");
            }
        }
        Set<Read> needed = new LinkedHashSet<>();
        shapeOf(aggregate).fields().forEach(f -> f.forEach(flow -> needed.add(flow.source().read())));
        for (int field : outputFields) {
            shapeOf(root).fields().get(field).forEach(flow -> needed.add(flow.source().read()));
        }
        List<RexNode> conjuncts = having == null ? List.of()
                : org.apache.calcite.plan.RelOptUtil.conjunctions(having);
        Shape input = shapeOf(aggregate.getInput());
        for (Read read : needed) {
            for (AggregationThreshold threshold : ((Custom) read.table().rule().orElseThrow())
                    .aggregationThresholds()) {
                int minimum = minimums.getOrDefault(key(read.table(), threshold), threshold.minimumIdentityCount());
                if (minimum > 0 && !counted(aggregate, input, conjuncts, read, threshold, minimum)) {
                    String identity = threshold.identityColumns().get(0);
                    throw Rejection.of("Table " + read.table().name() + " has an aggregation threshold on " + identity
                            + ": the final SELECT must read it (directly or through CTEs and subqueries in FROM) from "
                            + "every read of the table whose values or rows reach the output, so that rows with too "
                            + "few distinct identities can be removed; a read in a scalar subquery, an aggregated "
                            + "subquery or one that drops " + identity + " cannot be counted");
                }
            }
        }
    }

    private static boolean counted(LogicalAggregate aggregate, Shape input, List<RexNode> conjuncts, Read read,
            AggregationThreshold threshold, int minimum) {
        Set<Flow> identity = Set.of(new Flow(new Source(read, threshold.identityColumns().get(0)), Via.EXACT));
        int groups = aggregate.getGroupCount();
        for (RexNode conjunct : conjuncts) {
            if (!(conjunct instanceof RexCall call) || call.getKind() != SqlKind.GREATER_THAN_OR_EQUAL
                    || !(call.getOperands().get(0) instanceof RexInputRef ref)
                    || !(call.getOperands().get(1) instanceof RexLiteral literal) || ref.getIndex() < groups) {
                continue;
            }
            java.math.BigDecimal value = literal.getValueAs(java.math.BigDecimal.class);
            AggregateCall agg = aggregate.getAggCallList().get(ref.getIndex() - groups);
            if (value != null && value.compareTo(java.math.BigDecimal.valueOf(minimum)) >= 0
                    && agg.getAggregation().getKind() == SqlKind.COUNT && agg.isDistinct() && agg.filterArg < 0
                    && agg.getArgList().size() == 1 && sameColumns(input.fields().get(agg.getArgList().get(0)),
                            identity)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameColumns(Set<Flow> flows, Set<Flow> expected) {
        if (flows.size() != expected.size()) {
            return false;
        }
        Flow a = flows.iterator().next();
        Flow b = expected.iterator().next();
        return a.via() == b.via() && a.source().read().equals(b.source().read())
                && a.source().column().equalsIgnoreCase(b.source().column());
    }

    // ---- expressions ----

    /** The flows of an expression whose input references resolve against in. */
    private Set<Flow> flows(RexNode e, Shape in) {
        if (e instanceof RexInputRef ref) {
            return in.fields().get(ref.getIndex());
        }
        if (e instanceof RexLiteral) {
            return Set.of();
        }
        if (e instanceof RexFieldAccess access && access.getReferenceExpr() instanceof RexCorrelVariable variable) {
            Shape outer = correlations.get(variable.id);
            if (outer == null) {
                throw Rejection.of("The query uses a correlation that cannot be analysed");
            }
            return outer.fields().get(access.getField().getIndex());
        }
        if (e instanceof RexOver over) {
            return window(over, in);
        }
        if (e instanceof RexCall call) {
            return call(call, in);
        }
        throw Rejection.of("The query uses an expression query control cannot analyse (" + e.getKind() + ")");
    }

    private Set<Flow> call(RexCall call, Shape in) {
        Operators.Entry entry = Operators.of(call.getOperator()).orElseThrow(() -> Rejection.of(
                describe(call) + " is not supported by query control"));
        Set<Flow> all = new LinkedHashSet<>();
        switch (entry.role()) {
            case LOGICAL -> call.getOperands().forEach(o -> all.addAll(flows(o, in)));
            case COMPARISON, NULL_TEST, PREDICATE -> {
                call.getOperands().forEach(o -> all.addAll(flows(o, in)));
                if (isColumnComparison(call, in)) {
                    columnControls(all);
                    // the result reveals only how the values compare, as a count would
                    return counted(all);
                }
                if (isNullTest(call, in)) {
                    return counted(all);
                }
                opaque(all, describe(call));
            }
            case CAST -> {
                Set<Flow> operand = flows(call.getOperands().get(0), in);
                if (isLossless(call)) {
                    return operand;
                }
                opaque(operand, "a cast");
                all.addAll(operand);
            }
            case CONDITIONAL -> {
                Set<Flow> values = new LinkedHashSet<>();
                List<RexNode> operands = call.getOperands();
                if (call.getKind() == SqlKind.CASE) {
                    for (int i = 0; i < operands.size(); i++) {
                        if (i % 2 == 0 && i < operands.size() - 1) {
                            decision(operands.get(i), in);
                            all.addAll(flows(operands.get(i), in));
                        } else {
                            values.addAll(flows(operands.get(i), in));
                        }
                    }
                } else if (call.getKind() == SqlKind.NULLIF) {
                    comparisonDecision(operands, in, "NULLIF");
                    Set<Flow> compared = new LinkedHashSet<>();
                    operands.forEach(o -> compared.addAll(flows(o, in)));
                    all.addAll(counted(compared));
                    values.addAll(flows(operands.get(0), in));
                } else {
                    operands.forEach(o -> values.addAll(flows(o, in)));
                }
                opaque(values, describe(call));
                all.addAll(values);
            }
            case ARITHMETIC, FUNCTION -> {
                call.getOperands().forEach(o -> all.addAll(flows(o, in)));
                opaque(all, describe(call));
            }
            default -> throw Rejection.of(describe(call) + " cannot be used here");
        }
        return derived(all);
    }

    private Set<Flow> window(RexOver over, Shape in) {
        Operators.Entry entry = Operators.of(over.getAggOperator()).orElseThrow(() -> Rejection.of(
                "Window function " + over.getAggOperator().getName() + " is not supported by query control"));
        Set<Flow> operands = new LinkedHashSet<>();
        over.getOperands().forEach(o -> operands.addAll(flows(o, in)));
        if (entry.role() == Operators.Role.AGGREGATE || entry.role() == Operators.Role.COUNT) {
            columnsOnly(operands, over.getAggOperator().getName());
        }
        Set<Flow> all = new LinkedHashSet<>();
        switch (entry.role()) {
            case COUNT -> all.addAll(counted(operands.isEmpty() ? in.rows() : operands));
            case AGGREGATE, WINDOW -> {
                opaque(operands, over.getAggOperator().getName());
                all.addAll(derived(operands));
            }
            default -> throw Rejection.of(over.getAggOperator().getName() + " is not a window function");
        }
        var window = over.getWindow();
        window.partitionKeys.forEach(k -> all.addAll(derived(flows(k, in))));
        window.orderKeys.forEach(k -> all.addAll(derived(flows(k.getKey(), in))));
        for (RexWindowBound bound : new RexWindowBound[] {window.getLowerBound(), window.getUpperBound()}) {
            if (bound != null && bound.getOffset() != null && !(bound.getOffset() instanceof RexLiteral)) {
                throw Rejection.of("Window frame offsets must be literals");
            }
        }
        return all;
    }

    /**
     * A condition deciding which rows or branches survive: its comparisons are checked against the
     * comparison controls; any other value deciding (a boolean column, a function result) is a
     * decision on every column it derives from.
     */
    private void decision(RexNode condition, Shape in) {
        if (condition instanceof RexLiteral) {
            return;
        }
        if (condition instanceof RexCall call) {
            Operators.Entry entry = Operators.of(call.getOperator()).orElseThrow(() -> Rejection.of(
                    describe(call) + " is not supported by query control"));
            switch (entry.role()) {
                case LOGICAL -> {
                    call.getOperands().forEach(o -> decision(o, in));
                    return;
                }
                case COMPARISON, NULL_TEST, PREDICATE -> {
                    atom(call, in, describe(call));
                    flows(call, in);
                    return;
                }
                default -> {
                    // a CASE, a function: whatever value it computes decides
                }
            }
        }
        decide(flows(condition, in), "a condition");
    }

    /** A comparison-like call in a decision: a column comparison, a NULL test, or a literal comparison. */
    private void atom(RexCall call, Shape in, String what) {
        if (isNullTest(call, in) || isColumnComparison(call, in)) {
            return;
        }
        Set<Flow> all = new LinkedHashSet<>();
        call.getOperands().forEach(o -> all.addAll(flows(o, in)));
        decide(all, what);
    }

    /** Two values compared for equality (NULLIF): plain columns compare as columns, anything else decides. */
    private void comparisonDecision(List<RexNode> operands, Shape in, String what) {
        Set<Flow> all = new LinkedHashSet<>();
        operands.forEach(o -> all.addAll(flows(o, in)));
        if (operands.size() == 2 && isPlain(operands.get(0), in) && isPlain(operands.get(1), in)) {
            columnControls(all);
        } else {
            decide(all, what);
        }
    }

    /** Each column compared with another plain column must be allowed in column comparisons. */
    private void columnControls(Set<Flow> flows) {
        for (Flow flow : flows) {
            Source source = flow.source();
            ComparisonControls controls = rule(source).comparisonControls();
            if (controls != null && controls.allowedColumnComparisonColumns().stream()
                    .noneMatch(c -> c.equalsIgnoreCase(source.column()))) {
                throw Rejection.of("The comparison controls of table " + source.read().table().name()
                        + " do not allow column comparisons on column " + source.column());
            }
        }
    }

    /** A decision on values: each column they derive from (not merely counted) must allow literal comparisons. */
    private void decide(Set<Flow> flows, String what) {
        for (Flow flow : flows) {
            Source source = flow.source();
            if (flow.via() == Via.COUNTED || source.isRows()) {
                continue;
            }
            if (isIdentity(source)) {
                throw Rejection.of("Column " + source.describe() + " is an identity column of an aggregation "
                        + "threshold and can never be compared with a literal or a computed value (found in "
                        + what + ")");
            }
            ComparisonControls controls = rule(source).comparisonControls();
            if (controls != null && controls.allowedLiteralComparisonColumns().stream()
                    .noneMatch(c -> c.equalsIgnoreCase(source.column()))) {
                throw Rejection.of("The comparison controls of table " + source.read().table().name() + " do not "
                        + "allow literal comparisons on column " + source.column() + " (found in " + what
                        + "); only plain column-to-column comparisons are allowed on it"
                        + (controls.allowedColumnComparisonColumns().stream()
                                .anyMatch(c -> c.equalsIgnoreCase(source.column())) ? "" : ", if any"));
            }
        }
    }

    /** Refuses an operation other than moving, comparing, grouping, sorting or counting on an opaque column. */
    private void opaque(Set<Flow> flows, String operation) {
        for (Flow flow : flows) {
            if (flow.via() != Via.COUNTED && !flow.source().isRows() && isOpaque(flow.source())) {
                throw Rejection.of("Column " + flow.source().describe() + " may only be joined, compared with another "
                        + "column, grouped, sorted or counted: it is " + (isIdentity(flow.source())
                                ? "an identity column of an aggregation threshold"
                                : "a disallowed output column that the comparison controls keep from literal "
                                        + "comparisons")
                        + ", and " + operation + " would reveal its values");
            }
        }
    }

    /** = <> < <= > >= between two plain columns (each carried unchanged from one or more sources). */
    private boolean isColumnComparison(RexCall call, Shape in) {
        Operators.Entry entry = Operators.of(call.getOperator()).orElseThrow();
        return entry.role() == Operators.Role.COMPARISON && call.getOperands().size() == 2
                && isPlain(call.getOperands().get(0), in) && isPlain(call.getOperands().get(1), in);
    }

    private boolean isNullTest(RexCall call, Shape in) {
        Operators.Entry entry = Operators.of(call.getOperator()).orElseThrow();
        return entry.role() == Operators.Role.NULL_TEST && call.getOperands().size() == 1
                && isPlain(call.getOperands().get(0), in);
    }

    private boolean isPlain(RexNode e, Shape in) {
        RexNode node = e;
        while (node instanceof RexCall call && call.getKind() == SqlKind.CAST && isLossless(call)) {
            node = call.getOperands().get(0);
        }
        if (!(node instanceof RexInputRef) && !(node instanceof RexFieldAccess access
                && access.getReferenceExpr() instanceof RexCorrelVariable)) {
            return false;
        }
        Set<Flow> flows = flows(node, in);
        return !flows.isEmpty() && flows.stream().allMatch(f -> f.via() == Via.EXACT && !f.source().isRows());
    }

    /** A cast that keeps every value distinct and in order: widening within one type family. */
    static boolean isLossless(RexCall cast) {
        if (cast.getKind() != SqlKind.CAST || cast.getOperands().size() != 1) {
            return false;
        }
        RelDataType from = cast.getOperands().get(0).getType();
        RelDataType to = cast.getType();
        SqlTypeName a = from.getSqlTypeName();
        SqlTypeName b = to.getSqlTypeName();
        if (SqlTypeFamily.CHARACTER.contains(from) && SqlTypeFamily.CHARACTER.contains(to)) {
            return b == SqlTypeName.VARCHAR && (to.getPrecision() == RelDataType.PRECISION_NOT_SPECIFIED
                    || to.getPrecision() >= from.getPrecision() && from.getPrecision() >= 0);
        }
        List<SqlTypeName> integers = List.of(SqlTypeName.TINYINT, SqlTypeName.SMALLINT, SqlTypeName.INTEGER,
                SqlTypeName.BIGINT);
        if (integers.contains(a) && integers.contains(b)) {
            return integers.indexOf(b) >= integers.indexOf(a);
        }
        if (a == SqlTypeName.DECIMAL && b == SqlTypeName.DECIMAL) {
            return to.getScale() >= from.getScale()
                    && to.getPrecision() - to.getScale() >= from.getPrecision() - from.getScale();
        }
        if ((a == SqlTypeName.FLOAT || a == SqlTypeName.REAL) && b == SqlTypeName.DOUBLE) {
            return true;
        }
        return a == b && a != SqlTypeName.DECIMAL && !SqlTypeFamily.CHARACTER.contains(from)
                && to.getPrecision() == from.getPrecision() && to.getScale() == from.getScale();
    }

    // ---- column roles ----

    private static Custom rule(Source source) {
        return (Custom) source.read().table().rule().orElseThrow();
    }

    static boolean isIdentity(Source source) {
        for (AggregationThreshold t : rule(source).aggregationThresholds()) {
            if (t.identityColumns().stream().anyMatch(c -> c.equalsIgnoreCase(source.column()))) {
                return true;
            }
        }
        return false;
    }

    static boolean isDisallowed(Source source) {
        return rule(source).disallowedOutputColumns().stream().anyMatch(c -> c.equalsIgnoreCase(source.column()));
    }

    private static boolean literalAllowed(Source source) {
        if (isIdentity(source)) {
            return false;
        }
        ComparisonControls controls = rule(source).comparisonControls();
        return controls == null || controls.allowedLiteralComparisonColumns().stream()
                .anyMatch(c -> c.equalsIgnoreCase(source.column()));
    }

    /** Neither output nor literal comparison is allowed: only moving, comparing with columns, counting. */
    static boolean isOpaque(Source source) {
        return (isIdentity(source) || isDisallowed(source)) && !literalAllowed(source);
    }

    // ---- helpers ----

    static Set<Flow> derived(Set<Flow> flows) {
        Set<Flow> out = new LinkedHashSet<>();
        for (Flow f : flows) {
            out.add(f.via() == Via.COUNTED ? f : new Flow(f.source(), Via.DERIVED));
        }
        return out;
    }

    static Set<Flow> counted(Set<Flow> flows) {
        Set<Flow> out = new LinkedHashSet<>();
        for (Flow f : flows) {
            out.add(new Flow(f.source(), Via.COUNTED));
        }
        return out;
    }

    private static String describe(RexCall call) {
        String name = call.getOperator().getName();
        if (name == null || name.isBlank() || name.startsWith("$")) {
            name = call.getKind().sql;
        }
        return name.toUpperCase(Locale.ROOT);
    }
}
