package io.cleanroom.engine.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark driver process: the one place Cleanroom loads Spark, in a JVM of its own, so that
 * Spark's Jackson, Guava, Netty and protobuf never meet the server's. The server starts it once
 * (paying Spark's start-up there, not per query) and talks to it over a Unix domain socket in a
 * directory only the server's user can enter ({@link Wire}). Each query gets a fresh session
 * (isolated temporary views and settings, shared SparkContext) in which only its bound tables
 * exist, as typed views of exactly their allowed columns; its SQL must pass {@link SqlGate}; its
 * result streams back partition by partition, never held whole. The driver exits when the server
 * closes its standard input.
 *
 * <p>Arguments: the socket path and a properties file of Spark settings.
 */
public final class SparkDriver {
    /** Printed on standard output once the session is up and the socket listens. */
    static final String READY = "CLEANROOM-SPARK-READY";

    private final SparkSession base;

    private SparkDriver(SparkSession base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        Properties settings = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8)) {
            settings.load(r);
        }
        SparkConf conf = new SparkConf();
        settings.stringPropertyNames().forEach(k -> conf.set(k, settings.getProperty(k)));
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        session.sparkContext().setLogLevel(settings.getProperty("cleanroom.logLevel", "WARN"));
        SparkDriver driver = new SparkDriver(session);
        // the first query pays for loading the planner's classes; pay it here, once
        SparkSession warm = session.newSession();
        SqlGate.check(warm, "SELECT 1 AS one", List.of());
        warm.sql("SELECT 1 AS one").collectAsList();
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        ExecutorService connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cleanroom-spark-query");
            t.setDaemon(true);
            return t;
        });
        Thread accept = new Thread(() -> {
            while (true) {
                try {
                    SocketChannel channel = server.accept();
                    connections.submit(() -> driver.serve(channel));
                } catch (IOException e) {
                    return;
                }
            }
        }, "cleanroom-spark-accept");
        accept.setDaemon(true);
        accept.start();
        System.out.println(READY);
        System.out.flush();
        // the server holds our standard input: when it closes it (or dies), stop
        InputStream parent = System.in;
        while (parent.read() >= 0) {
            // nothing is sent on it
        }
        session.stop();
        Files.deleteIfExists(socket);
        System.exit(0);
    }

    /** Runs one query on its connection. */
    private void serve(SocketChannel channel) {
        try (channel) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Wire.input(channel)));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Wire.output(channel), 1 << 16));
            int kind = in.readInt();
            if (kind == Wire.STATUS) {
                out.writeInt(base.sparkContext().statusTracker().getActiveJobIds().length);
                out.flush();
                return;
            }
            if (kind != Wire.MAGIC) {
                return;
            }
            Wire.Request request = Wire.readRequestBody(in);
            AtomicBoolean cancelled = new AtomicBoolean();
            AtomicBoolean finished = new AtomicBoolean();
            Thread watcher = new Thread(() -> {
                try {
                    Wire.readByteOrEnd(in);
                } catch (IOException e) {
                    // the connection is gone: cancel as well
                }
                // the engine closed its side: a cancellation, unless the query had ended already.
                // Cancelling a job group stops only the jobs running at that moment: a query still
                // being planned submits its jobs after it (and toLocalIterator one per partition),
                // so the group is cancelled again until the query has ended.
                if (!finished.get()) {
                    cancelled.set(true);
                }
                while (!finished.get()) {
                    base.sparkContext().cancelJobGroup(request.group());
                    try {
                        Thread.sleep(CANCEL_REPEAT_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "cleanroom-spark-cancel");
            watcher.setDaemon(true);
            watcher.start();
            try {
                run(request, out, cancelled);
                finished.set(true);
                out.writeByte(Wire.END);
            } catch (Throwable e) {
                finished.set(true);
                Wire.Failure failure = classify(e, cancelled.get());
                System.err.println("cleanroom spark driver: query " + request.group() + " failed (" + failure + "): "
                        + describe(e));
                out.writeByte(Wire.ERROR);
                Wire.writeString(out, failure.name());
                if (e instanceof VirtualMachineError fatal && !(e instanceof OutOfMemoryError)) {
                    throw fatal;
                }
            }
            out.flush();
        } catch (IOException e) {
            // the server went away; its cancellation already stopped the job group
        }
    }

    /**
     * Inputs smaller than this run without whole-stage code generation and with one shuffle
     * partition: compiling generated code and scheduling a task per partition of each stage cost
     * more than they save on little data (a tutorial-sized query took a third of the time).
     */
    static final long SMALL_INPUT_BYTES = 32L << 20;

    /** How often a cancelled query's job group is cancelled again, until the query has ended. */
    private static final long CANCEL_REPEAT_MILLIS = 50;

    private void run(Wire.Request request, DataOutputStream out, AtomicBoolean cancelled) throws IOException {
        SparkSession session = base.newSession();
        if (inputBytes(request) < SMALL_INPUT_BYTES) {
            session.conf().set("spark.sql.codegen.wholeStage", "false");
            session.conf().set("spark.sql.shuffle.partitions", "1");
        }
        session.sparkContext().setJobGroup(request.group(), "cleanroom protected query", true);
        try {
            List<String> names = new ArrayList<>();
            for (Wire.Table table : request.tables()) {
                view(session, table).createOrReplaceTempView(quote(table.name()));
                names.add(table.name().toLowerCase(Locale.ROOT));
            }
            SqlGate.check(session, request.sql(), names);
            if (cancelled.get()) {
                throw new Cancelled();
            }
            Dataset<Row> result = session.sql(request.sql());
            StructField[] fields = result.schema().fields();
            out.writeByte(Wire.COLUMNS);
            out.writeInt(fields.length);
            for (StructField f : fields) {
                Wire.writeString(out, f.name());
                Wire.writeString(out, typeName(f.dataType()));
            }
            long rows = 0;
            Iterator<Row> it = result.toLocalIterator();
            while (it.hasNext()) {
                if (cancelled.get()) {
                    throw new Cancelled();
                }
                Row row = it.next();
                if (++rows > request.maxRows()) {
                    base.sparkContext().cancelJobGroup(request.group());
                    throw new TooManyRows();
                }
                out.writeByte(Wire.ROW);
                for (int i = 0; i < fields.length; i++) {
                    Wire.writeValue(out, value(row.get(i)));
                }
            }
            if (cancelled.get()) {
                throw new Cancelled();
            }
        } finally {
            session.sparkContext().clearJobGroup();
        }
    }

    /**
     * A bound table as a view of exactly its allowed columns with their types. CSV cells and JSON
     * values are read as text and converted (the session is not ANSI: a value that does not fit is
     * NULL, never an error that could quote it); Parquet values are converted from what the file
     * holds. Files are matched by column name, as DuckDB's union_by_name does. No reader infers a
     * schema from the data (which would cost a Spark job per table): CSV headers are read here,
     * JSON is read with the bound columns as text.
     */
    static Dataset<Row> view(SparkSession session, Wire.Table table) throws IOException {
        if (table.partitionColumns().isEmpty()) {
            return view(session, table, table.files(), List.of());
        }
        // one view per partition, each giving its partition columns the partition's values
        java.util.Map<List<String>, List<String>> partitions = new java.util.LinkedHashMap<>();
        for (int i = 0; i < table.files().size(); i++) {
            partitions.computeIfAbsent(table.partitionValues().get(i), v -> new ArrayList<>()).add(table.files().get(i));
        }
        Dataset<Row> all = null;
        for (java.util.Map.Entry<List<String>, List<String>> partition : partitions.entrySet()) {
            Dataset<Row> part = view(session, table, partition.getValue(), partition.getKey());
            all = all == null ? part : all.unionAll(part);
        }
        return all;
    }

    private static int partitionIndex(Wire.Table table, String column) {
        for (int i = 0; i < table.partitionColumns().size(); i++) {
            if (table.partitionColumns().get(i).equalsIgnoreCase(column)) {
                return i;
            }
        }
        return -1;
    }

    /** The files of one partition (values: its partition columns' values), or of an unpartitioned table. */
    private static Dataset<Row> view(SparkSession session, Wire.Table table, List<String> files, List<String> values)
            throws IOException {
        Dataset<Row> raw = switch (table.format()) {
            case "CSV" -> csv(session, files);
            case "PARQUET" -> session.read().option("mergeSchema", Boolean.toString(files.size() > 1))
                    .parquet(files.toArray(new String[0]));
            // JSON lines: of an owner's files, or the rows of a PostgreSQL table as the server wrote them
            case "JSON", "POSTGRESQL" -> {
                StructType text = new StructType();
                for (Wire.Column c : table.columns()) {
                    if (partitionIndex(table, c.name()) < 0) {
                        text = text.add(c.name(), DataTypes.StringType, true);
                    }
                }
                yield session.read().schema(text).option("mode", "PERMISSIVE")
                        .json(files.toArray(new String[0]));
            }
            default -> throw new IllegalArgumentException("unknown format");
        };
        List<org.apache.spark.sql.Column> columns = new ArrayList<>();
        for (Wire.Column c : table.columns()) {
            DataType type = sparkType(c);
            int partition = partitionIndex(table, c.name());
            org.apache.spark.sql.Column column;
            if (partition >= 0) {
                String value = values.get(partition);
                column = value == null ? org.apache.spark.sql.functions.lit(null).cast(type)
                        : org.apache.spark.sql.functions.lit(value).cast(type);
            } else {
                column = org.apache.spark.sql.functions.col(quote(c.name()));
                if (!table.format().equals("PARQUET") && type != DataTypes.StringType) {
                    column = org.apache.spark.sql.functions.trim(column);
                }
                column = column.cast(type);
            }
            columns.add(column.as(c.name()));
        }
        return raw.select(columns.toArray(new org.apache.spark.sql.Column[0]));
    }

    /** CSV files with a header line, every column as text; files with different headers are matched by name. */
    private static Dataset<Row> csv(SparkSession session, List<String> files) throws IOException {
        java.util.Map<List<String>, List<String>> byHeader = new java.util.LinkedHashMap<>();
        for (String file : files) {
            byHeader.computeIfAbsent(header(Path.of(file)), h -> new ArrayList<>()).add(file);
        }
        Dataset<Row> all = null;
        for (java.util.Map.Entry<List<String>, List<String>> group : byHeader.entrySet()) {
            StructType text = new StructType();
            for (String name : group.getKey()) {
                text = text.add(name, DataTypes.StringType, true);
            }
            Dataset<Row> part = session.read().option("header", "true").option("enforceSchema", "true")
                    .option("mode", "PERMISSIVE").schema(text).csv(group.getValue().toArray(new String[0]));
            all = all == null ? part : all.unionByName(part, true);
        }
        return all;
    }

    /** The column names of a CSV file's header line (commas outside double quotes separate them). */
    static List<String> header(Path file) throws IOException {
        String line;
        try (java.io.BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            line = r.readLine();
        }
        List<String> names = new ArrayList<>();
        if (line == null) {
            return names;
        }
        if (line.startsWith("\uFEFF")) {
            line = line.substring(1);
        }
        StringBuilder name = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    name.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    name.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                names.add(name.toString().strip());
                name.setLength(0);
            } else if (c != '\r') {
                name.append(c);
            }
        }
        names.add(name.toString().strip());
        return names;
    }

    static DataType sparkType(Wire.Column c) {
        return switch (c.kind()) {
            case "BIGINT" -> DataTypes.LongType;
            case "INTEGER" -> DataTypes.IntegerType;
            case "SMALLINT" -> DataTypes.ShortType;
            case "TINYINT" -> DataTypes.ByteType;
            case "DOUBLE" -> DataTypes.DoubleType;
            case "FLOAT" -> DataTypes.FloatType;
            case "DECIMAL" -> DataTypes.createDecimalType(c.precision(), c.scale());
            case "BOOLEAN" -> DataTypes.BooleanType;
            case "DATE" -> DataTypes.DateType;
            case "TIMESTAMP" -> DataTypes.TimestampNTZType;
            case "BINARY" -> DataTypes.BinaryType;
            case "STRING" -> DataTypes.StringType;
            default -> throw new IllegalArgumentException("unknown column type");
        };
    }

    /** The size of the query's files (as large as can be when one cannot be measured). */
    static long inputBytes(Wire.Request request) {
        long bytes = 0;
        for (Wire.Table table : request.tables()) {
            for (String file : table.files()) {
                try {
                    bytes += Files.size(Path.of(file));
                } catch (IOException | RuntimeException e) {
                    return Long.MAX_VALUE;
                }
            }
        }
        return bytes;
    }

    /** Result column types named as DuckDB names them, so results read the same on either engine. */
    static String typeName(DataType type) {
        String sql = type.sql();
        return switch (sql) {
            case "STRING" -> "VARCHAR";
            case "INT" -> "INTEGER";
            case "TIMESTAMP_NTZ", "TIMESTAMP" -> "TIMESTAMP";
            case "BINARY" -> "BLOB";
            default -> sql;
        };
    }

    /** A value as the wire carries it (the session hands out java.time values). */
    private static Object value(Object v) {
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime();
        }
        if (v instanceof java.time.Instant i) {
            return java.time.LocalDateTime.ofInstant(i, java.time.ZoneOffset.UTC);
        }
        if (v instanceof scala.math.BigDecimal d) {
            return d.bigDecimal();
        }
        if (v instanceof BigDecimal || v == null || v instanceof Number || v instanceof Boolean
                || v instanceof String || v instanceof byte[] || v instanceof java.time.LocalDate
                || v instanceof java.time.LocalDateTime) {
            return v;
        }
        return String.valueOf(v);
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /** The query's failure as a category; never Spark's message, which can quote data. */
    static Wire.Failure classify(Throwable e, boolean cancelled) {
        if (cancelled || has(e, Cancelled.class)) {
            return Wire.Failure.CANCELLED;
        }
        if (has(e, TooManyRows.class)) {
            return Wire.Failure.TOO_MANY_ROWS;
        }
        if (has(e, SqlGate.Refused.class)) {
            return Wire.Failure.REFUSED;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            String text = String.valueOf(t.getMessage());
            if (t instanceof OutOfMemoryError || name.contains("OutOfMemory") || text.contains("SPARK_OUT_OF_MEMORY")
                    || text.contains("UNABLE_TO_ACQUIRE_MEMORY") || text.contains("OutOfMemoryError")) {
                return Wire.Failure.OUT_OF_MEMORY;
            }
            if (t instanceof java.io.FileNotFoundException || t instanceof java.nio.file.NoSuchFileException
                    || text.contains("PATH_NOT_FOUND") || text.contains("FileNotFoundException")) {
                return Wire.Failure.FILES;
            }
            if (text.contains("cancelled") && text.contains("job group")) {
                return Wire.Failure.CANCELLED;
            }
        }
        return Wire.Failure.FAILED;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** For the operator's log: the exception classes and Spark's error conditions, never messages. */
    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null && out.length() < 2000; t = t.getCause()) {
            out.append(out.length() == 0 ? "" : " <- ").append(t.getClass().getName());
            if (t instanceof org.apache.spark.SparkThrowable s && s.getCondition() != null) {
                out.append('[').append(s.getCondition()).append(']');
            }
            if (t instanceof SqlGate.Refused r) {
                out.append('[').append(r.getMessage()).append(']');
            }
        }
        return out.toString();
    }

    /** The query was cancelled. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /** The result has more rows than the query may release. */
    static final class TooManyRows extends RuntimeException {
        TooManyRows() {
            super("too many rows", null, false, false);
        }
    }
}
