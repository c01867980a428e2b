package io.cleanroom.engine.spi.conformance;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The suite's data: rows generated for any table from its column names and types (identities that
 * join across tables, small vocabularies for dimensions, numbers, dates, a few NULLs), written as
 * files the engine reads, and loaded into a plain DuckDB database that computes the expected rows.
 */
public final class SuiteData {
    private SuiteData() {
    }

    /** A table's rows, each of its columns' Java values (String, Long, Double, BigDecimal, Boolean, LocalDate ...). */
    public record Table(String name, List<Column> columns, List<List<Object>> rows) {
        public Table {
            columns = List.copyOf(columns);
            rows = List.copyOf(rows);
        }

        ColumnType type(int i) {
            return ColumnType.parse(columns.get(i).type());
        }
    }

    private static final Map<String, List<String>> WORDS = Map.ofEntries(
            Map.entry("segment", List.of("news", "sports", "finance")),
            Map.entry("city", List.of("Paris", "Lyon", "Berlin")),
            Map.entry("campaign", List.of("spring", "brand")),
            Map.entry("region", List.of("EU-west", "EU-east", "US", "Paris")),
            Map.entry("tier", List.of("gold", "silver")),
            Map.entry("gender", List.of("f", "m")),
            Map.entry("species", List.of("cat", "dog")),
            Map.entry("campaign_id", List.of("CMP-1024", "Holiday Promotion", "CMP-7")),
            Map.entry("department", List.of("R&D", "Sales")),
            Map.entry("year", List.of("2017", "2018")),
            Map.entry("month", List.of("1", "2", "3")));

