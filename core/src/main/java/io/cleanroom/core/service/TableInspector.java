package io.cleanroom.core.service;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import java.util.List;

/**
 * Looks at a catalog table's data where it lies: checks the location and infers columns. Both
 * confine the location to the account's data roots; an account without data roots can register
 * nothing (unless the server allows any path, for development).
 */
public interface TableInspector {
    /**
     * Throws a validation error naming the location if it cannot be read as a table, or if any of
     * its files lies outside dataRoots (symbolic links are resolved); the same error whether a path
     * outside the roots exists or not. Throws access denied when dataRoots is empty.
     */
    void checkLocation(String location, List<String> dataRoots);

    /** Columns with Glue-style types, inferred from the data of a location checked as above. */
    List<Column> inferColumns(String location, List<String> dataRoots, TableFormat format);
}
