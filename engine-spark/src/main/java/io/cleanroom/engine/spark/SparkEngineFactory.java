package io.cleanroom.engine.spark;

import io.cleanroom.engine.spi.EngineFactory;
import io.cleanroom.engine.spi.EngineSettings;
import io.cleanroom.engine.spi.QueryEngine;

/**
 * The Apache Spark engine. Creating it starts the Spark driver process (see {@link SparkSettings}
 * for its settings); loading this factory loads no Spark class, so a server without Spark on its
 * class path lists it and never needs Spark unless it runs it.
 */
public final class SparkEngineFactory implements EngineFactory {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public QueryEngine create(EngineSettings settings) {
        return new SparkEngine(SparkSettings.from(settings));
    }
}
