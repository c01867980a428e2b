/**
 * The embedded DuckDB engine. For now: reading the schema of Parquet files for the catalog, on a
 * connection that cannot load extensions or reach files beyond the one location it was given.
 */
package io.cleanroom.engine.duckdb;
