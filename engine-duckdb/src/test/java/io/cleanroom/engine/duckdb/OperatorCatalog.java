package io.cleanroom.engine.duckdb;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.SqlSyntax;
import org.apache.calcite.sql.dialect.CalciteSqlDialect;
import org.apache.calcite.sql.fun.SqlLibrary;
import org.apache.calcite.sql.fun.SqlLibraryOperatorTableFactory;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorUtil;

/**
 * Every operator of the dialect, found by reflection (the public static SqlOperator fields of
 * SqlStdOperatorTable and SqlLibraryOperators), with call shapes that Calcite's parser and
 * validator accept, discovered by trying argument types: the types its allowed signatures name,
 * then each type alike, columns first, then literals. A shape is a template of the call's text with
 * placeholders for the arguments, its argument types and its result type, so that calls can be
 * nested. The calibration validator knows every library, so that the generator also calls
 * functions the query checker does not know (it must refuse them).
 *
 * <p>Operators that are clauses rather than calls (set operations, CASE, CAST, subqueries, UNNEST,
 * OVER, FILTER, ...) are written by the generator itself; the catalog lists them as such.
 */
final class OperatorCatalog {
    /** Types as far as the generator cares. */
    enum Type {
        INT, DEC, DBL, STR, DATE, TS, BOOL, INTERVAL, ARRAY, MAP, OTHER;

        boolean numeric() {
            return this == INT || this == DEC || this == DBL;
        }
    }

    /** How an operator is generated. */
    enum Role {
        SCALAR, AGGREGATE, WINDOW, HAND, NONE
    }

    /** One call shape: argument types, which must be literals, the result type and the text template. */
    record Shape(List<Type> args, List<Boolean> literal, Type result, String template) {
        /** The call's text with the arguments (each already parenthesised where needed). */
        String render(List<String> arguments) {
            String out = template;
            for (int i = arguments.size() - 1; i >= 0; i--) {
                out = out.replace(placeholder(i), arguments.get(i));
            }
            return out;
        }
    }

    /** An operator of the dialect. */
    record Operator(String id, SqlOperator op, String name, Role role, List<Shape> shapes, String note) {
        @Override
        public String toString() {
            return id;
        }
    }

    static final Pattern SIGNATURE_TYPE = Pattern.compile("<([A-Z_ ]+|\\.\\.\\.)>");
    private static final SqlParser.Config PARSER = SqlParser.config()
            .withConformance(SqlConformanceEnum.BABEL)
            .withQuoting(Quoting.DOUBLE_QUOTE)
            .withUnquotedCasing(Casing.TO_LOWER)
            .withQuotedCasing(Casing.UNCHANGED)
            .withCaseSensitive(false);

