package io.cleanroom.core.model;

import io.cleanroom.core.CleanroomException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of a column as Cleanroom reads it, parsed in this one place from the Glue/Hive type
 * names of a catalog (string, bigint, decimal(10,2), ...). Query control types the columns with
 * it, and every engine exposes them with it. Types Cleanroom cannot read (array, map, struct,
 * union) are refused with a message naming them; an unknown name is read as text, as Glue
 * readers do.
 */
public record ColumnType(Kind kind, int precision, int scale) {
    /** The kinds of values. */
    public enum Kind {
        TINYINT, SMALLINT, INTEGER, BIGINT, FLOAT, DOUBLE, DECIMAL, BOOLEAN, DATE, TIMESTAMP, BINARY, STRING
    }

    /** DECIMAL without precision: Hive's default is decimal(10,0); Glue writers use (38,9) for "decimal". */
    public static final ColumnType DEFAULT_DECIMAL = new ColumnType(Kind.DECIMAL, 38, 9);

    private static final Pattern DECIMAL = Pattern.compile("(?:decimal|numeric)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");
    private static final Pattern SIZED_TEXT = Pattern.compile("(?:varchar|char)\\s*\\(\\s*\\d+\\s*\\)");

    public ColumnType {
        if (kind == null) {
            throw new IllegalArgumentException("kind is null");
        }
        if (kind == Kind.DECIMAL && (precision < 1 || precision > 38 || scale < 0 || scale > precision)) {
            throw new IllegalArgumentException("decimal(" + precision + "," + scale + ") is out of range");
        }
        if (kind != Kind.DECIMAL && (precision != 0 || scale != 0)) {
            throw new IllegalArgumentException("only decimals have a precision and scale");
        }
    }

    public static ColumnType of(Kind kind) {
        return new ColumnType(kind, 0, 0);
    }

    /** Parses a Glue/Hive type name. Complex types are refused (VALIDATION, naming the field). */
    public static ColumnType parse(String glueType, String field) {
        String t = glueType.toLowerCase(Locale.ROOT).trim();
        Matcher decimal = DECIMAL.matcher(t);
        if (decimal.matches()) {
            int precision = Integer.parseInt(decimal.group(1));
            int scale = decimal.group(2) == null ? 0 : Integer.parseInt(decimal.group(2));
            if (precision < 1 || precision > 38 || scale > precision) {
                throw CleanroomException.validation(field, "Type " + glueType + " is out of range: decimals have a "
                        + "precision from 1 to 38 and a scale no larger than the precision");
            }
            return new ColumnType(Kind.DECIMAL, precision, scale);
        }
        if (t.startsWith("array") || t.startsWith("map") || t.startsWith("struct") || t.startsWith("uniontype")) {
            throw CleanroomException.validation(field, "Type " + glueType + " is not supported: Cleanroom reads "
                    + "columns of scalar types only (no array, map, struct or union)");
        }
        if (SIZED_TEXT.matcher(t).matches()) {
            return of(Kind.STRING);
        }
        return switch (t) {
            case "bigint", "long" -> of(Kind.BIGINT);
            case "int", "integer" -> of(Kind.INTEGER);
            case "smallint", "short" -> of(Kind.SMALLINT);
            case "tinyint", "byte" -> of(Kind.TINYINT);
            case "double" -> of(Kind.DOUBLE);
            case "float", "real" -> of(Kind.FLOAT);
            case "boolean" -> of(Kind.BOOLEAN);
            case "date" -> of(Kind.DATE);
            case "timestamp" -> of(Kind.TIMESTAMP);
            case "binary" -> of(Kind.BINARY);
            case "decimal", "numeric" -> DEFAULT_DECIMAL;
            default -> of(Kind.STRING);
        };
    }

    /** Parses a type this server stored earlier (already accepted by {@link #parse}). */
    public static ColumnType parse(String glueType) {
        return parse(glueType, "type");
    }

    public boolean isDecimal() {
        return kind == Kind.DECIMAL;
    }

    @Override
    public String toString() {
        return kind == Kind.DECIMAL ? "decimal(" + precision + "," + scale + ")" : kind.name().toLowerCase(Locale.ROOT);
    }
}
