package io.cleanroom.engine.spark;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.ExecutableQuery;
import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs executable queries on Apache Spark. Spark lives in a driver process of its own
 * ({@link DriverProcess}), started when the engine is created, so its libraries never share a class
 * path with the server's and its start-up is paid once per server. Per query, the engine hands the
 * driver the files the server pinned (the exact files that were checked, held open by the server):
 * in local mode as the server's own descriptors seen from the driver ({@code /proc/<pid>/fd/N}, no
 * copy); on a cluster as copies, read through those descriptors into a private per-query staging
 * directory on shared storage that executors read, deleted after the query. It sends the query over
 * the driver's socket and streams the result rows into the sink as they arrive. Cancelling closes
 * the query's connection, which cancels its Spark job group. Failures are categories with the same
 * safe messages as the other engines: never Spark's text.
 *
 * <p>Loads no Spark class: everything Spark runs in {@link SparkDriver}, in the other process.
 */
public final class SparkEngine implements QueryEngine {
    /** How long a query waits for the driver's session (on a cluster: for its executors too). */
    private static final long START_SECONDS = 600;

    /**
     * How long a cancelled query waits for the driver to confirm that its jobs stopped before the
     * connection is closed anyway and the query ends cancelled (a driver that does not answer must
     * not hold a worker; the driver cancels the query's job group when its connection goes).
     */
    private static final long CANCEL_GRACE_SECONDS = 30;

