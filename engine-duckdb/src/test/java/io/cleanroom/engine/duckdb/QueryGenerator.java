package io.cleanroom.engine.duckdb;

import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.ScalarFunction;
import io.cleanroom.engine.duckdb.OperatorCatalog.Pick;
import io.cleanroom.engine.duckdb.OperatorCatalog.Type;
import io.cleanroom.engine.duckdb.World.Kind;
import io.cleanroom.engine.duckdb.World.Ref;
import io.cleanroom.engine.duckdb.World.WorldColumn;
import io.cleanroom.engine.duckdb.World.WorldTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Random queries over one world, from the whole surface Calcite's parser accepts: every node kind
 * (subqueries in every clause, correlated ones, LATERAL, UNNEST, CTEs and WITH RECURSIVE, set
 * operations, VALUES, every join, windows, grouping sets, QUALIFY, FILTER, ORDER/LIMIT/FETCH,
 * DISTINCT, CASE, casts, IN lists, LIKE/SIMILAR/BETWEEN, table functions, TABLESAMPLE, PIVOT,
 * quoting, case and comments) and calls of every operator of the {@link OperatorCatalog}, nested.
 *
 * <p>Queries lean towards what the world's rules admit (so that a good share runs), and carry
 * hidden columns through every construct, where the checker may lose track of them. The generator
 * records where it places each reference: in a place whose value flows to the output (projection,
 * aggregate arguments, expressions feeding them) or in one that legitimately filters, joins,
 * groups or sorts. The permuted variant needs the former only; that is decided here, never by the
 * checker.
 */
final class QueryGenerator {
    /** Kinds of syntax, counted for the coverage report. */
    enum Node {
        SELECT, FINAL_AGGREGATE, SUBQUERY_FROM, SUBQUERY_SCALAR, SUBQUERY_IN, SUBQUERY_EXISTS, SUBQUERY_QUANTIFIED,
        SUBQUERY_ARRAY, CORRELATED, LATERAL, UNNEST_ARRAY, UNNEST_MULTISET, UNNEST_ORDINALITY, CTE, CTE_COLUMN_LIST,
        WITH_RECURSIVE, UNION, UNION_ALL, INTERSECT, INTERSECT_ALL, EXCEPT, EXCEPT_ALL, VALUES_FROM, VALUES_QUERY,
        JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_CROSS, JOIN_COMMA, JOIN_NATURAL, JOIN_USING, JOIN_LATERAL,
        SELF_JOIN, TABLE_COLUMN_ALIASES, TABLESAMPLE, TABLE_FUNCTION, PIVOT, UNPIVOT, MATCH_RECOGNIZE, WHERE,
        GROUP_BY, GROUP_BY_ORDINAL, GROUP_BY_EMPTY, ROLLUP, CUBE, GROUPING_SETS, GROUPING_FUNCTION, HAVING,
        WINDOW_FUNCTION, WINDOW_FRAME, NAMED_WINDOW, QUALIFY, FILTER, WITHIN_GROUP, AGGREGATE, AGGREGATE_DISTINCT,
        DISTINCT, ORDER_BY, LIMIT, OFFSET, FETCH, STAR, QUALIFIED_STAR, CASE_SEARCHED, CASE_SIMPLE, CAST,
        INFIX_CAST, TRY_CAST, IN_LIST_SHORT, IN_LIST_LONG, NOT_IN, BETWEEN, LIKE, ILIKE, SIMILAR_TO, RLIKE,
        ESCAPE, IS_NULL, IS_DISTINCT_FROM, NULL_SAFE_EQUAL, ARITHMETIC, CONCAT, FUNCTION_CALL, NESTED_FUNCTION,
        EXTRACT, TRIM, POSITION, SUBSTRING_FROM, OVERLAY, CONVERT, TRANSLATE, ARRAY, MAP, ROW, ITEM, INTERVAL,
        DATETIME_ARITHMETIC, LITERAL_NULL, QUOTED_IDENTIFIER, CASE_TRICK, COMMENT, ALIAS_SHADOWING, PARAMETER,
        ORDINAL_ORDER
    }

    /** Where a reference is placed. */
    enum Role {
        FLOW, CONTROL
    }

    /** A generated query and what the generator knows about it. */
    record Generated(String sql, World world, String mode, Set<Node> nodes, List<String> functions,
            Map<Ref, Set<Role>> roles) {
        /** Columns referenced only where their values flow to the output. */
        Set<Ref> flowOnly() {
            Set<Ref> out = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
            roles.forEach((ref, r) -> {
                if (r.equals(EnumSet.of(Role.FLOW))) {
                    out.add(ref);
                }
            });
            return out;
        }
    }

    private record Use(Lineage lineage, Role role) {
    }

    /** A column of a relation in scope. */
    record Col(String name, String sql, Type type, Lineage lineage) {
    }

    /** A relation in FROM under its alias; opaque relations are only read through *. */
    record Rel(String alias, String table, List<Col> cols, boolean opaque, Lineage all) {
    }

    /** The relations a clause sees, and the enclosing query's for correlation. */
    record Scope(List<Rel> rels, Scope outer) {
        List<Col> columns() {
            List<Col> out = new ArrayList<>();
            rels.forEach(r -> out.addAll(r.cols()));
            return out;
        }
    }

    record Expr(String sql, Type type, Lineage lineage) {
    }

    /** A query's text and output columns. */
    record Block(String sql, List<Col> cols) {
    }

    private record Cte(String name, List<Col> cols) {
    }

    /** What leaves an expression may use and where it is. */
    private enum Clause {
        OUTPUT, FILTER, JOIN, GROUP, ORDER
    }

    private record Ctx(Scope scope, List<Cte> ctes, Clause clause, boolean aggregates, boolean windows,
            List<Expr> keys, boolean inAggregate) {
        Ctx clause(Clause c) {
            return new Ctx(scope, ctes, c, aggregates, windows, keys, inAggregate);
        }

        Ctx noWindows() {
            return new Ctx(scope, ctes, clause, aggregates, false, keys, inAggregate);
        }

        Ctx insideAggregate() {
            return new Ctx(scope, ctes, clause, false, false, null, true);
        }
    }

    private enum Purpose {
        FINAL, DERIVED, SCALAR, COLUMN, EXISTS
    }

    private static final int MAX_DEPTH = 3;

    private final World world;
    private final Policy policy;
    private final OperatorCatalog catalog;
    private final Random r;
    private final Map<Type, List<String>> literals = new LinkedHashMap<>();
    private final List<String> hiddenStrings = new ArrayList<>();
    private final Map<Ref, List<String>> columnLiterals = new LinkedHashMap<>();

    private Set<Node> nodes;
    private final java.util.Deque<List<String>> windowDefinitions = new java.util.ArrayDeque<>();
    private int blocks;
    private int budget;
    private List<String> functions;
    private List<Use> uses;
    private int names;
    private double hiddenRate;
    private double wildRate;

    QueryGenerator(World world, OperatorCatalog catalog, Random random) {
        this.world = world;
        this.policy = new Policy(world);
        this.catalog = catalog;
        this.r = random;
        collectLiterals();
    }

    // ---------------------------------------------------------------- literals from the world's data

    private void collectLiterals() {
        for (Type t : Type.values()) {
            literals.put(t, new ArrayList<>());
        }
        Set<String> strings = new LinkedHashSet<>();
        Set<String> ints = new LinkedHashSet<>(List.of("0", "1", "-1", "2", "3", "7", "100", "1000", "2147483647",
                "-2147483648", "9223372036854775807", "65536", "1970", "2000"));
        Set<String> decimals = new LinkedHashSet<>(List.of("0.5", "1.25", "99.99", "0.01", "12345678.9"));
        Set<String> dates = new LinkedHashSet<>(List.of("DATE '2024-01-01'", "DATE '2023-06-15'",
                "DATE '1970-01-01'"));
        for (WorldTable table : world.tables()) {
            for (int i = 0; i < table.columns().size(); i++) {
                WorldColumn column = table.columns().get(i);
                Ref ref = new Ref(table.name(), column.name());
                boolean hidden = world.renamed().contains(ref) || world.permutable().contains(ref);
                int taken = 0;
                for (List<Object> row : table.rows()) {
                    Object v = row.get(i);
                    if (v == null || taken > 12 && !hidden || taken > 30) {
                        continue;
                    }
                    taken++;
                    columnLiterals.computeIfAbsent(ref, k -> new ArrayList<>()).add(v instanceof String s0 ? quote(s0)
                            : v instanceof LocalDate d0 ? "DATE '" + d0 + "'" : v.toString());
                    if (v instanceof String s) {
                        strings.add(s);
                        if (hidden) {
                            hiddenStrings.add(s);
                        }
                    } else if (v instanceof Integer n) {
                        ints.add(n.toString());
                    } else if (v instanceof BigDecimal d) {
                        decimals.add(d.toPlainString());
                    } else if (v instanceof LocalDate d) {
                        dates.add("DATE '" + d + "'");
                    }
                }
            }
        }
        strings.forEach(s -> literals.get(Type.STR).add(quote(s)));
        literals.get(Type.INT).addAll(ints);
        literals.get(Type.DEC).addAll(decimals);
        literals.get(Type.DATE).addAll(dates);
        literals.get(Type.DBL).addAll(List.of("1.5E0", "0.1E0", "2.0E0", "1E308"));
        literals.get(Type.TS).addAll(List.of("TIMESTAMP '2024-01-02 03:04:05'", "TIMESTAMP '2023-12-31 23:59:59'"));
        literals.get(Type.BOOL).addAll(List.of("TRUE", "FALSE"));
        literals.get(Type.INTERVAL).addAll(List.of("INTERVAL '1' DAY", "INTERVAL '3' MONTH", "INTERVAL '2' YEAR",
                "INTERVAL '36' HOUR"));
    }

    /** Part of a hidden value: whole, a short prefix (which several values share), a suffix or a middle. */
    private String probe() {
        String v = pick(hiddenStrings);
        int n = v.length();
        return switch (r.nextInt(4)) {
            case 0 -> v;
            case 1 -> v.substring(0, Math.min(n, between(2, 3)));
            case 2 -> v.substring(n - Math.min(n - 1, between(2, 5)));
            default -> {
                int from = r.nextInt(Math.max(1, n - 2));
                yield v.substring(from, Math.min(n, from + between(2, 3)));
            }
        };
    }