    /** The operators the generator writes as syntax of its own, by field. */
    static final Set<String> HAND = Set.of(
            "SqlStdOperatorTable.UNION", "SqlStdOperatorTable.UNION_ALL", "SqlStdOperatorTable.EXCEPT",
            "SqlStdOperatorTable.EXCEPT_ALL", "SqlStdOperatorTable.INTERSECT", "SqlStdOperatorTable.INTERSECT_ALL",
            "SqlStdOperatorTable.AS", "SqlStdOperatorTable.FILTER", "SqlStdOperatorTable.WITHIN_GROUP",
            "SqlStdOperatorTable.WITHIN_DISTINCT", "SqlStdOperatorTable.CUBE", "SqlStdOperatorTable.ROLLUP",
            "SqlStdOperatorTable.GROUPING_SETS", "SqlStdOperatorTable.GROUPING", "SqlStdOperatorTable.GROUPING_ID",
            "SqlStdOperatorTable.GROUP_ID", "SqlStdOperatorTable.IN", "SqlStdOperatorTable.NOT_IN",
            "SqlStdOperatorTable.SOME_EQ", "SqlStdOperatorTable.SOME_NE", "SqlStdOperatorTable.SOME_LT",
            "SqlStdOperatorTable.SOME_LE", "SqlStdOperatorTable.SOME_GT", "SqlStdOperatorTable.SOME_GE",
            "SqlStdOperatorTable.ALL_EQ", "SqlStdOperatorTable.ALL_NE", "SqlStdOperatorTable.ALL_LT",
            "SqlStdOperatorTable.ALL_LE", "SqlStdOperatorTable.ALL_GT", "SqlStdOperatorTable.ALL_GE",
            "SqlStdOperatorTable.EXISTS", "SqlStdOperatorTable.SCALAR_QUERY", "SqlStdOperatorTable.ESCAPE",
            "SqlStdOperatorTable.CASE", "SqlStdOperatorTable.CAST", "SqlStdOperatorTable.EXTRACT",
            "SqlStdOperatorTable.TRIM", "SqlStdOperatorTable.POSITION", "SqlStdOperatorTable.CONVERT",
            "SqlStdOperatorTable.TRANSLATE", "SqlStdOperatorTable.OVERLAY", "SqlStdOperatorTable.ROW",
            "SqlStdOperatorTable.ITEM", "SqlStdOperatorTable.DOT", "SqlStdOperatorTable.ARRAY_VALUE_CONSTRUCTOR",
            "SqlStdOperatorTable.MAP_VALUE_CONSTRUCTOR", "SqlStdOperatorTable.MULTISET_VALUE",
            "SqlStdOperatorTable.ARRAY_QUERY", "SqlStdOperatorTable.MULTISET_QUERY", "SqlStdOperatorTable.MAP_QUERY",
            "SqlStdOperatorTable.UNNEST", "SqlStdOperatorTable.UNNEST_WITH_ORDINALITY", "SqlStdOperatorTable.LATERAL",
            "SqlStdOperatorTable.VALUES", "SqlStdOperatorTable.OVER", "SqlStdOperatorTable.TABLESAMPLE",
            "SqlStdOperatorTable.DESC", "SqlStdOperatorTable.NULLS_FIRST", "SqlStdOperatorTable.NULLS_LAST",
            "SqlStdOperatorTable.IGNORE_NULLS", "SqlStdOperatorTable.RESPECT_NULLS",
            "SqlStdOperatorTable.DATETIME_PLUS", "SqlStdOperatorTable.MINUS_DATE", "SqlStdOperatorTable.TUMBLE",
            "SqlStdOperatorTable.HOP", "SqlStdOperatorTable.SESSION", "SqlStdOperatorTable.DESCRIPTOR",
            "SqlStdOperatorTable.EXPLICIT_TABLE", "SqlStdOperatorTable.COLLECTION_TABLE",
            "SqlStdOperatorTable.IS_DIFFERENT_FROM", "SqlStdOperatorTable.DIVIDE_INTEGER",
            "SqlStdOperatorTable.PERCENTILE_CONT", "SqlStdOperatorTable.PERCENTILE_DISC",
            "SqlStdOperatorTable.LISTAGG", "SqlStdOperatorTable.COUNT", "SqlStdOperatorTable.APPROX_COUNT_DISTINCT",
            "SqlStdOperatorTable.BETWEEN", "SqlStdOperatorTable.NOT_BETWEEN", "SqlStdOperatorTable.SYMMETRIC_BETWEEN",
            "SqlStdOperatorTable.SYMMETRIC_NOT_BETWEEN", "SqlStdOperatorTable.LIKE", "SqlStdOperatorTable.NOT_LIKE",
            "SqlStdOperatorTable.SIMILAR_TO", "SqlStdOperatorTable.NOT_SIMILAR_TO",
            "SqlLibraryOperators.INFIX_CAST", "SqlLibraryOperators.TRY_CAST", "SqlLibraryOperators.SAFE_CAST",
            "SqlLibraryOperators.ILIKE", "SqlLibraryOperators.NOT_ILIKE", "SqlLibraryOperators.RLIKE",
            "SqlLibraryOperators.NOT_RLIKE", "SqlLibraryOperators.NULL_SAFE_EQUAL", "SqlLibraryOperators.OFFSET",
            "SqlLibraryOperators.ORDINAL", "SqlLibraryOperators.SAFE_OFFSET", "SqlLibraryOperators.SAFE_ORDINAL",
            "SqlLibraryOperators.STRING_AGG", "SqlLibraryOperators.ARRAY_AGG", "SqlLibraryOperators.GROUP_CONCAT",
            "SqlLibraryOperators.ARRAY_CONCAT_AGG", "SqlLibraryOperators.PERCENTILE_CONT2",
            "SqlLibraryOperators.PERCENTILE_DISC2", "SqlLibraryOperators.DATE_TRUNC");

