package io.cleanroom.sql;

import java.math.BigDecimal;
import java.util.List;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.sql.validate.SqlValidator;

/**
 * No error oracle: rewrites a checked query so that no expression can fail because of the values
 * it meets, since whether a query fails would then tell the querier about rows that the output
 * constraints later suppress (a binary search on a value through an overflow, a failing cast
 * confined to one person's row).
 *
 * <ul>
 *   <li>A cast of anything but a literal becomes TRY_CAST (a value that does not fit is NULL).</li>
 *   <li>An operation that can fail on some values (integer and decimal arithmetic, date arithmetic,
 *       ABS, ROUND, SUBSTRING ...; see {@link Operators.Entry#fallible()}) is evaluated under TRY:
 *       a failure yields NULL.</li>
 *   <li>TRY cannot hold an aggregate, a window function or a subquery. Arithmetic and numeric
 *       functions over those are computed in DOUBLE and converted back to their type with TRY_CAST;
 *       date arithmetic and other fallible functions over them are refused unless their other
 *       arguments are small literals.</li>
 *   <li>SUM and AVG read their argument as BIGINT, DECIMAL of at most 18 digits (accumulated in 128
 *       bits, which no table can overflow) or DOUBLE.</li>
 * </ul>
 * Division by zero yields NULL by an engine setting. Errors the engine raises at planning time
 * (a constant that does not cast) do not depend on data and are left alone.
 */
final class SafeEvaluation {
    /** DuckDB's TRY(expression): NULL instead of an error. */
    static final SqlFunction TRY = new SqlFunction("TRY", SqlKind.OTHER_FUNCTION, ReturnTypes.ARG0_FORCE_NULLABLE,
            null, OperandTypes.ANY, SqlFunctionCategory.SYSTEM);

    private static final SqlParserPos POS = SqlParserPos.ZERO;
    private static final long SMALL = 1L << 31;

    private final SqlValidator validator;
    private final boolean spark;

    private SafeEvaluation(SqlValidator validator, io.cleanroom.engine.spi.Dialect dialect) {
        this.validator = validator;
        this.spark = dialect == io.cleanroom.engine.spi.Dialect.SPARK;
    }

    /**
     * Rewrites the tree in place (and returns its new root) so that its evaluation cannot fail in
     * the given dialect's engine.
     *
     * <p>On Spark (whose sessions run in non-ANSI mode: casts, division by zero and most overflow
     * answer NULL or wrap instead of failing), what DuckDB evaluates under TRY becomes Spark's
     * try_add, try_subtract and try_multiply (NULL on overflow, also for date arithmetic, where
     * non-ANSI mode still fails), a scalar subquery reads at most one row (Spark fails on more),
     * and the rest follows DuckDB's meaning: a DATE plus or minus an interval is a TIMESTAMP, a
     * cast of a fraction to an integer rounds (half to even from DOUBLE, half away from zero from
     * DECIMAL), SUM of integers accumulates in DECIMAL(38, 0), and NULLs sort last.
     */
    static SqlNode apply(SqlNode tree, SqlValidator validator, io.cleanroom.engine.spi.Dialect dialect) {
        SqlNode safe = new SafeEvaluation(validator, dialect).node(tree);
        return dialect == io.cleanroom.engine.spi.Dialect.SPARK ? SparkTree.rewrite(safe) : safe;
    }

    private SqlNode node(SqlNode node) {
        if (node instanceof SqlNodeList list) {
            for (int i = 0; i < list.size(); i++) {
                SqlNode item = list.get(i);
                if (item != null) {
                    list.set(i, node(item));
                }
            }
            return list;
        }
        if (!(node instanceof SqlCall call)) {
            return node;
        }
        List<SqlNode> operands = call.getOperandList();
        // types as validated, before the operands are rewritten into nodes the validator never saw
        List<RelDataType> types = new java.util.ArrayList<>();
        for (SqlNode operand : operands) {
            types.add(operand == null ? null : validator.getValidatedNodeTypeIfKnown(operand));
        }
        for (int i = 0; i < operands.size(); i++) {
            SqlNode operand = operands.get(i);
            if (operand != null) {
                SqlNode safe = node(operand);
                if (safe != operand) {
                    call.setOperand(i, safe);
                }
            }
        }
        if (call.getOperator().isAggregator()) {
            return aggregate(call, types);
        }
        if (call.getKind() == SqlKind.AS && call.operandCount() == 2
                && call.operand(1) instanceof org.apache.calcite.sql.SqlIdentifier alias && alias.isSimple()) {
            // the validator names a niladic function's column after it (CURRENT_DATE AS current_date), and
            // Calcite renders that name as the keyword, which no engine reads as an alias
            String name = alias.getSimple();
            if (Operators.all().keySet().stream().anyMatch(op -> op.getSyntax() == org.apache.calcite.sql.SqlSyntax
                    .FUNCTION_ID && op.getName().equalsIgnoreCase(name))) {
                call.setOperand(1, new org.apache.calcite.sql.SqlIdentifier(name + "_", POS));
            }
            return call;
        }
        Operators.Entry entry = Operators.of(call.getOperator()).orElse(null);
        if (entry == null) {
            return call;
        }
        if (entry.role() == Operators.Role.CAST && call.getKind() == SqlKind.CAST) {
            if (fits(call)) {
                return call;
            }
            return cast(SqlLibraryOperators.TRY_CAST, rounded(call.operand(0), types.get(0), call.operand(1)),
                    call.operand(1));
        }
        if (!entry.fallible()) {
            return call;
        }
        if (!holdsAggregateOrQuery(call)) {
            return spark ? sparkSafe(call, types) : new SqlBasicCall(TRY, List.of(call), POS);
        }
        return overAggregates(call, entry, types);
    }

