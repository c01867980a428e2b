package io.cleanroom.sql;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.calcite.config.NullCollation;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.util.NlsString;

/**
 * Spark SQL as query control renders it, with the meaning DuckDB gives the same query, so that a
 * collaboration's results do not depend on its engine (the engine conformance suite holds both to
 * the same rows). Calcite's own Spark dialect is not used: it rewrites TRIM into regular
 * expressions and POSITION into INSTR, and does not escape backslashes in string literals.
 *
 * <ul>
 *   <li>String literals escape quotes and backslashes with a backslash (Spark reads {@code \} as
 *       an escape: a literal rendered the standard way could end early and turn the rest of a
 *       string into SQL); identifiers are backquoted.</li>
 *   <li>Spark substitutes variables ({@code ${env:NAME}}, {@code ${system:name}}, Spark settings)
 *       in the text of a query before parsing it, in literals and quoted identifiers too: a dollar
 *       sign in a literal is written as Spark's escape backslash-u0024, a name holding {@code ${} is
 *       refused, and rendered SQL holding {@code ${} never leaves query control.</li>
 *   <li>Division is IEEE division in DOUBLE, as in DuckDB: by zero it is an infinity or NaN
 *       (Spark answers NULL); LN and LOG10 answer NaN below zero and minus infinity at zero.</li>
 *   <li>CONCAT skips NULL arguments, SIMILAR TO is a whole-string regular expression match,
 *       LIKE has no escape character unless ESCAPE gives one, and EXTRACT answers whole numbers
 *       (DOW counts from Sunday = 0), as in DuckDB.</li>
 *   <li>BETWEEN without ASYMMETRIC, CAST types in Spark's names, arrays as {@code array(...)},
 *       UNNEST as a lateral {@code explode}, STARTS_WITH as {@code startswith}, SHA256 as
 *       {@code sha2(..., 256)}, LIMIT and OFFSET for FETCH and OFFSET.</li>
 * </ul>
 *
 * The rest of the Spark rendering (try_ arithmetic, NULLS LAST, scalar subqueries of one row,
 * rounding casts to integers) needs the validated types and is done on the tree by
 * {@link SafeEvaluation}.
 */
final class SparkDialect extends SqlDialect {
    static final SparkDialect DEFAULT = new SparkDialect();

    /** Spark's bround(x): rounds half to even, as DuckDB converts DOUBLE to integers. */
    static final SqlFunction BROUND = function("BROUND");
    static final SqlFunction TRY_ADD = function("TRY_ADD");
    static final SqlFunction TRY_SUBTRACT = function("TRY_SUBTRACT");
    static final SqlFunction TRY_MULTIPLY = function("TRY_MULTIPLY");

    private static SqlFunction function(String name) {
        return new SqlFunction(name, SqlKind.OTHER_FUNCTION, ReturnTypes.ARG0_FORCE_NULLABLE, null,
                OperandTypes.VARIADIC, SqlFunctionCategory.SYSTEM);
    }

    private SparkDialect() {
        super(EMPTY_CONTEXT.withDatabaseProduct(DatabaseProduct.SPARK).withIdentifierQuoteString("`")
                .withNullCollation(NullCollation.LOW));
    }

    @Override
    public boolean supportsCharSet() {
        return false;
    }

    @Override
    public void quoteStringLiteral(StringBuilder buf, String charsetName, String val) {
        buf.append('\'');
        for (int i = 0; i < val.length(); i++) {
            char c = val.charAt(i);
            if (c == '$') {
                // Spark substitutes ${...} in the text before parsing: the escape keeps the dollar
                buf.append("\\u0024");
                continue;
            }
            if (c == '\'' || c == '\\') {
                buf.append('\\');
            }
            buf.append(c);
        }
        buf.append('\'');
    }

    /** A backquoted identifier; one holding "${" cannot be written so that Spark does not substitute it. */
    @Override
    public StringBuilder quoteIdentifier(StringBuilder buf, String val) {
        if (val.contains("${")) {
            throw Rejection.of("On the Spark engine, a name may not contain ${ (Spark would read a variable "
                    + "reference there)");
        }
        return super.quoteIdentifier(buf, val);
    }

    @Override
    public void quoteStringLiteralUnicode(StringBuilder buf, String val) {
        quoteStringLiteral(buf, null, val);
    }

    @Override
    public void unparseOffsetFetch(SqlWriter writer, SqlNode offset, SqlNode fetch) {
        unparseFetchUsingLimit(writer, offset, fetch);
    }

