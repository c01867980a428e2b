package io.cleanroom.sql;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
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
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.sql.SqlKind;

/**
 * Which rows of a differentially private query belong to which user, on the relational plan of
 * what its final SELECT reads (its FROM and WHERE), by allow-list.
 *
 * <p>A relation is either public (it reads no table with differential privacy) or partitioned by
 * user: each of its rows belongs to exactly one user of the table with differential privacy, the
 * user in one of its {@link Shape#userFields() user fields} (which carry that table's user
 * identifier column unchanged), and the rows of a user depend only on that user's rows of the table
 * and on public relations. Then adding or removing one user adds or removes only rows of that user,
 * and the rewrite bounds how many of them any statistic counts. Each node keeps that property, or
 * the query is refused naming what breaks it:
 *
 * <ul>
 *   <li>a scan of a table with differential privacy partitions its rows by its user identifier
 *       column; every other scan, VALUES, and anything built from public relations only, is public;</li>
 *   <li>a projection keeps the partition if it outputs a user field unchanged, and a window
 *       function over partitioned rows must PARTITION BY a user field;</li>
 *   <li>a filter keeps it (its condition reads one row);</li>
 *   <li>a join of partitioned rows with a public relation keeps it when no unmatched public row is
 *       kept (INNER, or the outer join that keeps the partitioned side); two partitioned relations
 *       join only on equal user fields, and not FULL;</li>
 *   <li>an aggregation over partitioned rows must GROUP BY a user field (one grouping set);</li>
 *   <li>UNION, INTERSECT and EXCEPT need every branch partitioned, with a user field in the same
 *       column;</li>
 *   <li>LIMIT and OFFSET, LATERAL, UNNEST and correlated subqueries are refused over partitioned
 *       rows, as is any node this class does not know.</li>
 * </ul>
 *
 * <p>Each field also keeps the column of a table it copies unchanged, if any, where SUM, AVG and
 * STDDEV find their declared bounds.
 */
final class UserLineage {
    /** A column of a table a field copies unchanged. */
    record Origin(TableSpec table, String column) {
    }

    /**
     * What a relation is: partitioned by user (user) or public; its user fields; the tables with
     * differential privacy it reads (for messages); for each field, the column it copies.
     */
    record Shape(boolean user, Set<Integer> userFields, Set<String> dpTables, List<Optional<Origin>> origins) {
        Shape {
            userFields = Set.copyOf(userFields);
            dpTables = Set.copyOf(dpTables);
            origins = List.copyOf(origins);
        }

        static Shape ofPublic(List<Optional<Origin>> origins) {
            return new Shape(false, Set.of(), Set.of(), origins);
        }

        /** The lowest user field. */
        int userField() {
            return new TreeSet<>(userFields).first();
        }
    }

    private final Map<String, TableSpec> tables;
    private final Map<RelNode, Shape> shapes = new IdentityHashMap<>();

    private UserLineage(Map<String, TableSpec> tables) {
        this.tables = tables;
    }

    /** The shape of a plan's root, every node checked on the way. */
    static Shape of(RelNode root, Map<String, TableSpec> tables) {
        return new UserLineage(tables).shape(root);
    }

    private Shape shape(RelNode node) {
        Shape known = shapes.get(node);
        if (known != null) {
            return known;
        }
        Shape shape = analyse(node);
        if (shape.origins().size() != node.getRowType().getFieldCount()) {
            throw Rejection.of("The query uses a construct that cannot be analysed (" + node.getRelTypeName() + ")");
        }
        shapes.put(node, shape);
        return shape;
    }

    private static String tablesOf(Shape shape) {
        return String.join(", ", new TreeSet<>(shape.dpTables()));
    }

    private static List<Optional<Origin>> none(RelNode node) {
        List<Optional<Origin>> out = new ArrayList<>();
        for (int i = 0; i < node.getRowType().getFieldCount(); i++) {
            out.add(Optional.empty());
        }
        return out;
    }

    private Shape analyse(RelNode node) {
        if (node instanceof LogicalTableScan scan) {
            return scan(scan);
        }
        if (node instanceof LogicalValues) {
            return Shape.ofPublic(none(node));
        }
        if (node instanceof LogicalProject project) {
            return project(project);
        }
        if (node instanceof LogicalFilter filter) {
            Shape in = shape(filter.getInput());
            if (in.user()) {
                requireRowLocal(filter.getCondition(), in, "WHERE");
            }
            return in;
        }
        if (node instanceof LogicalJoin join) {
            return join(join);
        }
        if (node instanceof LogicalAggregate aggregate) {
            return aggregate(aggregate);
        }
        if (node instanceof LogicalUnion || node instanceof LogicalIntersect || node instanceof LogicalMinus) {
            return setOperation(node);
        }
        if (node instanceof LogicalSort sort) {
            Shape in = shape(sort.getInput());
            if (in.user() && (sort.fetch != null || sort.offset != null)) {
                throw Rejection.of("LIMIT and OFFSET are allowed only in the final SELECT of a query that reads a "
                        + "table with differential privacy (" + tablesOf(in) + "): before it, they would keep or "
                        + "drop rows of one user depending on the rows of others");
            }
            return in;
        }
        // anything else keeps the query only if it reads no table with differential privacy
        List<Optional<Origin>> origins = none(node);
        for (RelNode input : node.getInputs()) {
            Shape in = shape(input);
            if (in.user()) {
                throw Rejection.of(construct(node) + " is not supported on rows of a table with differential "
                        + "privacy (" + tablesOf(in) + ")");
            }
        }
        return Shape.ofPublic(origins);
    }

