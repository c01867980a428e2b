package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.privacy.Aggregation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSelectKeyword;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.util.Litmus;

/**
 * Differentially private queries: the shape AWS's DP SQL allows, checked by allow-list, and the
 * rewrite that bounds every user's contribution before aggregation (the noise is added by the query
 * stage, from the {@link DifferentialPrivacyPlan} made here).
 *
 * <p>The shape: {@code [WITH ctes] SELECT dimensions, aggregations FROM ... [WHERE ...] [GROUP BY
 * dimensions] [ORDER BY outputs] [LIMIT n] [OFFSET n]}, where each output column is a GROUP BY
 * expression or one of COUNT(*), COUNT(x), COUNT(DISTINCT x), SUM(c), AVG(c), STDDEV(c) (c a column
 * of a table, unchanged, whose owner declared its bounds). What the final SELECT reads must keep
 * the rows of each user apart ({@link UserLineage}: CTEs and subqueries emit the user identifier,
 * joins of protected rows are on it, windows partition by it). Refused, each by name: a final
 * set operation, SELECT DISTINCT, HAVING, QUALIFY, WINDOW, subqueries in expressions (IN, EXISTS,
 * scalar), any other aggregation, aggregations with DISTINCT (but COUNT), FILTER or OVER, an
 * expression over aggregations, tables with differential privacy of two members in one query,
 * and aggregation thresholds (which AWS does not combine with differential privacy either).
 *
 * <p>The rewrite, on the engine:
 * <pre>
 * [WITH ctes]
 * SELECT keys, COUNT(*) | COUNT(value) | COUNT(DISTINCT value) | SUM(unit) | SUM(unit * unit) ...,
 *        COUNT(DISTINCT dp_user)
 * FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY dp_user
 *                                      ORDER BY HASH(salt, keys, values), keys, values) AS dp_rank
 *       FROM (SELECT dp_user, keys, values and units clamped to [low, high] FROM
 *             (SELECT user identifier AS dp_user, group expressions, arguments FROM ... WHERE ...))
 *       WHERE dp_user IS NOT NULL)
 * WHERE dp_rank &lt;= L
 * GROUP BY keys
 * </pre>
 * Each user keeps at most L rows over the whole query, chosen by a 64-bit hash of the row keyed
 * with a secret salt drawn for each query ({@link #ROW_HASH}: DuckDB's hash, Spark's xxhash64):
 * which rows a user keeps depends only on that user's rows, never on the order the engine meets
 * them. So a user is in at most L groups and every statistic's sensitivity over
 * all groups is bounded as {@link DifferentialPrivacyPlan.Aggregate} says. Rows without a user
 * (a NULL identifier) count for nothing.
 */
final class DifferentialPrivacy {
    /** Glue column Parameters: the bounds of a column's values, and table or column: rows per user. */
    static final String MIN = "cleanroom.dp.min";
    static final String MAX = "cleanroom.dp.max";
    static final String ROWS_PER_USER = "cleanroom.dp.rows-per-user";
    /** L when nobody declares it: each user contributes one row. */
    static final long DEFAULT_ROWS_PER_USER = 1;
    static final long MAX_ROWS_PER_USER = 10_000;
    /** Bounds are declared within ±10^18. */
    private static final BigDecimal MAX_BOUND = BigDecimal.TEN.pow(18);
    /** Unit values lie within ±10^9, so a square fits in BIGINT and a sum in 128 bits. */
    private static final int UNIT_DIGITS = 9;

    private static final SqlParserPos POS = SqlParserPos.ZERO;
    private static final String PLACEHOLDER = "dp_placeholder";

    /**
     * The hash that ranks a user's rows: HASH(salt, keys..., values...), a 64-bit hash of its
     * arguments that the engines compute without turning them into text: DuckDB's hash(...) and
     * Spark's xxhash64(...). The salt, first, keys it. Only the rewrite calls it: it is known to the
     * validator of rewritten queries alone, never to a query's.
     */
    static final org.apache.calcite.sql.SqlFunction ROW_HASH = new org.apache.calcite.sql.SqlFunction("HASH",
            SqlKind.OTHER_FUNCTION, org.apache.calcite.sql.type.ReturnTypes.BIGINT,
            null, org.apache.calcite.sql.type.OperandTypes.VARIADIC,
            org.apache.calcite.sql.SqlFunctionCategory.SYSTEM);

    private static final org.apache.calcite.sql.SqlOperatorTable REWRITE_OPERATORS =
            org.apache.calcite.sql.util.SqlOperatorTables.chain(Frontend.OPERATORS,
                    org.apache.calcite.sql.util.SqlOperatorTables.of(ROW_HASH));

    private DifferentialPrivacy() {
    }

    /** The rewritten query (validated, for the safe rendering), its plan and the constraints it adds. */
    record Result(SqlNode tree, Frontend frontend, DifferentialPrivacyPlan plan, List<String> notes) {
    }

    static boolean applies(List<TableSpec> referenced) {
        return referenced.stream().anyMatch(TableSpec::differentialPrivacy);
    }

