package io.cleanroom.sql;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import static java.util.Objects.requireNonNull;

/**
 * The engine SPI. An engine runs only a {@link CheckedQuery} (unchecked SQL cannot reach it),
 * reading each referenced table from its files, exposing exactly the table's allowed columns.
 */
public interface QueryEngine extends AutoCloseable {
    /**
     * Where a table's data lies and which of its columns the query may see. The files are names to
     * open exactly as given (the server passes /proc/self/fd/N names of files it checked and holds
     * open): an engine neither resolves, lists nor globs them.
     */
    record TableData(String name, List<Path> files, TableFormat format, List<Column> columns) {
        public TableData {
            requireNonNull(name, "name is null");
            files = List.copyOf(files);
            requireNonNull(format, "format is null");
            columns = List.copyOf(columns);
        }
    }

    /** A column of the result. */
    record ResultColumn(String name, String type) {
    }

    /** Receives the result as it is produced. */
    interface ResultSink {
        void columns(List<ResultColumn> columns);

        void row(List<Object> values);
    }

    /** Lets the caller stop a running query (cancellation or time-out). */
    interface Cancellation {
        /** Registers what to do to stop the query; called at most once per query. */
        void onCancel(Runnable stop);

        boolean cancelled();
    }

    /**
     * Runs the query. Throws {@link io.cleanroom.core.CleanroomException} with a message safe to
     * show (never data values) when the query fails.
     */
    void execute(CheckedQuery query, Map<String, TableData> tables, ResultSink sink, Cancellation cancellation);

    @Override
    void close();
}
