package io.cleanroom.query;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnFilter;
import io.cleanroom.core.model.S3Location;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How an S3 table's objects lie under its folder, as Hive and Athena lay them out: without
 * partition columns, every object under the folder (in sub-folders too); with them, objects under
 * one folder per partition column, in order, named {@code column=value} ({@code
 * dt=2026-11-01/country=FR/part-0.parquet}). Objects and folders whose name starts with "_" or "."
 * ({@code _SUCCESS}, {@code _temporary/}) are not data. Values are unescaped as Hive escapes them
 * ({@code %2F}), and {@code __HIVE_DEFAULT_PARTITION__} is NULL.
 *
 * <p>Pruning keeps a partition unless a filter of the query is certainly false for its values: a
 * value or literal that does not read cleanly as the column's type, or a type that is not compared
 * here, keeps it (the engine decides).
 */
final class S3Layout {
    static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";
    private static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");
    private static final Pattern INTEGER = Pattern.compile("^-?\\d{1,18}$");
    private static final Pattern DECIMAL = Pattern.compile("^-?\\d{1,38}(\\.\\d{1,38})?$");

    private S3Layout() {
    }

    /** The key relative to the folder, split in its path segments; empty when it is not data. */
    static Optional<List<String>> segments(S3Location folder, String key) {
        if (!folder.holds(key)) {
            return Optional.empty();
        }
        String relative = key.substring(folder.prefix().length());
        List<String> segments = List.of(relative.split("/", -1));
        for (String segment : segments) {
            if (segment.isEmpty() || segment.startsWith("_") || segment.startsWith(".")) {
                return Optional.empty();
            }
        }
        return Optional.of(segments);
    }

    /**
     * The partition values of an object, one per partition key (null for the default partition), or
     * empty when the object does not lie where the layout says (it is not read).
     */
    static Optional<List<String>> values(List<String> segments, List<String> partitionKeys) {
        if (segments.size() <= partitionKeys.size()) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < partitionKeys.size(); i++) {
            String segment = segments.get(i);
            int eq = segment.indexOf('=');
            if (eq <= 0 || !unescape(segment.substring(0, eq)).equalsIgnoreCase(partitionKeys.get(i))) {
                return Optional.empty();
            }
            String value = unescape(segment.substring(eq + 1));
            values.add(value.equals(DEFAULT_PARTITION) ? null : value);
        }
        return Optional.of(values);
    }

    /**
     * The partition columns an object's folders name ({@code k=v} folders before its file name),
     * in lower case; empty for an object directly in the table's folder.
     */
    static List<String> keysOf(List<String> segments) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < segments.size() - 1; i++) {
            int eq = segments.get(i).indexOf('=');
            if (eq <= 0) {
                break;
            }
            keys.add(unescape(segments.get(i).substring(0, eq)).toLowerCase(Locale.ROOT));
        }
        return keys;
    }

    /** The Glue type of a partition column from its values: date or bigint when all are, else string. */
    static String typeOf(List<String> values) {
        boolean dates = true;
        boolean integers = true;
        boolean any = false;
        for (String value : values) {
            if (value == null) {
                continue;
            }
            any = true;
            dates &= date(value) != null;
            integers &= INTEGER.matcher(value).matches();
        }
        return !any ? "string" : dates ? "date" : integers ? "bigint" : "string";
    }

    /** Hive's escaping of path names: %XX is the byte XX (of UTF-8 text). */
    static String unescape(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && Character.digit(text.charAt(i + 1), 16) >= 0
                    && Character.digit(text.charAt(i + 2), 16) >= 0) {
                out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                    bytes = text.substring(i, i + 2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    i++;
                }
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Whether a partition with these values may hold rows the query counts: false only when certainly not. */
    static boolean keep(List<String> values, List<Column> partitionColumns, List<ColumnFilter> filters) {
        for (ColumnFilter filter : filters) {
            for (int i = 0; i < partitionColumns.size(); i++) {
                if (partitionColumns.get(i).name().equalsIgnoreCase(filter.column())
                        && Boolean.FALSE.equals(holds(values.get(i), partitionColumns.get(i).type(), filter))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the filter holds of a value: true, false, or null when this cannot be told here. */
    static Boolean holds(String value, String type, ColumnFilter filter) {
        if (value == null) {
            // a comparison with NULL is never true
            return false;
        }
        List<Integer> comparisons = new ArrayList<>();
        for (ColumnFilter.Literal literal : filter.values()) {
            Integer c = compare(value, type.toLowerCase(Locale.ROOT), literal);
            if (c == null) {
                return null;
            }
            comparisons.add(c);
        }
        int first = comparisons.get(0);
        return switch (filter.operator()) {
            case EQ -> first == 0;
            case LT -> first < 0;
            case LE -> first <= 0;
            case GT -> first > 0;
            case GE -> first >= 0;
            case IN -> comparisons.contains(0);
            case BETWEEN -> first >= 0 && comparisons.get(1) <= 0;
        };
    }

    /** The sign of value minus literal in the column's type, or null when either does not read cleanly as it. */
    private static Integer compare(String value, String type, ColumnFilter.Literal literal) {
        if (type.equals("date")) {
            boolean dateLiteral = literal.kind() == ColumnFilter.Literal.Kind.DATE
                    || literal.kind() == ColumnFilter.Literal.Kind.STRING;
            LocalDate v = date(value);
            LocalDate l = dateLiteral ? date(literal.text()) : null;
            return v == null || l == null ? null : Integer.signum(v.compareTo(l));
        }
        if (type.matches("(bigint|int|integer|smallint|tinyint)")) {
            if (literal.kind() != ColumnFilter.Literal.Kind.NUMBER || !INTEGER.matcher(value).matches()) {
                return null;
            }
            return Integer.signum(new BigDecimal(value).compareTo(new BigDecimal(literal.text())));
        }
        if (type.startsWith("decimal")) {
            if (literal.kind() != ColumnFilter.Literal.Kind.NUMBER || !DECIMAL.matcher(value).matches()) {
                return null;
            }
            // the engine reads the value rounded to the column's scale (2.499 as decimal(10,2) is 2.50):
            // a value with more digits is compared as the engine sees it only by the engine
            BigDecimal v = new BigDecimal(value);
            int scale;
            try {
                scale = io.cleanroom.core.model.ColumnType.parse(type).scale();
            } catch (RuntimeException e) {
                return null;
            }
            if (v.stripTrailingZeros().scale() > scale) {
                return null;
            }
            return Integer.signum(v.compareTo(new BigDecimal(literal.text())));
        }
        if (type.equals("string") || type.startsWith("varchar")) {
            if (literal.kind() != ColumnFilter.Literal.Kind.STRING) {
                return null;
            }
            return Integer.signum(compareCodePoints(value, literal.text()));
        }
        return null;
    }

    /** Strings in code point order, as the engines compare them (UTF-8 byte order). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static LocalDate date(String text) {
        if (!DATE.matcher(text).matches()) {
            return null;
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