    private static String construct(RelNode node) {
        if (node instanceof LogicalCorrelate) {
            return "A correlated subquery or LATERAL";
        }
        if (node instanceof Uncollect) {
            return "UNNEST";
        }
        return "The construct " + node.getRelTypeName().replace("Logical", "");
    }

    private Shape scan(LogicalTableScan scan) {
        List<String> name = scan.getTable().getQualifiedName();
        TableSpec table = tables.get(name.get(name.size() - 1).toLowerCase(Locale.ROOT));
        if (table == null) {
            throw Rejection.of("The query reads a table query control does not know");
        }
        List<Optional<Origin>> origins = new ArrayList<>();
        Set<Integer> userFields = new HashSet<>();
        Optional<String> user = table.differentialPrivacy() ? table.userIdentifier() : Optional.empty();
        List<String> fields = scan.getRowType().getFieldNames();
        for (int i = 0; i < fields.size(); i++) {
            origins.add(Optional.of(new Origin(table, fields.get(i))));
            if (user.isPresent() && fields.get(i).equalsIgnoreCase(user.get())) {
                userFields.add(i);
            }
        }
        if (user.isEmpty()) {
            return Shape.ofPublic(origins);
        }
        if (userFields.isEmpty()) {
            throw Rejection.of("Table " + table.name() + " has differential privacy on column " + user.get()
                    + ", which is not among its allowed columns");
        }
        return new Shape(true, userFields, Set.of(table.name()), origins);
    }

    private Shape project(LogicalProject project) {
        Shape in = shape(project.getInput());
        List<Optional<Origin>> origins = new ArrayList<>();
        Set<Integer> userFields = new HashSet<>();
        List<RexNode> expressions = project.getProjects();
        for (int i = 0; i < expressions.size(); i++) {
            RexNode e = expressions.get(i);
            if (e instanceof RexInputRef ref) {
                origins.add(in.origins().get(ref.getIndex()));
                if (in.userFields().contains(ref.getIndex())) {
                    userFields.add(i);
                }
                continue;
            }
            origins.add(Optional.empty());
            if (in.user()) {
                requireRowLocal(e, in, "SELECT");
            }
        }
        if (!in.user()) {
            return Shape.ofPublic(origins);
        }
        if (userFields.isEmpty()) {
            throw Rejection.of("A CTE or subquery that reads a table with differential privacy (" + tablesOf(in)
                    + ") must keep its user identifier column, so that each of its rows stays one user's: output it "
                    + "unchanged, and GROUP BY it when it aggregates");
        }
        return new Shape(true, userFields, in.dpTables(), origins);
    }

    /**
     * An expression over partitioned rows must read one row: no subquery, no correlation, and a
     * window function only within a partition of one user.
     */
    private static void requireRowLocal(RexNode expression, Shape in, String clause) {
        expression.accept(new RexShuttle() {
            @Override
            public RexNode visitSubQuery(RexSubQuery subQuery) {
                throw Rejection.of("A subquery in an expression (IN, EXISTS or a scalar subquery) is not supported "
                        + "in a query that reads a table with differential privacy");
            }

            @Override
            public RexNode visitCorrelVariable(RexCorrelVariable variable) {
                throw Rejection.of("A correlated subquery is not supported in a query that reads a table with "
                        + "differential privacy");
            }

            @Override
            public RexNode visitOver(RexOver over) {
                boolean ofOneUser = over.getWindow().partitionKeys.stream()
                        .anyMatch(k -> k instanceof RexInputRef ref && in.userFields().contains(ref.getIndex()));
                if (!ofOneUser) {
                    throw Rejection.of("A window function over rows of a table with differential privacy ("
                            + tablesOf(in) + ") must PARTITION BY its user identifier column, so that it reads the "
                            + "rows of one user only");
                }
                return super.visitOver(over);
            }
        });
    }

