package io.cleanroom.engine.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.engine.spi.EngineSettings;
import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.conformance.EngineConformanceSuite;
import io.cleanroom.engine.spi.conformance.QueryControlFixture;
import io.cleanroom.sql.CorpusQueryControl;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine conformance suite on Spark, with the escapes in Spark SQL's own terms. Subclasses say
 * where Spark runs (local[2], a standalone cluster).
 */
abstract class SparkConformance extends EngineConformanceSuite {
    /** The driver's heap: in local mode it runs the tasks too; the streaming test's result is larger. */
    static final String DRIVER_MEMORY = "512m";

    private final CorpusQueryControl control = new CorpusQueryControl();
    private SparkEngine engine;

    /** The engine settings of the subclass's Spark (master and the like). */
    abstract Map<String, String> settings() throws Exception;

    @BeforeAll
    void startSpark() throws Exception {
        java.util.Map<String, String> all = new java.util.HashMap<>(settings());
        all.putIfAbsent("driver-memory", DRIVER_MEMORY);
        // JUnit runs @AfterAll (stopSpark) even when this fails
        engine = new SparkEngine(SparkSettings.from(new EngineSettings(all)));
        if (!engine.awaitReady()) {
            throw new IllegalStateException("the Spark driver did not start");
        }
    }

    @AfterAll
    void stopSpark() {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            afterSpark();
        }
    }

    /** Runs after the engine is closed (a subclass stops the cluster it started). */
    void afterSpark() {
    }

    @Override
    protected QueryEngine engine() {
        return engine;
    }

    @Override
    protected QueryControlFixture queryControl() {
        return control;
    }

    @Override
    protected void executeUnchecked(String sql, List<TableBinding> tables, ResultSink sink) {
        engine.executeUnchecked(sql, tables, limits().maxRows(), sink);
    }

    @Override
    protected long streamingMemoryBytes() {
        return 512L << 20;
    }

    /**
     * Cancelling a query cancels its Spark job group: the driver runs a job for a query of hours,
     * and once the query ends cancelled, no job of it runs on (waited for up to a minute).
     */
    @Test
    void cancellingAQueryCancelsItsSparkJobGroup() throws Exception {
        Map<String, TableBinding> data = bigTable(200_000);
        List<QueryControlFixture.RuledTable> tables = List.of(open("big", BIG));
        Stopper stopper = new Stopper();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Outcome> running = runner.submit(() -> check(ENDLESS, tables, data, limits(), stopper));
            awaitActiveJobs(true, running);
            stopper.stop();
            assertThat(running.get(2, TimeUnit.MINUTES).failure()).isEqualTo(CANCELLED);
            awaitActiveJobs(false, running);
        } finally {
            runner.shutdownNow();
        }
    }

    /**
     * A query cancelled while it is still being planned, before Spark has a job of it to cancel,
     * runs no job afterwards: cancelling a job group stops only the jobs running at that moment, so
     * the driver cancels the group again until the query has ended. Cancelled at several moments
     * from the start, most of them before the first job exists; after each, no job runs on.
     */
    @Test
    void aQueryCancelledWhilePlannedRunsNoJobAfterwards() throws Exception {
        Map<String, TableBinding> data = bigTable(200_000);
        List<QueryControlFixture.RuledTable> tables = List.of(open("big", BIG));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            for (long delay : new long[] {0, 20, 60, 150, 300}) {
                Stopper stopper = new Stopper();
                Future<Outcome> running = runner.submit(() -> check(ENDLESS, tables, data, limits(),
                        stopper));
                Thread.sleep(delay);
                stopper.stop();
                assertThat(running.get(2, TimeUnit.MINUTES).failure()).as("cancelled after %d ms", delay)
                        .isEqualTo(CANCELLED);
                awaitActiveJobs(false, running);
                // a job submitted after the cancellation would show here, a moment later
                Thread.sleep(500);
                awaitActiveJobs(false, running);
            }
        } finally {
            runner.shutdownNow();
        }
    }

    private void awaitActiveJobs(boolean some, Future<Outcome> running) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while ((engine.activeJobs() > 0) != some) {
            if (some) {
                assertThat(running.isDone()).as("the query ended before Spark ran a job for it").isFalse();
            }
            assertThat(System.nanoTime()).as(some ? "Spark ran no job for the query"
                    : "the cancelled query's jobs still run").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Override
    protected List<String> escapes(Path secret, Path directory) {
        return List.of(
                // files as tables (spark.sql.runSQLOnFiles), table-valued functions, identifiers built from text
                "SELECT * FROM json.`" + secret + "`", "SELECT * FROM csv.`" + secret + "`",
                "SELECT * FROM text.`/etc/passwd`", "SELECT * FROM parquet.`" + directory + "`",
                "SELECT * FROM read_files('" + secret + "')", "SELECT * FROM range(10)",
                "SELECT * FROM IDENTIFIER('csv.`" + secret + "`')",
                // other catalogs, databases and views
                "SELECT * FROM spark_catalog.default.mine", "SELECT * FROM global_temp.mine",
                "CREATE TEMPORARY VIEW v USING csv OPTIONS (path '" + secret + "')",
                "CREATE TABLE x USING csv LOCATION '" + directory + "'",
                // reading and writing files, loading code
                "LOAD DATA LOCAL INPATH '" + secret + "' INTO TABLE mine",
                "INSERT OVERWRITE DIRECTORY '" + directory.resolve("out") + "' USING csv SELECT * FROM mine",
                "ADD JAR " + directory.resolve("x.jar"), "ADD FILE " + secret, "ADD ARCHIVE " + secret,
                "CREATE FUNCTION f AS 'java.lang.String'", "CREATE TEMPORARY FUNCTION f AS 'java.lang.String'",
                "SELECT reflect('java.lang.System', 'getProperty', 'user.home')",
                "SELECT java_method('java.lang.System', 'getenv', 'HOME')",
                "SELECT try_reflect('java.lang.System', 'getProperty', 'user.home')",
                "SELECT input_file_name() FROM mine", "SELECT k, raise_error('x') FROM mine",
                // settings and session state
                "SET spark.sql.runSQLOnFiles=true", "SET spark.sql.ansi.enabled=true", "RESET",
                "SET TIME ZONE 'America/New_York'", "CACHE TABLE mine", "DECLARE VARIABLE v INT",
                "EXECUTE IMMEDIATE 'SELECT * FROM json.`" + secret + "`'",
                // more than one statement
                "SELECT k FROM mine; SELECT * FROM csv.`" + secret + "`");
    }
}
