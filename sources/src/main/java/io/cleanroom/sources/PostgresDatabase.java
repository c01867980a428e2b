package io.cleanroom.sources;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnFilter;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.core.model.Connection;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.model.PostgresUrl;
import io.cleanroom.core.service.ConnectionService;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/**
 * A PostgreSQL database reached through one PostgreSQL connection: the columns of a table (from the
 * database's catalog) and its rows, streamed.
 *
 * <p>The driver is PostgreSQL's own, given a URL rendered from its allowed parts (no parameter
 * that loads a class or reads a file) and the user and password as properties, never through
 * DriverManager (which could pick another driver). Every session is read-only, with bounded connect,
 * socket and statement timeouts. Rows are read through a cursor, a batch at a time, and written as
 * they come into a file of JSON lines (one object per row, each value its text or null), so neither
 * the server nor the engine ever holds the whole table. Only the columns asked for are selected;
 * filters are pushed into the WHERE clause as parameters, only where PostgreSQL's comparison keeps
 * at least every row the engine's would (the engine applies the query's conditions again).
 */
public final class PostgresDatabase implements AutoCloseable {
    /** Rows fetched from the cursor at a time. */
    static final int FETCH_ROWS = 10_000;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /** A column of a table as its database's catalog has it, with the Glue type Cleanroom gives it. */
    public record TableColumn(String name, String databaseType, String glueType) {
        public TableColumn {
            requireNonNull(name, "name is null");
            requireNonNull(databaseType, "databaseType is null");
            requireNonNull(glueType, "glueType is null");
        }
    }

    private final java.sql.Connection jdbc;
    private final Connection connection;
    private final String where;
    private final Duration timeout;
    private volatile Statement running;

    private PostgresDatabase(java.sql.Connection jdbc, Connection connection, Duration timeout) {
        this.jdbc = jdbc;
        this.connection = connection;
        this.timeout = timeout;
        PostgresUrl url = PostgresUrl.parse(connection.jdbcUrl()).url().orElseThrow();
        this.where = url.host() + ":" + url.port() + "/" + url.database();
    }

    /** Connects through a PostgreSQL connection, read-only; timeout bounds connecting and each statement. */
    public static PostgresDatabase open(ConnectionService.Opened opened, Duration timeout) {
        Connection c = opened.connection();
        if (c.type() != ConnectionType.POSTGRESQL) {
            throw new IllegalArgumentException("not a PostgreSQL connection");
        }
        PostgresUrl url = PostgresUrl.parse(c.jdbcUrl()).url().orElseThrow(() ->
                new IllegalArgumentException("a stored JDBC URL no longer parses"));
        Properties properties = new Properties();
        url.parameters().forEach(properties::setProperty);
        properties.setProperty("user", c.user());
        properties.setProperty("password", opened.secret());
        long seconds = Math.max(1, Math.min(timeout.toSeconds(), 3600));
        properties.putIfAbsent("connectTimeout", String.valueOf(Math.min(seconds, 30)));
        properties.putIfAbsent("loginTimeout", String.valueOf(Math.min(seconds, 30)));
        properties.putIfAbsent("socketTimeout", String.valueOf(seconds + 30));
        properties.setProperty("ApplicationName", "cleanroom");
        properties.setProperty("readOnly", "true");
        properties.setProperty("readOnlyMode", "always");
        String where = url.host() + ":" + url.port() + "/" + url.database();
        java.sql.Connection jdbc = null;
        try {
            jdbc = new org.postgresql.Driver().connect(
                    "jdbc:postgresql://" + url.host() + ":" + url.port() + "/" + url.database(), properties);
            if (jdbc == null) {
                throw new SourceException(SourceException.Category.FAILED, "The driver refused " + where);
            }
            try (Statement s = jdbc.createStatement()) {
                s.execute("SET statement_timeout = " + seconds * 1000);
                s.execute("SET TIME ZONE 'UTC'");
            }
            jdbc.setAutoCommit(false);
            jdbc.setReadOnly(true);
            return new PostgresDatabase(jdbc, c, timeout);
        } catch (SQLException e) {
            if (jdbc != null) {
                try {
                    jdbc.close();
                } catch (SQLException ignored) {
                    // the session is being given up anyway
                }
            }
            throw failure(c, where, "connecting", e);
        }
    }