    /**
     * On Spark, a fallible operation outside aggregates: arithmetic that can overflow (also on
     * dates and timestamps) as try_add, try_subtract or try_multiply; the rest is failure-free in
     * non-ANSI mode (division and LN are rendered as DuckDB computes them, see {@link SparkDialect}).
     */
    private SqlNode sparkSafe(SqlCall call, List<RelDataType> types) {
        boolean binary = call.operandCount() == 2 && (call.getOperator() == SqlStdOperatorTable.PLUS
                || call.getOperator() == SqlStdOperatorTable.MINUS || call.getOperator() == SqlStdOperatorTable
                .DATETIME_PLUS || call.getOperator() == SqlStdOperatorTable.MULTIPLY);
        if (binary) {
            List<SqlNode> operands = new java.util.ArrayList<>(call.getOperandList());
            for (int i = 0; i < 2; i++) {
                RelDataType other = types.get(1 - i);
                if (types.get(i) != null && types.get(i).getSqlTypeName() == SqlTypeName.DATE && other != null
                        && SqlTypeUtil.isInterval(other)) {
                    // DuckDB: a DATE plus an interval is a TIMESTAMP
                    operands.set(i, cast(SqlLibraryOperators.TRY_CAST, operands.get(i), new SqlDataTypeSpec(
                            new SqlBasicTypeNameSpec(SqlTypeName.TIMESTAMP, POS), POS)));
                }
            }
            SqlFunction function = switch (call.getKind()) {
                case PLUS -> SparkDialect.TRY_ADD;
                case MINUS -> SparkDialect.TRY_SUBTRACT;
                default -> SparkDialect.TRY_MULTIPLY;
            };
            return new SqlBasicCall(function, operands, POS);
        }
        if (call.getKind() == SqlKind.MINUS_PREFIX && types.get(0) != null && SqlTypeUtil.isNumeric(types.get(0))) {
            return new SqlBasicCall(SparkDialect.TRY_SUBTRACT, List.<SqlNode>of(SqlLiteral.createExactNumeric("0",
                    POS), call.operand(0)), POS);
        }
        return call;
    }

    /**
     * On Spark, the value a cast to an integer type reads: a fraction rounded as DuckDB rounds it
     * (Spark truncates). Elsewhere the value as it is.
     */
    private SqlNode rounded(SqlNode value, RelDataType from, SqlNode target) {
        if (!spark || from == null || !(target instanceof SqlDataTypeSpec spec)
                || !(spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec basic)) {
            return value;
        }
        SqlTypeName to = SqlTypeName.get(basic.getTypeName().getSimple().toUpperCase(java.util.Locale.ROOT));
        if (to == null || !SqlTypeName.INT_TYPES.contains(to)) {
            return value;
        }
        if (SqlTypeUtil.isApproximateNumeric(from)) {
            return new SqlBasicCall(SparkDialect.BROUND, List.of(value), POS);
        }
        if (from.getSqlTypeName() == SqlTypeName.DECIMAL && from.getScale() > 0) {
            return new SqlBasicCall(SqlStdOperatorTable.ROUND, List.of(value), POS);
        }
        return value;
    }

    /** A fallible operation over an aggregate, a window or a subquery, which TRY cannot hold. */
    private SqlNode overAggregates(SqlCall call, Operators.Entry entry, List<RelDataType> types) {
        RelDataType type = validator.getValidatedNodeTypeIfKnown(call);
        boolean numeric = type != null && SqlTypeUtil.isNumeric(type);
        boolean numericOperands = true;
        for (int i = 0; i < call.operandCount(); i++) {
            numericOperands &= call.operand(i) instanceof SqlLiteral literal
                    && literal.getTypeName().getFamily() == SqlTypeFamily.NUMERIC
                    || types.get(i) != null && SqlTypeUtil.isNumeric(types.get(i));
        }
        if ((entry.role() == Operators.Role.ARITHMETIC || entry.role() == Operators.Role.FUNCTION) && numeric
                && numericOperands) {
            for (int i = 0; i < call.operandCount(); i++) {
                SqlNode operand = call.operand(i);
                if (!(operand instanceof SqlLiteral)) {
                    call.setOperand(i, cast(SqlLibraryOperators.TRY_CAST, operand, doubleSpec()));
                }
            }
            if (SqlTypeUtil.isApproximateNumeric(type)) {
                return call;
            }
            SqlDataTypeSpec spec = SqlTypeUtil.convertTypeToSpec(type);
            return cast(SqlLibraryOperators.TRY_CAST, rounded(call, validator.getTypeFactory().createSqlType(
                    SqlTypeName.DOUBLE), spec), spec);
        }
        if (entry.role() == Operators.Role.FUNCTION && call.getOperandList().stream()
                .filter(o -> !holdsAggregateOrQuery(o)).allMatch(SafeEvaluation::isSmallLiteral)) {
            // what could make it fail (an offset, a length) is a small literal
            return call;
        }
        throw Rejection.of(Surface.describe(call) + " cannot be applied to an aggregate, a window function or a "
                + "subquery here: it could fail on some values, and whether the query fails must not depend on "
                + "the data; compute it in an outer query instead");
    }