    /** Generated rows of a table: users 0..users-1, each table leaving out a different seventh of them. */
    public static Table generate(String name, List<Column> columns, int tableIndex, int users) {
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            if ((i + tableIndex * 3) % 7 == 0) {
                continue;
            }
            List<Object> row = new ArrayList<>();
            for (Column c : columns) {
                row.add(value(c.name().toLowerCase(Locale.ROOT), ColumnType.parse(c.type()), i));
            }
            rows.add(row);
        }
        return new Table(name, columns, rows);
    }

    private static boolean identity(String column) {
        return column.endsWith("_hash") || column.endsWith("_id") && !column.equals("campaign_id")
                || column.equals("loyalty_number") || column.equals("email") || column.equals("name")
                || column.equals("owner_name") || column.equals("ssn");
    }

    private static Object value(String column, ColumnType type, int i) {
        if (identity(column) && type.kind() == ColumnType.Kind.STRING) {
            return switch (column) {
                case "email", "email_hash" -> "e" + i;
                case "name" -> i == 5 ? "Mike" : "n" + i;
                case "owner_name" -> i % 2 == 0 ? "n" + i : "e" + i;
                case "loyalty_number" -> "L" + i;
                case "ssn" -> "S" + i;
                default -> "u" + i;
            };
        }
        if (i % 23 == 7 && !identity(column)) {
            return null;
        }
        return switch (type.kind()) {
            case STRING -> {
                List<String> words = WORDS.get(column);
                if (column.equals("region") && i % 50 == 0) {
                    yield "solo";
                }
                yield words != null ? words.get(i % words.size()) : column + "-" + i % 3;
            }
            case BIGINT, INTEGER, SMALLINT, TINYINT -> {
                long v = switch (column) {
                    case "age" -> 18 + i % 50;
                    case "birth_year" -> 1950 + i % 50;
                    case "id" -> i;
                    case "distance" -> 100L * (i % 30);
                    default -> i % 10;
                };
                yield switch (type.kind()) {
                    case INTEGER -> (Object) (int) v;
                    case SMALLINT -> (Object) (short) v;
                    case TINYINT -> (Object) (byte) (v % 100);
                    default -> (Object) v;
                };
            }
            case DOUBLE, FLOAT -> {
                double v = switch (column) {
                    case "salary" -> 30000 + (i % 20) * 1000;
                    case "spend", "cost" -> (i % 30) * 1.25;
                    default -> (i % 40) * 10.5;
                };
                yield type.kind() == ColumnType.Kind.FLOAT ? (Object) (float) v : (Object) v;
            }
            case DECIMAL -> BigDecimal.valueOf(i % 1000, 2).setScale(type.scale(), RoundingMode.HALF_UP);
            case BOOLEAN -> i % 2 == 0;
            case DATE -> switch (column) {
                case "event_date" -> LocalDate.of(2025, 12, 1).plusDays(i % 60);
                case "signup" -> LocalDate.of(2020, 1, 1).plusDays(i % 365);
                default -> LocalDate.of(2025, 6, 1).plusDays(i % 400);
            };
            case TIMESTAMP -> LocalDateTime.of(2024, 3, 1, 10, 20, 30).plusMinutes(i * 37L);
            case BINARY -> new byte[] {(byte) i};
        };
    }

    /** A value as a CSV cell (empty for NULL). */
    static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof LocalDateTime t) {
            return t.toLocalDate() + " " + t.toLocalTime();
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(v);
    }

    /** Writes the table as CSV with a header line. */
    public static Path writeCsv(Table table, Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", table.columns().stream().map(Column::name).toList())).append('\n');
        for (List<Object> row : table.rows()) {
            for (int i = 0; i < row.size(); i++) {
                String cell = text(row.get(i));
                out.append(i == 0 ? "" : ",").append(cell.contains(",") ? "\"" + cell + "\"" : cell);
            }
            out.append('\n');
        }
        Files.writeString(file, out);
        return file;
    }

    /** Binds a table's files with its allowed columns. */
    public static TableBinding bind(String name, List<Column> columns, TableFormat format, Path... files) {
        return new TableBinding(name, columns.stream()
                .map(c -> new BoundColumn(c.name(), ColumnType.parse(c.type()))).toList(),
                new TableSource.Files(Arrays.stream(files).map(Path::toUri).toList(), format));
    }

    /** A plain in-memory DuckDB database holding the tables, typed, for computing expected rows. */
    public static Connection plain(List<Table> tables) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:duckdb:");
        for (Table t : tables) {
            StringBuilder create = new StringBuilder("CREATE TABLE \"" + t.name() + "\" (");
            StringBuilder insert = new StringBuilder("INSERT INTO \"" + t.name() + "\" VALUES (");
            for (int i = 0; i < t.columns().size(); i++) {
                create.append(i == 0 ? "" : ", ").append('"').append(t.columns().get(i).name()).append("\" ")
                        .append(duckType(t.type(i)));
                insert.append(i == 0 ? "?" : ", ?");
            }
            try (Statement s = c.createStatement()) {
                s.execute(create.append(')').toString());
            }
            try (PreparedStatement ps = c.prepareStatement(insert.append(')').toString())) {
                for (List<Object> row : t.rows()) {
                    for (int i = 0; i < row.size(); i++) {
                        Object v = row.get(i);
                        ps.setObject(i + 1, v instanceof LocalDateTime ts ? java.sql.Timestamp.valueOf(ts)
                                : v instanceof LocalDate d ? java.sql.Date.valueOf(d) : v);
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return c;
    }

    static String duckType(ColumnType type) {
        return switch (type.kind()) {
            case DECIMAL -> "DECIMAL(" + type.precision() + ", " + type.scale() + ")";
            case STRING -> "VARCHAR";
            case BINARY -> "BLOB";
            default -> type.kind().name();
        };
    }

    /**
     * A value as the suite compares it across engines: numbers of any Java type by their value to
     * nine significant digits (engines differ in SUM's and AVG's types and in the last bits of a
     * floating sum), dates and timestamps by their ISO text.
     */
    public static String normal(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof Double d && (d.isNaN() || d.isInfinite()) || v instanceof Float f && (f.isNaN()
                || f.isInfinite())) {
            return v.toString();
        }
        if (v instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString()).round(new MathContext(9, RoundingMode.HALF_EVEN));
            return d.compareTo(BigDecimal.ZERO) == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime().toString();
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate().toString();
        }
        return v.toString();
    }

    /** Rows as sorted lists of normal values: results compared as multisets. */
    public static List<String> normal(List<List<Object>> rows) {
        List<String> out = new ArrayList<>();
        for (List<Object> row : rows) {
            out.add(row.stream().map(SuiteData::normal).toList().toString());
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }
}