    /**
     * The columns of a table or view, in order, with their Glue types; a table that is not there, or
     * of which the connection's user may SELECT no column, is a {@link SourceException}. (SELECT on
     * some columns only is enough, as long as a query reads only those.)
     */
    public List<TableColumn> columns(String schema, String table) {
        String what = "table " + schema + "." + table + " of " + where;
        try (PreparedStatement s = jdbc.prepareStatement("SELECT c.oid, has_any_column_privilege(c.oid, 'SELECT') "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'v', 'm', 'p', 'f')")) {
            s.setString(1, schema);
            s.setString(2, table);
            long oid;
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SourceException(SourceException.Category.MISSING, "There is no " + what
                            + " that connection " + connection.name() + "'s user can see");
                }
                oid = rs.getLong(1);
                if (!rs.getBoolean(2)) {
                    throw new SourceException(SourceException.Category.DENIED, "The user of connection "
                            + connection.name() + " has no SELECT on " + what + " (GRANT SELECT ON "
                            + quote(schema) + "." + quote(table) + " TO <the connection's user>)");
                }
            }
            List<TableColumn> out = new ArrayList<>();
            try (PreparedStatement c = jdbc.prepareStatement("SELECT a.attname, t.typname, a.atttypmod, "
                    + "format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                    + "WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
                c.setLong(1, oid);
                try (ResultSet rs = c.executeQuery()) {
                    while (rs.next()) {
                        out.add(new TableColumn(rs.getString(1), rs.getString(4), glueType(rs.getString(2),
                                rs.getInt(3))));
                    }
                }
            }
            jdbc.commit();
            return out;
        } catch (SQLException e) {
            rollback();
            throw failure(connection, where, "reading the catalog of " + schema + "." + table, e);
        }
    }

    /**
     * The Glue type a PostgreSQL column is read as: integers, floating point, booleans, dates and
     * timestamps (with a time zone: in UTC) as themselves, numeric(p, s) with p up to 38 as
     * decimal(p, s), and everything else (text, numeric without a precision, uuid, json, arrays,
     * bytea...) as string, its PostgreSQL text.
     */
    static String glueType(String typname, int typmod) {
        return switch (typname) {
            case "int2" -> "smallint";
            case "int4" -> "int";
            case "int8" -> "bigint";
            case "float4" -> "float";
            case "float8" -> "double";
            case "bool" -> "boolean";
            case "date" -> "date";
            case "timestamp", "timestamptz" -> "timestamp";
            case "numeric" -> {
                if (typmod < 4) {
                    yield "string";
                }
                int precision = ((typmod - 4) >> 16) & 0xffff;
                int scale = (typmod - 4) & 0xffff;
                yield precision >= 1 && precision <= 38 && scale <= precision ? "decimal(" + precision + "," + scale + ")"
                        : "string";
            }
            default -> "string";
        };
    }

    /** A column to export: its name in the table (as the catalog has it) and the type it is read as. */
    public record Export(String name, String key, ColumnType type, String databaseType) {
        public Export {
            requireNonNull(name, "name is null");
            requireNonNull(key, "key is null");
            requireNonNull(type, "type is null");
            requireNonNull(databaseType, "databaseType is null");
        }
    }

    /**
     * Streams the rows of a table into a new file of JSON lines: for each row one object holding
     * each column's key and its value as text (or null). Filters are pushed down where safe (see the
     * class comment); the rest are left to the engine. Returns the bytes written.
     */
    public long export(String schema, String table, List<Export> columns, List<ColumnFilter> filters, Path target,
            BooleanSupplier cancelled) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("no columns to export");
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            Export c = columns.get(i);
            sql.append(i == 0 ? "" : ", ").append(select(c));
        }
        sql.append(" FROM ").append(quote(schema)).append('.').append(quote(table));
        List<Object> parameters = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        Map<String, Export> byName = new LinkedHashMap<>();
        columns.forEach(c -> byName.put(c.key(), c));
        for (ColumnFilter filter : filters) {
            Export column = byName.get(filter.column().toLowerCase(Locale.ROOT));
            if (column != null) {
                pushDown(column, filter).ifPresent(condition -> {
                    conditions.add(condition.sql());
                    parameters.addAll(condition.parameters());
                });
            }
        }
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
        String what = "table " + schema + "." + table + " of " + where;
        JsonFactory json = new JsonFactory();
        try (OutputStream file = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                JsonGenerator out = json.createGenerator(file, JsonEncoding.UTF8)) {
            out.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
            try (PreparedStatement s = jdbc.prepareStatement(sql.toString())) {
                running = s;
                s.setFetchSize(FETCH_ROWS);
                for (int i = 0; i < parameters.size(); i++) {
                    s.setObject(i + 1, parameters.get(i));
                }
                try (ResultSet rs = s.executeQuery()) {
                    long rows = 0;
                    while (rs.next()) {
                        if (++rows % 1000 == 0 && cancelled.getAsBoolean()) {
                            throw new SourceException(SourceException.Category.FAILED, "Reading " + what
                                    + " was cancelled");
                        }
                        out.writeStartObject();
                        for (int i = 0; i < columns.size(); i++) {
                            String value = text(rs, i + 1, columns.get(i));
                            out.writeFieldName(columns.get(i).key());
                            if (value == null) {
                                out.writeNull();
                            } else {
                                out.writeString(value);
                            }
                        }
                        out.writeEndObject();
                    }
                }
            } finally {
                running = null;
            }
            jdbc.commit();
            out.writeRaw('\n');
            out.flush();
            return Files.size(target);
        } catch (SQLException e) {
            rollback();
            throw failure(connection, where, "reading " + schema + "." + table, e);
        } catch (IOException e) {
            rollback();
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Cancels the statement running, if any (a query cancelled or past its deadline). */
    public void cancel() {
        Statement s = running;
        if (s != null) {
            try {
                s.cancel();
            } catch (SQLException ignored) {
                // the statement ends with the connection anyway
            }
        }
    }

    /** What the SELECT list reads of a column: a time zone's timestamp in UTC, a string-typed value as text. */
    private static String select(Export c) {
        String name = quote(c.name());
        if (c.type().kind() == ColumnType.Kind.TIMESTAMP && c.databaseType().endsWith(" with time zone")) {
            return "(" + name + " AT TIME ZONE 'UTC')";
        }
        if (c.type().kind() == ColumnType.Kind.STRING) {
            return name + "::text";
        }
        return name;
    }

    /** A value as the text the engines read back: canonical forms, never the driver's locale or time zone. */
    private static String text(ResultSet rs, int i, Export c) throws SQLException {
        switch (c.type().kind()) {
            case BIGINT, INTEGER, SMALLINT, TINYINT -> {
                long v = rs.getLong(i);
                return rs.wasNull() ? null : Long.toString(v);
            }
            case DOUBLE, FLOAT -> {
                double v = rs.getDouble(i);
                return rs.wasNull() ? null : Double.toString(v);
            }
            case DECIMAL -> {
                // numeric holds NaN (and, unbounded, infinities) where a decimal cannot: such a value is
                // read as NULL, as a file's value that is not of its column's type is, rather than failing
                // the export (whether a row holds one would be told by which filters make a query fail).
                // The driver's text may be in exponent form (binary transfer): it is made plain here.
                String v = rs.getString(i);
                if (v == null) {
                    return null;
                }
                try {
                    return new BigDecimal(v).toPlainString();
                } catch (NumberFormatException notANumber) {
                    return null;
                }
            }
            case BOOLEAN -> {
                boolean v = rs.getBoolean(i);
                return rs.wasNull() ? null : Boolean.toString(v);
            }
            case DATE -> {
                LocalDate v = rs.getObject(i, LocalDate.class);
                return v == null || v.equals(LocalDate.MAX) || v.equals(LocalDate.MIN) ? null : v.toString();
            }
            case TIMESTAMP -> {
                LocalDateTime v = rs.getObject(i, LocalDateTime.class);
                return v == null || v.equals(LocalDateTime.MAX) || v.equals(LocalDateTime.MIN) ? null
                        : v.format(TIMESTAMP);
            }
            default -> {
                return rs.getString(i);
            }
        }
    }

    /** A condition in SQL with its parameters. */
    record Condition(String sql, List<Object> parameters) {
    }

    /**
     * The condition to push down for a filter, if PostgreSQL's comparison keeps at least every row
     * the engine's keeps: integers, and decimals whose PostgreSQL scale is at most the catalog's (the
     * engine rounds to it), against numbers, dates against dates, timestamps
     * (without a time zone) against timestamps, booleans by equality, and text against strings, by
     * equality, or in byte order (COLLATE "C", as the engines compare) for ranges. Floating point,
     * time zones and everything else are left to the engine.
     */
    static java.util.Optional<Condition> pushDown(Export column, ColumnFilter filter) {
        List<Object> values = new ArrayList<>();
        for (ColumnFilter.Literal literal : filter.values()) {
            Object value = parameter(column, literal);
            if (value == null) {
                return java.util.Optional.empty();
            }
            values.add(value);
        }
        boolean text = column.type().kind() == ColumnType.Kind.STRING;
        if (text && !(column.databaseType().equals("text") || column.databaseType().startsWith("character varying"))) {
            return java.util.Optional.empty();
        }
        String name = quote(column.name());
        String ordered = text ? name + " COLLATE \"C\"" : name;
        String sql = switch (filter.operator()) {
            case EQ -> name + " = ?";
            case LT -> ordered + " < ?";
            case LE -> ordered + " <= ?";
            case GT -> ordered + " > ?";
            case GE -> ordered + " >= ?";
            case BETWEEN -> ordered + " BETWEEN ? AND ?";
            case IN -> name + " IN (" + String.join(", ", java.util.Collections.nCopies(values.size(), "?")) + ")";
        };
        if (column.type().kind() == ColumnType.Kind.BOOLEAN && filter.operator() != ColumnFilter.Operator.EQ
                && filter.operator() != ColumnFilter.Operator.IN) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Condition(sql, values));
    }

    /** A literal as a parameter of the column's type, or null when the pair is not pushed down. */
    private static Object parameter(Export column, ColumnFilter.Literal literal) {
        try {
            return switch (column.type().kind()) {
                case BIGINT, INTEGER, SMALLINT, TINYINT -> literal.kind() == ColumnFilter.Literal.Kind.NUMBER
                        && column.databaseType().matches("(smallint|integer|bigint)")
                        ? new BigDecimal(literal.text()) : null;
                // the engine reads a value rounded to the catalog's scale (2.499 as decimal(10,2) is 2.50):
                // PostgreSQL compares what it stores, so only a column that holds no more digits is pushed
                case DECIMAL -> literal.kind() == ColumnFilter.Literal.Kind.NUMBER
                        && numericScale(column.databaseType()) <= column.type().scale()
                        ? new BigDecimal(literal.text()) : null;
                case DATE -> literal.kind() == ColumnFilter.Literal.Kind.DATE && column.databaseType().equals("date")
                        ? LocalDate.parse(literal.text()) : null;
                case TIMESTAMP -> literal.kind() == ColumnFilter.Literal.Kind.TIMESTAMP
                        && column.databaseType().endsWith(" without time zone")
                        ? LocalDateTime.parse(literal.text().replace(' ', 'T')) : null;
                case BOOLEAN -> literal.kind() == ColumnFilter.Literal.Kind.BOOLEAN
                        && column.databaseType().equals("boolean") ? Boolean.valueOf(literal.text()) : null;
                case STRING -> literal.kind() == ColumnFilter.Literal.Kind.STRING ? literal.text() : null;
                default -> null;
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static final java.util.regex.Pattern NUMERIC = java.util.regex.Pattern.compile(
            "numeric\\((\\d+),(\\d+)\\)");

    /** The scale of numeric(p,s) as format_type writes it; unbounded for numeric without one. */
    static int numericScale(String databaseType) {
        java.util.regex.Matcher m = NUMERIC.matcher(databaseType);
        return m.matches() ? Integer.parseInt(m.group(2)) : Integer.MAX_VALUE;
    }

    /** A PostgreSQL identifier, quoted. */
    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private void rollback() {
        try {
            jdbc.rollback();
        } catch (SQLException ignored) {
            // the connection is closed after a failure anyway
        }
    }

    /**
     * A database's error as a category and the owner's detail: its SQLSTATE and the kind of failure,
     * never its message (which can quote a value).
     */
    static SourceException failure(Connection c, String where, String doing, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = "PostgreSQL " + where + " through connection " + c.name() + ", " + doing + ": SQLSTATE "
                + (state.isEmpty() ? "none" : state);
        SourceException.Category category;
        if (state.equals("28P01") || state.equals("28000")) {
            category = SourceException.Category.CREDENTIALS;
        } else if (state.equals("42501")) {
            category = SourceException.Category.DENIED;
        } else if (state.equals("42P01") || state.equals("42703") || state.equals("3D000") || state.equals("3F000")) {
            category = SourceException.Category.MISSING;
        } else if (state.equals("57014")) {
            category = SourceException.Category.TIMEOUT;
        } else if (state.startsWith("08")) {
            boolean timedOut = false;
            for (Throwable t = e; t != null; t = t.getCause()) {
                timedOut |= t instanceof java.net.SocketTimeoutException;
            }
            category = timedOut ? SourceException.Category.TIMEOUT : SourceException.Category.UNREACHABLE;
        } else {
            category = SourceException.Category.FAILED;
        }
        return new SourceException(category, detail);
    }

    @Override
    public void close() {
        try {
            jdbc.close();
        } catch (SQLException ignored) {
            // nothing left to do
        }
    }
}
