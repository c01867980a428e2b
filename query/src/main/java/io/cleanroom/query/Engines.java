package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TagSet;
import io.cleanroom.core.service.ServiceContext;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.EngineFactory;
import io.cleanroom.engine.spi.EngineSettings;
import io.cleanroom.engine.spi.ExecutableQuery;
import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.engine.spi.ResultSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The engines a server runs, found on the class path by name ({@link EngineFactory}), and which
 * one runs a collaboration's queries: the one its creator pinned with the tag {@value TagSet#ENGINE},
 * else the server's default. A collaboration's {@code analyticsEngine} keeps its AWS meaning and
 * plays no part here: AWS defaults it to SPARK, so it cannot tell engines apart.
 *
 * <p>Engines start when the server does (each engine decides what that costs: Spark starts its
 * session once, in a process of its own, in the background) and stop with it. Engines are known by
 * name only: this module imports none.
 */
public final class Engines implements AutoCloseable {
    private final Map<String, QueryEngine> running;
    private final String defaultName;

    /** The engines by name, the default among them. */
    public Engines(Map<String, QueryEngine> running, String defaultName) {
        this.running = Map.copyOf(running);
        this.defaultName = requireNonNull(defaultName, "defaultName is null");
        if (!this.running.containsKey(defaultName)) {
            throw new IllegalArgumentException("the default engine " + defaultName + " is not among " + names());
        }
    }

    /**
     * Starts the named engines, each with its settings. One that is not on the class path stops
     * the start with a message naming it and the engines that are.
     */
    public static Engines start(String defaultName, List<String> names, Map<String, Map<String, String>> settings) {
        Map<String, QueryEngine> running = new LinkedHashMap<>();
        try {
            for (String name : names) {
                EngineFactory factory = EngineFactory.find(name).orElseThrow(() -> CleanroomException
                        .invalidConfiguration("The " + name + " engine is not on the server's class path (engines "
                                + "there: " + EngineFactory.available().stream().map(EngineFactory::name).toList()
                                + ")"));
                running.put(name, factory.create(new EngineSettings(settings.getOrDefault(name, Map.of()))));
            }
            return new Engines(running, defaultName);
        } catch (RuntimeException e) {
            running.values().forEach(QueryEngine::close);
            throw e;
        }
    }

    /** The names of the engines this server runs. */
    public Set<String> names() {
        return new TreeSet<>(running.keySet());
    }

    public String defaultName() {
        return defaultName;
    }

    /** The engine that runs the collaboration's queries now. */
    public QueryEngine of(ServiceContext context, Collaboration collaboration) {
        String arn = context.arns().collaboration(collaboration.creatorAccountId(), collaboration.id());
        Optional<String> pinned = context.store().read(tx -> tx.of(Kinds.TAGS).get(arn))
                .map(TagSet::tags).map(tags -> tags.get(TagSet.ENGINE));
        String name = pinned.map(n -> n.toLowerCase(Locale.ROOT)).orElse(defaultName);
        QueryEngine engine = running.get(name);
        if (engine == null) {
            // pinned while the server ran it; it does not now
            throw CleanroomException.of(ErrorCode.VALIDATION, "This collaboration's queries run on the " + name
                    + " engine (tag " + TagSet.ENGINE + "), which this server does not run; it runs "
                    + String.join(" and ", names()));
        }
        return engine;
    }

    /**
     * The optional abilities (Parquet schemas for column inference, Parquet result files) of the
     * first engine that has them: the default, then the others. An engine without an ability
     * answers "not supported" ({@link QueryEngine#unsupported}).
     */
    public QueryEngine abilities() {
        List<QueryEngine> order = new ArrayList<>();
        order.add(running.get(defaultName));
        running.forEach((name, engine) -> {
            if (!name.equals(defaultName)) {
                order.add(engine);
            }
        });
        return new QueryEngine() {
            @Override
            public String name() {
                return defaultName;
            }

            @Override
            public Dialect dialect() {
                return order.get(0).dialect();
            }

            @Override
            public void execute(ExecutableQuery query, ResultSink sink, Cancellation cancellation) {
                throw new UnsupportedOperationException("queries run on a collaboration's engine");
            }

            @Override
            public void csvToParquet(Path csv, Path parquet) {
                first(e -> {
                    e.csvToParquet(csv, parquet);
                    return null;
                });
            }

            @Override
            public List<Column> parquetColumns(List<Path> files) {
                return first(e -> e.parquetColumns(files));
            }

            private <T> T first(java.util.function.Function<QueryEngine, T> ability) {
                CleanroomException unsupported = null;
                for (QueryEngine engine : order) {
                    try {
                        return ability.apply(engine);
                    } catch (CleanroomException e) {
                        if (e.code() != ErrorCode.VALIDATION || !e.getMessage().contains("does not support")) {
                            throw e;
                        }
                        unsupported = e;
                    }
                }
                throw unsupported;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (QueryEngine engine : running.values()) {
            try {
                engine.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
