package io.cleanroom.core.model;

/**
 * The formats a catalog table's data can have: files (CSV with a header, Parquet, JSON lines), or
 * the rows of a PostgreSQL table. An engine reads the latter as files the server wrote for the
 * query: JSON lines, one object per row keyed exactly by the bound columns' names, every value a
 * string (the column's value as text) or null.
 */
public enum TableFormat {
    CSV, PARQUET, JSON, POSTGRESQL
}