    /**
     * What the tables of a differentially private query must be: tables with differential privacy
     * of one member only (AWS: no join of two providers that both have it on), one user identifier
     * column name among them, and no aggregation thresholds on any table.
     */
    static void checkTables(List<TableSpec> referenced) {
        Map<AccountId, List<String>> byOwner = new LinkedHashMap<>();
        Set<String> identifiers = new TreeSet<>();
        for (TableSpec table : referenced) {
            if (table.differentialPrivacy()) {
                byOwner.computeIfAbsent(table.owner(), o -> new ArrayList<>()).add(table.name());
                identifiers.add(table.userIdentifier().orElseThrow().toLowerCase(Locale.ROOT));
            }
            if (table.rule().orElseThrow() instanceof Custom custom && !custom.aggregationThresholds().isEmpty()) {
                throw Rejection.of("Table " + table.name() + " has aggregation thresholds, which do not combine with "
                        + "differential privacy: a query that reads a table with differential privacy cannot read it");
            }
        }
        if (byOwner.size() > 1) {
            List<String> described = new ArrayList<>();
            byOwner.forEach((owner, names) -> described.add(String.join(", ", names) + " of account " + owner));
            throw Rejection.of("A query may not read tables with differential privacy of two members ("
                    + String.join("; ", described) + "): each member's users are protected on their own");
        }
        if (identifiers.size() > 1) {
            throw Rejection.of("The tables with differential privacy of this query protect different user identifier "
                    + "columns (" + String.join(", ", identifiers) + ")");
        }
    }

    /** One aggregation of the final SELECT, as written. */
    private record Written(Aggregation type, SqlCall call, SqlNode argument) {
    }

    /**
     * Checks the shape of a validated query that reads a table with differential privacy, and
     * rewrites it (see the class comment). salt keys the hash that picks each user's rows.
     */
    static Result rewrite(SqlNode validated, List<TableSpec> referenced, Map<String, TableSpec> tables,
            Frontend frontend, String salt, Trace trace) {
        SqlNodeList withList = null;
        SqlNode body = validated;
        if (validated instanceof SqlWith with) {
            withList = with.withList;
            body = with.body;
        }
        if (body instanceof SqlOrderBy order && order.query instanceof SqlSelect) {
            body = order.query;
        }
        if (!(body instanceof SqlSelect select)) {
            throw Rejection.of("A query that reads a table with differential privacy ends with one SELECT: UNION, "
                    + "INTERSECT and EXCEPT are allowed only inside its CTEs");
        }
        noSubqueriesInExpressions(validated);
        if (select.isDistinct()) {
            throw Rejection.of("SELECT DISTINCT is not supported in the final SELECT of a query that reads a table "
                    + "with differential privacy; group with GROUP BY");
        }
        if (select.getHaving() != null) {
            throw Rejection.of("HAVING is not supported in a query that reads a table with differential privacy: "
                    + "groups are chosen by their noisy number of users");
        }
        if (select.getQualify() != null) {
            throw Rejection.of("QUALIFY is not supported in a query that reads a table with differential privacy");
        }
        if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
            throw Rejection.of("WINDOW is not supported in the final SELECT of a query that reads a table with "
                    + "differential privacy");
        }
        if (select.getFrom() == null) {
            throw Rejection.of("The final SELECT of a query that reads a table with differential privacy must read it");
        }
        List<SqlNode> groups = new ArrayList<>();
        if (select.getGroup() != null) {
            for (SqlNode group : select.getGroup()) {
                if (group.getKind() == SqlKind.ROLLUP || group.getKind() == SqlKind.CUBE
                        || group.getKind() == SqlKind.GROUPING_SETS || group instanceof SqlNodeList) {
                    throw Rejection.of("GROUPING SETS, ROLLUP and CUBE are not supported in a query that reads a "
                            + "table with differential privacy");
                }
                groups.add(group);
            }
        }
        boolean grouped = !groups.isEmpty();

        // the output columns: group keys and aggregations
        List<String> names = frontend.validator().getValidatedNodeType(select).getFieldNames();
        List<Written> written = new ArrayList<>();
        List<int[]> outputRefs = new ArrayList<>(); // {key?1:0, index in groups or in written}
        List<SqlNode> items = select.getSelectList().getList();
        for (int i = 0; i < items.size(); i++) {
            SqlNode item = items.get(i);
            SqlNode expression = item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
            if (expression instanceof SqlCall call && (call.getOperator().isAggregator()
                    || call.getKind() == SqlKind.FILTER || call.getKind() == SqlKind.WITHIN_GROUP
                    || call.getKind() == SqlKind.OVER)) {
                written.add(aggregation(call));
                outputRefs.add(new int[] {0, written.size() - 1});
                continue;
            }
            if (SafeEvaluation.holdsAggregateOrQuery(expression)) {
                throw Rejection.of("Output column " + names.get(i) + " computes on aggregations: each output column "
                        + "of a query that reads a table with differential privacy is a GROUP BY expression or one "
                        + "aggregation (COUNT, COUNT DISTINCT, SUM, AVG, STDDEV)");
            }
            int key = -1;
            for (int k = 0; k < groups.size() && key < 0; k++) {
                if (groups.get(k).equalsDeep(expression, Litmus.IGNORE)) {
                    key = k;
                }
            }
            if (key < 0) {
                throw Rejection.of("Output column " + names.get(i) + " is neither a GROUP BY expression nor an "
                        + "aggregation (COUNT, COUNT DISTINCT, SUM, AVG, STDDEV)");
            }
            outputRefs.add(new int[] {1, key});
        }
        if (written.isEmpty()) {
            throw Rejection.of("A query that reads a table with differential privacy releases at least one "
                    + "aggregation (COUNT, COUNT DISTINCT, SUM, AVG, STDDEV)");
        }
        List<DifferentialPrivacyPlan.Order> order = order(select, items, names);
        long offset = count(select.getOffset(), "OFFSET");
        long limit = select.getFetch() == null ? -1 : count(select.getFetch(), "LIMIT");

