package io.cleanroom.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AccessKey;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.server.wire.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** Signs requests with the SDK's signer (as a client does) and checks what the verifier accepts. */
class SigV4VerifierTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String KEY = "CRAKAAAAAAAAAAAAAAAA";
    private static final String SECRET = "s3cr3t/s3cr3t/s3cr3t/s3cr3t/s3cr3t/abcde";

    private final SigV4Verifier verifier = new SigV4Verifier(id -> id.equals(KEY)
            ? Optional.of(new AccountService.Credential(new AccessKey(KEY, new AccountId("111111111111"),
                    Role.ADMINISTRATOR, true, "sealed", NOW), SECRET))
            : Optional.empty(), Clock.fixed(NOW, ZoneOffset.UTC), "us-east-1", Duration.ofMinutes(15));

    private static HttpRequest signed(String method, String path, String query, String body, Instant at,
            String service, String secret) {
        SdkHttpFullRequest.Builder builder = SdkHttpFullRequest.builder().method(SdkHttpMethod.fromValue(method))
                .protocol("http").host("127.0.0.1").port(8080).encodedPath(path)
                .putHeader("Content-Type", "application/json");
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                builder.appendRawQueryParameter(HttpRequest.decode(kv[0]), HttpRequest.decode(kv[1]));
            }
        }
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(KEY, secret))
                .request(builder.build())
                .payload(ContentStreamProvider.fromByteArray(body.getBytes(StandardCharsets.UTF_8)))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
        Map<String, List<String>> headers = new HashMap<>();
        signed.request().forEachHeader((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                new ArrayList<>(values)));
        headers.put("host", List.of("127.0.0.1:8080"));
        return new HttpRequest(method, path, query, headers, body.getBytes(StandardCharsets.UTF_8), "127.0.0.1");
    }

    private static HttpRequest signed(String body) {
        return signed("POST", "/collaborations", null, body, NOW, "cleanrooms", SECRET);
    }

    private String denial(HttpRequest request) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> verifier.verify(request, "cleanrooms"));
        assertThat(e).as("expected a denial").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        return e.getMessage();
    }

    private static HttpRequest with(HttpRequest r, String header, String value) {
        Map<String, List<String>> headers = new HashMap<>(r.headers());
        headers.put(header, List.of(value));
        return new HttpRequest(r.method(), r.rawPath(), r.rawQuery(), headers, r.body(), r.sourceAddress());
    }

    @Test
    void acceptsWhatTheSdkSigned() {
        assertThat(verifier.verify(signed("{\"name\":\"x\"}"), "cleanrooms").key().accessKeyId()).isEqualTo(KEY);
        HttpRequest withQuery = signed("GET", "/tags/arn%3Aaws%3Acleanrooms%3Aus-east-1%3A111111111111%3Acollaboration%2Fx",
                "tagKeys=a&tagKeys=b%20c", "", NOW, "cleanrooms", SECRET);
        assertThat(verifier.verify(withQuery, "cleanrooms")).isNotNull();
    }

    /** Requests exactly as boto3/botocore (so the AWS CLI) sent them: no x-amz-content-sha256, percent-encoded ARNs. */
    @Test
    void acceptsWhatBotocoreSigned() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(getClass().getResource("/sigv4-clients").toURI());
        List<java.nio.file.Path> captures;
        try (var files = java.nio.file.Files.list(dir)) {
            captures = files.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(captures).isNotEmpty();
        for (java.nio.file.Path capture : captures) {
            String text = java.nio.file.Files.readString(capture);
            int end = text.indexOf("\n\n");
            String[] lines = text.substring(0, end).split("\n");
            String method = lines[0].substring(0, lines[0].indexOf(' '));
            String target = lines[0].substring(method.length() + 1, lines[0].lastIndexOf(' '));
            Map<String, List<String>> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1));
            }
            int q = target.indexOf('?');
            HttpRequest request = new HttpRequest(method, q < 0 ? target : target.substring(0, q),
                    q < 0 ? null : target.substring(q + 1), headers,
                    text.substring(end + 2).getBytes(StandardCharsets.UTF_8), "127.0.0.1");
            Instant at = Instant.from(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                    .withZone(ZoneOffset.UTC).parse(headers.get("x-amz-date").get(0)));
            String key = "CRAKEXAMPLEBOTOCORE1";
            SigV4Verifier atCaptureTime = new SigV4Verifier(id -> id.equals(key)
                    ? Optional.of(new AccountService.Credential(new AccessKey(key, new AccountId("111111111111"),
                            Role.ADMINISTRATOR, true, "sealed", at), "botocore/example/secret/0123456789abcdefghij"))
                    : Optional.empty(), Clock.fixed(at, ZoneOffset.UTC), "us-east-1", Duration.ofMinutes(15));
            String service = capture.getFileName().toString().contains("glue") ? "glue" : "cleanrooms";
            assertThat(atCaptureTime.verify(request, service).key().accessKeyId()).as(capture.toString())
                    .isEqualTo(key);
        }
    }

    @Test
    void rejectsTamperedBodyPathQueryAndSignedHeaders() {
        HttpRequest good = signed("{\"name\":\"x\"}");
        HttpRequest body = new HttpRequest(good.method(), good.rawPath(), null, good.headers(),
                "{\"name\":\"y\"}".getBytes(StandardCharsets.UTF_8), null);
        assertThat(denial(body)).contains("does not match");
        HttpRequest path = new HttpRequest(good.method(), "/memberships", null, good.headers(), good.body(), null);
        assertThat(denial(path)).contains("does not match");
        HttpRequest query = new HttpRequest(good.method(), good.rawPath(), "maxResults=1", good.headers(),
                good.body(), null);
        assertThat(denial(query)).contains("does not match");
        assertThat(denial(with(good, "x-amz-date", "20261125T120001Z"))).contains("does not match");
        assertThat(denial(with(good, "host", "example.com:8080"))).contains("does not match");
    }

    @Test
    void unsignedHeadersMayChange() {
        assertThat(verifier.verify(with(signed("{}"), "user-agent", "something else"), "cleanrooms")).isNotNull();
    }

    @Test
    void rejectsWrongSecretUnknownKeyServiceAndStaleDates() {
        assertThat(denial(signed("POST", "/collaborations", null, "{}", NOW, "cleanrooms", SECRET + "x")))
                .contains("does not match");
        assertThat(denial(signed("POST", "/collaborations", null, "{}", NOW, "glue", SECRET)))
                .contains("'cleanrooms'");
        assertThat(denial(signed("POST", "/collaborations", null, "{}", NOW.minus(Duration.ofMinutes(16)),
                "cleanrooms", SECRET))).contains("Signature expired");
        assertThat(denial(signed("POST", "/collaborations", null, "{}", NOW.plus(Duration.ofMinutes(16)),
                "cleanrooms", SECRET))).contains("Signature expired");
        HttpRequest good = signed("{}");
        String otherKey = good.header("authorization").orElseThrow().replace(KEY, "CRAKBBBBBBBBBBBBBBBB");
        assertThat(denial(with(good, "authorization", otherKey))).contains("unknown or disabled");
    }

    @Test
    void rejectsMissingOrMalformedAuthorization() {
        HttpRequest good = signed("{}");
        Map<String, List<String>> headers = new HashMap<>(good.headers());
        headers.remove("authorization");
        assertThat(denial(new HttpRequest("POST", "/collaborations", null, headers, good.body(), null)))
                .contains("Missing Authentication Token");
        assertThat(denial(with(good, "authorization", "Basic dXNlcjpwYXNz"))).contains("not a valid");
        String noHost = good.header("authorization").orElseThrow().replaceFirst("SignedHeaders=[^,]+",
                "SignedHeaders=x-amz-date");
        assertThat(denial(with(good, "authorization", noHost))).contains("host header must be signed");
    }
}
