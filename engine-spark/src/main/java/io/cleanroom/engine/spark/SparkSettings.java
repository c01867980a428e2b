package io.cleanroom.engine.spark;

import static java.util.Objects.requireNonNull;

import io.cleanroom.engine.spi.EngineSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where and how Spark runs, from the operator's engine settings:
 * <ul>
 *   <li>{@code master}: {@code local[N]} (default {@code local[2]}: embedded, in the driver process) or a
 *       cluster's master URL ({@code spark://host:7077}, {@code k8s://...});</li>
 *   <li>{@code executor-memory}, {@code executor-cores}: per executor on a cluster (default 1g, 1);</li>
 *   <li>{@code driver-memory}: the driver process's heap (default 2g; in local mode it runs the tasks too);</li>
 *   <li>{@code driver-host}: the address executors reach the driver on (default 127.0.0.1);</li>
 *   <li>{@code staging-dir}: where each query's private copy of its pinned files is made; on a cluster, a
 *       directory of shared storage mounted at the same path on every node (default: the driver's private
 *       directory);</li>
 *   <li>{@code classpath}: Spark's jars for the driver process and, on a cluster, the executors
 *       ({@code spark.executor.extraClassPath}); for example {@code /opt/spark/jars/*} (default: the
 *       jars the build resolved, see {@code driver.properties});</li>
 *   <li>{@code shuffle-partitions}: {@code spark.sql.shuffle.partitions} (default 4);</li>
 *   <li>any {@code spark.*} key: passed to Spark as it is (Kubernetes images, service accounts ...),
 *       except the settings that keep queries safe, which the engine always sets itself.</li>
 * </ul>
 */
record SparkSettings(String master, String executorMemory, int executorCores, String driverMemory, String driverHost,
        Optional<Path> stagingDir, String classpath, int shufflePartitions, Map<String, String> spark) {
    SparkSettings {
        requireNonNull(master, "master is null");
        requireNonNull(executorMemory, "executorMemory is null");
        requireNonNull(driverMemory, "driverMemory is null");
        requireNonNull(driverHost, "driverHost is null");
        requireNonNull(stagingDir, "stagingDir is null");
        requireNonNull(classpath, "classpath is null");
        spark = Map.copyOf(spark);
        if (executorCores < 1 || shufflePartitions < 1) {
            throw new IllegalArgumentException("spark executor cores and shuffle partitions must be at least 1");
        }
    }

    static SparkSettings from(EngineSettings settings) {
        Map<String, String> spark = new TreeMap<>();
        settings.values().forEach((k, v) -> {
            if (k.startsWith("spark.")) {
                spark.put(k, v);
            }
        });
        return new SparkSettings(settings.get("master", "local[2]"), settings.get("executor-memory", "1g"),
                settings.getInt("executor-cores", 1), settings.get("driver-memory", "2g"),
                settings.get("driver-host", "127.0.0.1"), settings.get("staging-dir").map(Path::of),
                settings.get("classpath").orElseGet(SparkSettings::builtClasspath),
                settings.getInt("shuffle-partitions", 4), spark);
    }

    boolean local() {
        return master.startsWith("local");
    }

    /** The class path the build recorded for the driver: this module's classes and Spark's jars. */
    static String builtClasspath() {
        try (InputStream in = SparkSettings.class.getResourceAsStream("driver.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("classpath", "");
        } catch (IOException e) {
            return "";
        }
    }

    /** What the driver's SparkConf holds: the operator's settings, then the ones queries rely on. */
    Map<String, String> sparkConf(Path privateDir) {
        Map<String, String> conf = new TreeMap<>(spark);
        conf.put("spark.master", master);
        conf.putIfAbsent("spark.app.name", "cleanroom");
        conf.put("spark.driver.host", driverHost);
        conf.putIfAbsent("spark.driver.bindAddress", driverHost);
        conf.put("spark.executor.memory", executorMemory);
        conf.put("spark.executor.cores", Integer.toString(executorCores));
        conf.putIfAbsent("spark.executor.extraClassPath", classpath);
        conf.putIfAbsent("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        conf.putIfAbsent("spark.local.dir", privateDir.resolve("local").toString());
        // data lies on shared storage, not in executors: waiting for a "local" executor only delays tasks
        conf.putIfAbsent("spark.locality.wait", "0s");
        conf.put("spark.sql.shuffle.partitions", Integer.toString(shufflePartitions));
        conf.put("spark.ui.enabled", "false");
        conf.put("spark.sql.catalogImplementation", "in-memory");
        // no error oracle: overflow, casts and division answer NULL (or wrap) instead of failing
        conf.put("spark.sql.ansi.enabled", "false");
        // no SELECT * FROM json.`/path`: a query reads its bound tables only
        conf.put("spark.sql.runSQLOnFiles", "false");
        // no ${env:NAME}, ${system:name} or ${spark.setting} replaced in a query's text before it parses
        conf.put("spark.sql.variable.substitute", "false");
        conf.put("spark.sql.session.timeZone", "UTC");
        conf.put("spark.sql.timestampType", "TIMESTAMP_NTZ");
        conf.put("spark.sql.datetime.java8API.enabled", "true");
        conf.put("spark.sql.legacy.allowParameterlessCount", "false");
        return conf;
    }
}