    /** Why an operator is never generated: it exists only inside constructs the query surface lacks. */
    private static final Map<String, String> UNREACHABLE = Map.ofEntries(
            Map.entry("SqlStdOperatorTable.PATTERN_ALTER", "MATCH_RECOGNIZE pattern syntax"),
            Map.entry("SqlStdOperatorTable.PATTERN_CONCAT", "MATCH_RECOGNIZE pattern syntax"),
            Map.entry("SqlStdOperatorTable.PATTERN_QUANTIFIER", "MATCH_RECOGNIZE pattern syntax"),
            Map.entry("SqlStdOperatorTable.PATTERN_PERMUTE", "MATCH_RECOGNIZE pattern syntax"),
            Map.entry("SqlStdOperatorTable.PATTERN_EXCLUDE", "MATCH_RECOGNIZE pattern syntax"),
            Map.entry("SqlStdOperatorTable.PREV", "MATCH_RECOGNIZE measures"),
            Map.entry("SqlStdOperatorTable.NEXT", "MATCH_RECOGNIZE measures"),
            Map.entry("SqlStdOperatorTable.FIRST", "MATCH_RECOGNIZE measures"),
            Map.entry("SqlStdOperatorTable.LAST", "MATCH_RECOGNIZE measures"),
            Map.entry("SqlStdOperatorTable.CLASSIFIER", "MATCH_RECOGNIZE measures"),
            Map.entry("SqlStdOperatorTable.MATCH_NUMBER", "MATCH_RECOGNIZE measures"),
            Map.entry("SqlStdOperatorTable.RUNNING", "MATCH_RECOGNIZE measures"),
            Map.entry("SqlStdOperatorTable.FINAL", "MATCH_RECOGNIZE measures"),
            Map.entry("SqlStdOperatorTable.NEXT_VALUE", "sequences (no sequence exists)"),
            Map.entry("SqlStdOperatorTable.CURRENT_VALUE", "sequences (no sequence exists)"),
            Map.entry("SqlStdOperatorTable.PROCEDURE_CALL", "CALL statements (not a query)"),
            Map.entry("SqlStdOperatorTable.NEW", "object construction (no user types)"),
            Map.entry("SqlStdOperatorTable.DEFAULT", "DML only"),
            Map.entry("SqlStdOperatorTable.ARGUMENT_ASSIGNMENT", "named arguments of table functions"),
            Map.entry("SqlStdOperatorTable.CURSOR", "table function arguments"),
            Map.entry("SqlStdOperatorTable.COLUMN_LIST", "table function arguments"),
            Map.entry("SqlStdOperatorTable.THROW", "internal"),
            Map.entry("SqlStdOperatorTable.REINTERPRET", "internal"),
            Map.entry("SqlStdOperatorTable.SEARCH", "internal (planner)"),
            Map.entry("SqlStdOperatorTable.EXTEND", "internal"),
            Map.entry("SqlStdOperatorTable.SET_SEMANTICS_TABLE", "internal"),
            Map.entry("SqlStdOperatorTable.SLICE", "internal"),
            Map.entry("SqlStdOperatorTable.ELEMENT_SLICE", "internal"),
            Map.entry("SqlStdOperatorTable.STRUCT_ACCESS", "internal"),
            Map.entry("SqlStdOperatorTable.INTERVAL", "internal"),
            Map.entry("SqlStdOperatorTable.COLON", "internal"),
            Map.entry("SqlStdOperatorTable.CHECKED_DIVIDE_INTEGER", "internal"),
            Map.entry("SqlStdOperatorTable.TUMBLE_OLD", "group window functions (streaming)"),
            Map.entry("SqlStdOperatorTable.HOP_OLD", "group window functions (streaming)"),
            Map.entry("SqlStdOperatorTable.SESSION_OLD", "group window functions (streaming)"),
            Map.entry("SqlStdOperatorTable.TUMBLE_START", "group window functions (streaming)"),
            Map.entry("SqlStdOperatorTable.TUMBLE_END", "group window functions (streaming)"),
            Map.entry("SqlStdOperatorTable.HOP_START", "group window functions (streaming)"),
            Map.entry("SqlStdOperatorTable.HOP_END", "group window functions (streaming)"),
            Map.entry("SqlStdOperatorTable.SESSION_START", "group window functions (streaming)"),
            Map.entry("SqlStdOperatorTable.SESSION_END", "group window functions (streaming)"));

