package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server can be told. The defaults run on a laptop: 127.0.0.1:8080, data in
 * ./cleanroom-data, SQLite metadata. storeUrl (jdbc:postgresql://...) switches to PostgreSQL.
 * allowAnyPath (development only) lets accounts without data roots register and read any file the
 * server can read; by default such accounts can register nothing. quotas are AWS's defaults for the
 * region unless the operator sets others. consoleIdleTimeout: a web console session unused for this
 * long ends (null: 30 minutes).
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        String storeUrl,
        String storeUser,
        String storePassword,
        String region,
        int maxBodyBytes,
        Duration maxClockSkew,
        int threads,
        Path masterKeyFile,
        Engine engine,
        java.util.Map<String, Path> s3Buckets,
        Audit audit,
        boolean allowAnyPath,
        io.cleanroom.core.service.Quotas quotas,
        Transport transport,
        Duration consoleIdleTimeout) {
    /**
     * How the audit trail is kept: how often the server signs a digest of the chain (zero: only on
     * request), and how long events are kept before they are pruned behind a signed checkpoint
     * (zero: forever).
     */
    public record Audit(Duration digestInterval, Duration retention) {
        public Audit {
            requireNonNull(digestInterval, "digestInterval is null");
            requireNonNull(retention, "retention is null");
            if (digestInterval.isNegative() || retention.isNegative()) {
                throw new IllegalArgumentException("audit digest interval and retention must not be negative");
            }
            if (!retention.isZero() && retention.compareTo(Duration.ofDays(1)) < 0) {
                throw new IllegalArgumentException("audit retention must be at least one day (or zero: forever)");
            }
        }

        public static final Audit DEFAULTS = new Audit(Duration.ofHours(1), Duration.ZERO);
    }

    /**
     * Which engines the server runs and their settings: the default one (for collaborations whose
     * creator pinned none with the tag cleanroom:engine), the others it runs beside it, and each
     * one's settings by name (spark: master, executor-memory, executor-cores ...; see
     * docs/engines.md).
     */
    public record Backends(String defaultName, java.util.List<String> running,
            java.util.Map<String, java.util.Map<String, String>> settings) {
        public Backends {
            requireNonNull(defaultName, "defaultName is null");
            defaultName = defaultName.trim().toLowerCase(java.util.Locale.ROOT);
            java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
            names.add(defaultName);
            for (String name : running == null ? java.util.List.<String>of() : running) {
                if (!name.isBlank()) {
                    names.add(name.trim().toLowerCase(java.util.Locale.ROOT));
                }
            }
            running = java.util.List.copyOf(names);
            settings = java.util.Map.copyOf(settings == null ? java.util.Map.of() : settings);
        }

        /** DuckDB alone, the default. */
        public static final Backends DEFAULTS = new Backends("duckdb", java.util.List.of(), java.util.Map.of());
    }

    /**
     * How protected queries run: DuckDB memory limit (e.g. "2GB") and threads per query, how many
     * queries run at once, how long one may run before it is TIMED_OUT, the most rows a result may
     * have (the result is held in memory before it is encrypted), and which engines run them.
     */
    public record Engine(String memoryLimit, int threads, int workers, Duration timeout, long maxResultRows,
            Backends backends) {
        public Engine {
            requireNonNull(memoryLimit, "memoryLimit is null");
            requireNonNull(timeout, "timeout is null");
            backends = backends == null ? Backends.DEFAULTS : backends;
            if (threads < 1 || workers < 1) {
                throw new IllegalArgumentException("engine threads and workers must be at least 1");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("query timeout must be positive");
            }
            if (maxResultRows < 1) {
                throw new IllegalArgumentException("max result rows must be at least 1");
            }
        }

        public static final Engine DEFAULTS = new Engine("2GB", 2, 2, Duration.ofMinutes(30), 1_000_000);

        public Engine(String memoryLimit, int threads, int workers, Duration timeout) {
            this(memoryLimit, threads, workers, timeout, 1_000_000);
        }

        public Engine(String memoryLimit, int threads, int workers, Duration timeout, long maxResultRows) {
            this(memoryLimit, threads, workers, timeout, maxResultRows, Backends.DEFAULTS);
        }

        public Engine withBackends(Backends newBackends) {
            return new Engine(memoryLimit, threads, workers, timeout, maxResultRows, newBackends);
        }

        /** The memory limit in bytes (512MB, 2GB, 1.5GiB ...). */
        public long memoryBytes() {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)").matcher(memoryLimit.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("memory limit must look like 512MB or 2GB");
            }
            int power = switch (m.group(2).toUpperCase(java.util.Locale.ROOT).replace("I", "")) {
                case "B" -> 0;
                case "KB" -> 1;
                case "MB" -> 2;
                case "GB" -> 3;
                default -> 4;
            };
            return (long) (Double.parseDouble(m.group(1)) * Math.pow(1024, power));
        }
    }

    // --- transport: TLS and the time limits on clients (kept together) ---

    /**
     * How the server meets the network. tls: HTTPS from a certificate (null: plain HTTP, for
     * loopback or behind a TLS-terminating proxy). requireTls: refuse to start with plain HTTP on an
     * address other than loopback (otherwise that only prints a warning). The time limits keep slow
     * or idle clients from holding connections: idleTimeout closes a connection on which nothing
     * happens (between requests too); headerTimeout bounds the time from a request's first byte (the
     * TLS handshake's, on a new HTTPS connection) to the end of its headers, and bodyTimeout the time
     * from there to the end of its body. No thread waits on a slow client meanwhile.
     */
    public record Transport(Tls tls, boolean requireTls, Duration idleTimeout, Duration headerTimeout,
            Duration bodyTimeout) {
        public Transport {
            requireNonNull(idleTimeout, "idleTimeout is null");
            requireNonNull(headerTimeout, "headerTimeout is null");
            requireNonNull(bodyTimeout, "bodyTimeout is null");
            for (Duration d : java.util.List.of(idleTimeout, headerTimeout, bodyTimeout)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("idle, header and body timeouts must be positive");
                }
            }
        }

        public static final Transport DEFAULTS = new Transport(null, false, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(60));

        public Transport withTls(Tls newTls) {
            return new Transport(newTls, requireTls, idleTimeout, headerTimeout, bodyTimeout);
        }

        public Transport withTimeouts(Duration idle, Duration header, Duration body) {
            return new Transport(tls, requireTls, idle, header, body);
        }

        public Transport withRequireTls(boolean require) {
            return new Transport(tls, require, idleTimeout, headerTimeout, bodyTimeout);
        }
    }

    /**
     * Where the server's certificate comes from: a PEM certificate chain and private key, a PKCS#12
     * key store and its password, or (development) a certificate the server makes itself in
     * dataDir/tls on first start.
     */
    public record Tls(Path certificate, Path privateKey, Path keyStore, String keyStorePassword, boolean selfSigned) {
        public Tls {
            int sources = (certificate != null || privateKey != null ? 1 : 0) + (keyStore != null ? 1 : 0)
                    + (selfSigned ? 1 : 0);
            if (sources != 1) {
                throw new IllegalArgumentException("TLS needs exactly one of: a PEM certificate and key, "
                        + "a PKCS#12 key store, or a self-signed development certificate");
            }
            if ((certificate == null) != (privateKey == null)) {
                throw new IllegalArgumentException("a PEM certificate needs its private key, and a key its certificate");
            }
        }

        public static Tls pem(Path certificate, Path privateKey) {
            return new Tls(requireNonNull(certificate, "certificate is null"),
                    requireNonNull(privateKey, "privateKey is null"), null, null, false);
        }

        public static Tls keyStore(Path keyStore, String password) {
            return new Tls(null, null, requireNonNull(keyStore, "keyStore is null"), password, false);
        }

        public static Tls development() {
            return new Tls(null, null, null, null, true);
        }

        @Override
        public String toString() {
            return selfSigned ? "Tls[self-signed]" : keyStore != null ? "Tls[keyStore=" + keyStore + "]"
                    : "Tls[certificate=" + certificate + ", privateKey=" + privateKey + "]";
        }
    }

    public ServerConfig withTransport(Transport newTransport) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, newTransport,
                consoleIdleTimeout);
    }

    public ServerConfig withTls(Tls tls) {
        return withTransport(transport.withTls(tls));
    }

    /** At most this many calls run at once (request threads). */
    public ServerConfig withThreads(int newThreads) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, newThreads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    // --- end of transport ---

    public ServerConfig {
        requireNonNull(host, "host is null");
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(region, "region is null");
        requireNonNull(maxClockSkew, "maxClockSkew is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        requireNonNull(engine, "engine is null");
        audit = audit == null ? Audit.DEFAULTS : audit;
        transport = transport == null ? Transport.DEFAULTS : transport;
        consoleIdleTimeout = consoleIdleTimeout == null ? DEFAULT_CONSOLE_IDLE : consoleIdleTimeout;
        if (consoleIdleTimeout.isNegative() || consoleIdleTimeout.isZero()) {
            throw new IllegalArgumentException("the console's idle timeout must be positive");
        }
        s3Buckets = java.util.Map.copyOf(s3Buckets == null ? java.util.Map.of() : s3Buckets);
    }

    /** The quotas the server enforces: those set, else AWS's defaults for the region. */
    @Override
    public io.cleanroom.core.service.Quotas quotas() {
        return quotas == null ? io.cleanroom.core.service.Quotas.defaults(region) : quotas;
    }

    /** A web console session ends after this long unused. */
    public static final Duration DEFAULT_CONSOLE_IDLE = Duration.ofMinutes(30);

    /** A configuration with the console's default idle timeout. */
    public ServerConfig(String host, int port, Path dataDir, String storeUrl, String storeUser, String storePassword,
            String region, int maxBodyBytes, Duration maxClockSkew, int threads, Path masterKeyFile, Engine engine,
            java.util.Map<String, Path> s3Buckets, Audit audit, boolean allowAnyPath,
            io.cleanroom.core.service.Quotas quotas, Transport transport) {
        this(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes, maxClockSkew, threads,
                masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport, null);
    }

    /** The web console signs a browser out after this long unused. */
    public ServerConfig withConsoleIdleTimeout(Duration idle) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport, idle);
    }

    /** A configuration with AWS's default quotas for the region and the default transport (plain HTTP). */
    public ServerConfig(String host, int port, Path dataDir, String storeUrl, String storeUser, String storePassword,
            String region, int maxBodyBytes, Duration maxClockSkew, int threads, Path masterKeyFile, Engine engine,
            java.util.Map<String, Path> s3Buckets, Audit audit, boolean allowAnyPath) {
        this(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes, maxClockSkew, threads,
                masterKeyFile, engine, s3Buckets, audit, allowAnyPath, null, Transport.DEFAULTS, null);
    }

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8080, Path.of("cleanroom-data"), null, null, null, "us-east-1",
                2 * 1024 * 1024, Duration.ofMinutes(15), 16, null, Engine.DEFAULTS, java.util.Map.of(), Audit.DEFAULTS,
                false, null, Transport.DEFAULTS, null);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    public ServerConfig withDataDir(Path newDataDir) {
        return new ServerConfig(host, port, newDataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    public ServerConfig withStore(String url, String user, String password) {
        return new ServerConfig(host, port, dataDir, url, user, password, region, maxBodyBytes, maxClockSkew,
                threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport, consoleIdleTimeout);
    }

    public ServerConfig withHost(String newHost) {
        return new ServerConfig(newHost, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    public ServerConfig withRegion(String newRegion) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, newRegion, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    public ServerConfig withMaxBodyBytes(int bytes) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, bytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    public ServerConfig withEngine(Engine newEngine) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, newEngine, s3Buckets, audit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    /** S3-style result output: each bucket name maps to a local directory. */
    public ServerConfig withS3Buckets(java.util.Map<String, Path> buckets) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, buckets, audit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    public ServerConfig withAudit(Audit newAudit) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, newAudit, allowAnyPath, quotas, transport,
                consoleIdleTimeout);
    }

    /** Development only: accounts without data roots may use any path the server can read. */
    public ServerConfig withAllowAnyPath(boolean allow) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allow, quotas, transport,
                consoleIdleTimeout);
    }

    /** The quotas the server enforces (see {@link io.cleanroom.core.service.Quota}). */
    public ServerConfig withQuotas(io.cleanroom.core.service.Quotas newQuotas) {
        return new ServerConfig(host, port, dataDir, storeUrl, storeUser, storePassword, region, maxBodyBytes,
                maxClockSkew, threads, masterKeyFile, engine, s3Buckets, audit, allowAnyPath, newQuotas, transport,
                consoleIdleTimeout);
    }

    public Path effectiveMasterKeyFile() {
        return masterKeyFile != null ? masterKeyFile : dataDir.resolve("master.key");
    }

    public Path operatorCredentialsFile() {
        return dataDir.resolve("operator-credentials.json");
    }
}
