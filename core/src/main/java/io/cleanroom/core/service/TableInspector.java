package io.cleanroom.core.service;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import java.util.List;

/** Looks at a catalog table's data where it lies: checks the location and infers columns. */
public interface TableInspector {
    /** Throws a validation error naming the location if it cannot be read as a table. */
    void checkLocation(String location);

    /** Columns with Glue-style types, inferred from the data. */
    List<Column> inferColumns(String location, TableFormat format);
}
