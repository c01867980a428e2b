package io.cleanroom.sql;

import io.cleanroom.core.model.Column;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorUtil;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;

/**
 * Calcite set up for Cleanroom: parser settings (double-quoted identifiers, unquoted ones
 * lower-cased, case-insensitive), a LENIENT validator (ordinals in GROUP BY, which it expands;
 * BABEL would wrap grouped expressions in ANY_VALUE), a catalog of the collaboration's tables with only their
 * allowed columns, a validator that fully qualifies every identifier, and conversion to a
 * relational plan for column lineage.
 */
final class Frontend {
    static final int MAX_SQL_LENGTH = 500_000;
    static final int MAX_DEPTH = 200;

    static final SqlParser.Config PARSER = SqlParser.config()
            .withConformance(SqlConformanceEnum.BABEL)
            .withQuoting(Quoting.DOUBLE_QUOTE)
            .withUnquotedCasing(Casing.TO_LOWER)
            .withQuotedCasing(Casing.UNCHANGED)
            .withCaseSensitive(false);

    /** The validator resolves function names against the allow-list only. */
    static final SqlOperatorTable OPERATORS = Operators.TABLE;

    private static final Pattern POSITION = Pattern.compile("line (\\d+), column (\\d+)");
    private static final Pattern NO_MATCH = Pattern.compile("No match found for function signature ([^(]+)\\((.*)\\)");

    /** Decimals up to 38 digits, as the catalog types and the engines have them (Calcite's default is 19). */
    private static final org.apache.calcite.rel.type.RelDataTypeSystem TYPES =
            new org.apache.calcite.rel.type.RelDataTypeSystemImpl() {
                @Override
                public int getMaxPrecision(SqlTypeName typeName) {
                    return typeName == SqlTypeName.DECIMAL ? 38 : super.getMaxPrecision(typeName);
                }

                @Override
                public int getMaxScale(SqlTypeName typeName) {
                    return typeName == SqlTypeName.DECIMAL ? 38 : super.getMaxScale(typeName);
                }
            };

    private final JavaTypeFactoryImpl typeFactory = new JavaTypeFactoryImpl(TYPES);
    private final CalciteCatalogReader catalog;
    private final SqlValidator validator;

    Frontend(List<TableSpec> tables) {
        this(tables, OPERATORS);
    }

