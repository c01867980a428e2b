package io.cleanroom.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * A small SigV4-signing JSON client for Cleanroom's own endpoints (the admin API) and for generic
 * calls by operation path, used by the CLI and the tests. Signs with the SDK's AwsV4HttpSigner.
 */
public final class SignedHttpClient {
    private final URI endpoint;
    private final String accessKeyId;
    private final String secretAccessKey;
    private final String region;
    private final Clock clock;
    private final HttpClient http;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    public SignedHttpClient(URI endpoint, String accessKeyId, String secretAccessKey, String region, Clock clock) {
        this(endpoint, accessKeyId, secretAccessKey, region, clock, null);
    }

    /** Over HTTPS, trusting what tls trusts (null: the JDK's default trust store). */
    public SignedHttpClient(URI endpoint, String accessKeyId, String secretAccessKey, String region, Clock clock,
            javax.net.ssl.SSLContext tls) {
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.accessKeyId = requireNonNull(accessKeyId, "accessKeyId is null");
        this.secretAccessKey = requireNonNull(secretAccessKey, "secretAccessKey is null");
        this.region = requireNonNull(region, "region is null");
        this.clock = requireNonNull(clock, "clock is null");
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /**
     * A TLS context that trusts exactly the certificates of a PEM bundle (as the AWS CLI's
     * --ca-bundle does): for example a development server's dataDir/tls/ca.pem.
     */
    public static javax.net.ssl.SSLContext trusting(java.nio.file.Path caBundle) throws IOException {
        return trusting(java.util.List.of(caBundle), false);
    }

    /**
     * A TLS context that trusts the certificates of the PEM bundles and, if asked, the JDK's
     * default trust store as well.
     */
    public static javax.net.ssl.SSLContext trusting(java.util.List<java.nio.file.Path> caBundles, boolean jdkDefaults)
            throws IOException {
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (java.nio.file.Path bundle : caBundles) {
                int before = i;
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(bundle)) {
                    for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificates(in)) {
                        trust.setCertificateEntry("ca-" + i++, c);
                    }
                }
                if (i == before) {
                    throw new IOException("no certificate in " + bundle);
                }
            }
            if (jdkDefaults) {
                javax.net.ssl.TrustManagerFactory defaults = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                defaults.init((java.security.KeyStore) null);
                for (javax.net.ssl.TrustManager manager : defaults.getTrustManagers()) {
                    if (manager instanceof javax.net.ssl.X509TrustManager x509) {
                        for (java.security.cert.X509Certificate c : x509.getAcceptedIssuers()) {
                            trust.setCertificateEntry("ca-" + i++, c);
                        }
                    }
                }
            }
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot trust the certificates in " + caBundles + ": " + e.getMessage(), e);
        }
    }

    /** A response: status, the x-amzn-ErrorType header (or null) and the body text. */
    public record Response(int status, String errorType, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Sends a signed request. encodedPath must already be percent-encoded; query values are raw
     * and encoded here; headers are added and signed (e.g. X-Amz-Target).
     */
    public Response send(String method, String encodedPath, Map<String, List<String>> query,
            Map<String, String> headers, String body, String signingName) throws IOException, InterruptedException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        SdkHttpFullRequest.Builder builder = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.fromValue(method))
                .uri(endpoint)
                .encodedPath(encodedPath);
        query.forEach((name, values) -> values.forEach(v -> builder.appendRawQueryParameter(name, v)));
        headers.forEach(builder::putHeader);
        if (body != null) {
            builder.putHeader("Content-Type", headers.getOrDefault("Content-Type", "application/json"));
        }
        SignedRequest signed = signer.sign(r -> r
                .identity(AwsCredentialsIdentity.create(accessKeyId, secretAccessKey))
                .request(builder.build())
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, signingName)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(signed.request().getUri())
                .timeout(Duration.ofMinutes(5))
                .method(method, bytes.length == 0 && body == null ? BodyPublishers.noBody()
                        : BodyPublishers.ofByteArray(bytes));
        signed.request().forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        java.net.http.HttpResponse<String> response = http.send(request.build(),
                BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(response.statusCode(), response.headers().firstValue("x-amzn-ErrorType").orElse(null),
                response.body());
    }
}
