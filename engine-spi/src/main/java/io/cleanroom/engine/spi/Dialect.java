package io.cleanroom.engine.spi;

/**
 * The SQL an engine reads: query control renders a checked query in its engine's dialect,
 * including how evaluation is made failure-free there.
 */
public enum Dialect {
    /** DuckDB: PostgreSQL-like syntax, TRY(...) and TRY_CAST for failure-free evaluation. */
    DUCKDB,
    /** Spark SQL: backquoted identifiers, non-ANSI (failure-free) evaluation. */
    SPARK
}
