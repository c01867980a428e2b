package io.cleanroom.core;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One stage of a protected query's life (checking, recording, the engine's set-up, running,
 * storing the result), as a Java Flight Recorder event: it costs nothing unless a recording asks
 * for {@value #NAME} (it is off by default, even in the JDK's own recording settings), and then
 * says where the milliseconds of a query go. {@code QueryBench} streams these events in its own
 * process; a server started with {@code -XX:StartFlightRecording:settings=bench/js/stages.jfc}
 * records them for {@code jfr print} ({@code bench/js/query-bench.mjs} does). Timing is for benchmarks
 * only: no test reads it.
 *
 * <pre>{@code
 * try (Stage stage = Stage.begin("engine.run")) {
 *     ...
 * }
 * }</pre>
 */
@Name(Stage.NAME)
@Label("Cleanroom stage")
@Category("Cleanroom")
@Description("A stage of a protected query: where its milliseconds go")
@StackTrace(false)
@Enabled(false)
public final class Stage extends Event implements AutoCloseable {
    /** The event's name, for recordings that enable it. */
    public static final String NAME = "io.cleanroom.Stage";

    @Label("Stage")
    @Description("What the query was doing, e.g. submit.check, engine.run, finish.record")
    String stage;

    private Stage(String stage) {
        this.stage = stage;
    }

    /** Starts timing a stage; {@link #close} ends it. */
    public static Stage begin(String stage) {
        Stage event = new Stage(stage);
        event.begin();
        return event;
    }

    /** Ends the stage and records it (if a recording wants it). */
    @Override
    public void close() {
        commit();
    }
}