    @Override
    public void unparseCall(SqlWriter writer, SqlCall call, int leftPrec, int rightPrec) {
        SqlKind kind = call.getKind();
        if (call.getOperator() == SqlStdOperatorTable.BETWEEN || call.getOperator() == SqlStdOperatorTable
                .NOT_BETWEEN) {
            between(writer, call);
        } else if (kind == SqlKind.CAST || call.getOperator() == SqlLibraryOperators.TRY_CAST) {
            cast(writer, call);
        } else if (kind == SqlKind.DIVIDE) {
            divide(writer, call);
        } else if (call.getOperator() == SqlStdOperatorTable.LN || call.getOperator() == SqlStdOperatorTable.LOG10) {
            logarithm(writer, call);
        } else if (call.getOperator() == SqlLibraryOperators.CONCAT_FUNCTION) {
            concat(writer, call);
        } else if (kind == SqlKind.SIMILAR) {
            similar(writer, call);
        } else if (kind == SqlKind.LIKE) {
            like(writer, call);
        } else if (kind == SqlKind.EXTRACT) {
            extract(writer, call);
        } else if (kind == SqlKind.ARRAY_VALUE_CONSTRUCTOR) {
            functionCall(writer, "array", call.getOperandList());
        } else if (call.getOperator() == SqlLibraryOperators.STARTS_WITH) {
            functionCall(writer, "startswith", call.getOperandList());
        } else if (call.getOperator() == SqlLibraryOperators.ENDS_WITH) {
            functionCall(writer, "endswith", call.getOperandList());
        } else if (call.getOperator() == SqlLibraryOperators.SHA256) {
            writer.print("sha2(CAST(CAST(");
            call.operand(0).unparse(writer, 0, 0);
            writer.print(" AS STRING) AS BINARY), 256)");
            writer.setNeedWhitespace(true);
        } else if (call.getOperator() == DifferentialPrivacy.ROW_HASH) {
            functionCall(writer, "xxhash64", call.getOperandList());
        } else if (call.getOperator() == SqlStdOperatorTable.PI) {
            writer.print("PI()");
            writer.setNeedWhitespace(true);
        } else if (kind == SqlKind.AS && call.operand(0).getKind() == SqlKind.UNNEST) {
            unnest(writer, call);
        } else if (kind == SqlKind.UNNEST) {
            throw Rejection.of("On the Spark engine, UNNEST needs an alias naming its column: UNNEST(...) AS a(x)");
        } else {
            super.unparseCall(writer, call, leftPrec, rightPrec);
        }
    }

    private static void functionCall(SqlWriter writer, String name, List<SqlNode> operands) {
        SqlWriter.Frame frame = writer.startFunCall(name);
        for (SqlNode operand : operands) {
            writer.sep(",");
            operand.unparse(writer, 0, 0);
        }
        writer.endFunCall(frame);
    }

    private static void between(SqlWriter writer, SqlCall call) {
        SqlWriter.Frame frame = writer.startList("(", ")");
        call.operand(0).unparse(writer, 0, 0);
        writer.keyword(call.getOperator() == SqlStdOperatorTable.NOT_BETWEEN ? "NOT BETWEEN" : "BETWEEN");
        call.operand(1).unparse(writer, 0, 0);
        writer.keyword("AND");
        call.operand(2).unparse(writer, 0, 0);
        writer.endList(frame);
    }

    private static void cast(SqlWriter writer, SqlCall call) {
        SqlWriter.Frame frame = writer.startFunCall(call.getKind() == SqlKind.CAST
                && call.getOperator() != SqlLibraryOperators.TRY_CAST ? "CAST" : "TRY_CAST");
        call.operand(0).unparse(writer, 0, 0);
        writer.keyword("AS");
        writer.print(type(call.operand(1)));
        writer.setNeedWhitespace(true);
        writer.endFunCall(frame);
    }

    /** A type in Spark's name for it (DECIMAL without precision as DuckDB's default, 18 and 3). */
    static String type(SqlNode node) {
        if (!(node instanceof SqlDataTypeSpec spec) || !(spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec
                basic)) {
            throw Rejection.of("On the Spark engine, CAST takes a built-in type");
        }
        String name = basic.getTypeName().getSimple().toUpperCase(Locale.ROOT);
        return switch (name) {
            case "VARCHAR", "CHAR", "CHARACTER" -> "STRING";
            case "INTEGER", "INT" -> "INT";
            case "BIGINT", "SMALLINT", "TINYINT", "DOUBLE", "BOOLEAN", "DATE" -> name;
            case "FLOAT", "REAL" -> "FLOAT";
            case "TIMESTAMP" -> "TIMESTAMP";
            case "BINARY", "VARBINARY" -> "BINARY";
            case "DECIMAL", "NUMERIC" -> basic.getPrecision() < 0 ? "DECIMAL(18, 3)"
                    : "DECIMAL(" + basic.getPrecision() + ", " + Math.max(0, basic.getScale()) + ")";
            default -> throw Rejection.of("On the Spark engine, CAST to " + name + " is not supported");
        };
    }