    private static final int MAX_TRIES = 12;

    private final List<Operator> operators;
    private final Map<Type, List<Pick>> scalarsByResult = new LinkedHashMap<>();
    private final List<Pick> aggregates = new ArrayList<>();
    private final List<Pick> windows = new ArrayList<>();

    /** An operator with one of its shapes. */
    record Pick(Operator operator, Shape shape) {
    }

    private OperatorCatalog(List<Operator> operators) {
        this.operators = List.copyOf(operators);
        for (Operator operator : operators) {
            for (Shape shape : operator.shapes()) {
                Pick pick = new Pick(operator, shape);
                switch (operator.role()) {
                    case SCALAR -> scalarsByResult.computeIfAbsent(shape.result(), t -> new ArrayList<>()).add(pick);
                    case AGGREGATE -> aggregates.add(pick);
                    case WINDOW -> windows.add(pick);
                    default -> {
                    }
                }
            }
        }
    }

    private static OperatorCatalog instance;

    /** The catalog, calibrated once per JVM. */
    static synchronized OperatorCatalog get() {
        if (instance == null) {
            instance = calibrate();
        }
        return instance;
    }

    List<Operator> operators() {
        return operators;
    }

    List<Pick> scalars(Type result) {
        return scalarsByResult.getOrDefault(result, List.of());
    }

    List<Pick> aggregates() {
        return aggregates;
    }

    List<Pick> windows() {
        return windows;
    }

    static String placeholder(int i) {
        return "\"ARG" + i + "\"";
    }

