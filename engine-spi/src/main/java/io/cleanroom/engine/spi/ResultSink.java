package io.cleanroom.engine.spi;

import java.util.List;

/** Receives a result as the engine produces it, row by row: no engine holds a whole result. */
public interface ResultSink {
    /** A column of the result. */
    record Column(String name, String type) {
    }

    void columns(List<Column> columns);

    void row(List<Object> values);
}