    /**
     * a / b as IEEE division in DOUBLE: (CASE WHEN b = 0 THEN a * power(b, -1) ELSE a / b END),
     * since Spark's division by zero is NULL and DuckDB's an infinity (or NaN for 0 / 0).
     */
    private static void divide(SqlWriter writer, SqlCall call) {
        writer.print("(CASE WHEN ");
        asDouble(writer, call.operand(1));
        writer.print(" = 0 THEN ");
        asDouble(writer, call.operand(0));
        writer.print(" * power(");
        asDouble(writer, call.operand(1));
        writer.print(", -1) ELSE ");
        asDouble(writer, call.operand(0));
        writer.print(" / ");
        asDouble(writer, call.operand(1));
        writer.print(" END)");
        writer.setNeedWhitespace(true);
    }

    private static void asDouble(SqlWriter writer, SqlNode node) {
        writer.print("CAST(");
        node.unparse(writer, 0, 0);
        writer.print(" AS DOUBLE)");
    }

    /** LN and LOG10 as DuckDB computes them: NaN below zero, minus infinity at zero (Spark: NULL). */
    private static void logarithm(SqlWriter writer, SqlCall call) {
        String name = call.getOperator() == SqlStdOperatorTable.LN ? "ln" : "log10";
        writer.print("(CASE WHEN ");
        asDouble(writer, call.operand(0));
        writer.print(" < 0 THEN CAST('NaN' AS DOUBLE) WHEN ");
        asDouble(writer, call.operand(0));
        writer.print(" = 0 THEN CAST('-Infinity' AS DOUBLE) ELSE " + name + "(");
        asDouble(writer, call.operand(0));
        writer.print(") END)");
        writer.setNeedWhitespace(true);
    }

    /** CONCAT(a, b, ...) skipping NULLs, as DuckDB's: concat_ws('', CAST(a AS STRING), ...). */
    private static void concat(SqlWriter writer, SqlCall call) {
        writer.print("concat_ws(''");
        for (SqlNode operand : call.getOperandList()) {
            writer.print(", CAST(");
            operand.unparse(writer, 0, 0);
            writer.print(" AS STRING)");
        }
        writer.print(")");
        writer.setNeedWhitespace(true);
    }