    /**
     * A cast that cannot fail: a number literal into an integer type whose range holds it, or into
     * DOUBLE. Any other cast, even of a literal, becomes TRY_CAST, so that no failure depends on
     * whether the engine folds a constant before it meets a row.
     */
    private boolean fits(SqlCall cast) {
        if (!(cast.operand(0) instanceof SqlLiteral literal) || !(literal.getValue() instanceof BigDecimal value)
                || !(cast.operand(1) instanceof SqlDataTypeSpec spec)) {
            return false;
        }
        RelDataType type = validator.getValidatedNodeTypeIfKnown(cast);
        SqlTypeName target = type != null ? type.getSqlTypeName()
                : SqlTypeName.get(spec.getTypeName().getSimple().toUpperCase(java.util.Locale.ROOT));
        if (target == null) {
            return false;
        }
        return switch (target) {
            case BIGINT -> value.scale() <= 0 && value.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0;
            case INTEGER -> value.scale() <= 0 && value.abs().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) < 0;
            case DOUBLE -> true;
            default -> false;
        };
    }

    /** SUM and AVG read an argument whose accumulation cannot overflow. */
    private SqlNode aggregate(SqlCall call, List<RelDataType> types) {
        SqlKind kind = call.getKind();
        if (kind != SqlKind.SUM && kind != SqlKind.AVG && kind != SqlKind.SUM0 || call.operandCount() != 1) {
            return call;
        }
        SqlNode argument = call.operand(0);
        RelDataType type = types.get(0);
        if (type == null || !SqlTypeUtil.isNumeric(type)) {
            throw Rejection.of(call.getOperator().getName() + " needs a numeric argument");
        }
        SqlDataTypeSpec spec;
        if (SqlTypeUtil.isIntType(type) && spark && kind != SqlKind.AVG) {
            // Spark's SUM of BIGINT wraps around on overflow; DuckDB's accumulates in 128 bits
            spec = new SqlDataTypeSpec(new SqlBasicTypeNameSpec(SqlTypeName.DECIMAL, 38, 0, POS), POS);
        } else if (SqlTypeUtil.isIntType(type)) {
            spec = new SqlDataTypeSpec(new SqlBasicTypeNameSpec(SqlTypeName.BIGINT, POS), POS);
        } else if (type.getSqlTypeName() == SqlTypeName.DECIMAL && type.getPrecision() <= 18) {
            spec = new SqlDataTypeSpec(new SqlBasicTypeNameSpec(SqlTypeName.DECIMAL, type.getPrecision(),
                    type.getScale(), POS), POS);
        } else {
            spec = doubleSpec();
        }
        call.setOperand(0, cast(SqlLibraryOperators.TRY_CAST, argument, spec));
        return call;
    }

    private static boolean isSmallLiteral(SqlNode node) {
        if (node instanceof SqlLiteral literal && literal.getValue() instanceof BigDecimal value) {
            return value.abs().compareTo(BigDecimal.valueOf(SMALL)) < 0;
        }
        if (node instanceof SqlLiteral literal) {
            return literal.getTypeName().getFamily() == SqlTypeFamily.CHARACTER
                    || literal.getTypeName() == SqlTypeName.SYMBOL;
        }
        return node != null && Functions.isConstant(node);
    }

    /** Whether TRY could not hold the expression: it contains an aggregate, a window or a subquery. */
    static boolean holdsAggregateOrQuery(SqlNode node) {
        if (node instanceof SqlSelect || node == null) {
            return node != null;
        }
        if (node instanceof SqlNodeList list) {
            return list.stream().anyMatch(SafeEvaluation::holdsAggregateOrQuery);
        }
        if (node instanceof SqlCall call) {
            SqlKind kind = call.getKind();
            if (call.getOperator().isAggregator() || kind == SqlKind.OVER) {
                return true;
            }
            return call.getOperandList().stream().anyMatch(SafeEvaluation::holdsAggregateOrQuery);
        }
        return false;
    }

    private static SqlNode cast(org.apache.calcite.sql.SqlOperator operator, SqlNode value, SqlDataTypeSpec spec) {
        return new SqlBasicCall(operator, List.of(value, spec), POS);
    }

    private static SqlDataTypeSpec doubleSpec() {
        return new SqlDataTypeSpec(new SqlBasicTypeNameSpec(SqlTypeName.DOUBLE, POS), POS);
    }
}