    /** Every public static SqlOperator field of the two tables, once per operator. */
    static Map<String, SqlOperator> enumerate() {
        Map<String, SqlOperator> out = new LinkedHashMap<>();
        Set<SqlOperator> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Class<?> table : List.of(SqlStdOperatorTable.class, SqlLibraryOperators.class)) {
            for (Field field : table.getFields()) {
                if (!Modifier.isStatic(field.getModifiers()) || !SqlOperator.class.isAssignableFrom(field.getType())) {
                    continue;
                }
                try {
                    SqlOperator op = (SqlOperator) field.get(null);
                    if (op != null && seen.add(op)) {
                        out.put(table.getSimpleName() + "." + field.getName(), op);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    /** Calibrates on two threads, each with its own validator, every other operator; the result keeps their order. */
    private static OperatorCatalog calibrate() {
        List<Map.Entry<String, SqlOperator>> all = new ArrayList<>(enumerate().entrySet());
        Operator[] out = new Operator[all.size()];
        int workers = 2;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers);
        try {
            List<java.util.concurrent.Future<?>> work = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int first = w;
                work.add(pool.submit(() -> {
                    Calibrator calibrator = new Calibrator();
                    for (int i = first; i < all.size(); i += workers) {
                        out[i] = calibrator.calibrate(all.get(i).getKey(), all.get(i).getValue());
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : work) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new OperatorCatalog(List.of(out));
    }

    /** Tries call shapes against a validator configured like the query checker's, with every library. */
    private static final class Calibrator {
        private final JavaTypeFactoryImpl typeFactory = new JavaTypeFactoryImpl();
        private final CalciteCatalogReader catalog;
        private final SqlOperatorTable operators;
        private final Random random = new Random(5);

        Calibrator() {
            CalciteSchema root = CalciteSchema.createRootSchema(false, false);
            root.add("cal", new AbstractTable() {
                @Override
                public RelDataType getRowType(RelDataTypeFactory f) {
                    return f.builder()
                            .add("i", f.createTypeWithNullability(f.createSqlType(SqlTypeName.INTEGER), true))
                            .add("d", f.createTypeWithNullability(f.createSqlType(SqlTypeName.DECIMAL, 10, 2), true))
                            .add("s", f.createTypeWithNullability(f.createSqlType(SqlTypeName.VARCHAR), true))
                            .add("dt", f.createTypeWithNullability(f.createSqlType(SqlTypeName.DATE), true))
                            .add("ts", f.createTypeWithNullability(f.createSqlType(SqlTypeName.TIMESTAMP), true))
                            .add("f", f.createTypeWithNullability(f.createSqlType(SqlTypeName.BOOLEAN), true))
                            .build();
                }
            });
            Properties properties = new Properties();
            properties.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "false");
            catalog = new CalciteCatalogReader(root, List.of(), typeFactory,
                    new CalciteConnectionConfigImpl(properties));
            EnumSet<SqlLibrary> libraries = EnumSet.allOf(SqlLibrary.class);
            libraries.remove(SqlLibrary.STANDARD);
            libraries.remove(SqlLibrary.ALL);
            operators = SqlOperatorTables.chain(SqlStdOperatorTable.instance(),
                    SqlLibraryOperatorTableFactory.INSTANCE.getOperatorTable(libraries));
        }

        Operator calibrate(String id, SqlOperator op) {
            String unreachable = UNREACHABLE.get(id);
            if (unreachable != null) {
                return new Operator(id, op, op.getName(), Role.NONE, List.of(), unreachable);
            }
            if (op.getSyntax() == SqlSyntax.INTERNAL) {
                return new Operator(id, op, op.getName(), HAND.contains(id) ? Role.HAND : Role.NONE, List.of(),
                        "internal syntax");
            }
            Role role = op.requiresOver() ? Role.WINDOW : op.isAggregator() ? Role.AGGREGATE : Role.SCALAR;
            List<Shape> shapes = new ArrayList<>();
            int tries = 0;
            for (List<Type> candidate : candidates(op)) {
                if (tries >= MAX_TRIES || shapes.size() >= 3) {
                    break;
                }
                String template = template(op, candidate.size());
                if (template == null) {
                    tries++;
                    continue;
                }
                List<Boolean> columns = Collections.nCopies(candidate.size(), false);
                List<Boolean> literals = Collections.nCopies(candidate.size(), true);
                tries++;
                Type result = validate(template, candidate, columns, role);
                List<Boolean> literal = columns;
                if (result == null && !candidate.isEmpty()) {
                    tries++;
                    result = validate(template, candidate, literals, role);
                    literal = new ArrayList<>(literals);
                    // find the arguments that may be columns after all
                    for (int i = 0; result != null && i < candidate.size(); i++) {
                        List<Boolean> attempt = new ArrayList<>(literal);
                        attempt.set(i, false);
                        Type r = validate(template, candidate, attempt, role);
                        if (r != null) {
                            literal = attempt;
                        }
                    }
                }
                if (result != null) {
                    Shape shape = new Shape(List.copyOf(candidate), List.copyOf(literal), result, template);
                    if (shapes.stream().noneMatch(s -> s.args().equals(shape.args()))) {
                        shapes.add(shape);
                    }
                }
            }
            if (shapes.isEmpty()) {
                return new Operator(id, op, op.getName(), HAND.contains(id) ? Role.HAND : Role.NONE, List.of(),
                        HAND.contains(id) ? "written by the generator" : "no call shape validates");
            }
            return new Operator(id, op, op.getName(), role, shapes, "");
        }

        /** Argument type lists to try: from the allowed signatures, then each type alike, then random. */
        private List<List<Type>> candidates(SqlOperator op) {
            Set<List<Type>> out = new LinkedHashSet<>();
            int min;
            int max;
            try {
                min = op.getOperandCountRange().getMin();
                max = op.getOperandCountRange().getMax();
            } catch (RuntimeException e) {
                min = 1;
                max = 3;
            }
            if (max < 0 || max > min + 2) {
                max = Math.max(min, 1) + 1;
            }
            String signatures;
            try {
                signatures = op.getAllowedSignatures();
            } catch (RuntimeException e) {
                signatures = "";
            }
            for (String line : signatures.split("\n")) {
                List<List<Type>> positions = new ArrayList<>();
                Matcher m = SIGNATURE_TYPE.matcher(line);
                while (m.find()) {
                    if (m.group(1).equals("...")) {
                        if (!positions.isEmpty()) {
                            positions.add(positions.get(positions.size() - 1));
                        }
                    } else {
                        positions.add(family(m.group(1)));
                    }
                }
                if (positions.isEmpty() || positions.size() < min) {
                    continue;
                }
                for (int variant = 0; variant < 3; variant++) {
                    List<Type> tuple = new ArrayList<>();
                    for (List<Type> options : positions) {
                        tuple.add(options.get(Math.min(variant, options.size() - 1)));
                    }
                    out.add(tuple);
                }
            }
            for (int count = min; count <= max; count++) {
                for (Type t : List.of(Type.INT, Type.STR, Type.DEC, Type.DATE, Type.BOOL, Type.TS, Type.ARRAY)) {
                    out.add(Collections.nCopies(count, t));
                }
                if (count >= 2) {
                    List<Type> mixed = new ArrayList<>(Collections.nCopies(count, Type.INT));
                    mixed.set(0, Type.STR);
                    out.add(mixed);
                    List<Type> mixed2 = new ArrayList<>(Collections.nCopies(count, Type.STR));
                    mixed2.set(count - 1, Type.INT);
                    out.add(mixed2);
                }
            }
            Type[] all = {Type.INT, Type.DEC, Type.STR, Type.DATE, Type.TS, Type.BOOL, Type.INTERVAL, Type.ARRAY};
            for (int k = 0; k < 4 && max >= 1; k++) {
                List<Type> tuple = new ArrayList<>();
                int count = min + random.nextInt(max - min + 1);
                for (int j = 0; j < count; j++) {
                    tuple.add(all[random.nextInt(all.length)]);
                }
                out.add(tuple);
            }
            return new ArrayList<>(out);
        }

        private static List<Type> family(String name) {
            return switch (name.trim()) {
                case "NUMERIC", "EXACT_NUMERIC" -> List.of(Type.INT, Type.DEC, Type.DBL);
                case "APPROXIMATE_NUMERIC" -> List.of(Type.DBL, Type.DEC);
                case "INTEGER" -> List.of(Type.INT);
                case "DECIMAL" -> List.of(Type.DEC, Type.INT);
                case "CHARACTER", "STRING", "CHAR", "VARCHAR" -> List.of(Type.STR);
                case "DATE" -> List.of(Type.DATE);
                case "TIMESTAMP", "TIME" -> List.of(Type.TS);
                case "DATETIME" -> List.of(Type.DATE, Type.TS);
                case "BOOLEAN" -> List.of(Type.BOOL);
                case "ARRAY" -> List.of(Type.ARRAY);
                case "MAP" -> List.of(Type.MAP);
                case "DATETIME_INTERVAL", "INTERVAL", "INTERVAL_DAY_TIME", "INTERVAL_YEAR_MONTH" ->
                        List.of(Type.INTERVAL);
                default -> List.of(Type.INT, Type.STR, Type.DATE);
            };
        }

        /** The call's text with placeholder arguments, as Calcite itself writes the operator. */
        private static String template(SqlOperator op, int count) {
            try {
                SqlNode[] operands = new SqlNode[count];
                for (int i = 0; i < count; i++) {
                    operands[i] = new SqlIdentifier("ARG" + i, SqlParserPos.ZERO);
                }
                SqlNode call = op.createCall(SqlParserPos.ZERO, operands);
                String text = call.toSqlString(c -> c.withDialect(CalciteSqlDialect.DEFAULT)
                        .withQuoteAllIdentifiers(true)).getSql();
                for (int i = 0; i < count; i++) {
                    if (!text.contains(placeholder(i))) {
                        return null;
                    }
                }
                return text;
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                return null;
            }
        }

        /** The result type of the call, or null when Calcite refuses it. */
        private Type validate(String template, List<Type> types, List<Boolean> literal, Role role) {
            List<String> arguments = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                arguments.add("(" + (literal.get(i) ? literal(types.get(i)) : column(types.get(i))) + ")");
            }
            String call = new Shape(types, literal, Type.OTHER, template).render(arguments);
            String sql = "SELECT " + call + (role == Role.WINDOW ? " OVER (ORDER BY c.i)" : "") + " AS x FROM cal AS c";
            try {
                SqlNode parsed = SqlParser.create(sql, PARSER).parseQuery();
                SqlValidator validator = SqlValidatorUtil.newValidator(operators, catalog, typeFactory,
                        SqlValidator.Config.DEFAULT.withConformance(SqlConformanceEnum.LENIENT)
                                .withIdentifierExpansion(true).withCallRewrite(false));
                SqlNode validated = validator.validate(parsed);
                return type(validator.getValidatedNodeType(validated).getFieldList().get(0).getType());
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                return null;
            }
        }

        static String column(Type type) {
            return switch (type) {
                case INT -> "c.i";
                case DEC -> "c.d";
                case DBL -> "CAST(c.i AS DOUBLE)";
                case STR -> "c.s";
                case DATE -> "c.dt";
                case TS -> "c.ts";
                case BOOL -> "c.f";
                case INTERVAL -> "INTERVAL '1' DAY";
                case ARRAY -> "ARRAY[c.i, 2]";
                case MAP -> "MAP[c.s, c.i]";
                case OTHER -> "c.s";
            };
        }

        static String literal(Type type) {
            return switch (type) {
                case INT -> "2";
                case DEC -> "1.5";
                case DBL -> "1.5E0";
                case STR -> "'ab'";
                case DATE -> "DATE '2024-01-02'";
                case TS -> "TIMESTAMP '2024-01-02 03:04:05'";
                case BOOL -> "TRUE";
                case INTERVAL -> "INTERVAL '1' DAY";
                case ARRAY -> "ARRAY[1, 2]";
                case MAP -> "MAP['a', 1]";
                case OTHER -> "'ab'";
            };
        }
    }

    static Type type(RelDataType type) {
        SqlTypeName name = type.getSqlTypeName();
        return switch (name) {
            case TINYINT, SMALLINT, INTEGER, BIGINT -> Type.INT;
            case DECIMAL -> Type.DEC;
            case FLOAT, REAL, DOUBLE -> Type.DBL;
            case CHAR, VARCHAR -> Type.STR;
            case DATE -> Type.DATE;
            case TIMESTAMP, TIMESTAMP_WITH_LOCAL_TIME_ZONE, TIMESTAMP_TZ -> Type.TS;
            case BOOLEAN -> Type.BOOL;
            case ARRAY -> Type.ARRAY;
            case MAP -> Type.MAP;
            default -> name.getFamily() != null && name.getFamily().toString().startsWith("INTERVAL")
                    || name.name().startsWith("INTERVAL") ? Type.INTERVAL : Type.OTHER;
        };
    }
}
