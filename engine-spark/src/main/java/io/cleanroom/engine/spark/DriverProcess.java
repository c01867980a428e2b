package io.cleanroom.engine.spark;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark driver as a child process of the server: started once (Spark's start-up, about 2.5 s
 * in local mode and longer on a cluster, is paid here, not by a query), in a private directory
 * (mode 0700) holding its Unix socket, its settings and by default the queries' staging copies.
 * It exits when the server closes its standard input, so it never outlives the server.
 */
final class DriverProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriverProcess.class);

    /** Spark's own JVM options for Java 17 (its launcher's JavaModuleOptions). */
    private static final List<String> JVM_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    private static final String LOG_CONFIG = """
            rootLogger.level = warn
            rootLogger.appenderRef.stderr.ref = console
            appender.console.type = Console
            appender.console.name = console
            appender.console.target = SYSTEM_ERR
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = %d{HH:mm:ss.SSS} spark-driver %p %c{1}: %m%n%ex
            logger.netty.name = org.apache.spark.network
            logger.netty.level = error
            logger.hadoop.name = org.apache.hadoop.util.NativeCodeLoader
            logger.hadoop.level = error
            """;

    private final Path directory;
    private final Path socket;
    private final Process process;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private DriverProcess(Path directory, Path socket, Process process) {
        this.directory = directory;
        this.socket = socket;
        this.process = process;
    }

    /** Launches the driver; {@link #awaitReady} waits for its session. */
    static DriverProcess launch(SparkSettings settings, Path directory) {
        try {
            Files.createDirectories(directory);
            restrict(directory);
            Path socket = directory.resolve("driver.sock");
            Files.deleteIfExists(socket);
            Path conf = directory.resolve("spark.properties");
            Properties p = new Properties();
            p.putAll(settings.sparkConf(directory));
            try (Writer w = Files.newBufferedWriter(conf, StandardCharsets.UTF_8)) {
                p.store(w, "Spark settings of the Cleanroom driver");
            }
            Path logConfig = directory.resolve("log4j2.properties");
            Files.writeString(logConfig, LOG_CONFIG);
            if (settings.classpath().isBlank()) {
                throw CleanroomException.of(ErrorCode.INTERNAL, "The Spark engine does not know where Spark's jars "
                        + "are: set its class path (--spark-classpath, for example /opt/spark/jars/*)");
            }
            Path classes = writeDriverClasses(directory.resolve("classes"));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx" + settings.driverMemory());
            command.addAll(JVM_OPTIONS);
            command.add("-Dlog4j2.configurationFile=" + logConfig.toUri());
            command.add("-cp");
            command.add(classes + java.io.File.pathSeparator + settings.classpath());
            command.add(SparkDriver.class.getName());
            command.add(socket.toString());
            command.add(conf.toString());
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            Map<String, String> env = builder.environment();
            env.putIfAbsent("SPARK_LOCAL_IP", settings.driverHost());
            DriverProcess driver = new DriverProcess(directory, socket, builder.start());
            driver.watch();
            return driver;
        } catch (IOException e) {
            throw CleanroomException.internal("cannot start the Spark driver", e);
        }
    }

    /** The classes of the driver process: those it runs with Spark, and the protocol they share with the engine. */
    private static final List<Class<?>> DRIVER_CLASSES = List.of(SparkDriver.class, SqlGate.class, Wire.class);

    /**
     * Writes the driver's own classes (and their nested and anonymous classes) from this class's
     * loader into a directory, which goes first on the driver's class path: the driver then needs
     * only Spark's jars beside it, wherever this module's classes live (a jar of its own, a shaded
     * server jar or a build directory), and none of the server's libraries.
     */
    static Path writeDriverClasses(Path into) throws IOException {
        for (Class<?> type : DRIVER_CLASSES) {
            List<String> names = new ArrayList<>();
            names.add(type.getName());
            for (Class<?> nested : type.getDeclaredClasses()) {
                names.add(nested.getName());
            }
            for (int i = 1; DriverProcess.class.getClassLoader().getResource(
                    (type.getName() + "$" + i).replace('.', '/') + ".class") != null; i++) {
                names.add(type.getName() + "$" + i);
            }
            for (String name : names) {
                String resource = name.replace('.', '/') + ".class";
                Path file = into.resolve(resource);
                Files.createDirectories(file.getParent());
                try (java.io.InputStream in = DriverProcess.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IOException("missing driver class " + name);
                    }
                    Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return into;
    }

    /** Reads the driver's standard output: the ready line, then anything Spark prints, to the log. */
    private void watch() {
        Thread t = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals(SparkDriver.READY)) {
                        ready.complete(null);
                    } else {
                        LOG.info("spark driver: {}", line);
                    }
                }
            } catch (IOException e) {
                // the driver ended
            }
            ready.completeExceptionally(new IllegalStateException("the Spark driver ended"));
        }, "cleanroom-spark-driver-output");
        t.setDaemon(true);
        t.start();
    }

    /** Waits until the driver's session is up; false if it ended or did not start in time. */
    boolean awaitReady(long seconds) {
        try {
            ready.get(seconds, TimeUnit.SECONDS);
            return process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    boolean alive() {
        return process.isAlive() && ready.isDone() && !ready.isCompletedExceptionally();
    }

    SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return channel;
    }

    Path directory() {
        return directory;
    }

    static void restrict(Path directory) throws IOException {
        try {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
