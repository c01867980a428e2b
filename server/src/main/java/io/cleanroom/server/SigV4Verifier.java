package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.service.AccountService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Verifies AWS Signature Version 4 on a request: parses the credential scope and the signed-header
 * list from the Authorization header, rebuilds the request from its method, Host, raw path, query
 * and exactly the signed headers, signs it with the key's secret at the request's own X-Amz-Date
 * using the SDK's signer, and compares the signatures in constant time. The clock skew is bounded.
 */
final class SigV4Verifier {
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "^AWS4-HMAC-SHA256\\s+Credential=([^/\\s,]+)/(\\d{8})/([^/\\s,]+)/([^/\\s,]+)/aws4_request,\\s*"
                    + "SignedHeaders=([a-z0-9;_.-]+),\\s*Signature=([0-9a-f]{64})\\s*$");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Function<String, Optional<AccountService.Credential>> credentials;
    private final Clock clock;
    private final Duration maxSkew;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    SigV4Verifier(Function<String, Optional<AccountService.Credential>> credentials, Clock clock, Duration maxSkew) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.maxSkew = requireNonNull(maxSkew, "maxSkew is null");
    }

    /** Returns the verified credential, or throws AccessDenied saying what is wrong. */
    AccountService.Credential verify(HttpRequest request, String expectedService) {
        String authorization = request.header("authorization").orElseThrow(() -> CleanroomException.accessDenied(
                "Missing Authentication Token: sign requests with AWS Signature Version 4"));
        Matcher m = AUTHORIZATION.matcher(authorization.trim());
        if (!m.matches()) {
            throw CleanroomException.accessDenied(
                    "Authorization header is not a valid AWS4-HMAC-SHA256 signature (Credential, SignedHeaders, Signature)");
        }
        String accessKeyId = m.group(1);
        String scopeDate = m.group(2);
        String region = m.group(3);
        String service = m.group(4);
        List<String> signedHeaders = List.of(m.group(5).split(";"));
        String signature = m.group(6);
        if (!service.equals(expectedService)) {
            throw CleanroomException.accessDenied(
                    "Credential should be scoped to correct service: '" + expectedService + "'");
        }
        if (!signedHeaders.contains("host")) {
            throw CleanroomException.accessDenied("The host header must be signed");
        }
        String amzDate = request.header("x-amz-date").orElseThrow(() -> CleanroomException.accessDenied(
                "Missing X-Amz-Date header; signed requests must carry it"));
        if (!signedHeaders.contains("x-amz-date")) {
            throw CleanroomException.accessDenied("The x-amz-date header must be signed");
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            throw CleanroomException.accessDenied("X-Amz-Date is not in the format yyyyMMdd'T'HHmmss'Z'");
        }
        if (!amzDate.startsWith(scopeDate)) {
            throw CleanroomException.accessDenied("The credential scope date does not match X-Amz-Date");
        }
        Duration skew = Duration.between(signedAt, clock.instant()).abs();
        if (skew.compareTo(maxSkew) > 0) {
            throw CleanroomException.accessDenied("Signature expired: the request was signed at " + amzDate
                    + ", more than " + maxSkew.toMinutes() + " minutes from the server's time");
        }
        AccountService.Credential credential = credentials.apply(accessKeyId).orElseThrow(() ->
                CleanroomException.accessDenied("The security token included in the request is invalid: access key "
                        + accessKeyId + " is unknown or disabled"));
        String expected = sign(request, signedHeaders, credential, region, service, signedAt);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            throw CleanroomException.accessDenied("The request signature we calculated does not match the signature"
                    + " you provided. Check your secret access key and signing method.");
        }
        return credential;
    }

    private String sign(HttpRequest request, List<String> signedHeaders, AccountService.Credential credential,
            String region, String service, Instant signedAt) {
        String hostHeader = request.header("host").orElseThrow(() ->
                CleanroomException.accessDenied("Missing Host header"));
        String host = hostHeader;
        int port = 80;
        int colon = hostHeader.lastIndexOf(':');
        if (colon > 0 && hostHeader.indexOf(']') < colon) {
            host = hostHeader.substring(0, colon);
            try {
                port = Integer.parseInt(hostHeader.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw CleanroomException.accessDenied("Host header has an invalid port");
            }
        }
        SdkHttpMethod method;
        try {
            method = SdkHttpMethod.fromValue(request.method());
        } catch (IllegalArgumentException e) {
            throw CleanroomException.accessDenied("Unsupported HTTP method");
        }
        SdkHttpFullRequest.Builder builder = SdkHttpFullRequest.builder()
                .method(method)
                .protocol("http")
                .host(host)
                .port(port)
                .encodedPath(request.rawPath());
        for (Map.Entry<String, List<String>> q : request.queryParameters().entrySet()) {
            for (String value : q.getValue()) {
                builder.appendRawQueryParameter(q.getKey(), value);
            }
        }
        for (String name : signedHeaders) {
            if (name.equals("host")) {
                continue;
            }
            List<String> values = request.headers().get(name.toLowerCase(Locale.ROOT));
            if (values == null) {
                throw CleanroomException.accessDenied("Signed header " + name + " is missing from the request");
            }
            builder.putHeader(name, values);
        }
        SignedRequest signed = signer.sign(r -> r
                .identity(AwsCredentialsIdentity.create(credential.key().accessKeyId(), credential.secret()))
                .request(builder.build())
                .payload(ContentStreamProvider.fromByteArray(request.body()))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
        String authorization = signed.request().firstMatchingHeader("Authorization").orElse("");
        int at = authorization.lastIndexOf("Signature=");
        return at < 0 ? "" : authorization.substring(at + "Signature=".length()).trim();
    }
}
