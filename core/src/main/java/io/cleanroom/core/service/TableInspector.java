package io.cleanroom.core.service;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import java.util.List;

/** Looks at a catalog table's data where it lies: checks the location and infers columns. */
public interface TableInspector {
    /**
     * Throws a validation error naming the location if it cannot be read as a table, or if any of
     * its files lies outside dataRoots (when that list is not empty; symbolic links are resolved).
     */
    void checkLocation(String location, List<String> dataRoots);

    /** Columns with Glue-style types, inferred from the data. */
    List<Column> inferColumns(String location, TableFormat format);
}
