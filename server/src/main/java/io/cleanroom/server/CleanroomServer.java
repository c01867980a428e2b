package io.cleanroom.server;

import io.cleanroom.engine.spi.QueryEngine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.server.admin.AdminApi;
import io.cleanroom.server.admin.AuditKeeper;
import io.cleanroom.server.auth.SigV4Verifier;
import io.cleanroom.server.cleanrooms.AnalysisTemplatesApi;
import io.cleanroom.server.cleanrooms.AssociationsApi;
import io.cleanroom.server.cleanrooms.CollaborationsApi;
import io.cleanroom.server.cleanrooms.ConfiguredTablesApi;
import io.cleanroom.server.cleanrooms.MembershipsApi;
import io.cleanroom.server.cleanrooms.PrivacyBudgetsApi;
import io.cleanroom.server.cleanrooms.ProtectedQueriesApi;
import io.cleanroom.server.cleanrooms.SchemasApi;
import io.cleanroom.server.cleanrooms.TagsApi;
import io.cleanroom.server.cleanrooms.Render;
import io.cleanroom.server.cloudtrail.CloudTrailApi;
import io.cleanroom.server.glue.GlueApi;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Router;
import java.util.Map;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.core.service.AssociationService;
import io.cleanroom.core.service.CatalogService;
import io.cleanroom.core.service.CollaborationService;
import io.cleanroom.core.service.ConfiguredTableService;
import io.cleanroom.core.service.MembershipService;
import io.cleanroom.core.service.PageTokens;
import io.cleanroom.core.service.PrivacyBudgetService;
import io.cleanroom.core.service.SchemaService;
import io.cleanroom.core.service.ServiceContext;
import io.cleanroom.core.service.TagService;
import io.cleanroom.core.service.TemplateService;
import io.cleanroom.query.Engines;
import io.cleanroom.query.LocalTableInspector;
import io.cleanroom.server.console.Backend;
import io.cleanroom.server.console.Console;
import io.cleanroom.query.SourceTableInspector;
import io.cleanroom.query.Sources;
import io.cleanroom.core.service.ConnectionService;
import io.cleanroom.query.NativeFiles;
import io.cleanroom.query.ProtectedQueries;
import io.cleanroom.query.QueryControl;
import io.cleanroom.query.ResultStore;
import io.cleanroom.query.S3Outputs;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.store.JdbcStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: opens the store, builds the services and APIs, and serves HTTP. */
public final class CleanroomServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CleanroomServer.class);

    /** Printed at start when any path is allowed. */
    public static final String ANY_PATH_WARNING = "WARNING: --allow-any-path is on: accounts without data roots can "
            + "register and query ANY file this server can read, including other members' data and the server's own "
            + "files. Use it only on your own machine for development; never on a shared server.";

    /** Printed at start when plain HTTP is served on an address other than loopback. */
    public static final String PLAIN_HTTP_WARNING = "WARNING: serving plain HTTP on %s, which is not a loopback "
            + "address: query results, SQL and table metadata cross the network unencrypted. Serve HTTPS "
            + "(--tls-cert/--tls-key, --tls-keystore or --tls-self-signed) or put the server behind a TLS-terminating "
            + "proxy on the same machine; --require-tls refuses to start like this.";

    private final HttpTransport http;
    private final JdbcStore store;
    private final ServerConfig config;
    private final ProtectedQueries queries;

    private final java.util.concurrent.ScheduledExecutorService auditTimer;

    private final TlsMaterial tls;

    private final Engines engines;

    private CleanroomServer(HttpTransport http, TlsMaterial tls, JdbcStore store, ServerConfig config,
            ProtectedQueries queries, Engines engines, java.util.concurrent.ScheduledExecutorService auditTimer) {
        this.engines = engines;
        this.auditTimer = auditTimer;
        this.http = http;
        this.tls = tls;
        this.store = store;
        this.config = config;
        this.queries = queries;
    }

    public static CleanroomServer start(ServerConfig config) {
        requireNonNull(config, "config is null");
        try {
            Files.createDirectories(config.dataDir());
            try {
                Files.setPosixFilePermissions(config.dataDir(),
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
        } catch (IOException e) {
            throw CleanroomException.internal("cannot create data directory " + config.dataDir(), e);
        }
        // the transport is settled first: a refusal or an unreadable certificate opens nothing
        ServerConfig.Transport transport = config.transport();
        if (transport.tls() == null && !isLoopback(config.host())) {
            if (transport.requireTls()) {
                throw CleanroomException.invalidConfiguration("refusing to serve plain HTTP on " + config.host()
                        + ", which is not a loopback address (--require-tls): give a certificate, or listen on "
                        + "127.0.0.1 behind a TLS-terminating proxy");
            }
            LOG.warn(String.format(PLAIN_HTTP_WARNING, config.host()));
        }
        TlsMaterial tls = transport.tls() == null ? null
                : TlsMaterial.load(transport.tls(), config.dataDir(), config.host());
        JdbcStore store = config.storeUrl() == null
                ? JdbcStore.sqlite(config.dataDir())
                : JdbcStore.open(config.storeUrl(), config.storeUser(), config.storePassword());
        Engines engines = null;
        try {
            Clock clock = Clock.systemUTC();
            AesSecretSealer sealer = AesSecretSealer.fromFile(config.effectiveMasterKeyFile());
            PageTokens pages = new PageTokens(sealer.derive("page-tokens"));
            ServiceContext context = new ServiceContext(store, clock, new Arns(config.region()), config.quotas(),
                    pages);
            AccountService accounts = new AccountService(context, sealer);
            accounts.bootstrapOperator().ifPresent(key -> writeOperatorCredentials(config, key));

            ServerConfig.Engine engineConfig = config.engine();
            ServerConfig.Backends backends = engineConfig.backends();
            // the engines start here, once per server (Spark: its session, in a process of its own, in the background)
            engines = Engines.start(backends.defaultName(), backends.running(), backends.settings());
            QueryEngine abilities = engines.abilities();
            // the Clean Rooms API, one resource class per resource group
            Router cleanRooms = new Router();
            Render render = new Render(context.arns());
            SchemaService schemas = new SchemaService(context);
            TemplateService templates = new TemplateService(context);
            new CollaborationsApi(new CollaborationService(context), render, context.quotas(), engines.names()).register(cleanRooms);
            new MembershipsApi(new MembershipService(context), render).register(cleanRooms);
            new ConfiguredTablesApi(new ConfiguredTableService(context), render, context.quotas()).register(cleanRooms);
            new AssociationsApi(new AssociationService(context), render, context.quotas()).register(cleanRooms);
            new SchemasApi(schemas, render).register(cleanRooms);
            new AnalysisTemplatesApi(templates, render).register(cleanRooms);
            new PrivacyBudgetsApi(new PrivacyBudgetService(context), render).register(cleanRooms);
            new TagsApi(new TagService(context), engines.names()).register(cleanRooms);
            QueryControl control = new QueryControl(schemas);
            ConnectionService connections = new ConnectionService(context, sealer);
            // what queries read from S3 or PostgreSQL is staged here, per query, and deleted after it
            Sources sources = new Sources(connections, new Sources.Settings(config.dataDir().resolve("staging"),
                    io.cleanroom.sources.S3Storage.Timeouts.defaults(), engineConfig.timeout(), 100_000));
            ProtectedQueries queries = new ProtectedQueries(context, schemas, templates, control,
                    engines, new ResultStore(config.dataDir().resolve("results"), sealer),
                    new S3Outputs(config.s3Buckets(), abilities::csvToParquet, sources), sources,
                    new ProtectedQueries.Settings(engineConfig.workers(), engineConfig.timeout(),
                            engineConfig.maxResultRows(), config.allowAnyPath(), engineConfig.memoryBytes(),
                            engineConfig.threads()));
            queries.recover();
            new ProtectedQueriesApi(control, queries, context.arns(), pages).register(cleanRooms);
            Router admin = new Router();
            AuditKeeper keeper = AuditKeeper.open(store, clock, config.dataDir());
            new AdminApi(accounts, store, keeper, connections).register(admin);
            GlueApi glue = new GlueApi(new CatalogService(context, new SourceTableInspector(
                    new LocalTableInspector(config.allowAnyPath(), abilities), sources), connections), connections);
            SigV4Verifier verifier = new SigV4Verifier(accounts::credential, clock, config.region(),
                    config.maxClockSkew());

            Front front = new Front(cleanRooms, admin, glue,
                    new CloudTrailApi(new io.cleanroom.core.audit.AuditService(store, pages)), verifier, store);
            Console console = new Console(consoleBackend(front, accounts), Console.Settings.defaults(config.region(),
                    config.quotas()).withIdleTimeout(config.consoleIdleTimeout()));
            HttpTransport http = HttpTransport.start(config.host(), config.port(), transport, tls, config.threads(),
                    config.maxBodyBytes(), front, console);
            warmUpQueryControl();
            if (config.allowAnyPath()) {
                LOG.warn(ANY_PATH_WARNING);
            }
            if (!NativeFiles.available()) {
                LOG.warn("Protected queries and column inference will be refused: {}. Cleanroom reads table data "
                        + "only where it can pin the files it checked (Linux with /proc)",
                        NativeFiles.unavailableReason());
            }
            if (tls != null) {
                logCertificate(tls);
            }
            LOG.info("Cleanroom serving on {}://{}:{} (data in {}, store {}, engines {}, by default {})",
                    tls == null ? "http" : "https", config.host(), http.port(), config.dataDir().toAbsolutePath(),
                    config.storeUrl() == null ? "SQLite" : "PostgreSQL", engines.names(), engines.defaultName());
            LOG.info("Web console: {}://{}:{}{}", tls == null ? "http" : "https", config.host().contains(":")
                    ? "[" + config.host() + "]" : config.host(), http.port(), Console.PREFIX);
            return new CleanroomServer(http, tls, store, config, queries, engines, keepAudit(keeper, config.audit()));
        } catch (IOException e) {
            if (engines != null) {
                engines.close();
            }
            store.close();
            throw CleanroomException.internal("cannot listen on " + config.host() + ":" + config.port()
                    + " (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            if (engines != null) {
                engines.close();
            }
            store.close();
            throw e;
        }
    }

    /**
     * What the web console calls: the front door, serving each call as a signed request is served
     * for the caller the console's session authenticated, and the account service's key lookup.
     */
    private static Backend consoleBackend(Front front, AccountService accounts) {
        return new Backend() {
            @Override
            public io.cleanroom.server.wire.Reply call(io.cleanroom.core.service.Caller caller,
                    io.cleanroom.server.wire.HttpRequest request) {
                return front.callAs(caller, request);
            }

            @Override
            public java.util.Optional<AccountService.Credential> credential(String accessKeyId) {
                return accounts.credential(accessKeyId);
            }

            @Override
            public void recordSignIn(String accessKeyId, String account, String sourceAddress, String failure) {
                front.recordSignIn(accessKeyId, account, sourceAddress, failure);
            }
        };
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static void logCertificate(TlsMaterial tls) {
        java.security.cert.X509Certificate certificate = tls.certificate();
        LOG.info("TLS certificate {} valid until {}, SHA-256 fingerprint {}",
                certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().toInstant(),
                TlsMaterial.fingerprint(certificate));
        if (tls.caBundle() != null) {
            LOG.info("Development certificate: clients trust the authority in {} (SHA-256 fingerprint {}), e.g. "
                    + "AWS_CA_BUNDLE={} or NODE_EXTRA_CA_CERTS={}", tls.caBundle().toAbsolutePath(),
                    fingerprintOf(tls.caBundle()), tls.caBundle().toAbsolutePath(), tls.caBundle().toAbsolutePath());
        }
    }

    /**
     * Signs a digest of the audit chain every digest interval and prunes events past the retention;
     * a failure is logged and retried at the next tick.
     */
    private static java.util.concurrent.ScheduledExecutorService keepAudit(AuditKeeper keeper,
            ServerConfig.Audit audit) {
        java.util.concurrent.ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cleanroom-audit");
            t.setDaemon(true);
            return t;
        });
        if (!audit.digestInterval().isZero() || !audit.retention().isZero()) {
            long millis = audit.digestInterval().isZero() ? TimeUnit.HOURS.toMillis(1)
                    : audit.digestInterval().toMillis();
            timer.scheduleWithFixedDelay(() -> {
                try {
                    if (!audit.retention().isZero()) {
                        keeper.prune(audit.retention());
                    }
                    if (!audit.digestInterval().isZero()) {
                        keeper.digest();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Cannot keep the audit trail this time: {}", e.getMessage());
                }
            }, millis, millis, TimeUnit.MILLISECONDS);
        }
        return timer;
    }

    /** Calcite's first parse and validation take about a second; do them off the request path. */
    private static void warmUpQueryControl() {
        Thread warm = new Thread(QueryChecker::warmUp, "cleanroom-warm-up");
        warm.setDaemon(true);
        warm.start();
    }

    private static void writeOperatorCredentials(ServerConfig config, AccountService.IssuedKey key) {
        Path file = config.operatorCredentialsFile();
        ObjectNode json = Json.object();
        json.put("accessKeyId", key.key().accessKeyId());
        json.put("secretAccessKey", key.secretAccessKey());
        try {
            Files.deleteIfExists(file);
            Files.createFile(file);
            AesSecretSealer.restrict(file);
            Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw CleanroomException.internal("cannot write operator credentials to " + file, e);
        }
        LOG.info("Created the operator's credentials in {} (mode 0600); they are not printed", file);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return http.port();
    }

    public String endpoint() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return (http.secure() ? "https://" : "http://") + host + ":" + port();
    }

    /**
     * The certificate file clients should trust when the server made its own development
     * certificate (dataDir/tls/ca.pem); empty otherwise.
     */
    public java.util.Optional<Path> caBundle() {
        return java.util.Optional.ofNullable(tls == null ? null : tls.caBundle());
    }

    /** The SHA-256 fingerprint of the server's certificate when it serves HTTPS. */
    public java.util.Optional<String> certificateFingerprint() {
        return java.util.Optional.ofNullable(tls == null ? null : TlsMaterial.fingerprint(tls.certificate()));
    }

    /** The SHA-256 fingerprint of the development authority in {@link #caBundle()}, if any. */
    public java.util.Optional<String> caFingerprint() {
        return caBundle().map(CleanroomServer::fingerprintOf);
    }

    private static String fingerprintOf(Path pem) {
        try (java.io.InputStream in = Files.newInputStream(pem)) {
            return TlsMaterial.fingerprint(java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw CleanroomException.internal("cannot read " + pem, e);
        }
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * For tests and benchmarks: the protected queries, whose worker has test seams (what each query
     * read of tables behind a connection, among them).
     */
    public ProtectedQueries queries() {
        return queries;
    }

    /** For tests in this package: the metadata store, to set up states the API cannot reach. */
    io.cleanroom.core.store.Store store() {
        return store;
    }

    @Override
    public void close() {
        http.close();
        auditTimer.shutdownNow();
        queries.close();
        // after the queries: each engine's spare databases go with it
        engines.close();
        store.close();
    }


}
