package io.cleanroom.engine.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes an engine; each engine module registers one in
 * {@code META-INF/services/io.cleanroom.engine.spi.EngineFactory}.
 */
public interface EngineFactory {
    /** The engine's name, lower case (duckdb, spark). */
    String name();

    QueryEngine create(EngineSettings settings);

    /** The factories on the class path. */
    static List<EngineFactory> available() {
        List<EngineFactory> out = new ArrayList<>();
        ServiceLoader.load(EngineFactory.class).forEach(out::add);
        return out;
    }

    /** The factory of the named engine, if it is on the class path. */
    static Optional<EngineFactory> find(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return available().stream().filter(f -> f.name().equals(wanted)).findFirst();
    }
}