    /**
     * A frontend whose validator also knows operators of query control's own (the rewrite of a
     * differentially private query uses one no query may call, {@link DifferentialPrivacy#ROW_HASH}).
     */
    Frontend(List<TableSpec> tables, SqlOperatorTable operators) {
        CalciteSchema root = CalciteSchema.createRootSchema(false, false);
        for (TableSpec table : tables) {
            root.add(table.name(), new SpecTable(table.columns()));
        }
        Properties properties = new Properties();
        properties.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "false");
        catalog = new CalciteCatalogReader(root, List.of(), typeFactory, new CalciteConnectionConfigImpl(properties));
        validator = SqlValidatorUtil.newValidator(operators, catalog, typeFactory,
                SqlValidator.Config.DEFAULT
                        .withConformance(SqlConformanceEnum.LENIENT)
                        .withIdentifierExpansion(true)
                        .withCallRewrite(false));
    }

    /**
     * Parses an analysis template: :name placeholders are bound to literals of their typed values
     * in the parsed tree.
     */
    static SqlNode parseTemplate(QueryRequest.Template template, String sql) {
        Parameters.Marked marked = Parameters.mark(sql);
        SqlNode tree = parseStatement(marked.sql());
        return Parameters.bind(tree, marked.names(), template.parameters(), template.values());
    }

    /** Parses exactly one statement, bounding size and nesting; ? placeholders are refused. */
    static SqlNode parse(String sql) {
        SqlNode tree = parseStatement(sql);
        if (containsDynamicParameter(tree)) {
            throw Rejection.of("Dynamic parameters (?) are not allowed; analysis templates use :name parameters");
        }
        return tree;
    }

    private static boolean containsDynamicParameter(SqlNode root) {
        Deque<SqlNode> nodes = new ArrayDeque<>();
        nodes.push(root);
        while (!nodes.isEmpty()) {
            SqlNode node = nodes.pop();
            if (node instanceof org.apache.calcite.sql.SqlDynamicParam) {
                return true;
            }
            if (node instanceof SqlCall call) {
                call.getOperandList().stream().filter(o -> o != null).forEach(nodes::push);
            } else if (node instanceof SqlNodeList list) {
                list.getList().stream().filter(o -> o != null).forEach(nodes::push);
            }
        }
        return false;
    }

    private static SqlNode parseStatement(String sql) {
        if (sql.isBlank()) {
            throw Rejection.of("The query is empty");
        }
        if (sql.length() > MAX_SQL_LENGTH) {
            throw Rejection.of("The query is longer than " + MAX_SQL_LENGTH + " characters");
        }
        SqlNodeList statements;
        try {
            statements = SqlParser.create(sql, PARSER).parseStmtList();
        } catch (SqlParseException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StackOverflowError) {
                    throw Rejection.of("The query is nested too deeply");
                }
            }
            throw Rejection.of("The query does not parse" + position(e.getMessage()) + ": " + reason(e));
        } catch (StackOverflowError e) {
            throw Rejection.of("The query is nested too deeply");
        }
        if (statements.size() != 1) {
            throw Rejection.of("Exactly one SQL statement is allowed; the query has " + statements.size());
        }
        SqlNode statement = statements.get(0);
        if (depth(statement) > MAX_DEPTH) {
            throw Rejection.of("The query is nested too deeply (more than " + MAX_DEPTH + " levels)");
        }
        return statement;
    }

    private static String reason(SqlParseException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline);
        if (first.isBlank()) {
            return "syntax error";
        }
        // keep Calcite's own first line, which names the token where parsing stopped
        return first.length() > 300 ? first.substring(0, 300) + "..." : first;
    }

    private static String position(String message) {
        if (message == null) {
            return "";
        }
        Matcher m = POSITION.matcher(message);
        return m.find() ? " (line " + m.group(1) + ", column " + m.group(2) + ")" : "";
    }

    /** Depth of the tree, computed without recursion. */
    static int depth(SqlNode root) {
        Deque<SqlNode> nodes = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        nodes.push(root);
        depths.push(1);
        int max = 0;
        while (!nodes.isEmpty()) {
            SqlNode node = nodes.pop();
            int d = depths.pop();
            max = Math.max(max, d);
            if (d > MAX_DEPTH) {
                return d;
            }
            if (node instanceof SqlCall call) {
                for (SqlNode operand : call.getOperandList()) {
                    if (operand != null) {
                        nodes.push(operand);
                        depths.push(d + 1);
                    }
                }
            } else if (node instanceof SqlNodeList list) {
                for (SqlNode item : list) {
                    if (item != null) {
                        nodes.push(item);
                        depths.push(d + 1);
                    }
                }
            }
        }
        return max;
    }

    /** Validates against the catalog; identifiers come back fully qualified. */
    SqlNode validate(SqlNode parsed) {
        try {
            return validator.validate(parsed);
        } catch (CalciteContextException e) {
            String message = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage()
                    : e.getMessage();
            Matcher noMatch = NO_MATCH.matcher(message);
            if (noMatch.find()) {
                throw Rejection.of("Function " + noMatch.group(1).toUpperCase(Locale.ROOT) + " is not allowed (line "
                        + e.getPosLine() + ", column " + e.getPosColumn() + "): query control does not support it, or "
                        + "not with arguments of types (" + noMatch.group(2) + ")");
            }
            throw Rejection.of("The query is not valid against the collaboration's schemas (line "
                    + e.getPosLine() + ", column " + e.getPosColumn() + "): " + message);
        } catch (RuntimeException e) {
            throw Rejection.of("The query is not valid against the collaboration's schemas: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (StackOverflowError e) {
            throw Rejection.of("The query is nested too deeply");
        }
    }

    SqlValidator validator() {
        return validator;
    }

    /** The relational plan of a validated query, for column lineage. */
    RelRoot toRel(SqlNode validated) {
        RelOptCluster cluster = RelOptCluster.create(new HepPlanner(HepProgram.builder().build()),
                new RexBuilder(typeFactory));
        SqlToRelConverter converter = new SqlToRelConverter((type, query, schema, path) -> {
            throw new UnsupportedOperationException("views are not supported");
        }, validator, catalog, cluster, StandardConvertletTable.INSTANCE,
                SqlToRelConverter.config().withTrimUnusedFields(false).withExpand(true));
        return converter.convertQuery(validated, false, true);
    }

    /** A collaboration table: just a row type of its allowed columns. */
    private static final class SpecTable extends AbstractTable {
        private final List<Column> columns;

        SpecTable(List<Column> columns) {
            this.columns = columns;
        }

        @Override
        public RelDataType getRowType(RelDataTypeFactory factory) {
            RelDataTypeFactory.Builder builder = factory.builder();
            for (Column column : columns) {
                builder.add(column.name(), factory.createTypeWithNullability(type(factory, column.type()), true));
            }
            return builder.build();
        }

        private static RelDataType type(RelDataTypeFactory factory, String glueType) {
            io.cleanroom.core.model.ColumnType type = io.cleanroom.core.model.ColumnType.parse(glueType);
            return switch (type.kind()) {
                case BIGINT -> factory.createSqlType(SqlTypeName.BIGINT);
                case INTEGER -> factory.createSqlType(SqlTypeName.INTEGER);
                case SMALLINT -> factory.createSqlType(SqlTypeName.SMALLINT);
                case TINYINT -> factory.createSqlType(SqlTypeName.TINYINT);
                case DOUBLE -> factory.createSqlType(SqlTypeName.DOUBLE);
                case FLOAT -> factory.createSqlType(SqlTypeName.REAL);
                case BOOLEAN -> factory.createSqlType(SqlTypeName.BOOLEAN);
                case DATE -> factory.createSqlType(SqlTypeName.DATE);
                case TIMESTAMP -> factory.createSqlType(SqlTypeName.TIMESTAMP);
                case BINARY -> factory.createSqlType(SqlTypeName.VARBINARY);
                case DECIMAL -> factory.createSqlType(SqlTypeName.DECIMAL, type.precision(), type.scale());
                case STRING -> factory.createSqlType(SqlTypeName.VARCHAR);
            };
        }
    }
}