    /** A value the column holds, as a literal, or any literal of its type. */
    private String literalOf(Col c) {
        Set<Ref> origins = c.lineage().origins();
        if (origins.size() == 1 && columnLiterals.containsKey(origins.iterator().next())) {
            return pick(columnLiterals.get(origins.iterator().next()));
        }
        return literal(c.type() == Type.OTHER ? Type.STR : c.type());
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private String literal(Type type) {
        if (type == Type.STR && !hiddenStrings.isEmpty() && p(0.4)) {
            return quote(probe());
        }
        if (world.template().isPresent() && p(0.2)) {
            if (type == Type.STR) {
                nodes.add(Node.PARAMETER);
                return ":segment";
            }
            if (type == Type.INT) {
                nodes.add(Node.PARAMETER);
                return ":year";
            }
        }
        return switch (type) {
            case ARRAY -> "ARRAY[" + literal(Type.INT) + ", " + literal(Type.INT) + "]";
            case MAP -> "MAP[" + literal(Type.STR) + ", " + literal(Type.INT) + "]";
            case OTHER -> literal(Type.STR);
            default -> pick(literals.get(type));
        };
    }

    // ---------------------------------------------------------------- randomness helpers

    private boolean p(double probability) {
        return r.nextDouble() < probability;
    }

    private <T> T pick(List<T> items) {
        return items.get(r.nextInt(items.size()));
    }

    private int between(int from, int to) {
        return from + r.nextInt(to - from + 1);
    }

    private String name(String prefix) {
        return prefix + (++names);
    }

    private void control(Lineage lineage) {
        uses.add(new Use(lineage, Role.CONTROL));
    }

    private void flow(Lineage lineage) {
        uses.add(new Use(lineage, Role.FLOW));
    }

    private void function(String id) {
        functions.add(id);
    }

    private static Type type(Kind kind) {
        return switch (kind) {
            case STRING -> Type.STR;
            case INT -> Type.INT;
            case DECIMAL -> Type.DEC;
            case DATE -> Type.DATE;
            case BOOLEAN -> Type.BOOL;
        };
    }

    // ---------------------------------------------------------------- the query

    Generated next() {
        nodes = EnumSet.noneOf(Node.class);
        functions = new ArrayList<>();
        uses = new ArrayList<>();
        names = 0;
        blocks = 0;
        windowDefinitions.clear();
        budget = pick(List.of(0, 1, 1, 2, 2, 3, 3, 4, 5, 7, 10));
        hiddenRate = pick(List.of(0.0, 0.0, 0.1, 0.1, 0.35));
        wildRate = pick(List.of(0.05, 0.2, 0.5));
        String sql;
        String mode;
        double kind = r.nextDouble();
        boolean probes = world.ruleType() == AnalysisRuleType.CUSTOM;
        if (kind < (probes ? 0.35 : 0.15)) {
            mode = "probe";
            sql = probeQuery();
        } else if (world.ruleType() == AnalysisRuleType.AGGREGATION && kind < 0.75) {
            mode = "aggregation-shaped";
            sql = aggregationQuery();
        } else if (world.ruleType() == AnalysisRuleType.LIST && kind < 0.75) {
            mode = "list-shaped";
            sql = listQuery();
        } else if (kind < (probes ? 0.38 : 0.78)) {
            mode = "values";
            nodes.add(Node.VALUES_QUERY);
            sql = values(between(1, 3), List.of(Type.INT, Type.STR)).sql();
        } else {
            mode = world.ruleType() == AnalysisRuleType.CUSTOM ? "custom" : "free-form";
            sql = query(null, List.of(), 0, Purpose.FINAL, null).sql();
        }
        if (p(0.05)) {
            nodes.add(Node.COMMENT);
            sql = "-- generated\n" + sql + (p(0.5) ? "\n/* end */" : "");
        }
        Map<Ref, Set<Role>> roles = new LinkedHashMap<>();
        for (Use use : uses) {
            for (Ref ref : use.lineage().origins()) {
                roles.computeIfAbsent(ref, k -> EnumSet.noneOf(Role.class)).add(use.role());
            }
        }
        return new Generated(sql, world, mode, nodes, functions, roles);
    }

    /** A query: WITH, set operation, or a SELECT; at the top its output columns flow to the result. */
    private Block query(Scope outer, List<Cte> ctes, int depth, Purpose purpose, List<Type> target) {
        boolean canNest = depth < MAX_DEPTH && canSubquery()
                && (purpose == Purpose.FINAL || purpose == Purpose.DERIVED);
        if (canNest && p(purpose == Purpose.FINAL ? 0.18 : 0.08) && spend(2)) {
            return with(outer, ctes, depth, purpose, target);
        }
        if (canNest && p(0.1) && spend(2)) {
            return setOperation(outer, ctes, depth, purpose, target);
        }
        if (purpose == Purpose.DERIVED && p(0.04) && spend(1)) {
            nodes.add(Node.VALUES_QUERY);
            return values(between(1, 3), target == null ? List.of(Type.INT, Type.STR) : target);
        }
        return select(outer, ctes, depth, purpose, target);
    }

    private Block with(Scope outer, List<Cte> ctes, int depth, Purpose purpose, List<Type> target) {
        nodes.add(Node.CTE);
        List<Cte> visible = new ArrayList<>(ctes);
        StringBuilder sql = new StringBuilder("WITH ");
        boolean recursive = p(0.25);
        if (recursive) {
            nodes.add(Node.WITH_RECURSIVE);
            sql.append("RECURSIVE ");
        }
        int count = between(1, 2);
        for (int i = 0; i < count; i++) {
            String cte = name("cte");
            sql.append(i == 0 ? "" : ", ");
            if (recursive && i == 0) {
                visible.add(recursiveCte(cte, outer, visible, depth, sql));
                continue;
            }
            Block body = query(outer, visible, depth + 1, Purpose.DERIVED, null);
            List<Col> cols = body.cols();
            if (p(0.3)) {
                nodes.add(Node.CTE_COLUMN_LIST);
                List<Col> renamed = new ArrayList<>();
                List<String> list = new ArrayList<>();
                for (Col c : cols) {
                    String n = name("k");
                    list.add(n);
                    renamed.add(new Col(n, n, c.type(), c.lineage()));
                }
                sql.append(cte).append(" (").append(String.join(", ", list)).append(")");
                cols = renamed;
            } else {
                sql.append(cte);
            }
            sql.append(" AS (").append(body.sql()).append(")");
            visible.add(new Cte(cte, cols));
        }
        Block body = select(outer, visible, depth, purpose, target);
        return new Block(sql.append(' ').append(body.sql()).toString(), body.cols());
    }

    /** WITH RECURSIVE r (v, n) AS (seed UNION ALL step over r): the columns take both members' values. */
    private Cte recursiveCte(String cte, Scope outer, List<Cte> ctes, int depth, StringBuilder sql) {
        Rel source = tableRel(pick(world.tables()), name("t"));
        Scope seedScope = new Scope(List.of(source), outer);
        Ctx seed = new Ctx(seedScope, ctes, Clause.OUTPUT, false, false, null, false);
        Type type = pick(List.of(Type.STR, Type.INT, Type.DEC));
        Expr v = expr(seed, type, 1);
        Lineage value = Lineage.of(v.lineage());
        Lineage counter = Lineage.none();
        List<Col> cols = List.of(new Col("v", "v", type, value), new Col("n", "n", Type.INT, counter));
        StringBuilder s = new StringBuilder(cte).append(" (v, n) AS (SELECT ").append(v.sql()).append(", 1 FROM ")
                .append(tableSql(source));
        if (p(0.4)) {
            Expr where = predicate(seed.clause(Clause.FILTER), 1);
            control(where.lineage());
            s.append(" WHERE ").append(where.sql());
        }
        Rel self = new Rel(name("r"), null, cols, false, Lineage.of(value, counter));
        List<Col> selfCols = new ArrayList<>();
        for (Col c : cols) {
            selfCols.add(new Col(c.name(), self.alias() + "." + c.name(), c.type(), c.lineage()));
        }
        self = new Rel(self.alias(), null, selfCols, false, self.all());
        List<Rel> stepRels = new ArrayList<>(List.of(self));
        String join = "";
        if (p(0.4)) {
            Rel other = tableRel(pick(world.tables()), name("t"));
            stepRels.add(other);
            Ctx on = new Ctx(new Scope(stepRels, outer), ctes, Clause.JOIN, false, false, null, false);
            Expr condition = joinCondition(on, self, other);
            control(condition.lineage());
            join = " JOIN " + tableSql(other) + " ON " + condition.sql();
        }
        Ctx step = new Ctx(new Scope(stepRels, outer), ctes, Clause.OUTPUT, false, false, null, false);
        Expr next = p(0.5) ? new Expr(self.alias() + ".v", type, value) : expr(step, type, 1);
        value.add(next.lineage());
        String bound = self.alias() + ".n < " + between(2, 4);
        s.append(" UNION ALL SELECT ").append(next.sql()).append(", ").append(self.alias()).append(".n + 1 FROM ")
                .append(cte).append(" AS ").append(self.alias()).append(join).append(" WHERE ").append(bound)
                .append(')');
        sql.append(s);
        return new Cte(cte, cols);
    }

    private Block setOperation(Scope outer, List<Cte> ctes, int depth, Purpose purpose, List<Type> target) {
        Purpose branch = purpose == Purpose.FINAL ? Purpose.DERIVED : purpose;
        Block left = select(outer, ctes, depth + 1, branch, target);
        List<Type> types = left.cols().stream().map(Col::type).toList();
        Block right = select(outer, ctes, depth + 1, branch, types);
        String op;
        Node node;
        switch (r.nextInt(6)) {
            case 0 -> { op = "UNION"; node = Node.UNION; }
            case 1, 2 -> { op = "UNION ALL"; node = Node.UNION_ALL; }
            case 3 -> { op = p(0.5) ? "INTERSECT" : "INTERSECT ALL"; node = op.endsWith("ALL") ? Node.INTERSECT_ALL
                    : Node.INTERSECT; }
            default -> { op = p(0.5) ? "EXCEPT" : "EXCEPT ALL"; node = op.endsWith("ALL") ? Node.EXCEPT_ALL
                    : Node.EXCEPT; }
        }
        nodes.add(node);
        function("SqlStdOperatorTable." + op.replace(' ', '_'));
        boolean membership = node != Node.UNION_ALL;
        List<Col> cols = new ArrayList<>();
        for (int i = 0; i < left.cols().size(); i++) {
            Col l = left.cols().get(i);
            Lineage merged = i < right.cols().size() ? Lineage.of(l.lineage(), right.cols().get(i).lineage())
                    : l.lineage();
            // INTERSECT, EXCEPT and the de-duplication of UNION compare rows: below the top that is a filter
            if (membership && (purpose != Purpose.FINAL || node != Node.UNION)) {
                control(merged);
            }
            cols.add(new Col(l.name(), l.name(), l.type(), merged));
        }
        if (purpose == Purpose.FINAL) {
            cols.forEach(c -> flow(c.lineage()));
        }
        String sql = "(" + left.sql() + ") " + op + " (" + right.sql() + ")";
        if (purpose == Purpose.FINAL && p(0.2)) {
            nodes.add(Node.ORDER_BY);
            nodes.add(Node.LIMIT);
            cols.forEach(c -> control(c.lineage()));
            sql += " ORDER BY 1 LIMIT " + between(1, 5);
        }
        return new Block(sql, cols);
    }

    private Block values(int rows, List<Type> types) {
        List<String> tuples = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            List<String> items = new ArrayList<>();
            for (Type t : types) {
                items.add(literal(t == Type.OTHER ? Type.STR : t));
            }
            tuples.add("(" + String.join(", ", items) + ")");
        }
        List<Col> cols = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            cols.add(new Col("EXPR$" + i, "EXPR$" + i, types.get(i), Lineage.none()));
        }
        return new Block("VALUES " + String.join(", ", tuples), cols);
    }

    // ---------------------------------------------------------------- SELECT

    private boolean canSubquery() {
        return blocks < 8;
    }

    /** Spends some of the query's budget of unusual constructs, if there is enough left. */
    private boolean spend(int cost) {
        if (budget >= cost) {
            budget -= cost;
            return true;
        }
        return false;
    }

    private Block select(Scope outer, List<Cte> ctes, int depth, Purpose purpose, List<Type> target) {
        nodes.add(Node.SELECT);
        blocks++;
        boolean top = purpose == Purpose.FINAL;
        List<Rel> rels = new ArrayList<>();
        String from = from(outer, ctes, depth, rels);
        Scope scope = new Scope(rels, outer);
        Ctx base = new Ctx(scope, ctes, Clause.FILTER, false, false, null, false);
        StringBuilder sql = new StringBuilder("SELECT ");
        if (p(0.03)) {
            nodes.add(Node.COMMENT);
            sql.append("/* q */ ");
        }
        boolean thresholds = rels.stream().anyMatch(rel -> rel.all().origins().stream()
                .anyMatch(ref -> policy.hasThreshold(ref.table())));
        boolean aggregate = switch (purpose) {
            case SCALAR -> p(0.8);
            case FINAL -> thresholds ? p(0.9) : p(0.45);
            default -> p(0.3);
        };
        boolean grouped = aggregate && (purpose == Purpose.FINAL || purpose == Purpose.DERIVED) && p(0.75);
        String where = "";
        if (p(0.45)) {
            nodes.add(Node.WHERE);
            Expr w = predicate(base, 2);
            control(w.lineage());
            where = " WHERE " + w.sql();
        }
        List<Expr> keys = null;
        int groupStyle = grouped ? r.nextInt(10) : -1;
        if (grouped) {
            keys = new ArrayList<>();
            int count = between(1, 2);
            Ctx g = base.clause(Clause.GROUP);
            for (int i = 0; i < count; i++) {
                Expr key = p(0.8) ? leaf(g, null) : expr(g, null, 1);
                if (key.sql().startsWith("(SELECT") || Functions.isLiteral(key.sql())) {
                    key = leaf(g, null);
                }
                keys.add(key);
                control(key.lineage());
            }
            nodes.add(Node.GROUP_BY);
        }
        if (aggregate && keys == null) {
            keys = List.of();
        }
        // the select list
        windowDefinitions.push(new ArrayList<>());
        Ctx items = new Ctx(scope, ctes, Clause.OUTPUT, aggregate, !aggregate || p(0.3), keys, false);
        List<Expr> selected = new ArrayList<>();
        List<String> rendered = new ArrayList<>();
        List<Col> cols = new ArrayList<>();
        int count = target != null ? target.size() : purpose == Purpose.SCALAR || purpose == Purpose.COLUMN ? 1
                : between(1, 3);
        boolean star = target == null && !aggregate && (purpose == Purpose.FINAL || purpose == Purpose.EXISTS)
                && p(0.07);
        if (star) {
            boolean qualified = p(0.5) && !rels.isEmpty();
            Rel only = qualified ? pick(rels) : null;
            nodes.add(qualified ? Node.QUALIFIED_STAR : Node.STAR);
            for (Rel rel : rels) {
                if (only == null || only == rel) {
                    if (top) {
                        flow(rel.all());
                    }
                    for (Col c : rel.cols()) {
                        cols.add(c);
                    }
                }
            }
            rendered.add(qualified ? only.alias() + ".*" : "*");
        } else {
            for (int i = 0; i < count; i++) {
                Type want = target != null ? target.get(i) : null;
                Expr e;
                if (aggregate && i == count - 1 && selected.stream().noneMatch(x -> Functions.isAggregate(x.sql()))) {
                    e = aggregateCall(items, want, 1, thresholds ? Aggregates.QUALIFYING : Aggregates.ANY);
                } else {
                    e = expr(items, want, 2);
                }
                selected.add(e);
                String alias = name("c");
                String item = e.sql();
                if (top) {
                    flow(e.lineage());
                    if (p(0.15)) {
                        // an alias that is a column name of the world (exemptions must follow origins, not aliases)
                        nodes.add(Node.ALIAS_SHADOWING);
                        alias = pick(pick(world.tables()).columns()).name();
                    } else if (p(0.1)) {
                        nodes.add(Node.QUOTED_IDENTIFIER);
                        alias = "\"Out " + i + "\"";
                    }
                    if (p(0.1) && !e.sql().contains(" ")) {
                        rendered.add(item);
                    } else {
                        rendered.add(item + " AS " + alias);
                    }
                } else {
                    rendered.add(item + " AS " + alias);
                }
                cols.add(new Col(alias, alias, e.type(), e.lineage()));
            }
        }
        if (groupStyle >= 0 && groupStyle < 3 && target == null && !keys.isEmpty() && p(0.4)) {
            // GROUPING(key) says which grouping set a row belongs to
            nodes.add(Node.GROUPING_FUNCTION);
            Expr key = pick(keys);
            String fn = pick(List.of("GROUPING", "GROUPING", "GROUPING_ID"));
            function("SqlStdOperatorTable." + fn);
            Expr g = new Expr(fn + "(" + key.sql() + ")", Type.INT, key.lineage());
            selected.add(g);
            String alias = name("c");
            rendered.add(g.sql() + " AS " + alias);
            cols.add(new Col(alias, alias, Type.INT, g.lineage()));
            if (top) {
                flow(g.lineage());
            }
        }
        boolean distinct = !star && p(purpose == Purpose.FINAL ? 0.08 : 0.05);
        if (distinct) {
            nodes.add(Node.DISTINCT);
            sql.append("DISTINCT ");
            if (!top) {
                cols.forEach(c -> control(c.lineage()));
            }
        }
        sql.append(String.join(", ", rendered)).append(" FROM ").append(from).append(where);
        if (grouped) {
            sql.append(" GROUP BY ").append(groupBy(keys, selected, groupStyle));
        } else if (aggregate && p(0.03)) {
            nodes.add(Node.GROUP_BY_EMPTY);
            sql.append(" GROUP BY ()");
        }
        if (aggregate && p(0.25)) {
            nodes.add(Node.HAVING);
            Ctx having = new Ctx(scope, ctes, Clause.FILTER, true, false, keys, false);
            Expr h = havingPredicate(having);
            control(h.lineage());
            sql.append(" HAVING ").append(h.sql());
        }
        String qualify = "";
        if (!aggregate && p(0.06) && !rels.isEmpty() && spend(1)) {
            nodes.add(Node.QUALIFY);
            Expr w = windowCall(base.clause(Clause.FILTER), Type.INT, 1);
            control(w.lineage());
            qualify = " QUALIFY " + w.sql() + " <= " + between(1, 3);
        }
        List<String> windows = windowDefinitions.pop();
        if (!windows.isEmpty()) {
            nodes.add(Node.NAMED_WINDOW);
            sql.append(" WINDOW ").append(String.join(", ", windows));
        }
        sql.append(qualify);
        boolean limited = false;
        if (p(top ? 0.25 : 0.1) && !selected.isEmpty()) {
            nodes.add(Node.ORDER_BY);
            List<String> order = new ArrayList<>();
            int n = between(1, Math.min(2, selected.size()));
            boolean willLimit = p(0.5);
            for (int i = 0; i < n; i++) {
                int ordinal = r.nextInt(selected.size());
                if (p(0.5)) {
                    nodes.add(Node.ORDINAL_ORDER);
                    order.add((ordinal + 1) + direction());
                } else {
                    order.add(selected.get(ordinal).sql() + direction());
                }
                if (!top || willLimit) {
                    control(selected.get(ordinal).lineage());
                }
            }
            sql.append(" ORDER BY ").append(String.join(", ", order));
            if (willLimit) {
                limited = true;
                sql.append(limit());
            }
        }
        if (!limited && (purpose == Purpose.SCALAR && !aggregate)) {
            nodes.add(Node.LIMIT);
            sql.append(" LIMIT 1");
        } else if (!limited && p(0.05)) {
            sql.append(limit());
        }
        if (top && aggregate) {
            nodes.add(Node.FINAL_AGGREGATE);
        }
        return new Block(sql.toString(), cols);
    }

    private String direction() {
        return switch (r.nextInt(5)) {
            case 0 -> " DESC";
            case 1 -> " ASC NULLS FIRST";
            case 2 -> " DESC NULLS LAST";
            default -> "";
        };
    }

    private String limit() {
        switch (r.nextInt(5)) {
            case 0 -> {
                nodes.add(Node.FETCH);
                return " FETCH FIRST " + between(1, 5) + " ROWS ONLY";
            }
            case 1 -> {
                nodes.add(Node.OFFSET);
                nodes.add(Node.FETCH);
                return " OFFSET " + between(0, 3) + " ROWS FETCH NEXT " + between(1, 5) + " ROWS ONLY";
            }
            case 2 -> {
                nodes.add(Node.OFFSET);
                nodes.add(Node.LIMIT);
                return " LIMIT " + between(1, 5) + " OFFSET " + between(1, 3);
            }
            default -> {
                nodes.add(Node.LIMIT);
                return " LIMIT " + between(1, 8);
            }
        }
    }

    private String groupBy(List<Expr> keys, List<Expr> selected, int style) {
        List<String> texts = keys.stream().map(Expr::sql).toList();
        if (style == 0) {
            nodes.add(Node.ROLLUP);
            function("SqlStdOperatorTable.ROLLUP");
            return "ROLLUP(" + String.join(", ", texts) + ")";
        }
        if (style == 1) {
            nodes.add(Node.CUBE);
            function("SqlStdOperatorTable.CUBE");
            return "CUBE(" + String.join(", ", texts) + ")";
        }
        if (style == 2) {
            nodes.add(Node.GROUPING_SETS);
            function("SqlStdOperatorTable.GROUPING_SETS");
            List<String> sets = new ArrayList<>();
            for (String t : texts) {
                sets.add("(" + t + ")");
            }
            sets.add("()");
            return "GROUPING SETS (" + String.join(", ", sets) + ")";
        }
        if (style == 3) {
            // ordinals of the select list where a key is selected as it is
            List<String> out = new ArrayList<>();
            for (String t : texts) {
                int at = -1;
                for (int i = 0; i < selected.size(); i++) {
                    if (selected.get(i).sql().equals(t)) {
                        at = i;
                    }
                }
                out.add(at >= 0 ? String.valueOf(at + 1) : t);
            }
            if (!out.equals(texts)) {
                nodes.add(Node.GROUP_BY_ORDINAL);
            }
            return String.join(", ", out);
        }
        return String.join(", ", texts);
    }

    // ---------------------------------------------------------------- FROM

    private Rel tableRel(WorldTable table, String alias) {
        List<Col> cols = new ArrayList<>();
        List<Lineage> all = new ArrayList<>();
        for (WorldColumn c : table.columns()) {
            Lineage l = Lineage.column(new Ref(table.name(), c.name()));
            all.add(l);
            cols.add(new Col(c.name(), alias + "." + columnName(c.name()), type(c.kind()), l));
        }
        return new Rel(alias, table.name(), cols, false, Lineage.of(all));
    }

    private String columnName(String column) {
        if (p(0.04)) {
            nodes.add(Node.QUOTED_IDENTIFIER);
            return "\"" + column + "\"";
        }
        if (p(0.03)) {
            nodes.add(Node.CASE_TRICK);
            return column.toUpperCase(Locale.ROOT);
        }
        return column;
    }

    private String tableSql(Rel rel) {
        String name = rel.table();
        if (p(0.05)) {
            nodes.add(Node.QUOTED_IDENTIFIER);
            name = "\"" + name + "\"";
        } else if (p(0.05)) {
            nodes.add(Node.CASE_TRICK);
            name = name.toUpperCase(Locale.ROOT);
        }
        return name + (p(0.5) ? " AS " : " ") + rel.alias();
    }

    /** The FROM clause: one or more items joined every way. */
    private String from(Scope outer, List<Cte> ctes, int depth, List<Rel> rels) {
        StringBuilder sql = new StringBuilder();
        sql.append(fromItem(outer, ctes, depth, rels, false));
        int joins = p(0.4) ? 1 : 0;
        while (p(0.3) && spend(1)) {
            joins++;
        }
        for (int j = 0; j < joins; j++) {
            double k = r.nextDouble();
            if (k < 0.12 && canSubquery() && spend(2)) {
                nodes.add(Node.LATERAL);
                nodes.add(Node.JOIN_LATERAL);
                function("SqlStdOperatorTable.LATERAL");
                String kind = pick(List.of(", ", " CROSS JOIN ", " LEFT JOIN ", " JOIN "));
                Block sub = query(new Scope(List.copyOf(rels), outer), ctes, depth + 1, Purpose.DERIVED, null);
                Rel rel = derivedRel(name("l"), sub.cols());
                sql.append(kind).append("LATERAL (").append(sub.sql()).append(") AS ").append(rel.alias());
                if (kind.contains("JOIN") && !kind.contains("CROSS")) {
                    sql.append(" ON TRUE");
                }
                rels.add(rel);
                continue;
            }
            if (k < 0.22 && spend(1)) {
                sql.append(pick(List.of(", ", " CROSS JOIN "))).append(unnest(outer, ctes, rels));
                continue;
            }
            List<Rel> right = new ArrayList<>();
            String item = fromItem(outer, ctes, depth, right, true);
            double kind = r.nextDouble();
            if (kind < 0.12) {
                nodes.add(Node.JOIN_COMMA);
                sql.append(", ").append(item);
                rels.addAll(right);
            } else if (kind < 0.2) {
                nodes.add(Node.JOIN_CROSS);
                sql.append(" CROSS JOIN ").append(item);
                rels.addAll(right);
            } else if (kind < 0.26) {
                nodes.add(Node.JOIN_NATURAL);
                sql.append(" NATURAL ").append(pick(List.of("", "LEFT ", "INNER "))).append("JOIN ").append(item);
                for (Rel a : rels) {
                    for (Rel b : right) {
                        for (Col ca : a.cols()) {
                            for (Col cb : b.cols()) {
                                if (ca.name().equalsIgnoreCase(cb.name())) {
                                    control(ca.lineage());
                                    control(cb.lineage());
                                }
                            }
                        }
                    }
                }
                rels.addAll(right);
            } else {
                String using = null;
                if (kind < 0.34) {
                    for (Rel a : rels) {
                        for (Rel b : right) {
                            if (a.table() == null || b.table() == null) {
                                continue;
                            }
                            for (Col ca : a.cols()) {
                                for (Col cb : b.cols()) {
                                    if (ca.name().equalsIgnoreCase(cb.name()) && using == null) {
                                        using = ca.name();
                                        control(ca.lineage());
                                        control(cb.lineage());
                                    }
                                }
                            }
                        }
                    }
                }
                String type = pick(List.of(" JOIN ", " INNER JOIN ", " JOIN ", " LEFT JOIN ", " LEFT OUTER JOIN ",
                        " RIGHT JOIN ", " FULL JOIN ", " FULL OUTER JOIN "));
                nodes.add(type.contains("LEFT") ? Node.JOIN_LEFT : type.contains("RIGHT") ? Node.JOIN_RIGHT
                        : type.contains("FULL") ? Node.JOIN_FULL : Node.JOIN_INNER);
                sql.append(type).append(item);
                if (using != null) {
                    nodes.add(Node.JOIN_USING);
                    sql.append(" USING (").append(using).append(")");
                    rels.addAll(right);
                } else {
                    List<Rel> both = new ArrayList<>(rels);
                    both.addAll(right);
                    Ctx on = new Ctx(new Scope(both, outer), ctes, Clause.JOIN, false, false, null, false);
                    Expr condition = joinCondition(on, pick(rels), right.get(0));
                    control(condition.lineage());
                    sql.append(" ON ").append(condition.sql());
                    rels.addAll(right);
                }
            }
            for (Rel a : rels) {
                for (Rel b : rels) {
                    if (a != b && a.table() != null && a.table().equals(b.table())) {
                        nodes.add(Node.SELF_JOIN);
                    }
                }
            }
        }
        return sql.toString();
    }

    private Rel derivedRel(String alias, List<Col> cols) {
        List<Col> out = new ArrayList<>();
        List<Lineage> all = new ArrayList<>();
        for (Col c : cols) {
            out.add(new Col(c.name(), alias + "." + c.name(), c.type(), c.lineage()));
            all.add(c.lineage());
        }
        return new Rel(alias, null, out, false, Lineage.of(all));
    }

    /** One item of FROM: a table, a CTE, a subquery, VALUES, a table function or a PIVOT. */
    private String fromItem(Scope outer, List<Cte> ctes, int depth, List<Rel> rels, boolean joined) {
        double k = r.nextDouble();
        if (!ctes.isEmpty() && k < 0.3) {
            Cte cte = pick(ctes);
            Rel rel = derivedRel(name("q"), cte.cols());
            rels.add(rel);
            return cte.name() + " AS " + rel.alias();
        }
        if (depth < MAX_DEPTH && k < 0.42 && canSubquery() && spend(2)) {
            nodes.add(Node.SUBQUERY_FROM);
            Block sub = query(outer, ctes, depth + 1, Purpose.DERIVED, null);
            String alias = name("s");
            if (p(0.15)) {
                nodes.add(Node.TABLE_COLUMN_ALIASES);
                List<String> list = new ArrayList<>();
                List<Col> renamed = new ArrayList<>();
                for (Col c : sub.cols()) {
                    String n = name("a");
                    list.add(n);
                    renamed.add(new Col(n, n, c.type(), c.lineage()));
                }
                rels.add(derivedRel(alias, renamed));
                return "(" + sub.sql() + ") AS " + alias + " (" + String.join(", ", list) + ")";
            }
            rels.add(derivedRel(alias, sub.cols()));
            return "(" + sub.sql() + ") AS " + alias;
        }
        if (k < 0.46 && spend(1)) {
            nodes.add(Node.VALUES_FROM);
            function("SqlStdOperatorTable.VALUES");
            List<Type> types = List.of(pick(List.of(Type.INT, Type.STR)), pick(List.of(Type.STR, Type.DATE, Type.DEC)));
            Block values = values(between(1, 3), types);
            String alias = name("v");
            List<Col> cols = List.of(new Col("x", alias + ".x", types.get(0), Lineage.none()),
                    new Col("y", alias + ".y", types.get(1), Lineage.none()));
            rels.add(new Rel(alias, null, cols, false, Lineage.none()));
            return "(" + values.sql() + ") AS " + alias + " (x, y)";
        }
        if (k < 0.475 && spend(3)) {
            return opaque(outer, ctes, depth, rels);
        }
        WorldTable table = pick(world.tables());
        Rel rel = tableRel(table, name("t"));
        rels.add(rel);
        String sql = tableSql(rel);
        if (p(0.04)) {
            nodes.add(Node.TABLE_COLUMN_ALIASES);
            List<String> list = new ArrayList<>();
            List<Col> cols = new ArrayList<>();
            for (Col c : rel.cols()) {
                String n = name("a");
                list.add(n);
                cols.add(new Col(n, rel.alias() + "." + n, c.type(), c.lineage()));
            }
            rels.set(rels.size() - 1, new Rel(rel.alias(), rel.table(), cols, false, rel.all()));
            sql = table.name() + " AS " + rel.alias() + " (" + String.join(", ", list) + ")";
        }
        if (p(0.03)) {
            nodes.add(Node.TABLESAMPLE);
            function("SqlStdOperatorTable.TABLESAMPLE");
            sql += pick(List.of(" TABLESAMPLE BERNOULLI(50)", " TABLESAMPLE SYSTEM(30) REPEATABLE(7)",
                    " TABLESAMPLE BERNOULLI(100) REPEATABLE(1)"));
        }
        return sql;
    }

    /** Relations whose columns the generator does not track by name: read only through * at the top. */
    private String opaque(Scope outer, List<Cte> ctes, int depth, List<Rel> rels) {
        Rel table = tableRel(pick(world.tables()), name("t"));
        String alias = name("o");
        double k = r.nextDouble();
        String sql;
        if (k < 0.3) {
            nodes.add(Node.TABLE_FUNCTION);
            function(pick(List.of("SqlStdOperatorTable.TUMBLE", "SqlStdOperatorTable.HOP",
                    "SqlStdOperatorTable.SESSION")));
            function("SqlStdOperatorTable.DESCRIPTOR");
            function("SqlStdOperatorTable.COLLECTION_TABLE");
            function("SqlStdOperatorTable.EXPLICIT_TABLE");
            Col time = table.cols().stream().filter(c -> c.type() == Type.DATE).findFirst()
                    .orElse(table.cols().get(0));
            sql = "TABLE(TUMBLE(TABLE " + table.table() + ", DESCRIPTOR(" + time.name() + "), INTERVAL '1' DAY)) AS "
                    + alias;
        } else if (k < 0.6) {
            nodes.add(Node.PIVOT);
            Col key = table.cols().stream().filter(c -> c.type() == Type.STR).findFirst().orElse(table.cols().get(0));
            Col value = pick(table.cols());
            List<String> in = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                in.add(literal(Type.STR) + " AS p" + i);
            }
            sql = "(SELECT " + key.sql() + " AS k, " + value.sql() + " AS w FROM " + tableSql(table) + ") PIVOT ("
                    + pick(List.of("SUM", "MIN", "COUNT", "MAX")) + "(w) AS m FOR k IN (" + String.join(", ", in)
                    + ")) AS " + alias;
            control(key.lineage());
        } else if (k < 0.8) {
            nodes.add(Node.UNPIVOT);
            List<Col> ints = table.cols().stream().filter(c -> c.type() == Type.INT).toList();
            Col a = ints.isEmpty() ? table.cols().get(0) : ints.get(0);
            Col b = ints.size() > 1 ? ints.get(1) : a;
            sql = "(SELECT " + a.sql() + " AS u1, " + b.sql() + " AS u2 FROM " + tableSql(table)
                    + ") UNPIVOT (val FOR col IN (u1, u2)) AS " + alias;
        } else {
            nodes.add(Node.MATCH_RECOGNIZE);
            Col order = table.cols().stream().filter(c -> c.type() == Type.DATE || c.type() == Type.INT).findFirst()
                    .orElse(table.cols().get(0));
            Col measure = pick(table.cols());
            sql = table.table() + " MATCH_RECOGNIZE (ORDER BY " + order.name() + " MEASURES FIRST(A." + measure.name()
                    + ") AS m ONE ROW PER MATCH PATTERN (A B*) DEFINE B AS B." + order.name() + " > A."
                    + order.name() + ") AS " + alias;
            control(order.lineage());
        }
        // every column of the source may reach the output through the opaque relation
        rels.add(new Rel(alias, null, List.of(), true, table.all()));
        return sql;
    }

    /** UNNEST of an array (or multiset) of values of the relations to its left. */
    private String unnest(Scope outer, List<Cte> ctes, List<Rel> rels) {
        Ctx ctx = new Ctx(new Scope(List.copyOf(rels), outer), ctes, Clause.OUTPUT, false, false, null, false);
        Type type = pick(List.of(Type.STR, Type.INT, Type.DEC));
        List<String> items = new ArrayList<>();
        List<Lineage> lineages = new ArrayList<>();
        int n = between(1, 3);
        for (int i = 0; i < n; i++) {
            Expr e = expr(ctx, type, 1);
            items.add(e.sql());
            lineages.add(e.lineage());
        }
        boolean multiset = p(0.2);
        boolean ordinality = !multiset && p(0.25);
        nodes.add(multiset ? Node.UNNEST_MULTISET : Node.UNNEST_ARRAY);
        function("SqlStdOperatorTable." + (ordinality ? "UNNEST_WITH_ORDINALITY" : "UNNEST"));
        function(multiset ? "SqlStdOperatorTable.MULTISET_VALUE" : "SqlStdOperatorTable.ARRAY_VALUE_CONSTRUCTOR");
        String alias = name("u");
        List<Col> cols = new ArrayList<>();
        cols.add(new Col("v", alias + ".v", type, Lineage.of(lineages)));
        String sql = "UNNEST(" + (multiset ? "MULTISET[" : "ARRAY[") + String.join(", ", items) + "])";
        if (ordinality) {
            nodes.add(Node.UNNEST_ORDINALITY);
            cols.add(new Col("o", alias + ".o", Type.INT, Lineage.none()));
            sql += " WITH ORDINALITY AS " + alias + " (v, o)";
        } else {
            sql += " AS " + alias + " (v)";
        }
        rels.add(new Rel(alias, null, cols, false, Lineage.of(lineages)));
        return sql;
    }

    /** A join condition: equal columns of one domain (what the rules admit), or anything. */
    private Expr joinCondition(Ctx ctx, Rel left, Rel right) {
        if (!p(wildRate)) {
            List<String> eqs = new ArrayList<>();
            List<Lineage> lins = new ArrayList<>();
            for (Col a : left.cols()) {
                for (Col b : right.cols()) {
                    if (sameDomain(a, b) && (p(hiddenRate) || comparable(a) && comparable(b))) {
                        eqs.add(a.sql() + " = " + b.sql());
                        lins.add(Lineage.of(a.lineage(), b.lineage()));
                    }
                }
            }
            if (!eqs.isEmpty()) {
                int i = r.nextInt(eqs.size());
                String sql = eqs.get(i);
                Lineage l = lins.get(i);
                if (eqs.size() > 1 && p(0.25)) {
                    int j = r.nextInt(eqs.size());
                    sql = sql + (p(0.7) ? " AND " : " OR ") + eqs.get(j);
                    l = Lineage.of(l, lins.get(j));
                }
                if (p(0.2)) {
                    Expr extra = predicate(ctx.clause(Clause.FILTER), 1);
                    sql = sql + " AND " + extra.sql();
                    l = Lineage.of(l, extra.lineage());
                }
                return new Expr(sql, Type.BOOL, l);
            }
        }
        return predicate(ctx, 2);
    }

    private boolean sameDomain(Col a, Col b) {
        Set<Ref> oa = a.lineage().origins();
        Set<Ref> ob = b.lineage().origins();
        if (oa.size() != 1 || ob.size() != 1 || a.type() != b.type()) {
            return a.type() == b.type() && p(0.05);
        }
        Ref ra = oa.iterator().next();
        Ref rb = ob.iterator().next();
        WorldColumn ca = world.table(ra.table()).column(ra.column());
        WorldColumn cb = world.table(rb.table()).column(rb.column());
        return ca.domain().isPresent() ? ca.domain().equals(cb.domain()) : ra.column().equals(rb.column());
    }

    private boolean comparable(Col c) {
        return c.lineage().origins().stream().allMatch(policy::columnComparable);
    }

    // ---------------------------------------------------------------- expressions

    /** An expression of the wanted type (any when null). */
    private Expr expr(Ctx ctx, Type want, int depth) {
        if (depth <= 0 || p(0.35) || !spend(1)) {
            return leaf(ctx, want);
        }
        double k = r.nextDouble();
        Type t = want != null ? want : pick(List.of(Type.INT, Type.STR, Type.DEC, Type.DATE, Type.BOOL, Type.INT,
                Type.STR));
        if (ctx.aggregates() && !ctx.inAggregate() && k < 0.2) {
            return aggregateCall(ctx, want, depth, Aggregates.ANY);
        }
        if (ctx.windows() && !ctx.inAggregate() && k < 0.27 && !ctx.scope().rels().isEmpty()) {
            return windowCall(ctx, want, depth);
        }
        if (k < 0.55) {
            return call(ctx, t, depth);
        }
        if (k < 0.62) {
            return caseExpr(ctx, t, depth);
        }
        if (k < 0.7) {
            return cast(ctx, t, depth);
        }
        if (k < 0.76 && depth >= 1 && ctx.scope() != null && canSubquery() && spend(1)) {
            return scalarSubquery(ctx, t);
        }
        if (t == Type.BOOL) {
            return predicate(ctx, depth);
        }
        if (t.numeric() && k < 0.9) {
            return arithmetic(ctx, t, depth);
        }
        if (t == Type.STR && k < 0.9) {
            nodes.add(Node.CONCAT);
            Expr a = expr(ctx, Type.STR, depth - 1);
            Expr b = expr(ctx, Type.STR, depth - 1);
            return new Expr("(" + a.sql() + " || " + b.sql() + ")", Type.STR, Lineage.of(a.lineage(), b.lineage()));
        }
        if (t == Type.DATE && k < 0.9) {
            nodes.add(Node.DATETIME_ARITHMETIC);
            nodes.add(Node.INTERVAL);
            function("SqlStdOperatorTable.DATETIME_PLUS");
            Expr a = expr(ctx, Type.DATE, depth - 1);
            return new Expr("(" + a.sql() + " + " + literal(Type.INTERVAL) + ")", Type.DATE, a.lineage());
        }
        return special(ctx, t, depth);
    }

    /** A column (of the wanted type, hidden or not as the query leans), a group key, or a literal. */
    private Expr leaf(Ctx ctx, Type want) {
        if (ctx.keys() != null && !ctx.inAggregate()) {
            List<Expr> keys = ctx.keys().stream().filter(k -> want == null || k.type() == want).toList();
            if (!keys.isEmpty() && p(0.8)) {
                return pick(keys);
            }
            if (ctx.aggregates() && p(0.6)) {
                return aggregateCall(ctx, want, 1, Aggregates.ANY);
            }
            return literalExpr(want);
        }
        if (p(0.15) || ctx.scope() == null) {
            return literalExpr(want);
        }
        List<Col> candidates = new ArrayList<>();
        for (Scope s = ctx.scope(); s != null; s = s.outer()) {
            boolean correlated = s != ctx.scope();
            if (correlated && !p(0.3)) {
                continue;
            }
            for (Col c : s.columns()) {
                if (want == null || c.type() == want) {
                    candidates.add(c);
                }
            }
            if (correlated && !candidates.isEmpty()) {
                break;
            }
        }
        if (candidates.isEmpty()) {
            return literalExpr(want);
        }
        List<Col> hidden = new ArrayList<>();
        List<Col> visible = new ArrayList<>();
        for (Col c : candidates) {
            (isHidden(c, ctx.clause()) ? hidden : visible).add(c);
        }
        Col c = !hidden.isEmpty() && (visible.isEmpty() || p(hiddenRate)) ? pick(hidden) : pick(visible);
        if (ctx.scope().columns().stream().noneMatch(x -> x == c)) {
            nodes.add(Node.CORRELATED);
        }
        return new Expr(c.sql(), c.type(), c.lineage());
    }

    private boolean isHidden(Col c, Clause clause) {
        Set<Ref> origins = c.lineage().origins();
        return switch (clause) {
            case OUTPUT -> origins.stream().anyMatch(policy::hiddenInOutput);
            case FILTER -> origins.stream().anyMatch(ref -> !policy.literalComparable(ref));
            case JOIN -> origins.stream().anyMatch(ref -> !policy.columnComparable(ref));
            default -> false;
        };
    }

    private Expr literalExpr(Type want) {
        Type t = want == null ? pick(List.of(Type.INT, Type.STR, Type.DEC, Type.DATE)) : want;
        if (p(0.03)) {
            nodes.add(Node.LITERAL_NULL);
            return new Expr(p(0.5) ? "NULL" : "CAST(NULL AS " + sqlType(t) + ")", t, Lineage.none());
        }
        if (t == Type.INTERVAL) {
            nodes.add(Node.INTERVAL);
        }
        return new Expr(literal(t), t, Lineage.none());
    }

    private static String sqlType(Type t) {
        return switch (t) {
            case INT -> "INTEGER";
            case DEC -> "DECIMAL(10, 2)";
            case DBL -> "DOUBLE";
            case STR -> "VARCHAR";
            case DATE -> "DATE";
            case TS -> "TIMESTAMP";
            case BOOL -> "BOOLEAN";
            default -> "VARCHAR";
        };
    }

    /** A call of an operator of the catalog whose result has the wanted type, arguments generated to fit. */
    private Expr call(Ctx ctx, Type want, int depth) {
        List<Pick> picks = catalog.scalars(want);
        if (picks.isEmpty() || !p(wildRate) && p(0.7)) {
            return tameCall(ctx, want, depth);
        }
        Pick pick = pick(picks);
        nodes.add(Node.FUNCTION_CALL);
        function(pick.operator().id());
        List<String> args = new ArrayList<>();
        List<Lineage> lins = new ArrayList<>();
        for (int i = 0; i < pick.shape().args().size(); i++) {
            Type t = pick.shape().args().get(i);
            Expr a = pick.shape().literal().get(i) ? literalExpr(t) : argument(ctx, t, depth - 1);
            args.add("(" + a.sql() + ")");
            lins.add(a.lineage());
        }
        return new Expr("(" + pick.shape().render(args) + ")", want, Lineage.of(lins));
    }

    private Expr argument(Ctx ctx, Type t, int depth) {
        return switch (t) {
            case ARRAY -> {
                nodes.add(Node.ARRAY);
                Type e = pick(List.of(Type.INT, Type.STR));
                Expr a = expr(ctx, e, Math.max(0, depth - 1));
                Expr b = expr(ctx, e, Math.max(0, depth - 1));
                yield new Expr("ARRAY[" + a.sql() + ", " + b.sql() + "]", Type.ARRAY, Lineage.of(a.lineage(),
                        b.lineage()));
            }
            case MAP -> {
                nodes.add(Node.MAP);
                Expr k = expr(ctx, Type.STR, 0);
                Expr v = expr(ctx, Type.INT, 0);
                yield new Expr("MAP[" + k.sql() + ", " + v.sql() + "]", Type.MAP, Lineage.of(k.lineage(), v.lineage()));
            }
            case INTERVAL, OTHER, TS, DBL -> {
                if (t == Type.TS && p(0.5)) {
                    Expr d = expr(ctx, Type.DATE, 0);
                    yield new Expr("CAST(" + d.sql() + " AS TIMESTAMP)", Type.TS, d.lineage());
                }
                if (t == Type.DBL && p(0.5)) {
                    Expr d = expr(ctx, Type.INT, Math.max(0, depth));
                    yield new Expr("CAST(" + d.sql() + " AS DOUBLE)", Type.DBL, d.lineage());
                }
                yield literalExpr(t);
            }
            default -> expr(ctx, t, depth);
        };
    }

    /** Everyday functions that checkers classify, with arguments of the right kinds. */
    private Expr tameCall(Ctx ctx, Type want, int depth) {
        nodes.add(Node.FUNCTION_CALL);
        if (depth > 1) {
            nodes.add(Node.NESTED_FUNCTION);
        }
        switch (want) {
            case STR -> {
                Expr a = expr(ctx, Type.STR, depth - 1);
                return switch (r.nextInt(7)) {
                    case 0 -> fn("SqlStdOperatorTable.UPPER", "UPPER(" + a.sql() + ")", Type.STR, a);
                    case 1 -> fn("SqlStdOperatorTable.LOWER", "LOWER(" + a.sql() + ")", Type.STR, a);
                    case 2 -> fn("SqlStdOperatorTable.SUBSTRING", "SUBSTRING(" + a.sql() + ", " + between(1, 3) + ", "
                            + between(1, 4) + ")", Type.STR, a);
                    case 3 -> {
                        Expr b = expr(ctx, Type.STR, depth - 1);
                        yield fn("SqlStdOperatorTable.COALESCE", "COALESCE(" + a.sql() + ", " + b.sql() + ")",
                                Type.STR, a, b);
                    }
                    case 4 -> fn("SqlLibraryOperators.RTRIM", "RTRIM(" + a.sql() + ")", Type.STR, a);
                    case 5 -> {
                        nodes.add(Node.TRIM);
                        yield fn("SqlStdOperatorTable.TRIM", "TRIM(BOTH ' ' FROM " + a.sql() + ")", Type.STR, a);
                    }
                    default -> {
                        Expr x = expr(ctx, Type.INT, depth - 1);
                        yield fn("SqlStdOperatorTable.CAST", "CAST(" + x.sql() + " AS VARCHAR)", Type.STR, x);
                    }
                };
            }
            case INT -> {
                Expr a = expr(ctx, pick(List.of(Type.INT, Type.DEC)), depth - 1);
                return switch (r.nextInt(6)) {
                    case 0 -> fn("SqlStdOperatorTable.ABS", "ABS(" + a.sql() + ")", Type.INT, a);
                    case 1 -> fn("SqlStdOperatorTable.FLOOR", "FLOOR(" + a.sql() + ")", Type.INT, a);
                    case 2 -> fn("SqlStdOperatorTable.CEIL", "CEILING(" + a.sql() + ")", Type.INT, a);
                    case 3 -> {
                        Expr s = expr(ctx, Type.STR, depth - 1);
                        yield fn("SqlStdOperatorTable.CHAR_LENGTH", "CHAR_LENGTH(" + s.sql() + ")", Type.INT, s);
                    }
                    case 4 -> {
                        Expr d = expr(ctx, Type.DATE, depth - 1);
                        nodes.add(Node.EXTRACT);
                        yield fn("SqlStdOperatorTable.EXTRACT", "EXTRACT(" + pick(List.of("YEAR", "MONTH", "DAY",
                                "DOW", "QUARTER")) + " FROM " + d.sql() + ")", Type.INT, d);
                    }
                    default -> fn("SqlStdOperatorTable.CAST", "CAST(" + a.sql() + " AS INTEGER)", Type.INT, a);
                };
            }
            case DEC, DBL -> {
                Expr a = expr(ctx, pick(List.of(Type.INT, Type.DEC)), depth - 1);
                return switch (r.nextInt(3)) {
                    case 0 -> fn("SqlStdOperatorTable.ROUND", "ROUND(" + a.sql() + ", " + between(0, 2) + ")", want, a);
                    case 1 -> fn("SqlStdOperatorTable.TRUNCATE", "TRUNC(" + a.sql() + ")", want, a);
                    default -> fn("SqlStdOperatorTable.CAST", "CAST(" + a.sql() + " AS DECIMAL(12, 2))", want, a);
                };
            }
            case DATE -> {
                Expr a = expr(ctx, Type.DATE, depth - 1);
                return p(0.5) ? fn("SqlStdOperatorTable.COALESCE", "COALESCE(" + a.sql() + ", DATE '2024-01-01')",
                        Type.DATE, a) : fn("SqlStdOperatorTable.CAST", "CAST(" + a.sql() + " AS DATE)", Type.DATE, a);
            }
            case BOOL -> {
                return predicate(ctx, depth);
            }
            default -> {
                return leaf(ctx, want);
            }
        }
    }

    private Expr fn(String id, String sql, Type type, Expr... args) {
        function(id);
        List<Lineage> lins = new ArrayList<>();
        for (Expr a : args) {
            lins.add(a.lineage());
        }
        return new Expr(sql, type, Lineage.of(lins));
    }

    private Expr arithmetic(Ctx ctx, Type t, int depth) {
        nodes.add(Node.ARITHMETIC);
        Expr a = expr(ctx, t, depth - 1);
        Expr b = p(0.4) ? literalExpr(t == Type.DBL ? Type.INT : t) : expr(ctx, t, depth - 1);
        String op = pick(List.of("+", "-", "*", "/", "%", "*"));
        if (op.equals("%")) {
            function("SqlStdOperatorTable.PERCENT_REMAINDER");
        }
        return new Expr("(" + a.sql() + " " + op + " " + b.sql() + ")", t, Lineage.of(a.lineage(), b.lineage()));
    }

    private Expr caseExpr(Ctx ctx, Type t, int depth) {
        function("SqlStdOperatorTable.CASE");
        if (p(0.3)) {
            nodes.add(Node.CASE_SIMPLE);
            Expr subject = expr(ctx, null, depth - 1);
            Expr when = literalExpr(subject.type());
            Expr then = expr(ctx, t, depth - 1);
            Expr otherwise = expr(ctx, t, depth - 1);
            return new Expr("CASE " + subject.sql() + " WHEN " + when.sql() + " THEN " + then.sql() + " ELSE "
                    + otherwise.sql() + " END", t, Lineage.of(subject.lineage(), then.lineage(), otherwise.lineage()));
        }
        nodes.add(Node.CASE_SEARCHED);
        Expr cond = predicate(ctx.clause(ctx.clause() == Clause.OUTPUT ? Clause.FILTER : ctx.clause()), depth - 1);
        Expr then = expr(ctx, t, depth - 1);
        boolean otherwise = p(0.7);
        Expr other = otherwise ? expr(ctx, t, depth - 1) : null;
        return new Expr("CASE WHEN " + cond.sql() + " THEN " + then.sql() + (otherwise ? " ELSE " + other.sql() : "")
                + " END", t, otherwise ? Lineage.of(cond.lineage(), then.lineage(), other.lineage())
                        : Lineage.of(cond.lineage(), then.lineage()));
    }

    private Expr cast(Ctx ctx, Type t, int depth) {
        Type from = pick(List.of(Type.INT, Type.STR, Type.DEC, Type.DATE, t));
        Expr a = expr(ctx, from, depth - 1);
        double k = r.nextDouble();
        if (k < 0.04) {
            nodes.add(Node.INFIX_CAST);
            function("SqlLibraryOperators.INFIX_CAST");
            return new Expr("(" + a.sql() + ")::" + sqlType(t), t, a.lineage());
        }
        if (k < 0.3) {
            nodes.add(Node.TRY_CAST);
            String op = p(0.5) ? "TRY_CAST" : "SAFE_CAST";
            function("SqlLibraryOperators." + op);
            return new Expr(op + "(" + a.sql() + " AS " + sqlType(t) + ")", t, a.lineage());
        }
        nodes.add(Node.CAST);
        function("SqlStdOperatorTable.CAST");
        return new Expr("CAST(" + a.sql() + " AS " + sqlType(t) + ")", t, a.lineage());
    }

    /** Syntax-shaped functions: POSITION, SUBSTRING FROM, OVERLAY, TRANSLATE, CONVERT, items, ROW. */
    private Expr special(Ctx ctx, Type t, int depth) {
        Expr s = expr(ctx, Type.STR, depth - 1);
        switch (r.nextInt(p(0.1) ? 7 : 6)) {
            case 0 -> {
                nodes.add(Node.POSITION);
                Expr needle = literalExpr(Type.STR);
                return cast(t, fn("SqlStdOperatorTable.POSITION", "POSITION(" + needle.sql() + " IN " + s.sql() + ")",
                        Type.INT, s));
            }
            case 1 -> {
                nodes.add(Node.SUBSTRING_FROM);
                return cast(t, fn("SqlStdOperatorTable.SUBSTRING", "SUBSTRING(" + s.sql() + " FROM " + between(1, 3)
                        + (p(0.5) ? " FOR " + between(1, 4) : "") + ")", Type.STR, s));
            }
            case 2 -> {
                nodes.add(Node.OVERLAY);
                return cast(t, fn("SqlStdOperatorTable.OVERLAY", "OVERLAY(" + s.sql() + " PLACING 'q' FROM "
                        + between(1, 3) + ")", Type.STR, s));
            }
            case 3 -> {
                nodes.add(Node.TRANSLATE);
                return cast(t, fn("SqlStdOperatorTable.TRANSLATE", "TRANSLATE(" + s.sql() + ", 'abc', 'xyz')",
                        Type.STR, s));
            }
            case 4 -> {
                nodes.add(Node.CONVERT);
                return cast(t, fn("SqlStdOperatorTable.CONVERT", "CONVERT(" + s.sql() + " USING UTF8)", Type.STR, s));
            }
            case 5 -> {
                nodes.add(Node.ITEM);
                nodes.add(Node.ARRAY);
                Expr b = expr(ctx, Type.STR, depth - 1);
                function("SqlStdOperatorTable.ITEM");
                function("SqlStdOperatorTable.ARRAY_VALUE_CONSTRUCTOR");
                return cast(t, new Expr("(ARRAY[" + s.sql() + ", " + b.sql() + "])[" + between(1, 2) + "]", Type.STR,
                        Lineage.of(s.lineage(), b.lineage())));
            }
            default -> {
                nodes.add(Node.ROW);
                Expr b = expr(ctx, Type.INT, depth - 1);
                function("SqlStdOperatorTable.ROW");
                function("SqlStdOperatorTable.DOT");
                return cast(t, new Expr("(ROW(" + s.sql() + ", " + b.sql() + "))", Type.OTHER,
                        Lineage.of(s.lineage(), b.lineage())));
            }
        }
    }

    private Expr cast(Type t, Expr e) {
        if (e.type() == t) {
            return e;
        }
        function("SqlStdOperatorTable.CAST");
        return new Expr("CAST(" + e.sql() + " AS " + sqlType(t) + ")", t, e.lineage());
    }

    /** A scalar subquery, often correlated; its value flows where it is used. */
    private Expr scalarSubquery(Ctx ctx, Type t) {
        nodes.add(Node.SUBQUERY_SCALAR);
        function("SqlStdOperatorTable.SCALAR_QUERY");
        int depth = MAX_DEPTH - 1;
        if (p(0.3)) {
            // the smallest correlated subquery: (SELECT outer.column), as in the red-team report
            Expr inner = leaf(ctx.clause(Clause.OUTPUT), t);
            nodes.add(Node.CORRELATED);
            return new Expr("(SELECT " + inner.sql() + ")", t, inner.lineage());
        }
        if (p(0.1) && ctx.keys() == null) {
            nodes.add(Node.SUBQUERY_ARRAY);
            function("SqlStdOperatorTable.ARRAY_QUERY");
            Block b = query(ctx.scope(), ctx.ctes(), depth + 1, Purpose.COLUMN, List.of(t));
            return cast(t, new Expr("(ARRAY(" + b.sql() + "))[1]", t, b.cols().get(0).lineage()));
        }
        Block b = query(ctx.keys() == null ? ctx.scope() : null, ctx.ctes(), depth + 1, Purpose.SCALAR, List.of(t));
        return new Expr("(" + b.sql() + ")", t, b.cols().get(0).lineage());
    }

    /** A condition: comparisons, IN, BETWEEN, LIKE, IS NULL, subqueries, boolean functions, AND/OR/NOT. */
    private Expr predicate(Ctx ctx, int depth) {
        Ctx c = ctx.clause() == Clause.OUTPUT ? ctx.clause(Clause.FILTER) : ctx;
        c = c.noWindows();
        double k = r.nextDouble();
        if (depth > 0 && k < 0.12 && spend(1)) {
            Expr a = predicate(c, depth - 1);
            Expr b = predicate(c, depth - 1);
            return new Expr("(" + a.sql() + (p(0.6) ? " AND " : " OR ") + b.sql() + ")", Type.BOOL,
                    Lineage.of(a.lineage(), b.lineage()));
        }
        if (depth > 0 && k < 0.15) {
            Expr a = predicate(c, depth - 1);
            return new Expr("NOT (" + a.sql() + ")", Type.BOOL, a.lineage());
        }
        if (k < 0.45) {
            return comparison(c, depth);
        }
        if (k < 0.52) {
            Expr a = expr(c, null, depth - 1);
            boolean longList = p(0.3);
            nodes.add(longList ? Node.IN_LIST_LONG : Node.IN_LIST_SHORT);
            boolean not = p(0.2);
            if (not) {
                nodes.add(Node.NOT_IN);
            }
            List<String> items = new ArrayList<>();
            int n = longList ? between(21, 30) : between(1, 5);
            for (int i = 0; i < n; i++) {
                items.add(literal(a.type() == Type.OTHER ? Type.STR : a.type()));
            }
            function("SqlStdOperatorTable." + (not ? "NOT_IN" : "IN"));
            return new Expr(a.sql() + (not ? " NOT IN (" : " IN (") + String.join(", ", items) + ")", Type.BOOL,
                    a.lineage());
        }
        if (k < 0.57) {
            nodes.add(Node.BETWEEN);
            Type t = pick(List.of(Type.INT, Type.DATE, Type.DEC, Type.STR));
            Expr a = expr(c, t, depth - 1);
            String op = pick(List.of("BETWEEN", "NOT BETWEEN", "BETWEEN SYMMETRIC"));
            function("SqlStdOperatorTable." + (op.startsWith("NOT") ? "NOT_BETWEEN" : op.endsWith("SYMMETRIC")
                    ? "SYMMETRIC_BETWEEN" : "BETWEEN"));
            return new Expr(a.sql() + " " + op + " " + literal(t) + " AND " + literal(t), Type.BOOL, a.lineage());
        }
        if (k < 0.64) {
            Expr a = expr(c, Type.STR, depth - 1);
            String pattern = literal(Type.STR);
            pattern = "'" + (p(0.5) ? "%" : "") + pattern.substring(1, pattern.length() - 1) + (p(0.6) ? "%" : "")
                    + "'";
            double kind = r.nextDouble();
            String op;
            if (kind < 0.5) {
                nodes.add(Node.LIKE);
                op = p(0.8) ? "LIKE" : "NOT LIKE";
                function("SqlStdOperatorTable." + op.replace(' ', '_'));
            } else if (kind < 0.7) {
                nodes.add(Node.ILIKE);
                op = "ILIKE";
                function("SqlLibraryOperators.ILIKE");
            } else if (kind < 0.85) {
                nodes.add(Node.SIMILAR_TO);
                op = "SIMILAR TO";
                function("SqlStdOperatorTable.SIMILAR_TO");
            } else {
                nodes.add(Node.RLIKE);
                op = "RLIKE";
                function("SqlLibraryOperators.RLIKE");
                pattern = pattern.replace("%", ".*");
            }
            String escape = "";
            if (op.contains("LIKE") && !op.equals("RLIKE") && p(0.1)) {
                nodes.add(Node.ESCAPE);
                function("SqlStdOperatorTable.ESCAPE");
                escape = " ESCAPE '!'";
            }
            return new Expr(a.sql() + " " + op + " " + pattern + escape, Type.BOOL, a.lineage());
        }
        if (k < 0.68) {
            nodes.add(Node.IS_NULL);
            Expr a = expr(c, null, depth - 1);
            String op = pick(List.of("IS NULL", "IS NOT NULL"));
            function("SqlStdOperatorTable." + op.replace(' ', '_'));
            return new Expr(a.sql() + " " + op, Type.BOOL, a.lineage());
        }
        if (k < 0.78 && depth > 0 && c.keys() == null && canSubquery() && spend(2)) {
            return subqueryPredicate(c);
        }
        if (k < 0.9 && spend(1)) {
            List<Pick> picks = catalog.scalars(Type.BOOL);
            if (!picks.isEmpty()) {
                return call(c, Type.BOOL, depth);
            }
        }
        Expr b = leaf(c, Type.BOOL);
        return b.type() == Type.BOOL ? b : comparison(c, depth);
    }

    /** A comparison of two values of one type; leaning to a column with a literal, or two columns. */
    private Expr comparison(Ctx ctx, int depth) {
        Type t = pick(List.of(Type.INT, Type.STR, Type.STR, Type.DATE, Type.DEC));
        Expr a = expr(ctx, t, depth - 1);
        Expr b = p(0.6) ? literalExpr(t) : expr(ctx.clause(Clause.JOIN), t, depth - 1);
        // <=> is MySQL's; this parser refuses it, so it stays rare
        String op = p(0.02) ? "<=>" : pick(List.of("=", "=", "<>", "<", "<=", ">", ">=", "!=", "IS DISTINCT FROM",
                "IS NOT DISTINCT FROM"));
        if (op.contains("DISTINCT")) {
            nodes.add(Node.IS_DISTINCT_FROM);
            function(op.contains("NOT") ? "SqlStdOperatorTable.IS_NOT_DISTINCT_FROM"
                    : "SqlStdOperatorTable.IS_DISTINCT_FROM");
        } else if (op.equals("<=>")) {
            nodes.add(Node.NULL_SAFE_EQUAL);
            function("SqlLibraryOperators.NULL_SAFE_EQUAL");
        }
        return new Expr(a.sql() + " " + op + " " + b.sql(), Type.BOOL, Lineage.of(a.lineage(), b.lineage()));
    }

    /** EXISTS, IN and quantified comparisons with subqueries, often correlated. */
    private Expr subqueryPredicate(Ctx ctx) {
        double k = r.nextDouble();
        int depth = 2;
        if (k < 0.35) {
            nodes.add(Node.SUBQUERY_EXISTS);
            function("SqlStdOperatorTable.EXISTS");
            Block b = query(ctx.scope(), ctx.ctes(), depth, Purpose.EXISTS, null);
            return new Expr((p(0.2) ? "NOT " : "") + "EXISTS (" + b.sql() + ")", Type.BOOL, Lineage.none());
        }
        Type t = pick(List.of(Type.INT, Type.STR, Type.STR, Type.DATE));
        Expr a = expr(ctx, t, 1);
        Block b = query(ctx.scope(), ctx.ctes(), depth, Purpose.COLUMN, List.of(t));
        Lineage l = Lineage.of(a.lineage(), b.cols().get(0).lineage());
        if (k < 0.75) {
            nodes.add(Node.SUBQUERY_IN);
            boolean not = p(0.25);
            function("SqlStdOperatorTable." + (not ? "NOT_IN" : "IN"));
            return new Expr(a.sql() + (not ? " NOT IN (" : " IN (") + b.sql() + ")", Type.BOOL, l);
        }
        nodes.add(Node.SUBQUERY_QUANTIFIED);
        String op = pick(List.of("=", "<>", "<", "<=", ">", ">="));
        String quantifier = pick(List.of("ANY", "SOME", "ALL"));
        function("SqlStdOperatorTable." + (quantifier.equals("ALL") ? "ALL_" : "SOME_") + switch (op) {
            case "=" -> "EQ";
            case "<>" -> "NE";
            case "<" -> "LT";
            case "<=" -> "LE";
            case ">" -> "GT";
            default -> "GE";
        });
        return new Expr(a.sql() + " " + op + " " + quantifier + " (" + b.sql() + ")", Type.BOOL, l);
    }

    /** HAVING: a comparison of an aggregate (or a group key) with a literal. */
    private Expr havingPredicate(Ctx ctx) {
        if (p(0.7)) {
            Expr a = aggregateCall(ctx, null, 1, Aggregates.ANY);
            Expr b = literalExpr(a.type() == Type.DBL || a.type() == Type.OTHER ? Type.INT : a.type());
            return new Expr(a.sql() + " " + pick(List.of(">", ">=", "<", "=", "<>")) + " " + b.sql(), Type.BOOL,
                    a.lineage());
        }
        return predicate(ctx, 1);
    }

    // ---------------------------------------------------------------- aggregates and windows

    /** Which aggregates: any, those that may take OVER, or the qualifying COUNT, SUM and AVG first. */
    private enum Aggregates {
        ANY, WINDOWED, QUALIFYING
    }

    /** An aggregate: COUNT/SUM/AVG/MIN/MAX and every aggregate of the catalog, with DISTINCT, FILTER, ORDER. */
    private Expr aggregateCall(Ctx ctx, Type want, int depth, Aggregates kind) {
        nodes.add(Node.AGGREGATE);
        Ctx inner = ctx.insideAggregate().clause(Clause.OUTPUT);
        Expr call;
        double k = r.nextDouble();
        boolean qualifying = kind == Aggregates.QUALIFYING;
        if (qualifying || k < 0.6 || catalog.aggregates().isEmpty()) {
            String fn = qualifying ? pick(List.of("COUNT", "SUM", "AVG")) : pick(List.of("COUNT", "COUNT", "SUM", "AVG",
                    "MIN", "MAX", "COUNT"));
            if (fn.equals("COUNT") && p(0.35)) {
                function("SqlStdOperatorTable.COUNT");
                call = new Expr("COUNT(*)", Type.INT, Lineage.none());
            } else {
                Type argType = fn.equals("SUM") || fn.equals("AVG") ? pick(List.of(Type.INT, Type.DEC)) : null;
                boolean plain = p(0.7);
                Expr arg = plain ? leaf(inner, argType) : expr(inner, argType, Math.max(1, depth));
                boolean distinct = p(fn.equals("COUNT") ? 0.5 : 0.1);
                if (distinct) {
                    nodes.add(Node.AGGREGATE_DISTINCT);
                }
                function("SqlStdOperatorTable." + fn);
                Type result = fn.equals("COUNT") ? Type.INT : fn.equals("AVG") ? Type.DBL : arg.type();
                call = new Expr(fn + "(" + (distinct ? "DISTINCT " : "") + arg.sql() + ")", result, arg.lineage());
            }
        } else if (k < 0.68 && kind == Aggregates.ANY) {
            call = orderedAggregate(inner);
        } else {
            Pick pick = pick(catalog.aggregates());
            function(pick.operator().id());
            nodes.add(Node.FUNCTION_CALL);
            List<String> args = new ArrayList<>();
            List<Lineage> lins = new ArrayList<>();
            for (int i = 0; i < pick.shape().args().size(); i++) {
                Type t = pick.shape().args().get(i);
                Expr a = pick.shape().literal().get(i) ? literalExpr(t) : argument(inner, t, 1);
                args.add("(" + a.sql() + ")");
                lins.add(a.lineage());
            }
            call = new Expr(pick.shape().render(args), pick.shape().result(), Lineage.of(lins));
        }
        if (p(0.08) && kind == Aggregates.ANY && !call.sql().contains("WITHIN GROUP") && spend(1)) {
            nodes.add(Node.FILTER);
            function("SqlStdOperatorTable.FILTER");
            Expr f = predicate(ctx.insideAggregate().clause(Clause.FILTER), 1);
            control(f.lineage());
            call = new Expr(call.sql() + " FILTER (WHERE " + f.sql() + ")", call.type(), call.lineage());
        }
        if (want != null && call.type() != want) {
            return cast(want, call);
        }
        return call;
    }

    /** Aggregates with an order: WITHIN GROUP, STRING_AGG/ARRAY_AGG ORDER BY, LISTAGG, percentiles. */
    private Expr orderedAggregate(Ctx inner) {
        nodes.add(Node.WITHIN_GROUP);
        Expr key = leaf(inner.clause(Clause.ORDER), null);
        control(key.lineage());
        switch (r.nextInt(4)) {
            case 0 -> {
                Expr v = leaf(inner, Type.STR);
                function("SqlStdOperatorTable.LISTAGG");
                function("SqlStdOperatorTable.WITHIN_GROUP");
                return new Expr("LISTAGG(" + v.sql() + ", ',') WITHIN GROUP (ORDER BY " + key.sql() + ")", Type.STR,
                        v.lineage());
            }
            case 1 -> {
                Expr v = leaf(inner, Type.STR);
                function("SqlLibraryOperators.STRING_AGG");
                return new Expr("STRING_AGG(" + v.sql() + ", ',' ORDER BY " + key.sql() + ")", Type.STR, v.lineage());
            }
            case 2 -> {
                Expr v = leaf(inner, null);
                function("SqlLibraryOperators.ARRAY_AGG");
                return new Expr("ARRAY_AGG(" + v.sql() + " ORDER BY " + key.sql() + ")", Type.ARRAY, v.lineage());
            }
            default -> {
                Expr v = leaf(inner, pick(List.of(Type.INT, Type.DEC)));
                String fn = p(0.5) ? "PERCENTILE_CONT" : "PERCENTILE_DISC";
                function("SqlStdOperatorTable." + fn);
                function("SqlStdOperatorTable.WITHIN_GROUP");
                control(v.lineage());
                return new Expr(fn + "(0.5) WITHIN GROUP (ORDER BY " + v.sql() + ")", Type.DBL, v.lineage());
            }
        }
    }

    /** A window function: ranking, offset or aggregate functions over a partition, order and frame. */
    private Expr windowCall(Ctx ctx, Type want, int depth) {
        nodes.add(Node.WINDOW_FUNCTION);
        function("SqlStdOperatorTable.OVER");
        Ctx inner = new Ctx(ctx.scope(), ctx.ctes(), Clause.OUTPUT, false, false, ctx.keys(), true);
        Expr call;
        double k = r.nextDouble();
        if (k < 0.35 && !catalog.windows().isEmpty()) {
            Pick pick = pick(catalog.windows());
            function(pick.operator().id());
            List<String> args = new ArrayList<>();
            List<Lineage> lins = new ArrayList<>();
            for (int i = 0; i < pick.shape().args().size(); i++) {
                Type t = pick.shape().args().get(i);
                Expr a = pick.shape().literal().get(i) ? literalExpr(t) : argument(inner, t, 0);
                args.add("(" + a.sql() + ")");
                lins.add(a.lineage());
            }
            call = new Expr(pick.shape().render(args), pick.shape().result(), Lineage.of(lins));
        } else if (k < 0.55) {
            String fn = pick(List.of("LAG", "LEAD", "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE"));
            function("SqlStdOperatorTable." + fn);
            Expr v = leaf(inner, want);
            String extra = fn.equals("NTH_VALUE") ? ", 2" : fn.startsWith("LA") && !fn.startsWith("LAST") && p(0.5)
                    ? ", 1" : "";
            String nulls = "";
            if (!fn.startsWith("NTH") && p(0.1)) {
                function("SqlStdOperatorTable.IGNORE_NULLS");
                nulls = " IGNORE NULLS";
            }
            call = new Expr(fn + "(" + v.sql() + extra + ")" + nulls, v.type(), v.lineage());
        } else {
            Expr agg = aggregateCall(new Ctx(ctx.scope(), ctx.ctes(), Clause.OUTPUT, true, false, ctx.keys(), false),
                    null, depth, Aggregates.WINDOWED);
            call = new Expr(agg.sql(), agg.type(), agg.lineage());
        }
        StringBuilder spec = new StringBuilder();
        Ctx keys = new Ctx(ctx.scope(), ctx.ctes(), Clause.ORDER, false, false, ctx.keys(), true);
        if (p(0.6)) {
            Expr part = leaf(keys, null);
            control(part.lineage());
            spec.append("PARTITION BY ").append(part.sql());
        }
        boolean ordered = p(0.7) || call.sql().startsWith("LAG") || call.sql().startsWith("LEAD");
        if (ordered) {
            Expr order = leaf(keys, null);
            control(order.lineage());
            spec.append(spec.length() == 0 ? "" : " ").append("ORDER BY ").append(order.sql()).append(direction());
            if (p(0.3)) {
                nodes.add(Node.WINDOW_FRAME);
                spec.append(pick(List.of(" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
                        " ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING", " ROWS 2 PRECEDING",
                        " RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING")));
            }
        }
        String sql;
        if (!windowDefinitions.isEmpty() && p(0.2)) {
            String w = name("w");
            windowDefinitions.peek().add(w + " AS (" + spec + ")");
            sql = call.sql() + " OVER " + w;
        } else {
            sql = call.sql() + " OVER (" + spec + ")";
        }
        Expr out = new Expr(sql, call.type(), call.lineage());
        if (want != null && out.type() != want) {
            return cast(want, out);
        }
        return out;
    }

    // ---------------------------------------------------------------- rule-shaped queries

    /**
     * An aggregation-rule query: the runner's table joined on join columns, dimensions (with
     * allowed scalar functions), aggregates of aggregate columns, filters on dimensions; some
     * parts replaced by free-form ones as the query's wildness says.
     */
    private String aggregationQuery() {
        nodes.add(Node.SELECT);
        nodes.add(Node.FINAL_AGGREGATE);
        List<WorldTable> tables = new ArrayList<>();
        WorldTable runner = world.tables().stream().filter(t -> t.owner().equals(world.runner())).findFirst()
                .orElseThrow();
        tables.add(runner);
        for (WorldTable t : world.tables()) {
            if (t != runner && p(t.name().equals("pub") ? 0.85 : 0.35)) {
                tables.add(t);
            }
        }
        if (p(0.05)) {
            tables.add(pick(world.tables()));
        }
        List<Rel> rels = new ArrayList<>();
        StringBuilder from = new StringBuilder();
        for (WorldTable t : tables) {
            Rel rel = tableRel(t, name("t"));
            if (rels.isEmpty()) {
                from.append(tableSql(rel));
            } else {
                Rel other = pick(rels);
                List<String> eqs = new ArrayList<>();
                List<Lineage> lins = new ArrayList<>();
                for (Col a : other.cols()) {
                    for (Col b : rel.cols()) {
                        Ref ra = a.lineage().origins().iterator().next();
                        Ref rb = b.lineage().origins().iterator().next();
                        if (policy.isJoinColumn(ra) && policy.isJoinColumn(rb) && sameDomain(a, b)) {
                            eqs.add(a.sql() + " = " + b.sql());
                            lins.add(Lineage.of(a.lineage(), b.lineage()));
                        }
                    }
                }
                String condition;
                Lineage lin;
                List<Rel> both = new ArrayList<>(rels);
                both.add(rel);
                if (eqs.isEmpty() || p(wildRate * 0.5)) {
                    Expr e = predicate(new Ctx(new Scope(both, null), List.of(), Clause.JOIN, false, false, null,
                            false), 1);
                    condition = e.sql();
                    lin = e.lineage();
                } else {
                    int i = r.nextInt(eqs.size());
                    condition = eqs.get(i);
                    lin = lins.get(i);
                    if (eqs.size() > 1 && p(0.3)) {
                        int j = r.nextInt(eqs.size());
                        condition += (p(0.5) ? " AND " : " OR ") + eqs.get(j);
                    }
                    if (p(wildRate * 0.4)) {
                        Expr extra = predicate(new Ctx(new Scope(both, null), List.of(), Clause.FILTER, false, false,
                                null, false), 1);
                        condition += " AND " + extra.sql();
                        lin = Lineage.of(lin, extra.lineage());
                    }
                }
                control(lin);
                String join = p(wildRate * 0.3) ? pick(List.of(" LEFT JOIN ", " CROSS JOIN ", ", ", " FULL JOIN "))
                        : pick(List.of(" JOIN ", " INNER JOIN "));
                nodes.add(join.contains("LEFT") ? Node.JOIN_LEFT : join.contains("CROSS") ? Node.JOIN_CROSS
                        : join.contains(",") ? Node.JOIN_COMMA : join.contains("FULL") ? Node.JOIN_FULL
                                : Node.JOIN_INNER);
                from.append(join).append(tableSql(rel));
                if (!join.contains("CROSS") && !join.contains(",")) {
                    from.append(" ON ").append(condition);
                }
            }
            rels.add(rel);
        }
        Scope scope = new Scope(rels, null);
        Set<String> names = new LinkedHashSet<>();
        tables.forEach(t -> names.add(t.name()));
        Set<ScalarFunction> scalars = policy.scalarFunctions(names);
        List<Col> dims = new ArrayList<>();
        List<Col> aggregatable = new ArrayList<>();
        for (Rel rel : rels) {
            for (Col c : rel.cols()) {
                Ref ref = c.lineage().origins().iterator().next();
                if (policy.isDimension(ref)) {
                    dims.add(c);
                }
                if (!policy.aggregateFunctions(ref).isEmpty()) {
                    aggregatable.add(c);
                }
            }
        }
        Ctx wild = new Ctx(scope, List.of(), Clause.OUTPUT, true, false, null, false);
        List<Expr> keys = new ArrayList<>();
        int dimCount = dims.isEmpty() ? 0 : between(0, 2);
        for (int i = 0; i < dimCount; i++) {
            Col d = pick(dims);
            Expr key = new Expr(d.sql(), d.type(), d.lineage());
            if (p(0.25) && !scalars.isEmpty()) {
                key = dimensionFunction(key, scalars);
            } else if (p(wildRate * 0.5)) {
                key = expr(wild.clause(Clause.GROUP), null, 2);
            }
            keys.add(key);
            control(key.lineage());
        }
        List<String> items = new ArrayList<>();
        for (Expr key : keys) {
            items.add(key.sql() + " AS " + name("c"));
            flow(key.lineage());
        }
        int aggregates = between(1, 3);
        for (int i = 0; i < aggregates; i++) {
            Expr agg;
            if (p(wildRate * 0.5)) {
                agg = expr(new Ctx(scope, List.of(), Clause.OUTPUT, true, p(0.3), keys.isEmpty() ? null : keys,
                        false), null, 2);
            } else {
                agg = ruleAggregate(aggregatable);
            }
            items.add(agg.sql() + " AS " + name("c"));
            flow(agg.lineage());
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        if (p(wildRate * 0.1)) {
            nodes.add(Node.DISTINCT);
            sql.append("DISTINCT ");
        }
        sql.append(String.join(", ", items)).append(" FROM ").append(from);
        if (p(0.45)) {
            nodes.add(Node.WHERE);
            Expr where;
            if (p(wildRate) || dims.isEmpty()) {
                where = predicate(wild.clause(Clause.FILTER).noWindows(), 2);
            } else {
                Col d = pick(dims);
                Expr subject = p(0.2) && !scalars.isEmpty() ? dimensionFunction(new Expr(d.sql(), d.type(),
                        d.lineage()), scalars) : new Expr(d.sql(), d.type(), d.lineage());
                where = new Expr(subject.sql() + " " + pick(List.of("=", "<>", "<", ">=", "IN")) + " ",
                        Type.BOOL, subject.lineage());
                String rhs = where.sql().endsWith("IN ") ? "(" + literal(subject.type()) + ", "
                        + literal(subject.type()) + ")" : literal(subject.type() == Type.OTHER ? Type.STR
                                : subject.type());
                where = new Expr(where.sql() + rhs, Type.BOOL, where.lineage());
            }
            control(where.lineage());
            sql.append(" WHERE ").append(where.sql());
        }
        if (!keys.isEmpty()) {
            nodes.add(Node.GROUP_BY);
            List<String> group = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                if (p(0.3)) {
                    nodes.add(Node.GROUP_BY_ORDINAL);
                    group.add(String.valueOf(i + 1));
                } else {
                    group.add(keys.get(i).sql());
                }
            }
            sql.append(" GROUP BY ").append(String.join(", ", group));
        }
        if (p(0.2)) {
            nodes.add(Node.HAVING);
            Expr agg = ruleAggregate(aggregatable);
            control(agg.lineage());
            sql.append(" HAVING ").append(agg.sql()).append(" > ").append(between(0, 5));
        }
        if (p(0.25)) {
            nodes.add(Node.ORDER_BY);
            sql.append(" ORDER BY ").append(between(1, items.size())).append(direction());
            if (p(wildRate * 0.3)) {
                sql.append(limit());
            }
        }
        return sql.toString();
    }

    private Expr dimensionFunction(Expr d, Set<ScalarFunction> allowed) {
        List<ScalarFunction> options = new ArrayList<>(allowed);
        ScalarFunction f = pick(options);
        String sql;
        switch (f) {
            case LOWER, UPPER, RTRIM -> sql = d.type() == Type.STR ? f.name() + "(" + d.sql() + ")" : null;
            case TRIM -> sql = d.type() == Type.STR ? "TRIM(" + d.sql() + ")" : null;
            case SUBSTRING -> sql = d.type() == Type.STR ? "SUBSTRING(" + d.sql() + ", 1, " + between(1, 3) + ")"
                    : null;
            case CAST -> sql = "CAST(" + d.sql() + " AS VARCHAR)";
            case COALESCE -> sql = "COALESCE(" + d.sql() + ", " + literal(d.type()) + ")";
            case ROUND, ABS, FLOOR, CEILING, SQRT, LN, LOG, TRUNC -> sql = d.type().numeric()
                    ? (f == ScalarFunction.CEILING ? "CEIL" : f == ScalarFunction.TRUNC ? "TRUNCATE" : f.name())
                            + "(" + d.sql() + ")" : null;
            case EXTRACT -> sql = d.type() == Type.DATE ? "EXTRACT(YEAR FROM " + d.sql() + ")" : null;
            case TO_CHAR -> sql = "TO_CHAR(" + d.sql() + ", 'YYYY')";
            default -> sql = null;
        }
        if (sql == null) {
            return d;
        }
        nodes.add(Node.FUNCTION_CALL);
        function("ScalarFunction." + f.name());
        return new Expr(sql, f == ScalarFunction.CAST || f == ScalarFunction.TO_CHAR ? Type.STR : d.type(),
                d.lineage());
    }

    private Expr ruleAggregate(List<Col> aggregatable) {
        nodes.add(Node.AGGREGATE);
        if (aggregatable.isEmpty() || p(0.2)) {
            function("SqlStdOperatorTable.COUNT");
            return new Expr("COUNT(*)", Type.INT, Lineage.none());
        }
        Col c = pick(aggregatable);
        Ref ref = c.lineage().origins().iterator().next();
        AggregateFunction f = pick(new ArrayList<>(policy.aggregateFunctions(ref)));
        String sql = switch (f) {
            case COUNT -> "COUNT(" + c.sql() + ")";
            case COUNT_DISTINCT -> "COUNT(DISTINCT " + c.sql() + ")";
            case SUM -> "SUM(" + c.sql() + ")";
            case SUM_DISTINCT -> "SUM(DISTINCT " + c.sql() + ")";
            case AVG -> "AVG(" + c.sql() + ")";
        };
        if (f == AggregateFunction.COUNT_DISTINCT || f == AggregateFunction.SUM_DISTINCT) {
            nodes.add(Node.AGGREGATE_DISTINCT);
        }
        function("SqlStdOperatorTable." + (f.name().startsWith("COUNT") ? "COUNT" : f.name().startsWith("SUM")
                ? "SUM" : "AVG"));
        return new Expr(sql, f == AggregateFunction.AVG ? Type.DBL : c.type(), c.lineage());
    }

    // ---------------------------------------------------------------- probes

    /**
     * A query built to carry one hidden value to the output through one construct (LATERAL, UNNEST,
     * a correlated scalar subquery, WITH RECURSIVE, a CTE, a window, an aggregate, a set operation,
     * a self-join), or to test a renamed value against a literal (STARTS_WITH, ENDS_WITH, LIKE,
     * POSITION, SUBSTRING, IN, ...), otherwise shaped as the rules admit.
     */
    private String probeQuery() {
        nodes.add(Node.SELECT);
        List<WorldTable> candidates = world.tables().stream().filter(t -> t.columns().stream()
                .anyMatch(c -> hiddenRef(new Ref(t.name(), c.name())))).toList();
        WorldTable table = pick(candidates);
        Rel t = tableRel(table, name("t"));
        List<Col> hidden = t.cols().stream().filter(c -> hiddenRef(c.lineage().origins().iterator().next())).toList();
        List<Col> safe = t.cols().stream().filter(c -> !policy.hiddenInOutput(c.lineage().origins().iterator().next()))
                .toList();
        Col h = pick(hidden);
        Col key = safe.isEmpty() ? null : pick(safe);
        Col identity = t.cols().stream().filter(c -> policy.identities().contains(c.lineage().origins().iterator()
                .next())).findFirst().orElse(null);
        boolean threshold = policy.hasThreshold(table.name());
        if (world.renamed().contains(h.lineage().origins().iterator().next()) && p(0.5)) {
            return filterProbe(table, t, h, key, identity, threshold);
        }
        return flowProbe(table, t, h, key, identity, threshold);
    }

    private boolean hiddenRef(Ref ref) {
        return world.renamed().contains(ref) || world.permutable().contains(ref);
    }

    /** The hidden value, maybe transformed: concatenated, cast, computed, or confined to one row. */
    private Expr carry(Col h, Col key) {
        Expr v = new Expr(h.sql(), h.type(), h.lineage());
        switch (r.nextInt(10)) {
            case 0 -> {
                if (v.type() == Type.STR) {
                    nodes.add(Node.CONCAT);
                    return new Expr(v.sql() + " || ''", Type.STR, v.lineage());
                }
                nodes.add(Node.ARITHMETIC);
                return new Expr(v.sql() + " + 0", v.type(), v.lineage());
            }
            case 1 -> {
                nodes.add(Node.CAST);
                function("SqlStdOperatorTable.CAST");
                return new Expr("CAST(" + v.sql() + " AS VARCHAR)", Type.STR, v.lineage());
            }
            case 2 -> {
                Ctx ctx = new Ctx(new Scope(List.of(), null), List.of(), Clause.OUTPUT, false, false, null, false);
                List<Pick> picks = catalog.scalars(v.type()).stream().filter(pk -> !pk.shape().args().isEmpty()
                        && pk.shape().args().get(0) == v.type() && !pk.shape().literal().get(0)).toList();
                if (picks.isEmpty()) {
                    return v;
                }
                Pick pick = pick(picks);
                function(pick.operator().id());
                nodes.add(Node.FUNCTION_CALL);
                List<String> args = new ArrayList<>(List.of("(" + v.sql() + ")"));
                for (int i = 1; i < pick.shape().args().size(); i++) {
                    args.add("(" + (pick.shape().literal().get(i) ? literalExpr(pick.shape().args().get(i))
                            : argument(ctx, pick.shape().args().get(i), 0)).sql() + ")");
                }
                return new Expr(pick.shape().render(args), pick.shape().result(), v.lineage());
            }
            case 3 -> {
                if (v.type() == Type.INT && key != null) {
                    // an overflow confined to one row: an error oracle
                    nodes.add(Node.CASE_SEARCHED);
                    function("SqlStdOperatorTable.CASE");
                    return new Expr("CASE WHEN " + key.sql() + " = " + literal(key.type()) + " THEN " + v.sql()
                            + " * 2147483647 ELSE 0 END", Type.INT, Lineage.of(v.lineage(), key.lineage()));
                }
                return v;
            }
            case 4 -> {
                function("SqlStdOperatorTable.COALESCE");
                return new Expr("COALESCE(" + v.sql() + ", " + literal(v.type()) + ")", v.type(), v.lineage());
            }
            case 5 -> {
                nodes.add(Node.ARRAY);
                nodes.add(Node.ITEM);
                function("SqlStdOperatorTable.ITEM");
                return new Expr("(ARRAY[" + v.sql() + "])[1]", v.type(), v.lineage());
            }
            default -> {
                return v;
            }
        }
    }

    private String flowProbe(WorldTable table, Rel t, Col h, Col key, Col identity, boolean threshold) {
        Expr v = carry(h, key);
        flow(v.lineage());
        String from = tableSql(t);
        String out;
        String with = "";
        String keySql = key == null ? null : key.sql();
        boolean aggregated = false;
        switch (r.nextInt(12)) {
            case 0, 1 -> {
                nodes.add(Node.LATERAL);
                nodes.add(Node.JOIN_LATERAL);
                function("SqlStdOperatorTable.LATERAL");
                String l = name("l");
                String inner = "SELECT " + v.sql() + " AS h" + (p(0.2) ? " FROM " + pick(world.tables()).name()
                        + " LIMIT 1" : "");
                from += switch (r.nextInt(3)) {
                    case 0 -> ", LATERAL (" + inner + ") " + l;
                    case 1 -> " CROSS JOIN LATERAL (" + inner + ") AS " + l;
                    default -> " LEFT JOIN LATERAL (" + inner + ") AS " + l + " ON TRUE";
                };
                out = l + ".h";
            }
            case 2, 3 -> {
                boolean multiset = p(0.2);
                nodes.add(multiset ? Node.UNNEST_MULTISET : Node.UNNEST_ARRAY);
                function("SqlStdOperatorTable.UNNEST");
                String u = name("u");
                String items = v.sql() + (p(0.3) ? ", " + literal(v.type() == Type.OTHER ? Type.STR : v.type()) : "");
                from += pick(List.of(" CROSS JOIN ", ", ")) + "UNNEST(" + (multiset ? "MULTISET[" : "ARRAY[") + items
                        + "]) AS " + u + " (v)";
                out = u + ".v";
            }
            case 4, 5 -> {
                nodes.add(Node.SUBQUERY_SCALAR);
                nodes.add(Node.CORRELATED);
                function("SqlStdOperatorTable.SCALAR_QUERY");
                WorldTable other = pick(world.tables());
                out = switch (r.nextInt(4)) {
                    case 0 -> "(SELECT " + v.sql() + ")";
                    case 1 -> "CAST((SELECT " + v.sql() + ") AS VARCHAR)";
                    case 2 -> "(SELECT " + v.sql() + " FROM " + other.name() + " LIMIT 1)";
                    default -> "(SELECT MAX(" + v.sql() + ") FROM " + other.name() + ")";
                };
            }
            case 6 -> {
                nodes.add(Node.WITH_RECURSIVE);
                nodes.add(Node.CTE);
                String cte = name("r");
                with = "WITH RECURSIVE " + cte + " (k, v, n) AS (SELECT " + (keySql == null ? "1" : keySql) + ", "
                        + v.sql() + ", 1 FROM " + from + " UNION ALL SELECT k, v, n + 1 FROM " + cte
                        + " WHERE n < 2) ";
                from = cte;
                out = cte + ".v";
                keySql = cte + ".k";
                if (threshold && identity != null) {
                    // a threshold needs its identity column: it cannot pass through the recursion
                    keySql = cte + ".k";
                }
            }
            case 7 -> {
                boolean cte = p(0.5);
                nodes.add(cte ? Node.CTE : Node.SUBQUERY_FROM);
                String s = name(cte ? "c" : "s");
                String inner = "SELECT " + (keySql == null ? "1" : keySql) + " AS k, " + v.sql() + " AS h"
                        + (identity != null ? ", " + identity.sql() + " AS " + identity.name() : "") + " FROM " + from;
                if (cte) {
                    with = "WITH " + s + " AS (" + inner + ") ";
                    from = s;
                } else {
                    from = "(" + inner + ") AS " + s;
                }
                out = s + ".h";
                keySql = s + ".k";
                identity = identity == null ? null : new Col(identity.name(), s + "." + identity.name(),
                        identity.type(), identity.lineage());
            }
            case 8 -> {
                nodes.add(Node.WINDOW_FUNCTION);
                function("SqlStdOperatorTable.OVER");
                String fn = pick(List.of("FIRST_VALUE", "LAST_VALUE", "LAG", "MAX", "MIN", "LEAD"));
                function("SqlStdOperatorTable." + fn);
                String order = keySql == null ? "1" : keySql;
                control(key == null ? Lineage.none() : key.lineage());
                out = fn + "(" + v.sql() + ") OVER (" + (p(0.5) ? "PARTITION BY " + order + " " : "") + "ORDER BY "
                        + order + ")";
                if (threshold) {
                    out = "MIN(" + v.sql() + ")";
                    aggregated = true;
                }
            }
            case 9, 10 -> {
                nodes.add(Node.AGGREGATE);
                String fn = pick(List.of("MIN", "MAX", "STRING_AGG", "ARRAY_AGG", "LISTAGG", "ANY_VALUE", "MODE",
                        "ARG_MIN", "MAX_BY"));
                out = switch (fn) {
                    case "STRING_AGG" -> "STRING_AGG(CAST(" + v.sql() + " AS VARCHAR), ',')";
                    case "LISTAGG" -> "LISTAGG(CAST(" + v.sql() + " AS VARCHAR), ',')";
                    case "ARG_MIN", "MAX_BY" -> fn + "(" + v.sql() + ", " + (keySql == null ? "1" : keySql) + ")";
                    default -> fn + "(" + v.sql() + ")";
                };
                function(fn.equals("STRING_AGG") || fn.equals("ARRAY_AGG") || fn.equals("MAX_BY")
                        ? "SqlLibraryOperators." + fn : "SqlStdOperatorTable." + fn);
                aggregated = true;
            }
            default -> {
                // a set operation, or a self-join on a literal that picks one row of the copy
                if (p(0.5)) {
                    nodes.add(Node.UNION_ALL);
                    function("SqlStdOperatorTable.UNION_ALL");
                    String t2 = name("t");
                    String union = "SELECT CAST(" + (keySql == null ? "'k'" : keySql) + " AS VARCHAR) AS k "
                            + "FROM " + from + " UNION ALL SELECT CAST(" + v.sql().replace(t.alias() + ".", t2 + ".")
                            + " AS VARCHAR) FROM " + table.name() + " AS " + t2;
                    return threshold ? "SELECT u.k, COUNT(*) FROM (" + union + ") AS u GROUP BY u.k" : union;
                }
                nodes.add(Node.SELF_JOIN);
                nodes.add(Node.JOIN_INNER);
                String t2 = name("t");
                Col literalCol = t.cols().stream().filter(c -> policy.literalComparable(c.lineage().origins()
                        .iterator().next()) && c.type() == Type.STR).findFirst().orElse(key);
                String on = literalCol == null ? "TRUE" : literalCol.sql().replace(t.alias() + ".", t2 + ".") + " = "
                        + pick(List.of("'solo'", literal(literalCol.type())));
                if (literalCol != null) {
                    control(literalCol.lineage());
                }
                from += " JOIN " + table.name() + " AS " + t2 + " ON " + on;
                out = "MIN(" + v.sql().replace(t.alias() + ".", t2 + ".") + ")";
                aggregated = true;
            }
        }
        List<String> items = new ArrayList<>();
        boolean grouped = aggregated || threshold;
        // how rows are told apart, so that a permutation shows: the key in the output, a filter on it, or an
        // order on it with a limit (a key in the output defeats the checker's lineage of LATERAL today)
        int pairing = keySql == null ? 3 : r.nextInt(4);
        String where = "";
        String order = "";
        if (pairing == 0) {
            items.add(keySql + " AS k");
        } else if (pairing == 1 && !keySql.contains("(")) {
            nodes.add(Node.WHERE);
            where = " WHERE " + keySql + " = " + literalOf(key);
        } else if (pairing == 2 && !grouped) {
            nodes.add(Node.ORDER_BY);
            nodes.add(Node.LIMIT);
            order = " ORDER BY " + keySql + " LIMIT " + between(1, 3);
        }
        if (p(0.5)) {
            // an expression over the carried column: an origin the checker cannot see must not vanish in it
            out = switch (r.nextInt(4)) {
                case 0 -> "CAST(" + out + " AS VARCHAR) || ''";
                case 1 -> "CAST(" + out + " AS VARCHAR)";
                case 2 -> "COALESCE(CAST(" + out + " AS VARCHAR), 'none')";
                default -> "UPPER(CAST(" + out + " AS VARCHAR))";
            };
        }
        if (grouped && !aggregated) {
            out = pick(List.of("MIN", "MAX")) + "(" + out + ")";
        }
        items.add(out + " AS " + pick(List.of("leaked", "h", key == null ? "x" : key.name())));
        if (grouped) {
            nodes.add(Node.FINAL_AGGREGATE);
            items.add(identity != null && p(0.5) ? "COUNT(DISTINCT " + identity.sql() + ") AS n" : "COUNT(*) AS n");
        }
        if (keySql != null) {
            control(key.lineage());
        }
        StringBuilder sql = new StringBuilder(with).append("SELECT ").append(String.join(", ", items))
                .append(" FROM ").append(from).append(where);
        if (grouped && keySql != null) {
            nodes.add(Node.GROUP_BY);
            sql.append(" GROUP BY ").append(keySql);
        }
        return sql.append(order).toString();
    }

    /** A renamed value tested against a literal (or a transformed copy), in WHERE, ON, CASE, FILTER or GROUP BY. */
    private String filterProbe(WorldTable table, Rel t, Col h, Col key, Col identity, boolean threshold) {
        String p = predicateProbe(h.sql(), h.type());
        control(h.lineage());
        String from = tableSql(t);
        List<String> items = new ArrayList<>();
        String where = "";
        String group = key == null ? "" : " GROUP BY " + key.sql();
        if (key != null) {
            items.add(key.sql() + " AS k");
            control(key.lineage());
        }
        String count = identity != null && p(0.5) ? "COUNT(DISTINCT " + identity.sql() + ")" : "COUNT(*)";
        switch (r.nextInt(6)) {
            case 0, 1 -> {
                nodes.add(Node.WHERE);
                where = " WHERE " + p;
                items.add(count + " AS n");
            }
            case 2 -> {
                nodes.add(Node.SELF_JOIN);
                String t2 = name("t");
                String p2 = p.replace(t.alias() + ".", t2 + ".");
                Col join = t.cols().stream().filter(c -> world.renamed().contains(c.lineage().origins().iterator()
                        .next())).findFirst().orElse(h);
                control(join.lineage());
                from += " JOIN " + table.name() + " AS " + t2 + " ON " + (p(0.5) ? p2 : join.sql() + " = "
                        + join.sql().replace(t.alias() + ".", t2 + ".") + " AND " + p2);
                items.add(count + " AS n");
            }
            case 3 -> {
                nodes.add(Node.CASE_SEARCHED);
                function("SqlStdOperatorTable.CASE");
                items.add("SUM(CASE WHEN " + p + " THEN 1 ELSE 0 END) AS n");
                items.add(count + " AS m");
            }
            case 4 -> {
                nodes.add(Node.FILTER);
                function("SqlStdOperatorTable.FILTER");
                items.add("COUNT(*) FILTER (WHERE " + p + ") AS n");
                items.add(count + " AS m");
            }
            default -> {
                nodes.add(Node.GROUP_BY);
                items.add("CASE WHEN " + p + " THEN 'y' ELSE 'n' END AS g");
                items.add(count + " AS n");
                group = (key == null ? " GROUP BY " : group + ", ") + "CASE WHEN " + p + " THEN 'y' ELSE 'n' END";
            }
        }
        nodes.add(Node.FINAL_AGGREGATE);
        return "SELECT " + String.join(", ", items) + " FROM " + from + where + group;
    }

    /** A test of a value against a literal by one of the predicate-like functions and operators. */
    private String predicateProbe(String v, Type type) {
        if (type != Type.STR) {
            String lit = literal(type);
            return pick(List.of(v + " = " + lit, v + " > " + lit, v + " BETWEEN " + lit + " AND " + literal(type),
                    v + " IN (" + lit + ", " + literal(type) + ")", "(" + v + " * 2147483647) > 0",
                    "CAST(" + v + " AS VARCHAR) LIKE '1%'", "ABS(" + v + ") > " + lit));
        }
        String probe = "'" + probe() + "'";
        String prefix = "'" + pick(hiddenStrings).substring(0, 2) + "'";
        return switch (r.nextInt(16)) {
            case 0 -> fnProbe("SqlLibraryOperators.STARTS_WITH", "STARTS_WITH(" + v + ", " + prefix + ")");
            case 1 -> fnProbe("SqlLibraryOperators.ENDS_WITH", "ENDS_WITH(" + v + ", " + probe + ")");
            case 2 -> fnProbe("SqlLibraryOperators.CONTAINS_SUBSTR", "CONTAINS_SUBSTR(" + v + ", " + probe + ")");
            case 3 -> fnProbe("SqlStdOperatorTable.LIKE", v + " LIKE '" + prefix.substring(1, prefix.length() - 1)
                    + "%'");
            case 4 -> fnProbe("SqlLibraryOperators.REGEXP_LIKE", "REGEXP_LIKE(" + v + ", '^" + prefix.substring(1)
                    + ")");
            case 5 -> fnProbe("SqlStdOperatorTable.POSITION", "POSITION(" + probe + " IN " + v + ") > 0");
            case 6 -> fnProbe("SqlStdOperatorTable.SUBSTRING", "SUBSTRING(" + v + ", 1, 2) = " + prefix);
            case 7 -> fnProbe("SqlStdOperatorTable.CHAR_LENGTH", "CHAR_LENGTH(" + v + ") > " + between(8, 12));
            case 8 -> fnProbe("SqlStdOperatorTable.IN", v + " IN (" + quote(pick(hiddenStrings)) + ", "
                    + quote(pick(hiddenStrings)) + ", " + quote(pick(hiddenStrings)) + ")");
            case 9 -> fnProbe("SqlStdOperatorTable.BETWEEN", v + " BETWEEN " + prefix + " AND '" + prefix.substring(1,
                    2) + "8'");
            case 10 -> fnProbe("SqlStdOperatorTable.LESS_THAN", v + " < " + quote(pick(hiddenStrings)));
            case 11 -> fnProbe("SqlStdOperatorTable.NOT", "NOT STARTS_WITH(" + v + ", " + prefix + ")");
            case 12 -> fnProbe("SqlLibraryOperators.LEFT", "LEFT(" + v + ", 2) = " + prefix);
            case 13 -> fnProbe("SqlLibraryOperators.STRPOS", "STRPOS(" + v + ", " + probe + ") = 0");
            case 14 -> fnProbe("SqlStdOperatorTable.EQUALS", "UPPER(" + v + ") = UPPER(" + probe + ")");
            default -> fnProbe("SqlStdOperatorTable.SIMILAR_TO", v + " SIMILAR TO '" + prefix.substring(1,
                    prefix.length() - 1) + "%'");
        };
    }

    private String fnProbe(String id, String sql) {
        function(id);
        nodes.add(Node.FUNCTION_CALL);
        return sql;
    }

    /** A list-rule query: SELECT DISTINCT list columns of tables joined on join columns. */
    private String listQuery() {
        nodes.add(Node.SELECT);
        nodes.add(Node.DISTINCT);
        WorldTable runner = world.tables().stream().filter(t -> t.owner().equals(world.runner())).findFirst()
                .orElseThrow();
        List<WorldTable> tables = new ArrayList<>(List.of(runner));
        for (WorldTable t : world.tables()) {
            if (t != runner && (tables.size() == 1 || p(0.4))) {
                tables.add(t);
            }
        }
        List<Rel> rels = new ArrayList<>();
        StringBuilder from = new StringBuilder();
        for (WorldTable t : tables) {
            Rel rel = tableRel(t, name("t"));
            if (rels.isEmpty()) {
                from.append(tableSql(rel));
            } else {
                Rel other = rels.get(0);
                Col a = other.cols().stream().filter(c -> c.name().equals("user_id")).findFirst().orElseThrow();
                Col b = rel.cols().stream().filter(c -> c.name().equals("user_id")).findFirst().orElseThrow();
                String condition = a.sql() + " = " + b.sql();
                Lineage lin = Lineage.of(a.lineage(), b.lineage());
                if (p(wildRate * 0.5)) {
                    List<Rel> both = new ArrayList<>(rels);
                    both.add(rel);
                    Expr e = predicate(new Ctx(new Scope(both, null), List.of(), Clause.JOIN, false, false, null,
                            false), 1);
                    condition = p(0.5) ? e.sql() : condition + " AND " + e.sql();
                    lin = Lineage.of(lin, e.lineage());
                }
                control(lin);
                nodes.add(Node.JOIN_INNER);
                from.append(" JOIN ").append(tableSql(rel)).append(" ON ").append(condition);
            }
            rels.add(rel);
        }
        Scope scope = new Scope(rels, null);
        List<Col> listColumns = new ArrayList<>();
        for (Rel rel : rels) {
            for (Col c : rel.cols()) {
                if (policy.isListColumn(c.lineage().origins().iterator().next())) {
                    listColumns.add(c);
                }
            }
        }
        List<String> items = new ArrayList<>();
        int count = between(1, 3);
        Ctx wild = new Ctx(scope, List.of(), Clause.OUTPUT, false, false, null, false);
        for (int i = 0; i < count; i++) {
            Expr e;
            if (p(wildRate * 0.5)) {
                e = expr(wild, null, 2);
            } else {
                Col c = pick(listColumns);
                e = new Expr(c.sql(), c.type(), c.lineage());
            }
            flow(e.lineage());
            items.add(e.sql() + " AS " + name("c"));
        }
        StringBuilder sql = new StringBuilder("SELECT DISTINCT ").append(String.join(", ", items)).append(" FROM ")
                .append(from);
        if (p(0.5)) {
            nodes.add(Node.WHERE);
            Expr where;
            if (p(wildRate)) {
                where = predicate(wild.clause(Clause.FILTER), 2);
            } else {
                Col c = pick(listColumns);
                where = new Expr(c.sql() + " " + pick(List.of("=", "<>", ">", "<=")) + " " + literal(c.type()),
                        Type.BOOL, c.lineage());
            }
            control(where.lineage());
            sql.append(" WHERE ").append(where.sql());
        }
        if (p(0.2)) {
            nodes.add(Node.LIMIT);
            sql.append(" LIMIT ").append(between(1, 10));
        }
        return sql.toString();
    }

    /** Text-level facts about generated expressions. */
    private static final class Functions {
        static boolean isLiteral(String sql) {
            return sql.startsWith("'") || sql.matches("-?\\d+(\\.\\d+)?") || sql.startsWith("DATE '")
                    || sql.equals("NULL") || sql.equals("TRUE") || sql.equals("FALSE") || sql.startsWith(":");
        }

        static boolean isAggregate(String sql) {
            for (String fn : List.of("COUNT(", "SUM(", "AVG(", "MIN(", "MAX(")) {
                if (sql.startsWith(fn) || sql.contains(fn) && !sql.contains(" OVER (")) {
                    return true;
                }
            }
            return false;
        }
    }
}
