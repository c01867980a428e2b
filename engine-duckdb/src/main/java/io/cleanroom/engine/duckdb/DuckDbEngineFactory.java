package io.cleanroom.engine.duckdb;

import io.cleanroom.engine.spi.EngineFactory;
import io.cleanroom.engine.spi.EngineSettings;
import io.cleanroom.engine.spi.QueryEngine;

/** The embedded DuckDB engine: no settings of its own (memory and threads come with each query's limits). */
public final class DuckDbEngineFactory implements EngineFactory {
    @Override
    public String name() {
        return "duckdb";
    }

    @Override
    public QueryEngine create(EngineSettings settings) {
        return new DuckDbEngine();
    }
}