    /** Closes the connections of cancelled queries whose driver has not answered within the grace. */
    private static final java.util.concurrent.ScheduledExecutorService GRACE = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cleanroom-spark-cancel-grace");
                t.setDaemon(true);
                return t;
            });

    private final SparkSettings settings;
    private final Path directory;
    private DriverProcess driver;

    SparkEngine(SparkSettings settings) {
        this.settings = settings;
        try {
            this.directory = Files.createTempDirectory("cleanroom-spark-");
            DriverProcess.restrict(directory);
        } catch (IOException e) {
            throw CleanroomException.internal("cannot create the Spark engine's directory", e);
        }
        this.driver = DriverProcess.launch(settings, directory.resolve("driver"));
    }

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public Dialect dialect() {
        return Dialect.SPARK;
    }

    /** The driver, started again if it ended (after a fatal error in it, say). */
    private synchronized DriverProcess driver() {
        if (!driver.awaitReady(START_SECONDS)) {
            driver.close();
            driver = DriverProcess.launch(settings, directory.resolve("driver"));
            if (!driver.awaitReady(START_SECONDS)) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The Spark engine is not available; the "
                        + "operator's log says why");
            }
        }
        return driver;
    }

    /** Waits until Spark's session is up (the server's start-up may wait for it). */
    public boolean awaitReady() {
        return driver().alive();
    }

    @Override
    public void execute(ExecutableQuery query, ResultSink sink, Cancellation cancellation) {
        if (query.dialect() != Dialect.SPARK) {
            throw CleanroomException.internal("a query rendered for " + query.dialect() + " reached Spark", null);
        }
        run(query.sql(), query.tables(), query.limits().maxRows(), sink, cancellation);
    }

    /**
     * Runs SQL that query control did not produce, for the tests that prove the driver refuses
     * every way out of a query's tables. Not reachable from the server: only tests in this package
     * call it.
     */
    void executeUnchecked(String sql, List<TableBinding> tables, long maxRows, ResultSink sink) {
        run(sql, tables, maxRows, sink, Cancellation.NEVER);
    }

    /** For tests: how many Spark jobs the driver is running now. */
    int activeJobs() throws IOException {
        try (SocketChannel channel = driver().connect()) {
            DataOutputStream out = new DataOutputStream(Wire.output(channel));
            out.writeInt(Wire.STATUS);
            out.flush();
            return new DataInputStream(Wire.input(channel)).readInt();
        }
    }

    private void run(String sql, List<TableBinding> tables, long maxRows, ResultSink sink,
            Cancellation cancellation) {
        DriverProcess d = driver();
        Path staging = null;
        try {
            List<Wire.Table> staged = new ArrayList<>();
            if (settings.local()) {
                for (TableBinding table : tables) {
                    staged.add(pinned(table));
                }
            } else {
                staging = Files.createDirectories(settings.stagingDir().orElse(directory.resolve("staging")))
                        .resolve("q-" + UUID.randomUUID());
                Files.createDirectory(staging);
                DriverProcess.restrict(staging);
                for (int i = 0; i < tables.size(); i++) {
                    staged.add(stage(tables.get(i), staging.resolve("t" + i)));
                }
            }
            if (cancellation.cancelled()) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, Messages.CANCELLED);
            }
            try (SocketChannel channel = d.connect()) {
                cancellation.onCancel(() -> {
                    try {
                        channel.shutdownOutput();
                    } catch (IOException e) {
                        // the connection is gone, which cancels too
                    }
                    GRACE.schedule(() -> {
                        try {
                            channel.close();
                        } catch (IOException e) {
                            // closed already
                        }
                    }, CANCEL_GRACE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                });
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Wire.output(channel)));
                Wire.writeRequest(out, new Wire.Request("cleanroom-" + UUID.randomUUID(), sql, staged, maxRows));
                DataInputStream in = new DataInputStream(new BufferedInputStream(Wire.input(channel), 1 << 16));
                receive(in, sink, maxRows, cancellation);
            }
        } catch (IOException e) {
            if (cancellation.cancelled()) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, Messages.CANCELLED);
            }
            throw CleanroomException.of(ErrorCode.QUERY_FAILED, Messages.FAILED);
        } finally {
            if (staging != null) {
                delete(staging);
            }
        }
    }

    private static void receive(DataInputStream in, ResultSink sink, long maxRows, Cancellation cancellation)
            throws IOException {
        int width = -1;
        long rows = 0;
        while (true) {
            byte kind = in.readByte();
            switch (kind) {
                case Wire.COLUMNS -> {
                    width = in.readInt();
                    List<ResultSink.Column> columns = new ArrayList<>();
                    for (int i = 0; i < width; i++) {
                        columns.add(new ResultSink.Column(Wire.readString(in), Wire.readString(in)));
                    }
                    sink.columns(columns);
                }
                case Wire.ROW -> {
                    if (++rows > maxRows) {
                        throw CleanroomException.of(ErrorCode.QUERY_FAILED, Messages.tooManyRows(maxRows));
                    }
                    List<Object> row = new ArrayList<>(width);
                    for (int i = 0; i < width; i++) {
                        row.add(Wire.readValue(in));
                    }
                    sink.row(row);
                }
                case Wire.END -> {
                    if (cancellation.cancelled()) {
                        throw CleanroomException.of(ErrorCode.QUERY_FAILED, Messages.CANCELLED);
                    }
                    return;
                }
                case Wire.ERROR -> {
                    Wire.Failure failure = Wire.Failure.valueOf(Wire.readString(in));
                    throw CleanroomException.of(ErrorCode.QUERY_FAILED, cancellation.cancelled()
                            ? Messages.CANCELLED : Messages.of(failure, maxRows));
                }
                default -> throw new IOException("unexpected message " + kind);
            }
        }
    }

    /** This process's descriptors as another process of the same user names them. */
    private static final String OWN_DESCRIPTORS = "/proc/" + ProcessHandle.current().pid() + "/fd/";

    /**
     * A table whose files the driver reads itself, in local mode (on this machine): a pinned file
     * {@code /proc/self/fd/N} becomes {@code /proc/<this process>/fd/N}, the same open descriptor seen
     * from the driver process, so the driver reads exactly the file that was checked, without a copy.
     */
    private static Wire.Table pinned(TableBinding table) {
        TableSource.Files files = files(table);
        List<String> paths = new ArrayList<>();
        for (URI location : files.locations()) {
            String path = Path.of(location).toString();
            paths.add(path.startsWith("/proc/self/fd/") ? OWN_DESCRIPTORS + path.substring("/proc/self/fd/".length())
                    : path);
        }
        return new Wire.Table(table.name(), files.format().name(), paths, columns(table), files.partitionColumns(),
                files.partitionValues());
    }

    private static TableSource.Files files(TableBinding table) {
        if (!(table.source() instanceof TableSource.Files files)) {
            throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The Spark engine reads table data from files only; "
                    + "table " + table.name() + " is not in files");
        }
        for (URI location : files.locations()) {
            if (!"file".equals(location.getScheme())) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The Spark engine reads table data from files "
                        + "only, not " + location.getScheme() + " locations");
            }
        }
        return files;
    }

    private static List<Wire.Column> columns(TableBinding table) {
        List<Wire.Column> columns = new ArrayList<>();
        for (BoundColumn c : table.columns()) {
            columns.add(new Wire.Column(c.name(), c.type().kind().name(), c.type().precision(), c.type().scale()));
        }
        return columns;
    }

    /**
     * On a cluster, copies a table's pinned files into the query's staging directory. Reading a {@code file:} URI
     * of {@code /proc/self/fd/N} reads the descriptor the server holds open: the exact file that was
     * checked, even if its path was swapped since. Executors read the copy, never the owner's path.
     */
    private static Wire.Table stage(TableBinding table, Path into) throws IOException {
        TableSource.Files files = files(table);
        Files.createDirectory(into);
        String extension = switch (files.format()) {
            case CSV -> ".csv";
            case PARQUET -> ".parquet";
            case JSON, POSTGRESQL -> ".json";
        };
        List<String> copies = new ArrayList<>();
        int i = 0;
        for (URI location : files.locations()) {
            Path copy = into.resolve("part-" + i++ + extension);
            try {
                Files.copy(Path.of(location), copy);
            } catch (IOException e) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, Messages.FILES);
            }
            copies.add(copy.toString());
        }
        return new Wire.Table(table.name(), files.format().name(), copies, columns(table), files.partitionColumns(),
                files.partitionValues());
    }

    private static void delete(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the next start's clean-up
                }
            });
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public synchronized void close() {
        driver.close();
        delete(directory);
    }

    /** The messages a failed query ends with: the same, category by category, as DuckDB's. */
    static final class Messages {
        static final String CANCELLED = "The query was cancelled";
        static final String OUT_OF_MEMORY = "The query ran out of memory in the engine; raise the engine memory "
                + "limit or simplify the query";
        static final String REFUSED = "The engine refused the query: it reads something other than its tables or "
                + "calls a function the engine does not allow";
        static final String FILES = "A table's data files could not be read";
        static final String FAILED = "The query failed in the engine";

        private Messages() {
        }

        static String tooManyRows(long maxRows) {
            return "The result has more than " + maxRows + " rows; narrow the query (the server's limit is "
                    + "--max-result-rows)";
        }

        static String of(Wire.Failure failure, long maxRows) {
            return switch (failure) {
                case CANCELLED -> CANCELLED;
                case OUT_OF_MEMORY -> OUT_OF_MEMORY;
                case REFUSED -> REFUSED;
                case TOO_MANY_ROWS -> tooManyRows(maxRows);
                case FILES -> FILES;
                case FAILED -> FAILED;
            };
        }
    }
}
