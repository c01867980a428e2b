package io.cleanroom.sql;

import io.cleanroom.core.model.AnalysisParameter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.util.SqlShuttle;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.TimestampString;

/**
 * Analysis template parameters. Each :name in the template's SQL (outside string literals, quoted
 * identifiers and comments) becomes a dynamic parameter before parsing; after parsing, each is
 * replaced in the tree by a literal built from the typed value. Values never become SQL text.
 */
final class Parameters {
    private Parameters() {
    }

    /** The SQL with :name placeholders turned into ?, and the names in order. */
    record Marked(String sql, List<String> names) {
    }

    static Marked mark(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < sql.length()) {
                    if (sql.charAt(end) == c) {
                        if (end + 1 < sql.length() && sql.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end + 1, sql.length());
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? sql.length() : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? sql.length() : end + 2;
                out.append(sql, i, end);
                i = end;
            } else if (c == ':' && i + 1 < sql.length() && sql.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < sql.length() && isNameChar(sql.charAt(i + 1))) {
                int end = i + 1;
                while (end < sql.length() && isNameChar(sql.charAt(end))) {
                    end++;
                }
                names.add(sql.substring(i + 1, end));
                out.append('?');
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return new Marked(out.toString(), names);
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    /** Replaces each dynamic parameter of the tree by the literal of its parameter's value. */
    static SqlNode bind(SqlNode tree, List<String> names, List<AnalysisParameter> declared,
            Map<String, String> values) {
        List<SqlLiteral> literals = new ArrayList<>();
        for (String name : names) {
            AnalysisParameter parameter = declared.stream().filter(p -> p.name().equals(name)).findFirst()
                    .orElseThrow(() -> Rejection.of("The query uses parameter :" + name
                            + ", which the analysis template does not declare"));
            String value = values.containsKey(name) ? values.get(name) : parameter.defaultValue();
            if (value == null) {
                throw Rejection.of("Parameter :" + name + " has no value and no default");
            }
            literals.add(literal(parameter, value));
        }
        for (String given : values.keySet()) {
            if (declared.stream().noneMatch(p -> p.name().equals(given))) {
                throw Rejection.of("Parameter " + given + " is not declared by the analysis template");
            }
        }
        return tree.accept(new SqlShuttle() {
            @Override
            public SqlNode visit(SqlDynamicParam param) {
                if (param.getIndex() >= literals.size()) {
                    throw Rejection.of("Dynamic parameters (?) are not allowed; analysis templates use :name "
                            + "parameters");
                }
                return literals.get(param.getIndex());
            }
        });
    }

    static SqlLiteral literal(AnalysisParameter parameter, String value) {
        SqlParserPos pos = SqlParserPos.ZERO;
        try {
            return switch (parameter.type()) {
                case SMALLINT, INTEGER, BIGINT, INT, LONG, SHORT, TINYINT, BYTE ->
                        SqlLiteral.createExactNumeric(String.valueOf(Long.parseLong(value.trim())), pos);
                case DECIMAL, NUMERIC -> SqlLiteral.createExactNumeric(new BigDecimal(value.trim()).toPlainString(),
                        pos);
                case REAL, DOUBLE_PRECISION, DOUBLE, FLOAT -> SqlLiteral.createApproxNumeric(
                        new BigDecimal(value.trim()).toString(), pos);
                case BOOLEAN -> {
                    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
                    if (!v.equals("true") && !v.equals("false")) {
                        throw new IllegalArgumentException();
                    }
                    yield SqlLiteral.createBoolean(Boolean.parseBoolean(v), pos);
                }
                case DATE -> SqlLiteral.createDate(new DateString(java.time.LocalDate.parse(value.trim()).toString()),
                        pos);
                case TIMESTAMP, TIMESTAMP_NTZ, TIMESTAMP_LTZ, TIMESTAMPTZ -> SqlLiteral.createTimestamp(
                        org.apache.calcite.sql.type.SqlTypeName.TIMESTAMP,
                        new TimestampString(java.time.LocalDateTime.parse(value.trim().replace(' ', 'T')).toString()
                                .replace('T', ' ')), 0, pos);
                case CHAR, VARCHAR, CHARACTER, STRING -> SqlLiteral.createCharString(value, pos);
                default -> throw Rejection.of("Parameters of type " + parameter.type() + " are not supported");
            };
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw Rejection.of("Parameter :" + parameter.name() + " must be a value of type " + parameter.type());
        }
    }
}