        // what the final SELECT reads, as rows of users
        Probe probe = probe(withList, select, referenced, tables);
        if (!probe.shape().user()) {
            throw Rejection.of("The final SELECT of a query that reads a table with differential privacy must read "
                    + "that table (its FROM reads none)");
        }
        SqlIdentifier user = probe.identifier(probe.shape().userField());

        // bounds and rows per user
        long rowsPerUser = Long.MAX_VALUE;
        for (TableSpec table : referenced) {
            if (table.differentialPrivacy()) {
                rowsPerUser = Math.min(rowsPerUser, rowsPerUser(table.parameters().table(), "Table " + table.name()));
            }
        }
        List<Optional<Bounds>> bounds = new ArrayList<>();
        for (Written w : written) {
            if (w.type() == Aggregation.SUM || w.type() == Aggregation.AVG || w.type() == Aggregation.STDDEV) {
                Bounds b = bounds(w, probe, frontend);
                rowsPerUser = Math.min(rowsPerUser, b.rowsPerUser());
                bounds.add(Optional.of(b));
            } else {
                bounds.add(Optional.empty());
            }
        }
        long contribution = rowsPerUser == Long.MAX_VALUE ? DEFAULT_ROWS_PER_USER : rowsPerUser;
        BigInteger l = BigInteger.valueOf(contribution);

        // the engine's columns: keys, then statistics
        Engine engine = new Engine(groups.size());
        List<DifferentialPrivacyPlan.Aggregate> aggregates = new ArrayList<>();
        Map<String, Integer> distinct = new LinkedHashMap<>();
        int[] aggregateOf = new int[written.size()];
        int usersAggregate = -1;
        for (int w = 0; w < written.size(); w++) {
            Written aggregation = written.get(w);
            String expression = readable(aggregation.call());
            String identity = aggregation.type() + " " + render(aggregation.call());
            Integer known = distinct.get(identity);
            if (known != null) {
                aggregateOf[w] = known;
                continue;
            }
            DifferentialPrivacyPlan.Aggregate planned = switch (aggregation.type()) {
                case COUNT -> {
                    int count = aggregation.argument() == null ? engine.stat("COUNT(*)")
                            : engine.stat("COUNT(" + engine.raw(aggregation.argument()) + ")");
                    yield new DifferentialPrivacyPlan.Aggregate(Aggregation.COUNT, expression, count, -1, -1,
                            Optional.empty(), l, BigInteger.ZERO, BigInteger.ZERO, Optional.empty(), Optional.empty());
                }
                case COUNT_DISTINCT -> {
                    boolean users = probe.isUser(aggregation.argument());
                    int count = users ? engine.stat("COUNT(DISTINCT dp_user)")
                            : engine.stat("COUNT(DISTINCT " + engine.raw(aggregation.argument()) + ")");
                    yield new DifferentialPrivacyPlan.Aggregate(Aggregation.COUNT_DISTINCT, expression, count, -1,
                            -1, Optional.empty(), users && !grouped ? BigInteger.ONE : l, BigInteger.ZERO,
                            BigInteger.ZERO, Optional.empty(), Optional.empty());
                }
                default -> {
                    Bounds b = bounds.get(w).orElseThrow();
                    DifferentialPrivacyPlan.Grid grid = b.grid();
                    String unit = engine.unit(aggregation.argument(), b);
                    int sum = engine.stat("SUM(" + unit + ")");
                    if (aggregation.type() == Aggregation.SUM) {
                        yield new DifferentialPrivacyPlan.Aggregate(Aggregation.SUM, expression, -1, sum, -1,
                                Optional.of(grid), BigInteger.ZERO, l.multiply(grid.magnitude()), BigInteger.ZERO,
                                Optional.of(b.min()), Optional.of(b.max()));
                    }
                    int count = engine.stat("COUNT(" + unit + ")");
                    boolean stddev = aggregation.type() == Aggregation.STDDEV;
                    int squares = stddev ? engine.stat("SUM(" + unit + " * " + unit + ")") : -1;
                    yield new DifferentialPrivacyPlan.Aggregate(aggregation.type(), expression, count, sum, squares,
                            Optional.of(grid), l, l.multiply(grid.width()),
                            stddev ? l.multiply(grid.width().pow(2)) : BigInteger.ZERO, Optional.of(b.min()),
                            Optional.of(b.max()));
                }
            };
            if (grouped && planned.type() == Aggregation.COUNT_DISTINCT && probe.isUser(aggregation.argument())
                    && usersAggregate < 0) {
                usersAggregate = aggregates.size();
            }
            distinct.put(identity, aggregates.size());
            aggregateOf[w] = aggregates.size();
            aggregates.add(planned);
        }
        int users = grouped ? engine.stat("COUNT(DISTINCT dp_user)") : -1;
        List<DifferentialPrivacyPlan.Output> outputs = new ArrayList<>();
        List<String> outputNames = outputNames(names, outputRefs, written);
        for (int i = 0; i < outputRefs.size(); i++) {
            int[] ref = outputRefs.get(i);
            outputs.add(new DifferentialPrivacyPlan.Output(outputNames.get(i), ref[0] == 1,
                    ref[0] == 1 ? ref[1] : aggregateOf[ref[1]]));
        }

