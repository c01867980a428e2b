package io.cleanroom.engine.duckdb;

import io.cleanroom.sql.QueryEngine;
import java.util.List;

/** What the engine tests hand the engine: a cancellation that never comes, a sink that keeps the rows. */
final class Engines {
    private Engines() {
    }

    static QueryEngine.Cancellation never() {
        return new QueryEngine.Cancellation() {
            @Override
            public void onCancel(Runnable stop) {
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }

    /** A sink adding every row to rows, ignoring the columns. */
    static QueryEngine.ResultSink rowsInto(List<List<Object>> rows) {
        return new QueryEngine.ResultSink() {
            @Override
            public void columns(List<QueryEngine.ResultColumn> columns) {
            }

            @Override
            public void row(List<Object> values) {
                rows.add(values);
            }
        };
    }
}
