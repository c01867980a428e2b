package io.cleanroom.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.admin.AdminApi;
import io.cleanroom.server.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * A real server for integration tests, on SQLite in a temporary directory or on the PostgreSQL
 * server named by CLEANROOM_TEST_POSTGRES_URL (wiped first), with helpers to create accounts
 * through the admin API and SDK clients for them.
 */
final class TestCluster implements AutoCloseable {
    enum StoreKind { SQLITE, POSTGRES }

    final Path dataDir;
    final StoreKind kind;
    CleanroomServer server;
    private ServerConfig config;

    private TestCluster(Path dataDir, StoreKind kind, ServerConfig config) {
        this.dataDir = dataDir;
        this.kind = kind;
        this.config = config;
    }

    static String postgresUrl() {
        String url = System.getenv("CLEANROOM_TEST_POSTGRES_URL");
        if (url == null || url.isBlank()) {
            url = System.getProperty("cleanroom.test.postgres.url");
        }
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("The PostgreSQL suite needs a server: set CLEANROOM_TEST_POSTGRES_URL "
                    + "(scripts/pg-test-server start target/pg prints one), or run .ci/run");
        }
        return url;
    }

    static TestCluster start(StoreKind kind) throws Exception {
        return start(kind, c -> c);
    }

    /**
     * A server on HTTPS with its development certificate; clients made here trust it, and other
     * clients trust {@link #caBundle()} (the AWS CLI's --ca-bundle, boto3's AWS_CA_BUNDLE, Node's
     * NODE_EXTRA_CA_CERTS).
     */
    static TestCluster startTls(StoreKind kind) throws Exception {
        return start(kind, c -> c.withTls(ServerConfig.Tls.development()));
    }

    static TestCluster start(StoreKind kind, java.util.function.UnaryOperator<ServerConfig> customise)
            throws Exception {
        Path dir = Files.createTempDirectory("cleanroom-it");
        ServerConfig config = customise.apply(ServerConfig.defaults().withPort(0).withDataDir(dir));
        if (kind == StoreKind.POSTGRES) {
            String url = postgresUrl();
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS public CASCADE");
                s.execute("CREATE SCHEMA public");
            }
            config = config.withStore(url, null, null);
        }
        TestCluster cluster = new TestCluster(dir, kind, config);
        cluster.server = CleanroomServer.start(config);
        return cluster;
    }

    /** Stops the server (as a crash would leave it: nothing flushed beyond what was committed). */
    void stop() {
        server.close();
    }

    void restart() {
        server = CleanroomServer.start(config.withPort(server.port()));
    }

    /** Stops the server and starts it again, on the same port and data, with a changed configuration. */
    void restart(java.util.function.UnaryOperator<ServerConfig> change) {
        int port = server.port();
        server.close();
        config = change.apply(config);
        server = CleanroomServer.start(config.withPort(port));
    }

    URI endpoint() {
        return URI.create(server.endpoint());
    }

    /** The PEM file clients trust when the server serves its development certificate. */
    Path caBundle() {
        return server.caBundle().orElseThrow(() -> new IllegalStateException("the server does not serve a "
                + "development certificate: start it with startTls"));
    }

    /** Trust for this server's certificate, or null on plain HTTP. */
    javax.net.ssl.SSLContext tls() throws IOException {
        return server.caBundle().isPresent() ? SignedHttpClient.trusting(caBundle()) : null;
    }

    /** The SDK's HTTP client, trusting this server's development certificate when it has one. */
    software.amazon.awssdk.http.SdkHttpClient http() {
        if (server.caBundle().isEmpty()) {
            return ApacheHttpClient.create();
        }
        try (java.io.InputStream in = Files.newInputStream(caBundle())) {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            return ApacheHttpClient.builder().tlsTrustManagersProvider(factory::getTrustManagers).build();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode operatorCredentials() throws IOException {
        return Json.MAPPER.readTree(dataDir.resolve("operator-credentials.json").toFile());
    }

    SignedHttpClient operator() throws IOException {
        JsonNode creds = operatorCredentials();
        return new SignedHttpClient(endpoint(), creds.get("accessKeyId").asText(),
                creds.get("secretAccessKey").asText(), "us-east-1", Clock.systemUTC(), tls());
    }

    /** An account's id and key, as printed by create-account. */
    record Keys(String accountId, String accessKeyId, String secretAccessKey) {
    }

    SignedHttpClient.Response admin(String method, String path, String body) throws Exception {
        return operator().send(method, path, Map.of(), Map.of(), body, AdminApi.SIGNING_NAME);
    }

    /** The directory granted to an account as its data root by {@link #createAccount}: files/ACCOUNT. */
    Path dataRoot(String accountId) throws IOException {
        return Files.createDirectories(dataDir.resolve("files").resolve(accountId)).toRealPath();
    }

    /** An account confined to its own data root, {@link #dataRoot}. */
    Keys createAccount(String accountId, String name) throws Exception {
        return createAccount(accountId, name, List.of(dataRoot(accountId)));
    }

    Keys createAccount(String accountId, String name, List<Path> dataRoots) throws Exception {
        StringBuilder roots = new StringBuilder();
        for (Path root : dataRoots) {
            roots.append(roots.length() == 0 ? "" : ",").append(Json.MAPPER.writeValueAsString(root.toString()));
        }
        SignedHttpClient.Response r = admin("POST", "/admin/accounts",
                "{\"accountId\":\"" + accountId + "\",\"name\":\"" + name + "\",\"dataRoots\":[" + roots + "]}");
        if (!r.ok()) {
            throw new IllegalStateException("create account failed: " + r);
        }
        JsonNode json = Json.MAPPER.readTree(r.body());
        return new Keys(accountId, json.get("accessKeyId").asText(), json.get("secretAccessKey").asText());
    }

    Keys createKey(String accountId, String role) throws Exception {
        SignedHttpClient.Response r = admin("POST", "/admin/accounts/" + accountId + "/keys",
                "{\"role\":\"" + role + "\"}");
        if (!r.ok()) {
            throw new IllegalStateException("create key failed: " + r);
        }
        JsonNode json = Json.MAPPER.readTree(r.body());
        return new Keys(accountId, json.get("accessKeyId").asText(), json.get("secretAccessKey").asText());
    }

    CleanRoomsClient cleanRooms(Keys keys) {
        return CleanRoomsClient.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .httpClient(http())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey())))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    software.amazon.awssdk.services.cloudtrail.CloudTrailClient cloudTrail(Keys keys) {
        return software.amazon.awssdk.services.cloudtrail.CloudTrailClient.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .httpClient(http())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey())))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    GlueClient glue(Keys keys) {
        return GlueClient.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .httpClient(http())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(keys.accessKeyId(), keys.secretAccessKey())))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** Writes a CSV file under the data directory, in no account's data root, and returns its real path. */
    Path csv(String name, List<String> lines) throws IOException {
        Path file = dataDir.resolve("files").resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        return file.toRealPath();
    }

    /** Writes a CSV file in the account's data root and returns its real path. */
    Path csv(Keys owner, String name, List<String> lines) throws IOException {
        Path file = dataRoot(owner.accountId()).resolve(name);
        Files.write(file, lines);
        return file.toRealPath();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
