package io.cleanroom.engine.spi;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.Column;
import java.nio.file.Path;
import java.util.List;

/**
 * An engine: runs executable queries, each reading only its bound tables. Optional abilities are
 * default methods that answer "not supported", so an engine implements only what it has.
 */
public interface QueryEngine extends AutoCloseable {
    /** The name operators and collaborations use for it (duckdb, spark). */
    String name();

    /** The dialect query control must render its queries in. */
    Dialect dialect();

    /**
     * Runs the query, streaming its result into the sink. Throws {@link CleanroomException}
     * (QUERY_FAILED) with a message safe to show, never data values, when the query fails.
     */
    void execute(ExecutableQuery query, ResultSink sink, Cancellation cancellation);

    /** Writes a CSV result file as Parquet; engines that cannot answer "not supported". */
    default void csvToParquet(Path csv, Path parquet) {
        throw unsupported("writing Parquet results");
    }

    /** The columns of Parquet files, with Glue type names; engines that cannot answer "not supported". */
    default List<Column> parquetColumns(List<Path> files) {
        throw unsupported("reading Parquet schemas");
    }

    /** Releases what the engine holds (sessions, connections). */
    @Override
    void close();

    /** The error of an optional ability this engine does not have. */
    default CleanroomException unsupported(String ability) {
        return CleanroomException.of(ErrorCode.VALIDATION, "The " + name() + " engine does not support "
                + ability);
    }
}