    /**
     * x SIMILAR TO 'p' as DuckDB reads it, a regular expression matching the whole string:
     * (x RLIKE '^(?:p)$'). The pattern is a string literal (query control requires it) and must
     * compile, else the query is refused before it runs.
     */
    private static void similar(SqlWriter writer, SqlCall call) {
        if (call.operandCount() != 2 || !(call.operand(1) instanceof SqlLiteral literal)
                || !(literal.getValue() instanceof NlsString pattern)) {
            throw Rejection.of("On the Spark engine, SIMILAR TO takes a string literal pattern and no ESCAPE");
        }
        String regex = "^(?:" + pattern.getValue() + ")$";
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw Rejection.of("The pattern of SIMILAR TO is not a valid regular expression");
        }
        boolean negated = call.getOperator() == SqlStdOperatorTable.NOT_SIMILAR_TO;
        writer.print(negated ? "(NOT (" : "(");
        call.operand(0).unparse(writer, 0, 0);
        writer.print(" RLIKE ");
        StringBuilder quoted = new StringBuilder();
        DEFAULT.quoteStringLiteral(quoted, null, regex);
        writer.print(quoted.toString());
        writer.print(negated ? "))" : ")");
        writer.setNeedWhitespace(true);
    }

    /**
     * LIKE and ILIKE with DuckDB's escaping: none unless ESCAPE gives one. (Spark's default escape
     * is the backslash, so a pattern without ESCAPE gets one that does not occur in it.)
     */
    private static void like(SqlWriter writer, SqlCall call) {
        String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
        if (!List.of("LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE").contains(name)) {
            throw Rejection.of("On the Spark engine, " + name + " is not supported");
        }
        SqlWriter.Frame frame = writer.startList("(", ")");
        call.operand(0).unparse(writer, 0, 0);
        writer.keyword(name);
        call.operand(1).unparse(writer, 0, 0);
        writer.keyword("ESCAPE");
        if (call.operandCount() == 3) {
            call.operand(2).unparse(writer, 0, 0);
        } else {
            String pattern = call.operand(1) instanceof SqlLiteral literal
                    && literal.getValue() instanceof NlsString text ? text.getValue() : "";
            StringBuilder quoted = new StringBuilder();
            DEFAULT.quoteStringLiteral(quoted, null, String.valueOf(unusedCharacter(pattern)));
            writer.print(quoted.toString());
            writer.setNeedWhitespace(true);
        }
        writer.endList(frame);
    }

    /** A character the pattern does not contain, to serve as its (unused) escape. */
    static char unusedCharacter(String pattern) {
        for (char c : "!#~^|@$&".toCharArray()) {
            if (pattern.indexOf(c) < 0) {
                return c;
            }
        }
        for (char c = '\u0100'; ; c++) {
            if (pattern.indexOf(c) < 0) {
                return c;
            }
        }
    }

    /** EXTRACT(unit FROM x) as Spark's function of that unit, answering what DuckDB answers. */
    private static void extract(SqlWriter writer, SqlCall call) {
        String unit = call.operand(0).toString().toUpperCase(Locale.ROOT);
        String[] form = switch (unit) {
            case "YEAR" -> new String[] {"year(", ")"};
            case "QUARTER" -> new String[] {"quarter(", ")"};
            case "MONTH" -> new String[] {"month(", ")"};
            case "WEEK" -> new String[] {"weekofyear(", ")"};
            case "DAY" -> new String[] {"dayofmonth(", ")"};
            case "DOW" -> new String[] {"(dayofweek(", ") - 1)"};
            case "ISODOW" -> new String[] {"(weekday(", ") + 1)"};
            case "DOY" -> new String[] {"dayofyear(", ")"};
            case "HOUR" -> new String[] {"hour(", ")"};
            case "MINUTE" -> new String[] {"minute(", ")"};
            case "SECOND" -> new String[] {"second(", ")"};
            default -> throw Rejection.of("On the Spark engine, EXTRACT(" + unit + " FROM ...) is not supported");
        };
        writer.print(form[0]);
        call.operand(1).unparse(writer, 0, 0);
        writer.print(form[1]);
        writer.setNeedWhitespace(true);
    }

    /**
     * UNNEST(array) AS a(x) in a FROM clause as a lateral subquery:
     * LATERAL (SELECT explode(array) AS x) a.
     */
    private static void unnest(SqlWriter writer, SqlCall as) {
        SqlCall unnest = as.operand(0);
        if (unnest.operandCount() != 1 || as.operandCount() != 3 || unnest.getOperator() != SqlStdOperatorTable
                .UNNEST) {
            throw Rejection.of("On the Spark engine, UNNEST takes one array, without ordinality, and an alias "
                    + "naming its column: UNNEST(...) AS a(x)");
        }
        SqlIdentifier alias = as.operand(1);
        SqlNode column = as.operand(2) instanceof SqlNodeList list && list.size() == 1 ? list.get(0) : as.operand(2);
        writer.keyword("LATERAL");
        SqlWriter.Frame frame = writer.startList("(", ")");
        writer.keyword("SELECT");
        functionCall(writer, "explode", List.of(unnest.operand(0)));
        writer.keyword("AS");
        column.unparse(writer, 0, 0);
        writer.endList(frame);
        alias.unparse(writer, 0, 0);
    }

    /**
     * Refuses rendered SQL in which Spark would see a comment outside string literals and quoted
     * identifiers (a comment would hide the rest of a line, such as an added constraint, from
     * Spark). Calcite never renders one; this makes sure.
     */
    static String checked(String sql) {
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote == '\'') {
                if (c == '\\') {
                    i++;
                } else if (c == '\'') {
                    quote = 0;
                }
            } else if (quote == '`') {
                if (c == '`') {
                    quote = 0;
                }
            } else if (c == '\'' || c == '`' || c == '"') {
                if (c == '"') {
                    throw new IllegalStateException("rendered Spark SQL holds a double-quoted token");
                }
                quote = c;
            } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-'
                    || c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
                throw new IllegalStateException("rendered Spark SQL holds a comment");
            }
        }
        if (quote != 0) {
            throw new IllegalStateException("rendered Spark SQL holds an unterminated quote");
        }
        if (sql.contains("${")) {
            throw new IllegalStateException("rendered Spark SQL holds a variable reference");
        }
        return sql;
    }
}
