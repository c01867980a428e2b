package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.AnalysisRuleType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;

/**
 * Decides whether a query may run and rewrites it so that its output respects every analysis rule
 * of every table it references: parse (one statement, bounded), find the referenced tables, require
 * that they all have READY schemas and one analysis rule type, validate against the tables' allowed
 * columns, then enforce that rule type on the validated tree.
 */
public final class QueryChecker {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QueryChecker.class);
    private static final Set<SqlKind> QUERY_KINDS = Set.of(SqlKind.SELECT, SqlKind.ORDER_BY, SqlKind.WITH,
            SqlKind.UNION, SqlKind.INTERSECT, SqlKind.EXCEPT);

    /**
     * An operator or function query control allows: its name as written in SQL, how it takes part
     * in the rules, whether its evaluation can fail on some values (it then runs under TRY), and
     * the aggregation-rule scalar function it is, if any.
     */
    public record AllowedOperator(String name, String role, boolean fallible,
            Optional<io.cleanroom.core.model.ScalarFunction> scalarFunction) {
    }

    /** The allow-list, without the structural syntax (AS, OVER, JOIN ...), sorted by name. */
    public static List<AllowedOperator> allowList() {
        List<AllowedOperator> out = new ArrayList<>();
        for (Operators.Entry entry : Operators.all().values()) {
            if (entry.role() != Operators.Role.STRUCTURE) {
                out.add(new AllowedOperator(entry.operator().getName(), entry.role().name(), entry.fallible(),
                        entry.scalar()));
            }
        }
        out.sort(java.util.Comparator.comparing(AllowedOperator::name).thenComparing(AllowedOperator::role));
        return List.copyOf(out);
    }

    /** Loads and exercises Calcite once (its first use takes about a second). */
    public static void warmUp() {
        AccountId runner = new AccountId("000000000000");
        AnalysisRulePolicy rule = new AnalysisRulePolicy.Aggregation(
                List.of(new AnalysisRulePolicy.AggregateColumn(List.of("k"), AggregateFunction.COUNT_DISTINCT)),
                List.of("k"), null, null, List.of("d"), List.of(),
                List.of(new AnalysisRulePolicy.OutputConstraint("k", 2)), null);
        TableSpec table = new TableSpec("warm", runner, List.of(new Column("k", "string"), new Column("d", "string")),
                java.util.Optional.of(rule), true);
        new QueryChecker().check(QueryRequest.adHoc("SELECT d, COUNT(DISTINCT k) FROM warm GROUP BY d", runner,
                List.of(table)));
    }

    private final java.util.function.Supplier<String> salts;

    /** A checker whose differentially private queries each get a secret salt from the CSPRNG. */
    public QueryChecker() {
        this(QueryChecker::secureSalt);
    }

    /** A checker with given salts (tests that compare rewritten SQL). */
    QueryChecker(java.util.function.Supplier<String> salts) {
        this.salts = java.util.Objects.requireNonNull(salts, "salts is null");
    }

    private static final java.security.SecureRandom SALTS = new java.security.SecureRandom();

    /** 128 random bits, as hexadecimal. */
    private static String secureSalt() {
        byte[] bytes = new byte[16];
        SALTS.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    public CheckedQuery check(QueryRequest request) {
        return guarded(() -> run(request, Trace.NONE, new String[1], new ArrayList<>()));
    }

    /**
     * Runs a check so that nothing but a refusal escapes it: Calcite asserts on some queries it
     * cannot handle (an AssertionError), and a construct that breaks query control is refused, not
     * answered with an internal error.
     */
    private static <T> T guarded(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (io.cleanroom.core.CleanroomException e) {
            throw e;
        } catch (StackOverflowError e) {
            throw Rejection.of("The query is nested too deeply");
        } catch (RuntimeException | AssertionError e) {
            LOG.debug("query control could not analyse a query", e);
            throw Rejection.of("The query uses a construct query control cannot analyse; simplify it");
        }
    }

    /**
     * Explains the decision on a query without running it: every part's verdict, the rejection if
     * any, the constraints the rewrite adds and the rewritten SQL.
     */
    public Explanation explain(QueryRequest request) {
        Trace trace = Trace.recording();
        String[] type = new String[1];
        List<String> tables = new ArrayList<>();
        try {
            CheckedQuery checked = guarded(() -> run(request, trace, type, tables));
            return new Explanation(true, java.util.Optional.of(checked.ruleType().name()), checked.tables(),
                    trace.decisions(), java.util.Optional.empty(), checked.addedConstraints(),
                    java.util.Optional.of(checked.sql()));
        } catch (io.cleanroom.core.CleanroomException e) {
            if (e.code() != io.cleanroom.core.ErrorCode.INVALID_QUERY) {
                throw e;
            }
            return new Explanation(false, java.util.Optional.ofNullable(type[0]), tables, trace.decisions(),
                    java.util.Optional.of(e.getMessage()), List.of(), java.util.Optional.empty());
        }
    }

    private CheckedQuery run(QueryRequest request, Trace trace, String[] typeOut, List<String> tablesOut) {
        SqlNode parsed = request.template().isPresent()
                ? Frontend.parseTemplate(request.template().get(), request.sql())
                : Frontend.parse(request.sql());
        if (!QUERY_KINDS.contains(parsed.getKind())) {
            throw Rejection.of("Only a SELECT query is allowed (found " + parsed.getKind().sql + ")");
        }
        List<TableSpec> referenced = referencedTables(parsed, request.tables());
        if (referenced.isEmpty()) {
            throw Rejection.of("The query references no table of the collaboration");
        }
        referenced.forEach(t -> tablesOut.add(t.name()));
        AnalysisRuleType type = ruleType(referenced);
        checkReceivers(referenced, request.receivers(), trace);
        typeOut[0] = type.name();
        if (request.template().isPresent() && type != AnalysisRuleType.CUSTOM) {
            throw Rejection.of("Analysis templates can only run on tables with custom analysis rules; these tables "
                    + "have " + type + " rules");
        }
        Map<String, TableSpec> tables = new LinkedHashMap<>();
        referenced.forEach(t -> tables.put(t.key(), t));
        Frontend frontend = new Frontend(referenced);
        List<String> names = referenced.stream().map(TableSpec::name).toList();
        switch (type) {
            case AGGREGATION, LIST -> {
                if (!(parsed instanceof SqlSelect) && !(parsed instanceof SqlOrderBy order
                        && order.query instanceof SqlSelect)) {
                    throw Rejection.of("The " + type.name().toLowerCase(Locale.ROOT) + " analysis rule allows a "
                            + "single SELECT: CTEs, set operations (UNION, INTERSECT, EXCEPT) and subqueries are "
                            + "not allowed");
                }
                rejectStar(parsed, type);
                SqlNode validated = frontend.validate(parsed);
                if (!(validated instanceof SqlSelect select)) {
                    throw Rejection.of("The " + type.name().toLowerCase(Locale.ROOT) + " analysis rule allows a "
                            + "single SELECT");
                }
                List<String> notes = List.of();
                if (type == AnalysisRuleType.AGGREGATION) {
                    notes = AggregationChecker.check(select, tables, request.runner(), trace);
                } else {
                    ListChecker.check(select, tables, request.runner(), trace);
                }
                Surface.check(select);
                List<String> outputs = frontend.validator().getValidatedNodeType(select).getFieldNames();
                Map<String, List<io.cleanroom.core.model.ColumnFilter>> filters = Filters.of(select, referenced);
                return new CheckedQuery(SafeEvaluation.apply(select, frontend.validator(), request.dialect()),
                        request.dialect(), type, names, outputs, notes, filters, Optional.empty());
            }
            default -> {
                CustomChecker.checkAnalysisAllowed(referenced, request.runner(), request.templateArn());
                trace.allow("FROM", String.join(", ", names), request.templateArn().isPresent()
                        ? "the custom rules of every table allow analysis template " + request.templateArn().get()
                        : "the custom rules of every table allow ANY_QUERY from account " + request.runner());
                boolean privately = DifferentialPrivacy.applies(referenced);
                if (privately) {
                    DifferentialPrivacy.checkTables(referenced);
                }
                SqlNode validated = frontend.validate(parsed);
                Surface.check(validated);
                if (privately) {
                    RelRoot root = toRel(frontend, validated);
                    PlanCheck plan = PlanCheck.of(root.rel, tables);
                    checkOutputs(plan, root);
                    DifferentialPrivacy.Result dp = DifferentialPrivacy.rewrite(validated, referenced, tables, frontend,
                            salts.get(), trace);
                    List<String> outputs = dp.frontend().validator().getValidatedNodeType(dp.tree()).getFieldNames();
                    return new CheckedQuery(SafeEvaluation.apply(dp.tree(), dp.frontend().validator(),
                            request.dialect()), request.dialect(), type, names, outputs, dp.notes(),
                            // no filter is pushed to a source: the rewrite's bounds see every row it
                            // reads, as the statistics' sensitivities assume
                            Map.of(), Optional.of(dp.plan()));
                }
                boolean thresholds = ThresholdChecker.applies(tables);
                if (thresholds) {
                    ThresholdChecker.checkStructure(validated);
                }
                RelRoot root = toRel(frontend, validated);
                PlanCheck plan = PlanCheck.of(root.rel, tables);
                List<Integer> outputFields = checkOutputs(plan, root);
                List<String> outputs = CustomChecker.outputNames(root);
                List<String> notes = List.of();
                SqlNode checked = validated;
                Frontend types = frontend;
                if (thresholds) {
                    Map<String, Integer> minimums = plan.thresholdMinimums(root.rel, outputFields,
                            ThresholdChecker.dimensionItems(validated));
                    notes = ThresholdChecker.rewrite(validated, tables, minimums);
                    // verify what runs: the rewritten query, parsed, validated and analysed afresh
                    Frontend again = new Frontend(referenced);
                    checked = again.validate(Frontend.parse(CheckedQuery.render(validated,
                            org.apache.calcite.sql.dialect.CalciteSqlDialect.DEFAULT)));
                    Surface.check(checked);
                    RelRoot rewritten = toRel(again, checked);
                    PlanCheck verified = PlanCheck.of(rewritten.rel, tables);
                    List<Integer> rewrittenFields = checkOutputs(verified, rewritten);
                    verified.verifyThresholds(rewritten.rel, rewrittenFields, minimums);
                    types = again;
                }
                notes.forEach(t -> trace.allow("HAVING", t, "aggregation threshold of a custom rule, added by "
                        + "the rewrite: rows with fewer distinct identities are removed"));
                trace.allow("SELECT", String.join(", ", outputs),
                        "no output column derives from a disallowed output column");
                Map<String, List<io.cleanroom.core.model.ColumnFilter>> filters = Filters.of(checked, referenced);
                return new CheckedQuery(SafeEvaluation.apply(checked, types.validator(), request.dialect()),
                        request.dialect(), type, names, outputs, notes, filters, Optional.empty());
            }
        }
    }

    private static RelRoot toRel(Frontend frontend, SqlNode validated) {
        try {
            return frontend.toRel(validated);
        } catch (io.cleanroom.core.CleanroomException e) {
            throw e;
        } catch (RuntimeException e) {
            throw Rejection.of("The query uses a construct that cannot be analysed");
        }
    }

    /** Checks every output column of the plan; returns their field indexes in output order. */
    private static List<Integer> checkOutputs(PlanCheck plan, RelRoot root) {
        List<Integer> fields = new ArrayList<>();
        for (Map.Entry<Integer, String> field : root.fields) {
            plan.checkOutput(root.rel, field.getKey(), field.getValue());
            fields.add(field.getKey());
        }
        return fields;
    }

    /** Every receiver of the results must be allowed by the collaboration analysis rule of every table. */
    private static void checkReceivers(List<TableSpec> referenced, List<AccountId> receivers, Trace trace) {
        for (TableSpec table : referenced) {
            if (table.resultReceivers().isEmpty()) {
                continue;
            }
            for (AccountId receiver : receivers) {
                if (!table.resultReceivers().get().contains(receiver)) {
                    throw Rejection.of("Account " + receiver + " is not allowed to receive results of queries on table "
                            + table.name() + " (its collaboration analysis rule allows "
                            + table.resultReceivers().get() + ")");
                }
                trace.allow("RESULTS", "receiver " + receiver, "allowed to receive results by the collaboration "
                        + "analysis rule of " + table.name());
            }
        }
    }

    private static void rejectStar(SqlNode parsed, AnalysisRuleType type) {
        SqlSelect select = parsed instanceof SqlOrderBy order ? (SqlSelect) order.query : (SqlSelect) parsed;
        for (SqlNode item : select.getSelectList()) {
            if (item instanceof SqlIdentifier id && id.isStar()) {
                throw Rejection.of("SELECT * is not allowed by the " + type.name().toLowerCase(Locale.ROOT)
                        + " analysis rule; name the columns");
            }
        }
    }

    private static AnalysisRuleType ruleType(List<TableSpec> referenced) {
        Set<AnalysisRuleType> types = new LinkedHashSet<>();
        List<String> described = new ArrayList<>();
        for (TableSpec table : referenced) {
            AnalysisRulePolicy rule = table.rule().orElseThrow(() -> Rejection.of("Table " + table.name()
                    + " has no analysis rule and cannot be queried"));
            if (!table.ready()) {
                throw Rejection.of("Table " + table.name() + " is not ready to be queried (its schema is NOT_READY"
                        + (table.notReadyReasons().isEmpty() ? "" : ": " + String.join("; ", table.notReadyReasons()))
                        + ")");
            }
            types.add(rule.type());
            described.add(table.name() + " is " + rule.type());
        }
        if (types.size() > 1) {
            throw Rejection.of("Queries can only reference configured tables with the same analysis rule type ("
                    + String.join(", ", described) + ")");
        }
        return types.iterator().next();
    }

    /**
     * Every collaboration table named in a FROM anywhere in the query (subqueries and CTEs
     * included). A CTE may not take the name of a collaboration table. Names are compared without
     * regard to case; a name that more than one table answers to (stored before names had to differ
     * in more than case) is refused, never resolved to one of them.
     */
    static List<TableSpec> referencedTables(SqlNode parsed, List<TableSpec> all) {
        Map<String, List<TableSpec>> tables = new LinkedHashMap<>();
        all.forEach(t -> tables.computeIfAbsent(t.key(), k -> new ArrayList<>()).add(t));
        Set<String> cteNames = new HashSet<>();
        Set<String> fromNames = new LinkedHashSet<>();
        Deque<SqlNode> stack = new ArrayDeque<>();
        stack.push(parsed);
        while (!stack.isEmpty()) {
            SqlNode node = stack.pop();
            if (node == null) {
                continue;
            }
            if (node instanceof SqlWith with) {
                for (SqlNode item : with.withList) {
                    SqlWithItem withItem = (SqlWithItem) item;
                    String name = withItem.name.getSimple().toLowerCase(Locale.ROOT);
                    if (tables.containsKey(name)) {
                        throw Rejection.of("A CTE may not take the name of collaboration table " + name);
                    }
                    cteNames.add(name);
                    stack.push(withItem.query);
                }
                stack.push(with.body);
                continue;
            }
            if (node instanceof SqlSelect select) {
                from(select.getFrom(), fromNames, stack);
                for (SqlNode operand : select.getOperandList()) {
                    if (operand != null && operand != select.getFrom()) {
                        stack.push(operand);
                    }
                }
                continue;
            }
            if (node instanceof SqlCall call) {
                call.getOperandList().stream().filter(o -> o != null).forEach(stack::push);
            } else if (node instanceof SqlNodeList list) {
                list.getList().stream().filter(o -> o != null).forEach(stack::push);
            }
        }
        List<TableSpec> out = new ArrayList<>();
        for (String name : fromNames) {
            List<TableSpec> named = tables.get(name);
            if (named != null && named.size() > 1 && !cteNames.contains(name)) {
                throw Rejection.of("Table name " + name + " is ambiguous: the collaboration has tables "
                        + named.stream().map(t -> t.name() + " (account " + t.owner() + ")").sorted()
                                .collect(java.util.stream.Collectors.joining(" and "))
                        + ", whose names differ only in case. Their owners must rename all but one of these "
                        + "associations (delete it and associate the table again under another name)");
            }
            if (named != null && !cteNames.contains(name)) {
                out.add(named.get(0));
            } else if (named == null && !cteNames.contains(name)) {
                throw Rejection.of("Table " + name + " is not associated with this collaboration");
            }
        }
        return out;
    }

    private static void from(SqlNode from, Set<String> names, Deque<SqlNode> stack) {
        if (from == null) {
            return;
        }
        if (from instanceof SqlJoin join) {
            from(join.getLeft(), names, stack);
            from(join.getRight(), names, stack);
            if (join.getCondition() != null) {
                stack.push(join.getCondition());
            }
            return;
        }
        if (from.getKind() == SqlKind.AS) {
            from(((SqlCall) from).operand(0), names, stack);
            return;
        }
        if (from instanceof SqlIdentifier id) {
            names.add(id.names.get(id.names.size() - 1).toLowerCase(Locale.ROOT));
            return;
        }
        stack.push(from);
    }
}