    private Shape join(LogicalJoin join) {
        Shape left = shape(join.getLeft());
        Shape right = shape(join.getRight());
        int shift = join.getLeft().getRowType().getFieldCount();
        List<Optional<Origin>> origins = new ArrayList<>(left.origins());
        origins.addAll(right.origins());
        if (!left.user() && !right.user()) {
            return Shape.ofPublic(origins);
        }
        if (!join.getVariablesSet().isEmpty()) {
            throw Rejection.of("A correlated join is not supported in a query that reads a table with differential "
                    + "privacy");
        }
        JoinRelType type = join.getJoinType();
        Set<String> dpTables = new LinkedHashSet<>(left.dpTables());
        dpTables.addAll(right.dpTables());
        Shape both = new Shape(true, union(left.userFields(), shifted(right.userFields(), shift)), dpTables, origins);
        requireRowLocal(join.getCondition(), both, "ON");
        if (type != JoinRelType.INNER && type != JoinRelType.LEFT && type != JoinRelType.RIGHT) {
            throw Rejection.of(type + " joins are not supported in a query that reads a table with differential "
                    + "privacy (" + String.join(", ", new TreeSet<>(dpTables)) + "): use INNER, LEFT or RIGHT joins");
        }
        if (left.user() && right.user()) {
            if (!joinsOnUsers(join.getCondition(), left.userFields(), right.userFields(), shift)) {
                throw Rejection.of("Rows of tables with differential privacy (" + String.join(", ",
                        new TreeSet<>(dpTables)) + ") may only be joined with each other on their user identifier "
                        + "columns (an equality of the two columns in the ON condition)");
            }
            Set<Integer> fields = switch (type) {
                case LEFT -> left.userFields();
                case RIGHT -> shifted(right.userFields(), shift);
                default -> both.userFields();
            };
            return new Shape(true, fields, dpTables, origins);
        }
        // one side is public: no unmatched row of it may appear without a user
        boolean keepsPublicRows = left.user() ? type == JoinRelType.RIGHT : type == JoinRelType.LEFT;
        if (keepsPublicRows) {
            throw Rejection.of("A " + type + " join may not keep the unmatched rows of a table without differential "
                    + "privacy when it joins rows of a table with differential privacy (" + tablesOf(left.user()
                            ? left : right) + "): those rows would belong to no user");
        }
        return new Shape(true, left.user() ? left.userFields() : shifted(right.userFields(), shift), dpTables,
                origins);
    }

    private static boolean joinsOnUsers(RexNode condition, Set<Integer> left, Set<Integer> right, int shift) {
        for (RexNode conjunct : RelOptUtil.conjunctions(condition)) {
            if (conjunct.getKind() != SqlKind.EQUALS || !(conjunct instanceof RexCall call)) {
                continue;
            }
            if (call.getOperands().get(0) instanceof RexInputRef a && call.getOperands().get(1) instanceof RexInputRef b) {
                int x = Math.min(a.getIndex(), b.getIndex());
                int y = Math.max(a.getIndex(), b.getIndex());
                if (left.contains(x) && y >= shift && right.contains(y - shift)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Set<Integer> shifted(Set<Integer> fields, int shift) {
        Set<Integer> out = new HashSet<>();
        fields.forEach(f -> out.add(f + shift));
        return out;
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }

    private Shape aggregate(LogicalAggregate aggregate) {
        Shape in = shape(aggregate.getInput());
        List<Optional<Origin>> origins = new ArrayList<>();
        Set<Integer> userFields = new HashSet<>();
        List<Integer> keys = aggregate.getGroupSet().asList();
        for (int i = 0; i < keys.size(); i++) {
            origins.add(in.origins().get(keys.get(i)));
            if (in.userFields().contains(keys.get(i))) {
                userFields.add(i);
            }
        }
        for (int i = 0; i < aggregate.getAggCallList().size(); i++) {
            origins.add(Optional.empty());
        }
        if (!in.user()) {
            return Shape.ofPublic(origins);
        }
        if (aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
            throw Rejection.of("GROUPING SETS, ROLLUP and CUBE are not supported in a query that reads a table "
                    + "with differential privacy");
        }
        if (userFields.isEmpty()) {
            throw Rejection.of("An aggregation over rows of a table with differential privacy (" + tablesOf(in)
                    + ") before the final SELECT must GROUP BY its user identifier column, so that each of its rows "
                    + "is one user's");
        }
        return new Shape(true, userFields, in.dpTables(), origins);
    }

    private Shape setOperation(RelNode node) {
        List<Shape> inputs = new ArrayList<>();
        for (RelNode input : node.getInputs()) {
            inputs.add(shape(input));
        }
        int fields = node.getRowType().getFieldCount();
        List<Optional<Origin>> origins = new ArrayList<>();
        for (int i = 0; i < fields; i++) {
            Optional<Origin> first = inputs.get(0).origins().get(i);
            int field = i;
            origins.add(inputs.stream().allMatch(s -> s.origins().get(field).equals(first)) ? first
                    : Optional.empty());
        }
        boolean anyUser = inputs.stream().anyMatch(Shape::user);
        if (!anyUser) {
            return Shape.ofPublic(origins);
        }
        if (!inputs.stream().allMatch(Shape::user)) {
            throw Rejection.of("A set operation (UNION, INTERSECT, EXCEPT) may not combine rows of a table with "
                    + "differential privacy with rows of tables without it");
        }
        Set<Integer> common = new HashSet<>(inputs.get(0).userFields());
        Set<String> dpTables = new LinkedHashSet<>();
        for (Shape s : inputs) {
            common.retainAll(s.userFields());
            dpTables.addAll(s.dpTables());
        }
        if (common.isEmpty()) {
            throw Rejection.of("The branches of a set operation (UNION, INTERSECT, EXCEPT) over tables with "
                    + "differential privacy must have the user identifier column in the same position");
        }
        return new Shape(true, common, dpTables, origins);
    }
}
