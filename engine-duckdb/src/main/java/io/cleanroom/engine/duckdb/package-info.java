/**
 * The embedded DuckDB engine: runs checked queries over the tables' files, one locked-down
 * in-memory database per query, and reads Parquet schemas for the catalog.
 */
package io.cleanroom.engine.duckdb;
