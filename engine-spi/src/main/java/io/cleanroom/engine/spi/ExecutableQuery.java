package io.cleanroom.engine.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A query an engine may run, and the only one it accepts. Only query control issues it (the sql
 * module, from a query it checked and rewrote; {@code IssuedOnlyByQueryControlTest} scans every
 * module's sources and finds no other caller of {@link #issue}). Its SQL is rendered from the
 * checked tree in the engine's dialect, and reads only the tables bound to it.
 */
public final class ExecutableQuery {
    private final String sql;
    private final Dialect dialect;
    private final List<TableBinding> tables;
    private final List<String> outputColumns;
    private final Limits limits;

    private ExecutableQuery(String sql, Dialect dialect, List<TableBinding> tables, List<String> outputColumns,
            Limits limits) {
        this.sql = requireNonNull(sql, "sql is null");
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.tables = List.copyOf(tables);
        this.outputColumns = List.copyOf(outputColumns);
        this.limits = requireNonNull(limits, "limits is null");
    }

    /** For query control only: issues the query it checked, rendered for an engine. */
    public static ExecutableQuery issue(String sql, Dialect dialect, List<TableBinding> tables,
            List<String> outputColumns, Limits limits) {
        return new ExecutableQuery(sql, dialect, tables, outputColumns, limits);
    }

    /** The SQL to run, in {@link #dialect()}. */
    public String sql() {
        return sql;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Every table the SQL reads, bound to its allowed columns and its data. */
    public List<TableBinding> tables() {
        return tables;
    }

    public List<String> outputColumns() {
        return outputColumns;
    }

    public Limits limits() {
        return limits;
    }

    @Override
    public String toString() {
        return "ExecutableQuery[" + dialect + ", tables=" + tables.stream().map(TableBinding::name).toList() + "]";
    }
}
