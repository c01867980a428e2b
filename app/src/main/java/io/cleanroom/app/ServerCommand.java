package io.cleanroom.app;

import io.cleanroom.cli.CliException;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.server.CleanroomServer;
import io.cleanroom.server.ServerConfig;
import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the server until interrupted. Every option has an environment variable; every quota of
 * {@link Quota} is an option --quota-KEY (env CLEANROOM_QUOTA_KEY), added by {@link QuotaOptions}.
 */
@Command(name = "server", description = "Run the Cleanroom server (Clean Rooms API, Glue catalog API, admin API).",
        modelTransformer = ServerCommand.QuotaOptions.class)
final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "${env:CLEANROOM_HOST:-127.0.0.1}",
            description = "Address to listen on (env CLEANROOM_HOST; default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "${env:CLEANROOM_PORT:-8080}",
            description = "Port (env CLEANROOM_PORT; default ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--data-dir", defaultValue = "${env:CLEANROOM_DATA_DIR:-cleanroom-data}",
            description = "Data directory: SQLite metadata, master key, operator credentials "
                    + "(env CLEANROOM_DATA_DIR; default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--store-url", defaultValue = "${env:CLEANROOM_STORE_URL}",
            description = "JDBC URL of the metadata store, e.g. jdbc:postgresql://host:5432/db "
                    + "(env CLEANROOM_STORE_URL; default SQLite in the data directory)")
    String storeUrl;

    @Option(names = "--store-user", defaultValue = "${env:CLEANROOM_STORE_USER}",
            description = "Database user (env CLEANROOM_STORE_USER)")
    String storeUser;

    @Option(names = "--region", defaultValue = "${env:CLEANROOM_REGION:-us-east-1}",
            description = "Region in ARNs (env CLEANROOM_REGION; default ${DEFAULT-VALUE})")
    String region;

    @Option(names = "--max-body-bytes", defaultValue = "${env:CLEANROOM_MAX_BODY_BYTES:-2097152}",
            description = "Largest request body accepted (env CLEANROOM_MAX_BODY_BYTES; default ${DEFAULT-VALUE})")
    int maxBodyBytes;

    @Option(names = "--max-clock-skew-minutes", defaultValue = "${env:CLEANROOM_MAX_CLOCK_SKEW_MINUTES:-15}",
            description = "Largest accepted difference between a request's signing time and the server's "
                    + "(env CLEANROOM_MAX_CLOCK_SKEW_MINUTES; default ${DEFAULT-VALUE})")
    int maxSkewMinutes;

    @Option(names = "--threads", defaultValue = "${env:CLEANROOM_THREADS:-16}",
            description = "Request threads (env CLEANROOM_THREADS; default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--master-key-file", defaultValue = "${env:CLEANROOM_MASTER_KEY_FILE}",
            description = "File holding the master key that seals secrets (env CLEANROOM_MASTER_KEY_FILE; "
                    + "default <data-dir>/master.key, created on first start)")
    Path masterKeyFile;

    @Option(names = "--engine-memory-limit", defaultValue = "${env:CLEANROOM_ENGINE_MEMORY_LIMIT:-2GB}",
            description = "DuckDB memory limit per query, e.g. 512MB or 4GB (env CLEANROOM_ENGINE_MEMORY_LIMIT; "
                    + "default ${DEFAULT-VALUE})")
    String engineMemoryLimit;

    @Option(names = "--engine-threads", defaultValue = "${env:CLEANROOM_ENGINE_THREADS:-2}",
            description = "DuckDB threads per query (env CLEANROOM_ENGINE_THREADS; default ${DEFAULT-VALUE})")
    int engineThreads;

    @Option(names = "--engine", defaultValue = "${env:CLEANROOM_ENGINE:-duckdb}",
            description = "The engine that runs a collaboration's queries unless its creator pins another with the "
                    + "tag cleanroom:engine: duckdb or spark (env CLEANROOM_ENGINE; default ${DEFAULT-VALUE})")
    String engine;

    @Option(names = "--engines", split = ",", defaultValue = "${env:CLEANROOM_ENGINES:-duckdb}",
            description = "The engines this server runs beside --engine, which collaborations may pin; "
                    + "comma-separated (env CLEANROOM_ENGINES; default ${DEFAULT-VALUE})")
    java.util.List<String> engines;

    @Option(names = "--spark-master", defaultValue = "${env:CLEANROOM_SPARK_MASTER:-local[2]}",
            description = "Where Spark runs: local[N] (embedded, N threads) or a cluster's master URL such as "
                    + "spark://host:7077 or k8s://https://host:443 (env CLEANROOM_SPARK_MASTER; default "
                    + "${DEFAULT-VALUE})")
    String sparkMaster;

    @Option(names = "--spark-executor-memory", defaultValue = "${env:CLEANROOM_SPARK_EXECUTOR_MEMORY:-1g}",
            description = "Memory of each Spark executor on a cluster (env CLEANROOM_SPARK_EXECUTOR_MEMORY; "
                    + "default ${DEFAULT-VALUE})")
    String sparkExecutorMemory;

    @Option(names = "--spark-executor-cores", defaultValue = "${env:CLEANROOM_SPARK_EXECUTOR_CORES:-1}",
            description = "Cores of each Spark executor on a cluster (env CLEANROOM_SPARK_EXECUTOR_CORES; "
                    + "default ${DEFAULT-VALUE})")
    int sparkExecutorCores;

    @Option(names = "--spark-driver-memory", defaultValue = "${env:CLEANROOM_SPARK_DRIVER_MEMORY:-2g}",
            description = "Heap of the Spark driver process (in local mode it runs the tasks too) "
                    + "(env CLEANROOM_SPARK_DRIVER_MEMORY; default ${DEFAULT-VALUE})")
    String sparkDriverMemory;

    @Option(names = "--spark-driver-host", defaultValue = "${env:CLEANROOM_SPARK_DRIVER_HOST:-127.0.0.1}",
            description = "The address a cluster's executors reach the Spark driver on "
                    + "(env CLEANROOM_SPARK_DRIVER_HOST; default ${DEFAULT-VALUE})")
    String sparkDriverHost;

    @Option(names = "--spark-staging-dir", defaultValue = "${env:CLEANROOM_SPARK_STAGING_DIR}",
            description = "Where each query's private copy of its tables' files is made; on a cluster, shared "
                    + "storage mounted at the same path on every node (env CLEANROOM_SPARK_STAGING_DIR; default: a "
                    + "private directory of the driver)")
    String sparkStagingDir;

    @Option(names = "--spark-classpath", defaultValue = "${env:CLEANROOM_SPARK_CLASSPATH}",
            description = "Spark's jars, for the driver process and a cluster's executors, e.g. /opt/spark/jars/* "
                    + "(env CLEANROOM_SPARK_CLASSPATH; default: the jars the build resolved)")
    String sparkClasspath;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", split = ",",
            defaultValue = "${env:CLEANROOM_SPARK_CONF}",
            description = "A Spark setting (spark.*) passed as it is, e.g. spark.kubernetes.container.image=...; "
                    + "repeatable or comma-separated (env CLEANROOM_SPARK_CONF). The settings that keep queries "
                    + "safe cannot be changed")
    java.util.List<String> sparkConf;

    @Option(names = "--query-workers", defaultValue = "${env:CLEANROOM_QUERY_WORKERS:-2}",
            description = "Protected queries run at once; more wait SUBMITTED (env CLEANROOM_QUERY_WORKERS; "
                    + "default ${DEFAULT-VALUE})")
    int queryWorkers;

    @Option(names = "--query-timeout-seconds", defaultValue = "${env:CLEANROOM_QUERY_TIMEOUT_SECONDS:-1800}",
            description = "A protected query running longer ends TIMED_OUT (env CLEANROOM_QUERY_TIMEOUT_SECONDS; "
                    + "default ${DEFAULT-VALUE})")
    long queryTimeoutSeconds;

    @Option(names = "--max-result-rows", defaultValue = "${env:CLEANROOM_MAX_RESULT_ROWS:-1000000}",
            description = "A query whose result has more rows FAILS (env CLEANROOM_MAX_RESULT_ROWS; "
                    + "default ${DEFAULT-VALUE})")
    long maxResultRows;

    @Option(names = "--s3-bucket", paramLabel = "NAME=DIR", split = ",",
            defaultValue = "${env:CLEANROOM_S3_BUCKETS}",
            description = "Map an S3 bucket name of result configurations to a local directory; repeatable or "
                    + "comma-separated (env CLEANROOM_S3_BUCKETS, e.g. results=/srv/results)")
    java.util.List<String> s3Buckets = new java.util.ArrayList<>();

    @Option(names = "--audit-digest-minutes", defaultValue = "${env:CLEANROOM_AUDIT_DIGEST_MINUTES:-60}",
            description = "Sign a digest of the audit chain this often; 0 only on request "
                    + "(env CLEANROOM_AUDIT_DIGEST_MINUTES; default ${DEFAULT-VALUE})")
    long auditDigestMinutes;

    @Option(names = "--audit-retention-days", defaultValue = "${env:CLEANROOM_AUDIT_RETENTION_DAYS:-0}",
            description = "Prune audit events older than this behind a signed checkpoint; 0 keeps them forever "
                    + "(env CLEANROOM_AUDIT_RETENTION_DAYS; default ${DEFAULT-VALUE})")
    long auditRetentionDays;

    @Option(names = "--allow-any-path", defaultValue = "${env:CLEANROOM_ALLOW_ANY_PATH:-false}",
            description = "Development only: accounts without data roots may register and query any file the "
                    + "server can read (env CLEANROOM_ALLOW_ANY_PATH; default ${DEFAULT-VALUE}). Never on a shared "
                    + "server.")
    boolean allowAnyPath;

    /** One option per quota, so that a new quota is an option (and an environment variable) at once. */
    public static final class QuotaOptions implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            for (Quota quota : Quota.values()) {
                int byDefault = quota.defaultValue("us-east-1");
                String elsewhere = quota.defaultValue("eu-west-1") == byDefault ? ""
                        : " in us-east-1, " + quota.defaultValue("eu-west-1") + " in other regions";
                command.addOption(OptionSpec.builder(quota.option())
                        .type(Integer.class)
                        .paramLabel("N")
                        .defaultValue("${env:" + quota.environmentVariable() + "}")
                        .description("Quota: " + quota.awsName() + " (env " + quota.environmentVariable()
                                + "; default " + byDefault + elsewhere + ", as AWS)")
                        .build());
            }
            return command;
        }
    }

    /** AWS's default quotas for the region, with those given as options instead. */
    Quotas quotas() {
        Quotas quotas = Quotas.defaults(region);
        for (Quota quota : Quota.values()) {
            Integer value = spec.findOption(quota.option()).getValue();
            if (value != null) {
                quotas = quotas.with(quota, value);
            }
        }
        return quotas;
    }

    // --- transport: TLS and the time limits on clients (kept together) ---

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "${env:CLEANROOM_TLS_CERT}",
            description = "Serve HTTPS with this PEM certificate chain (server certificate first); needs --tls-key "
                    + "(env CLEANROOM_TLS_CERT)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "${env:CLEANROOM_TLS_KEY}",
            description = "The PEM private key of --tls-cert, unencrypted, PKCS#8, RSA or EC (env CLEANROOM_TLS_KEY)")
    Path tlsKey;

    @Option(names = "--tls-keystore", paramLabel = "FILE", defaultValue = "${env:CLEANROOM_TLS_KEYSTORE}",
            description = "Serve HTTPS with the key and certificate chain of this PKCS#12 key store; its password "
                    + "comes from env CLEANROOM_TLS_KEYSTORE_PASSWORD (env CLEANROOM_TLS_KEYSTORE)")
    Path tlsKeyStore;

    @Option(names = "--tls-self-signed", defaultValue = "${env:CLEANROOM_TLS_SELF_SIGNED:-false}",
            description = "Development: serve HTTPS with a certificate the server makes in <data-dir>/tls on first "
                    + "start; clients trust <data-dir>/tls/ca.pem (env CLEANROOM_TLS_SELF_SIGNED; default "
                    + "${DEFAULT-VALUE})")
    boolean tlsSelfSigned;

    @Option(names = "--require-tls", defaultValue = "${env:CLEANROOM_REQUIRE_TLS:-false}",
            description = "Refuse to start with plain HTTP on an address other than loopback (otherwise a warning) "
                    + "(env CLEANROOM_REQUIRE_TLS; default ${DEFAULT-VALUE})")
    boolean requireTls;

    @Option(names = "--console-idle-minutes", defaultValue = "${env:CLEANROOM_CONSOLE_IDLE_MINUTES:-30}",
            description = "Sign a web console session out after this many minutes unused (env "
                    + "CLEANROOM_CONSOLE_IDLE_MINUTES; default ${DEFAULT-VALUE})")
    long consoleIdleMinutes;

    @Option(names = "--idle-timeout-seconds", defaultValue = "${env:CLEANROOM_IDLE_TIMEOUT_SECONDS:-30}",
            description = "Close a connection on which nothing happens for this long (env "
                    + "CLEANROOM_IDLE_TIMEOUT_SECONDS; default ${DEFAULT-VALUE})")
    long idleTimeoutSeconds;

    @Option(names = "--request-header-timeout-seconds",
            defaultValue = "${env:CLEANROOM_REQUEST_HEADER_TIMEOUT_SECONDS:-10}",
            description = "Close a connection whose request headers (and TLS handshake) take longer than this from "
                    + "their first byte (env CLEANROOM_REQUEST_HEADER_TIMEOUT_SECONDS; default ${DEFAULT-VALUE})")
    long headerTimeoutSeconds;

    @Option(names = "--request-body-timeout-seconds",
            defaultValue = "${env:CLEANROOM_REQUEST_BODY_TIMEOUT_SECONDS:-60}",
            description = "Close a connection whose request body takes longer than this after its headers (env "
                    + "CLEANROOM_REQUEST_BODY_TIMEOUT_SECONDS; default ${DEFAULT-VALUE})")
    long bodyTimeoutSeconds;

    private ServerConfig.Transport transport() {
        int sources = (tlsCert != null || tlsKey != null ? 1 : 0) + (tlsKeyStore != null ? 1 : 0)
                + (tlsSelfSigned ? 1 : 0);
        if (sources > 1) {
            throw new IllegalArgumentException("give one of --tls-cert/--tls-key, --tls-keystore and "
                    + "--tls-self-signed");
        }
        ServerConfig.Tls tls = null;
        if (tlsSelfSigned) {
            tls = ServerConfig.Tls.development();
        } else if (tlsKeyStore != null) {
            tls = ServerConfig.Tls.keyStore(tlsKeyStore, System.getenv("CLEANROOM_TLS_KEYSTORE_PASSWORD"));
        } else if (tlsCert != null || tlsKey != null) {
            if (tlsCert == null || tlsKey == null) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            tls = ServerConfig.Tls.pem(tlsCert, tlsKey);
        }
        return new ServerConfig.Transport(tls, requireTls, Duration.ofSeconds(idleTimeoutSeconds),
                Duration.ofSeconds(headerTimeoutSeconds), Duration.ofSeconds(bodyTimeoutSeconds));
    }

    // --- end of transport ---

    /** The engines to run and their settings, from --engine, --engines and the --spark-* options. */
    ServerConfig.Backends backends() {
        java.util.Map<String, String> spark = new java.util.LinkedHashMap<>();
        spark.put("master", sparkMaster);
        spark.put("executor-memory", sparkExecutorMemory);
        spark.put("executor-cores", Integer.toString(sparkExecutorCores));
        spark.put("driver-memory", sparkDriverMemory);
        spark.put("driver-host", sparkDriverHost);
        if (blankToNull(sparkStagingDir) != null) {
            spark.put("staging-dir", sparkStagingDir.trim());
        }
        if (blankToNull(sparkClasspath) != null) {
            spark.put("classpath", sparkClasspath.trim());
        }
        for (String setting : sparkConf == null ? java.util.List.<String>of() : sparkConf) {
            if (setting == null || setting.isBlank()) {
                continue;
            }
            int eq = setting.indexOf('=');
            if (eq <= 0 || !setting.trim().startsWith("spark.")) {
                throw new CliException("error: --spark-conf must be spark.KEY=VALUE, got " + setting,
                        Main.USAGE_ERROR);
            }
            spark.put(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
        }
        return new ServerConfig.Backends(engine, engines, java.util.Map.of("spark", spark));
    }

    @Override
    public Integer call() throws InterruptedException {
        String password = System.getenv("CLEANROOM_STORE_PASSWORD");
        java.util.Map<String, Path> buckets = new java.util.LinkedHashMap<>();
        for (String mapping : s3Buckets == null ? java.util.List.<String>of() : s3Buckets) {
            if (mapping == null || mapping.isBlank()) {
                continue;
            }
            int eq = mapping.indexOf('=');
            if (eq <= 0 || eq == mapping.length() - 1) {
                throw new CliException("error: --s3-bucket must be NAME=DIR, got " + mapping, Main.USAGE_ERROR);
            }
            buckets.put(mapping.substring(0, eq).trim(), Path.of(mapping.substring(eq + 1).trim()).toAbsolutePath());
        }
        ServerConfig config;
        try {
            config = new ServerConfig(host, port, dataDir, blankToNull(storeUrl), blankToNull(storeUser), password,
                    region, maxBodyBytes, Duration.ofMinutes(maxSkewMinutes), threads, masterKeyFile,
                    new ServerConfig.Engine(engineMemoryLimit, engineThreads, queryWorkers,
                            Duration.ofSeconds(queryTimeoutSeconds), maxResultRows, backends()), buckets,
                    new ServerConfig.Audit(Duration.ofMinutes(auditDigestMinutes),
                            Duration.ofDays(auditRetentionDays)), allowAnyPath, quotas(), transport(),
                    Duration.ofMinutes(consoleIdleMinutes));
        } catch (IllegalArgumentException e) {
            throw new CliException("error: " + e.getMessage(), Main.USAGE_ERROR);
        }
        if (allowAnyPath) {
            // before the first request can arrive
            System.err.println(CleanroomServer.ANY_PATH_WARNING);
            System.err.flush();
        }
        CleanroomServer server;
        try {
            server = CleanroomServer.start(config);
        } catch (CleanroomException e) {
            throw new CliException("error: cannot start the server: " + e.getMessage()
                    + (e.getCause() != null && e.getCause().getMessage() != null ? " (" + e.getCause().getMessage()
                            + ")" : ""), Main.USAGE_ERROR);
        } catch (RuntimeException e) {
            throw new CliException("error: cannot start the server: " + e.getMessage(), Main.USAGE_ERROR);
        }
        System.out.println("Cleanroom listening on " + server.endpoint() + " (data in "
                + config.dataDir().toAbsolutePath() + "; operator credentials in "
                + config.operatorCredentialsFile().toAbsolutePath() + ")");
        server.certificateFingerprint().ifPresent(fingerprint -> System.out.println(
                "TLS certificate SHA-256 fingerprint " + fingerprint));
        server.caBundle().ifPresent(ca -> System.out.println("Development certificate: clients trust "
                + ca.toAbsolutePath() + " (SHA-256 fingerprint " + server.caFingerprint().orElse("?")
                + "), e.g. --ca-bundle " + ca.toAbsolutePath() + " or AWS_CA_BUNDLE / NODE_EXTRA_CA_CERTS"));
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "cleanroom-shutdown"));
        stopped.await();
        return 0;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
