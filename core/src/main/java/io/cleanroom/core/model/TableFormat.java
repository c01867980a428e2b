package io.cleanroom.core.model;

/** Data file formats a catalog table can have. */
public enum TableFormat {
    CSV, PARQUET, JSON
}