        // the rewritten query: the skeleton, with the user's FROM, WHERE, keys and arguments put in
        SqlNode rewritten = engine.build(withList, user, groups, select.getFrom(), select.getWhere(), grouped,
                contribution, salt);
        // the user's parts passed Surface on the query as written; the rest is this class's
        Frontend again = new Frontend(referenced, REWRITE_OPERATORS);
        SqlNode checked = again.validate(Frontend.parse(CheckedQuery.render(rewritten, CalciteSqlDialect.DEFAULT)));

        StringBuilder canonical = new StringBuilder(CheckedQuery.render(validated, CalciteSqlDialect.DEFAULT));
        canonical.append("\nrows per user ").append(contribution);
        for (DifferentialPrivacyPlan.Aggregate a : aggregates) {
            canonical.append('\n').append(a.type()).append(' ').append(a.expression());
            a.grid().ifPresent(g -> canonical.append(" grid ").append(g.step().toPlainString()).append(' ')
                    .append(g.low()).append(' ').append(g.high()));
        }
        DifferentialPrivacyPlan plan = new DifferentialPrivacyPlan(groups.size(), grouped, contribution, aggregates,
                users < 0 ? -1 : groups.size() + users, usersAggregate, outputs, order, offset, limit,
                canonical.toString());

        List<String> notes = new ArrayList<>();
        notes.add("each user (" + readable(user) + ") contributes at most " + contribution + " row"
                + (contribution == 1 ? "" : "s") + " to the whole query, chosen by a hash of each row keyed with a "
                + "secret drawn for the query");
        for (int i = 0; i < aggregates.size(); i++) {
            DifferentialPrivacyPlan.Aggregate a = aggregates.get(i);
            a.grid().ifPresent(g -> notes.add("the values of " + a.expression() + " are clamped to the bounds "
                    + "their owner declared and counted in units of " + g.step().toPlainString()));
        }
        if (grouped) {
            notes.add("a group is released only when its noisy number of users reaches the release threshold "
                    + "(delta " + io.cleanroom.privacy.Calibration.PARTITION_DELTA + ")");
        }
        notes.add("noise: discrete Laplace on each of " + plan.statistics() + " statistic"
                + (plan.statistics() == 1 ? "" : "s") + ", each costing epsilon 1/usersNoisePerQuery");
        for (String note : notes) {
            trace.allow("DIFFERENTIAL PRIVACY", note, "added by the rewrite");
        }
        return new Result(checked, again, plan, notes);
    }

    /** The validated probe {@code [WITH ...] SELECT * FROM from WHERE where}, and its plan's user lineage. */
    private record Probe(SqlSelect select, UserLineage.Shape shape) {
        SqlIdentifier identifier(int field) {
            SqlNode item = select.getSelectList().get(field);
            SqlNode expression = item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
            SqlIdentifier id = (SqlIdentifier) expression;
            return new SqlIdentifier(id.names, POS);
        }

        /** The field a FROM column reference is, or -1 when the expression is not one. */
        int field(SqlNode expression) {
            if (!(expression instanceof SqlIdentifier id) || id.isStar()) {
                return -1;
            }
            List<SqlNode> items = select.getSelectList().getList();
            for (int i = 0; i < items.size(); i++) {
                SqlNode item = items.get(i);
                SqlNode e = item.getKind() == SqlKind.AS ? ((SqlCall) item).operand(0) : item;
                if (e instanceof SqlIdentifier candidate && candidate.names.size() == id.names.size()) {
                    boolean same = true;
                    for (int n = 0; n < id.names.size(); n++) {
                        same &= candidate.names.get(n).equalsIgnoreCase(id.names.get(n));
                    }
                    if (same) {
                        return i;
                    }
                }
            }
            return -1;
        }

        boolean isUser(SqlNode expression) {
            int field = field(expression);
            return field >= 0 && shape.userFields().contains(field);
        }
    }

    private static Probe probe(SqlNodeList withList, SqlSelect select, List<TableSpec> referenced,
            Map<String, TableSpec> tables) {
        SqlSelect star = new SqlSelect(POS, null, SqlNodeList.of(SqlIdentifier.star(POS)), select.getFrom(),
                select.getWhere(), null, null, null, null, null, null, null, null);
        SqlNode query = withList == null ? star : new SqlWith(POS, withList, star);
        Frontend frontend = new Frontend(referenced);
        SqlNode validated = frontend.validate(Frontend.parse(CheckedQuery.render(query, CalciteSqlDialect.DEFAULT)));
        SqlNode body = validated instanceof SqlWith with ? with.body : validated;
        RelRoot root;
        try {
            root = frontend.toRel(validated);
        } catch (io.cleanroom.core.CleanroomException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Rejection.of("The query uses a construct that cannot be analysed");
        }
        return new Probe((SqlSelect) body, UserLineage.of(root.rel, tables));
    }

    /** Refuses a query in an expression: IN (subquery), EXISTS, a scalar subquery, anywhere. */
    private static void noSubqueriesInExpressions(SqlNode root) {
        Deque<SqlNode> queries = new ArrayDeque<>();
        Deque<SqlNode> expressions = new ArrayDeque<>();
        queries.push(root);
        while (!queries.isEmpty() || !expressions.isEmpty()) {
            if (!expressions.isEmpty()) {
                SqlNode node = expressions.pop();
                if (node instanceof SqlSelect || node instanceof SqlWith || node instanceof SqlOrderBy
                        || node.getKind() == SqlKind.UNION || node.getKind() == SqlKind.INTERSECT
                        || node.getKind() == SqlKind.EXCEPT || node.getKind() == SqlKind.EXISTS) {
                    throw Rejection.of("A subquery in an expression (IN, EXISTS or a scalar subquery) is not "
                            + "supported in a query that reads a table with differential privacy; join a CTE instead");
                }
                if (node instanceof SqlNodeList list) {
                    list.forEach(n -> pushNonNull(expressions, n));
                } else if (node instanceof SqlCall call) {
                    call.getOperandList().forEach(n -> pushNonNull(expressions, n));
                }
                continue;
            }
            SqlNode node = queries.pop();
            if (node instanceof SqlWith with) {
                for (SqlNode item : with.withList) {
                    queries.push(((SqlWithItem) item).query);
                }
                queries.push(with.body);
            } else if (node instanceof SqlOrderBy order) {
                queries.push(order.query);
                pushNonNull(expressions, order.orderList);
            } else if (node instanceof SqlSelect select) {
                from(select.getFrom(), queries, expressions);
                for (SqlNode part : new SqlNode[] {select.getSelectList(), select.getWhere(), select.getGroup(),
                        select.getHaving(), select.getQualify(), select.getOrderList(), select.getWindowList()}) {
                    pushNonNull(expressions, part);
                }
            } else if (node instanceof SqlCall call && (call.getKind() == SqlKind.UNION
                    || call.getKind() == SqlKind.INTERSECT || call.getKind() == SqlKind.EXCEPT)) {
                call.getOperandList().forEach(n -> pushNonNull(queries, n));
            } else {
                pushNonNull(expressions, node);
            }
        }
    }

    private static void from(SqlNode from, Deque<SqlNode> queries, Deque<SqlNode> expressions) {
        if (from == null) {
            return;
        }
        if (from instanceof SqlJoin join) {
            from(join.getLeft(), queries, expressions);
            from(join.getRight(), queries, expressions);
            pushNonNull(expressions, join.getCondition());
            return;
        }
        if (from.getKind() == SqlKind.AS) {
            from(((SqlCall) from).operand(0), queries, expressions);
            return;
        }
        if (from instanceof SqlIdentifier) {
            return;
        }
        if (from.getKind() == SqlKind.LATERAL || from.getKind() == SqlKind.UNNEST
                || from.getKind() == SqlKind.COLLECTION_TABLE) {
            throw Rejection.of("LATERAL, UNNEST and table functions are not supported in a query that reads a table "
                    + "with differential privacy");
        }
        queries.push(from);
    }

    private static void pushNonNull(Deque<SqlNode> stack, SqlNode node) {
        if (node != null) {
            stack.push(node);
        }
    }

    private static Written aggregation(SqlCall call) {
        if (call.getKind() == SqlKind.OVER) {
            throw Rejection.of("Window functions are not supported in the final SELECT of a query that reads a table "
                    + "with differential privacy");
        }
        if (call.getKind() == SqlKind.FILTER || call.getKind() == SqlKind.WITHIN_GROUP) {
            throw Rejection.of(call.getKind().sql + " on an aggregation is not supported in a query that reads a table "
                    + "with differential privacy; filter in WHERE");
        }
        boolean isDistinct = call.getFunctionQuantifier() != null
                && call.getFunctionQuantifier().getValue() == SqlSelectKeyword.DISTINCT;
        String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
        List<SqlNode> operands = call.getOperandList();
        if (name.equals("COUNT")) {
            if (operands.size() != 1) {
                throw Rejection.of("COUNT takes one argument in a query that reads a table with differential privacy");
            }
            SqlNode argument = operands.get(0);
            boolean star = argument instanceof SqlIdentifier id && id.isStar();
            if (isDistinct) {
                if (star) {
                    throw Rejection.of("COUNT(DISTINCT *) is not supported");
                }
                return new Written(Aggregation.COUNT_DISTINCT, call, argument);
            }
            return new Written(Aggregation.COUNT, call, star ? null : argument);
        }
        Aggregation type = switch (name) {
            case "SUM" -> Aggregation.SUM;
            case "AVG" -> Aggregation.AVG;
            case "STDDEV", "STDDEV_SAMP" -> Aggregation.STDDEV;
            default -> throw Rejection.of("Aggregation " + name + " is not allowed in a query that reads a table with "
                    + "differential privacy: its final SELECT may use COUNT, COUNT DISTINCT, SUM, AVG and STDDEV");
        };
        if (isDistinct) {
            throw Rejection.of(name + "(DISTINCT ...) is not supported in a query that reads a table with differential "
                    + "privacy");
        }
        if (operands.size() != 1) {
            throw Rejection.of(name + " takes one argument");
        }
        return new Written(type, call, operands.get(0));
    }

    /** ORDER BY over the outputs: a position, an output's name, or a selected expression. */
    private static List<DifferentialPrivacyPlan.Order> order(SqlSelect select, List<SqlNode> items,
            List<String> names) {
        List<DifferentialPrivacyPlan.Order> out = new ArrayList<>();
        if (select.getOrderList() == null) {
            return out;
        }
        for (SqlNode item : select.getOrderList()) {
            boolean descending = false;
            Boolean nullsFirst = null;
            SqlNode e = item;
            while (e instanceof SqlCall call && (call.getKind() == SqlKind.DESCENDING
                    || call.getKind() == SqlKind.NULLS_FIRST || call.getKind() == SqlKind.NULLS_LAST)) {
                if (call.getKind() == SqlKind.DESCENDING) {
                    descending = true;
                } else if (nullsFirst == null) {
                    nullsFirst = call.getKind() == SqlKind.NULLS_FIRST;
                }
                e = call.operand(0);
            }
            int output = -1;
            if (e instanceof SqlNumericLiteral literal && literal.isInteger()) {
                int position = literal.intValue(false);
                if (position >= 1 && position <= items.size()) {
                    output = position - 1;
                }
            } else if (e instanceof SqlIdentifier id && id.isSimple()) {
                output = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList()
                        .indexOf(id.getSimple().toLowerCase(Locale.ROOT));
            }
            for (int i = 0; i < items.size() && output < 0; i++) {
                SqlNode selected = items.get(i).getKind() == SqlKind.AS ? ((SqlCall) items.get(i)).operand(0)
                        : items.get(i);
                if (selected.equalsDeep(e, Litmus.IGNORE)) {
                    output = i;
                }
            }
            if (output < 0) {
                throw Rejection.of("ORDER BY in a query that reads a table with differential privacy names output "
                        + "columns (a position, an output's name or a selected expression)");
            }
            // NULLs last unless asked otherwise, as the engines sort them
            out.add(new DifferentialPrivacyPlan.Order(output, descending, nullsFirst != null && nullsFirst));
        }
        return out;
    }

    private static long count(SqlNode node, String clause) {
        if (node == null) {
            return 0;
        }
        if (node instanceof SqlNumericLiteral literal && literal.isInteger() && literal.bigDecimalValue() != null
                && literal.bigDecimalValue().signum() >= 0
                && literal.bigDecimalValue().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
            return literal.bigDecimalValue().longValueExact();
        }
        throw Rejection.of(clause + " takes a whole number literal");
    }

    /** Names of the outputs: the query's own, and for an unnamed aggregation its kind (count, sum ...). */
    private static List<String> outputNames(List<String> names, List<int[]> refs, List<Written> written) {
        List<String> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.startsWith("EXPR$") && refs.get(i)[0] == 0) {
                name = written.get(refs.get(i)[1]).type().name().toLowerCase(Locale.ROOT);
            }
            String unique = name;
            for (int n = 2; !used.add(unique.toLowerCase(Locale.ROOT)); n++) {
                unique = name + "_" + n;
            }
            out.add(unique);
        }
        return out;
    }

    /** What the owner declared for a SUM, AVG or STDDEV argument: bounds on a grid, and rows per user. */
    private record Bounds(BigDecimal min, BigDecimal max, DifferentialPrivacyPlan.Grid grid, boolean integral,
            long rowsPerUser) {
    }

    private static Bounds bounds(Written w, Probe probe, Frontend frontend) {
        String name = w.type().name();
        int field = probe.field(w.argument());
        Optional<UserLineage.Origin> origin = field < 0 ? Optional.empty() : probe.shape().origins().get(field);
        if (origin.isEmpty()) {
            throw Rejection.of(name + " in a query that reads a table with differential privacy takes a column of a "
                    + "table as it is, whose owner declares its bounds (" + MIN + " and " + MAX + "); "
                    + readable(w.argument()) + " is not one");
        }
        RelDataType type = frontend.validator().getValidatedNodeType(w.argument());
        if (!SqlTypeUtil.isNumeric(type)) {
            throw Rejection.of(name + " needs a numeric column; " + readable(w.argument()) + " is not");
        }
        TableSpec table = origin.get().table();
        String column = origin.get().column();
        Map<String, String> parameters = table.parameters().column(column);
        String described = "Column " + column + " of table " + table.name();
        if (!parameters.containsKey(MIN) || !parameters.containsKey(MAX)) {
            throw Rejection.of(name + "(" + readable(w.argument()) + ") needs bounds: " + described + " has no "
                    + "declared " + MIN + " and " + MAX + " (Glue column Parameters its owner sets), and without them "
                    + "SUM, AVG and STDDEV are refused");
        }
        BigDecimal min;
        BigDecimal max;
        try {
            min = new BigDecimal(parameters.get(MIN).trim());
            max = new BigDecimal(parameters.get(MAX).trim());
        } catch (NumberFormatException e) {
            throw invalidBounds(described);
        }
        if (min.compareTo(max) >= 0 || min.abs().compareTo(MAX_BOUND) > 0 || max.abs().compareTo(MAX_BOUND) > 0) {
            throw invalidBounds(described);
        }
        boolean integral = SqlTypeUtil.isIntType(type);
        long rows = rowsPerUser(parameters, described);
        return new Bounds(min, max, grid(min, max, integral), integral, rows);
    }

    private static io.cleanroom.core.CleanroomException invalidBounds(String described) {
        return Rejection.of(described + " declares bounds that are not valid: " + MIN + " and " + MAX + " must be "
                + "numbers within ±10^18, the minimum below the maximum; its owner must correct them");
    }

    /**
     * The grid of a column's values: the largest power of ten as step such that the bounds stay
     * within ±10^9 units (a step of 1 for integers with whole bounds that fit), and the bounds in
     * whole units, widened outwards.
     */
    static DifferentialPrivacyPlan.Grid grid(BigDecimal min, BigDecimal max, boolean integral) {
        BigDecimal magnitude = min.abs().max(max.abs());
        int k = magnitude.precision() - magnitude.scale() - UNIT_DIGITS;
        while (magnitude.compareTo(BigDecimal.ONE.scaleByPowerOfTen(k - 1 + UNIT_DIGITS)) <= 0) {
            k--;
        }
        while (magnitude.compareTo(BigDecimal.ONE.scaleByPowerOfTen(k + UNIT_DIGITS)) > 0) {
            k++;
        }
        if (integral && k < 0 && min.stripTrailingZeros().scale() <= 0 && max.stripTrailingZeros().scale() <= 0) {
            k = 0;
        }
        BigDecimal step = BigDecimal.ONE.scaleByPowerOfTen(k);
        long low = min.scaleByPowerOfTen(-k).setScale(0, RoundingMode.FLOOR).longValueExact();
        long high = max.scaleByPowerOfTen(-k).setScale(0, RoundingMode.CEILING).longValueExact();
        return new DifferentialPrivacyPlan.Grid(step, low, high);
    }

    private static long rowsPerUser(Map<String, String> parameters, String described) {
        String value = parameters.get(ROWS_PER_USER);
        if (value == null) {
            return Long.MAX_VALUE;
        }
        try {
            long rows = Long.parseLong(value.trim());
            if (rows >= 1 && rows <= MAX_ROWS_PER_USER) {
                return rows;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw Rejection.of(described + " declares " + ROWS_PER_USER + " that is not a whole number from 1 to "
                + MAX_ROWS_PER_USER + "; its owner must correct it");
    }

    static String render(SqlNode node) {
        return CheckedQuery.render(node, CalciteSqlDialect.DEFAULT);
    }

    /** An expression as a person reads it: identifiers unquoted where they need no quotes. */
    static String readable(SqlNode node) {
        return node.toSqlString(c -> c.withDialect(CalciteSqlDialect.DEFAULT).withQuoteAllIdentifiers(false))
                .getSql().replaceAll("\"([a-z_][a-z0-9_]*)\"", "$1").replaceAll("\\s+", " ");
    }

    /**
     * The engine query under construction: the arguments the innermost SELECT computes, the values
     * the next one derives from them (as they are, or as clamped units), and the statistics of the
     * outer SELECT. Everything but the user's own expressions is text of this class: names it chooses,
     * numbers it computed and the salt, a hexadecimal string.
     */
    private static final class Engine {
        private final int keys;
        private final List<SqlNode> arguments = new ArrayList<>();
        private final Map<String, Integer> argumentIndex = new LinkedHashMap<>();
        private final List<String> values = new ArrayList<>();
        private final Map<String, Integer> valueIndex = new LinkedHashMap<>();
        private final List<String> stats = new ArrayList<>();

        Engine(int keys) {
            this.keys = keys;
        }

        private int argument(SqlNode argument) {
            String key = render(argument);
            Integer known = argumentIndex.get(key);
            if (known != null) {
                return known;
            }
            arguments.add(argument);
            argumentIndex.put(key, arguments.size() - 1);
            return arguments.size() - 1;
        }

        private String value(String expression) {
            Integer known = valueIndex.get(expression);
            if (known == null) {
                values.add(expression);
                known = values.size() - 1;
                valueIndex.put(expression, known);
            }
            return "dp_value_" + known;
        }

        /** A value as the query computes it. */
        String raw(SqlNode argument) {
            return value("dp_argument_" + argument(argument));
        }

        /** A value in whole units of its grid, clamped to [low, high]; NULL stays NULL. */
        String unit(SqlNode argument, Bounds bounds) {
            String a = "dp_argument_" + argument(argument);
            DifferentialPrivacyPlan.Grid grid = bounds.grid();
            // step = 10^k: a value in units is value × 10^-k, and -k is the scale of the step
            String scaled = bounds.integral() && grid.step().compareTo(BigDecimal.ONE) == 0 ? a
                    : "ROUND(CAST(" + a + " AS DOUBLE) * 1E" + grid.step().stripTrailingZeros().scale() + ")";
            return value("CAST(CASE WHEN " + scaled + " < " + grid.low() + " THEN " + grid.low() + " WHEN " + scaled
                    + " > " + grid.high() + " THEN " + grid.high() + " ELSE " + scaled + " END AS BIGINT)");
        }

        /** The index, among the statistics, of an aggregate over the sampled rows. */
        int stat(String expression) {
            int known = stats.indexOf(expression);
            if (known >= 0) {
                return known;
            }
            stats.add(expression);
            return stats.size() - 1;
        }

        SqlNode build(SqlNodeList withList, SqlIdentifier user, List<SqlNode> groups, SqlNode from, SqlNode where,
                boolean grouped, long contribution, String salt) {
            if (!salt.matches("[0-9a-f]{16,64}")) {
                throw new IllegalArgumentException("a salt is hexadecimal");
            }
            List<String> keyNames = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                keyNames.add("dp_key_" + k);
            }
            List<String> valueNames = new ArrayList<>();
            for (int v = 0; v < values.size(); v++) {
                valueNames.add("dp_value_" + v);
            }
            List<String> columns = new ArrayList<>(keyNames);
            columns.addAll(valueNames);
            // the rank is within one user's rows (PARTITION BY dp_user): the user need not be hashed; the
            // keys and values are hashed as they are (text for every row would cost a third of the query)
            String hash = "HASH(" + String.join(", ", concat(List.of("'" + salt + "'"), columns)) + ")";
            List<String> outer = new ArrayList<>(keyNames);
            for (int s = 0; s < stats.size(); s++) {
                outer.add(stats.get(s) + " AS dp_statistic_" + s);
            }
            List<String> middle = new ArrayList<>(concat(List.of("dp_user"), keyNames));
            for (int v = 0; v < values.size(); v++) {
                middle.add(values.get(v) + " AS dp_value_" + v);
            }
            String sql = "SELECT " + String.join(", ", outer)
                    + " FROM (SELECT " + String.join(", ", concat(List.of("dp_user"), columns))
                    + ", ROW_NUMBER() OVER (PARTITION BY dp_user ORDER BY " + String.join(", ", concat(
                            List.of(hash), columns)) + ") AS dp_rank"
                    + " FROM (SELECT " + String.join(", ", middle)
                    + " FROM (SELECT 1 AS dp_user FROM " + PLACEHOLDER + ") AS dp_rows) AS dp_values"
                    + " WHERE dp_user IS NOT NULL) AS dp_sample"
                    + " WHERE dp_rank <= " + contribution
                    + (grouped ? " GROUP BY " + String.join(", ", keyNames) : "");
            SqlSelect skeleton = (SqlSelect) Frontend.parse(sql);
            SqlSelect sample = (SqlSelect) ((SqlCall) skeleton.getFrom()).operand(0);
            SqlSelect valuesSelect = (SqlSelect) ((SqlCall) sample.getFrom()).operand(0);
            SqlCall rowsAlias = (SqlCall) valuesSelect.getFrom();
            List<SqlNode> items = new ArrayList<>();
            items.add(as(user, "dp_user"));
            for (int k = 0; k < keys; k++) {
                items.add(as(groups.get(k), "dp_key_" + k));
            }
            for (int a = 0; a < arguments.size(); a++) {
                items.add(as(arguments.get(a), "dp_argument_" + a));
            }
            rowsAlias.setOperand(0, new SqlSelect(POS, null, new SqlNodeList(items, POS), from, where, null, null,
                    null, null, null, null, null, null));
            return withList == null ? skeleton : new SqlWith(POS, withList, skeleton);
        }

        private static SqlNode as(SqlNode expression, String alias) {
            return SqlStdOperatorTable.AS.createCall(POS, expression, new SqlIdentifier(alias, POS));
        }

        private static List<String> concat(List<String> a, List<String> b) {
            List<String> out = new ArrayList<>(a);
            out.addAll(b);
            return out;
        }
    }
}
