package io.cleanroom.server.sigv4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the verifier accepts and refuses beyond the suite's canonicalisation cases: requests as
 * botocore (the AWS CLI, boto3) signs them for this API, payload hashes, credential scope, signing
 * time, signed-header rules and the canonical query string's encoding.
 */
class SignatureVerifierTest {
    private static final String KEY = "CRAKAAAAAAAAAAAAAAAA";
    private static final String SECRET = "s3cr3t/s3cr3t/s3cr3t/s3cr3t/s3cr3t/abcde";
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final SignatureVerifier verifier = new SignatureVerifier(Set.of("us-east-1"), Duration.ofMinutes(15));

    private String verify(SignedRequest request, String service, Instant now, String key, String secret) {
        return verifier.verify(request, service, now, id -> id.equals(key) ? Optional.of(id) : Optional.empty(),
                id -> secret);
    }

    private String verify(SignedRequest request) {
        return verify(request, "cleanrooms", NOW, KEY, SECRET);
    }

    private SigV4Exception refusal(SignedRequest request) {
        SigV4Exception e = catchThrowableOfType(SigV4Exception.class, () -> verify(request));
        assertThat(e).as("expected a refusal").isNotNull();
        return e;
    }

    /**
     * Signs a request the way a client does, over the given signed headers (all present in
     * headers), with the body's hash or the given payload hash, scoped as told. Uses the verifier's
     * own canonicalisation, which the suite's cases and the botocore captures pin.
     */
    private static SignedRequest sign(String method, String path, String query, Map<String, List<String>> headers,
            String body, Instant at, String scope, String payloadHash) {
        Map<String, List<String>> all = new LinkedHashMap<>(headers);
        all.putIfAbsent("Host", List.of("127.0.0.1:8080"));
        all.putIfAbsent("X-Amz-Date", List.of(AMZ_DATE.format(at)));
        List<String> signedHeaders = new ArrayList<>();
        all.keySet().forEach(n -> signedHeaders.add(n.toLowerCase(java.util.Locale.ROOT)));
        java.util.Collections.sort(signedHeaders);
        SignedRequest unsigned = new SignedRequest(method, path, query, all, body.getBytes(StandardCharsets.UTF_8));
        String hash = payloadHash != null ? payloadHash
                : Canonical.sha256Hex(body.getBytes(StandardCharsets.UTF_8));
        String canonical = Canonical.request(unsigned, signedHeaders, hash);
        String[] s = scope.split("/");
        String stringToSign = Canonical.stringToSign(AMZ_DATE.format(at), scope, canonical);
        String signature = Canonical.signature(SECRET, s[0], s[1], s[2], s[3], stringToSign);
        all.put("Authorization", List.of("AWS4-HMAC-SHA256 Credential=" + KEY + "/" + scope + ", SignedHeaders="
                + String.join(";", signedHeaders) + ", Signature=" + signature));
        return new SignedRequest(method, path, query, all, body.getBytes(StandardCharsets.UTF_8));
    }

    private static SignedRequest sign(String method, String path, String query, Map<String, List<String>> headers,
            String body) {
        return sign(method, path, query, headers, body, NOW, "20261125/us-east-1/cleanrooms/aws4_request", null);
    }

    private static SignedRequest post(String body) {
        return sign("POST", "/collaborations", null, Map.of("Content-Type", List.of("application/json")), body);
    }

    private static SignedRequest withAuthorization(SignedRequest r, String from, String to) {
        String authorization = r.values("authorization").get(0);
        assertThat(authorization).contains(from);
        return RequestFiles.withHeader(r, "authorization", List.of(authorization.replace(from, to)));
    }

    // ---- botocore, as the AWS CLI and boto3 sign ----

    @Test
    void acceptsRequestsAsBotocoreSignsThem() {
        Path dir = RequestFiles.resource("sigv4-clients");
        List<Path> captures = RequestFiles.children(dir, ".txt");
        assertThat(captures).hasSize(5);
        for (Path capture : captures) {
            SignedRequest request = RequestFiles.parse(RequestFiles.read(capture));
            assertThat(request.values("x-amz-content-sha256")).as("botocore sends no body hash").isEmpty();
            String service = capture.getFileName().toString().contains("glue") ? "glue" : "cleanrooms";
            Instant at = Instant.from(AMZ_DATE.parse(request.values("x-amz-date").get(0)));
            assertThat(verify(request, service, at, "CRAKEXAMPLEBOTOCORE1", "botocore/example/secret/0123456789abcdefghij"))
                    .as(capture.getFileName().toString()).isEqualTo("CRAKEXAMPLEBOTOCORE1");
            SigV4Exception wrong = catchThrowableOfType(SigV4Exception.class, () -> verify(request, service, at,
                    "CRAKEXAMPLEBOTOCORE1", "botocore/example/secret/0123456789abcdefghiJ"));
            assertThat(wrong.kind()).isEqualTo(SigV4Exception.Kind.INVALID_SIGNATURE);
        }
    }

    @Test
    void signsAPercentEncodedArnPathDoubleEncodedAsBotocoreAndTheSdksDo() {
        SignedRequest request = RequestFiles.parse(RequestFiles.read(
                RequestFiles.resource("sigv4-clients/botocore-untag-resource.txt")));
        Instant at = Instant.from(AMZ_DATE.parse(request.values("x-amz-date").get(0)));
        String[] canonical = verifier.check(request, "cleanrooms", at).canonicalRequest().split("\n");
        assertThat(canonical[1]).isEqualTo("/tags/arn%253Aaws%253Acleanrooms%253Aus-east-1%253A111111111111"
                + "%253Acollaboration%252F0b7e2f3a-5c1d-4e8f-9a6b-2d4c6e8f0a1b");
        assertThat(canonical[2]).isEqualTo("tagKeys=a%20b&tagKeys=cost%2Bcenter&tagKeys=x%2Fy%3Dz");
    }

    // ---- canonical pieces ----

    @Test
    void canonicalQueryEncodesReservedCharactersAndSortsByNameThenValue() {
        assertThat(Canonical.query(null)).isEmpty();
        assertThat(Canonical.query("")).isEmpty();
        assertThat(Canonical.query("b=2&a=1&a=0")).isEqualTo("a=0&a=1&b=2");
        assertThat(Canonical.query("flag&empty=&&x=1")).isEqualTo("empty=&flag=&x=1");
        // '+' is a plus sign (as the API reads it), %20 a space; both come out RFC 3986 encoded
        assertThat(Canonical.query("q=a+b&r=a%20b")).isEqualTo("q=a%2Bb&r=a%20b");
        // lower-case escapes and raw reserved characters are encoded canonically
        assertThat(Canonical.query("k=%2f%3a*!'()/:@")).isEqualTo("k=%2F%3A%2A%21%27%28%29%2F%3A%40");
        assertThat(Canonical.query("%7E=~&-._=x")).isEqualTo("-._=x&~=~");
        // sorted by the encoded name: 'B' < '_' < 'a'
        assertThat(Canonical.query("a=1&_=2&B=3")).isEqualTo("B=3&_=2&a=1");
    }

    @Test
    void canonicalUriNormalisesAndEncodesOnceMore() {
        assertThat(Canonical.uri("")).isEqualTo("/");
        assertThat(Canonical.uri("/collaborations")).isEqualTo("/collaborations");
        assertThat(Canonical.uri("/a/b/../c/./d/")).isEqualTo("/a/c/d/");
        assertThat(Canonical.uri("/a/b/..")).isEqualTo("/a");
        assertThat(Canonical.uri("/%2E%2E/x%2Fy")).isEqualTo("/%252E%252E/x%252Fy");
        assertThat(Canonical.uri("/a b/\u00e9")).isEqualTo("/a%20b/%C3%A9");
    }

    @Test
    void headerValuesAreTrimmedFoldedAndJoinedInOrder() {
        assertThat(Canonical.headerValue(List.of("  a \t b  ", "c", "  d   e"))).isEqualTo("a b,c,d e");
        assertThat(Canonical.headerValue(List.of(""))).isEmpty();
    }

    // ---- what is signed ----

    @Test
    void signsExactlyTheListedHeaders() {
        SignedRequest good = post("{}");
        assertThat(good.values("authorization").get(0)).contains("SignedHeaders=content-type;host;x-amz-date,");
        assertThat(verify(good)).isEqualTo(KEY);
        // headers not listed may be added or changed
        SignedRequest extra = RequestFiles.withHeader(good, "User-Agent", List.of("something else"));
        assertThat(verify(RequestFiles.withHeader(extra, "X-Amz-Content-Sha256",
                List.of(Canonical.sha256Hex("{}".getBytes(StandardCharsets.UTF_8)))))).isEqualTo(KEY);
        // listed ones may not
        assertThat(refusal(RequestFiles.withHeader(good, "Content-Type", List.of("text/plain"))).getMessage())
                .contains("signature we calculated does not match");
        assertThat(refusal(RequestFiles.withHeader(good, "Content-Type", List.of("application/json", "x")))
                .getMessage()).contains("signature we calculated does not match");
        assertThat(refusal(RequestFiles.withHeader(good, "Host", List.of("example.com:8080"))).getMessage())
                .contains("signature we calculated does not match");
        assertThat(refusal(RequestFiles.withHeader(good, "Content-Type", List.of())).getMessage())
                .isEqualTo("Signed header content-type is missing from the request");
    }

    @Test
    void repeatedHeadersAreSignedInOrderAndWhitespaceIsFolded() {
        SignedRequest request = sign("GET", "/collaborations", null,
                Map.of("X-Custom", List.of(" one  two ", "three")), "");
        assertThat(verify(request)).isEqualTo(KEY);
        assertThat(verify(RequestFiles.withHeader(request, "X-Custom", List.of("one two", "  three"))))
                .isEqualTo(KEY);
        assertThat(refusal(RequestFiles.withHeader(request, "X-Custom", List.of("three", "one two"))).kind())
                .isEqualTo(SigV4Exception.Kind.INVALID_SIGNATURE);
        // as in AWS's canonical form, repeated values are the comma-joined list
        assertThat(verify(RequestFiles.withHeader(request, "X-Custom", List.of("one two,three")))).isEqualTo(KEY);
    }

    @Test
    void pathAndQueryAreSigned() {
        SignedRequest good = sign("GET", "/collaborations", "maxResults=2&nextToken=a%2Bb", Map.of(), "");
        assertThat(verify(good)).isEqualTo(KEY);
        assertThat(verify(RequestFiles.withTarget(good, "/collaborations", "nextToken=a%2bb&maxResults=2")))
                .isEqualTo(KEY);
        assertThat(refusal(RequestFiles.withTarget(good, "/collaborations", "maxResults=3&nextToken=a%2Bb"))
                .kind()).isEqualTo(SigV4Exception.Kind.INVALID_SIGNATURE);
        // a raw '+' is a plus sign, to the signature as to the API: the same request as %2B
        assertThat(verify(RequestFiles.withTarget(good, "/collaborations", "maxResults=2&nextToken=a+b")))
                .isEqualTo(KEY);
        assertThat(refusal(RequestFiles.withTarget(good, "/collaborations", "maxResults=2&nextToken=a%20b"))
                .kind()).isEqualTo(SigV4Exception.Kind.INVALID_SIGNATURE);
        assertThat(refusal(RequestFiles.withTarget(good, "/memberships", good.rawQuery())).kind())
                .isEqualTo(SigV4Exception.Kind.INVALID_SIGNATURE);
        assertThat(refusal(RequestFiles.withTarget(good, "/collaborations", "maxResults=2&nextToken=%zz"))
                .getMessage()).isEqualTo("The query string is not valid percent-encoding");
    }

    // ---- payload ----

    @Test
    void theBodyIsSignedThroughItsHash() {
        SignedRequest good = post("{\"name\":\"x\"}");
        assertThat(refusal(RequestFiles.withBody(good, "{\"name\":\"y\"}")).getMessage())
                .contains("signature we calculated does not match");
        String hash = Canonical.sha256Hex("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        SignedRequest withHash = sign("POST", "/collaborations", null, Map.of("Content-Type",
                List.of("application/json"), "X-Amz-Content-Sha256", List.of(hash)), "{\"name\":\"x\"}");
        assertThat(verify(withHash)).isEqualTo(KEY);
        assertThat(refusal(RequestFiles.withBody(withHash, "{\"name\":\"y\"}")).getMessage())
                .isEqualTo("The x-amz-content-sha256 header does not match the SHA-256 of the request body");
        assertThat(refusal(RequestFiles.withHeader(withHash, "X-Amz-Content-Sha256", List.of(hash, hash)))
                .getMessage()).isEqualTo("The x-amz-content-sha256 header may be sent only once");
    }

    @Test
    void refusesUnsignedAndStreamingPayloads() {
        for (String claim : List.of("UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {
            SignedRequest request = sign("POST", "/collaborations", null, Map.of("Content-Type",
                    List.of("application/json"), "X-Amz-Content-Sha256", List.of(claim)), "{}", NOW,
                    "20261125/us-east-1/cleanrooms/aws4_request", claim);
            SigV4Exception e = refusal(request);
            assertThat(e.kind()).isEqualTo(SigV4Exception.Kind.INVALID_SIGNATURE);
            assertThat(e.getMessage()).contains("is not accepted: sign the request body");
        }
    }

    // ---- credential scope and time ----

    @Test
    void checksTheCredentialScope() {
        assertThat(refusal(sign("GET", "/collaborations", null, Map.of(), "", NOW,
                "20261125/us-east-1/glue/aws4_request", null)).getMessage())
                .isEqualTo("Credential should be scoped to correct service: 'cleanrooms'");
        assertThat(refusal(sign("GET", "/collaborations", null, Map.of(), "", NOW,
                "20261125/eu-west-1/cleanrooms/aws4_request", null)).getMessage())
                .startsWith("Credential should be scoped to a valid region, not 'eu-west-1'");
        assertThat(refusal(sign("GET", "/collaborations", null, Map.of(), "", NOW,
                "20261125/us-east-1/cleanrooms/aws4_requests", null)).getMessage())
                .startsWith("Credential should be scoped with a valid terminator: 'aws4_request'");
        assertThat(refusal(sign("GET", "/collaborations", null, Map.of(), "", NOW,
                "20261124/us-east-1/cleanrooms/aws4_request", null)).getMessage())
                .isEqualTo("The credential scope date does not match X-Amz-Date");
    }

    @Test
    void boundsTheClockSkew() {
        for (Duration offset : List.of(Duration.ofMinutes(15), Duration.ofMinutes(-15))) {
            Instant at = NOW.plus(offset);
            String scope = AMZ_DATE.format(at).substring(0, 8) + "/us-east-1/cleanrooms/aws4_request";
            assertThat(verify(sign("GET", "/collaborations", null, Map.of(), "", at, scope, null))).isEqualTo(KEY);
        }
        for (Duration offset : List.of(Duration.ofMinutes(15).plusSeconds(1), Duration.ofMinutes(-16))) {
            Instant at = NOW.plus(offset);
            String scope = AMZ_DATE.format(at).substring(0, 8) + "/us-east-1/cleanrooms/aws4_request";
            assertThat(refusal(sign("GET", "/collaborations", null, Map.of(), "", at, scope, null)).getMessage())
                    .startsWith("Signature expired: the request was signed at " + AMZ_DATE.format(at));
        }
        SignedRequest good = post("{}");
        assertThat(refusal(RequestFiles.withHeader(good, "X-Amz-Date", List.of("2026-11-25T12:00:00Z")))
                .getMessage()).isEqualTo("X-Amz-Date is not in the format yyyyMMdd'T'HHmmss'Z'");
        assertThat(refusal(RequestFiles.withHeader(good, "X-Amz-Date", List.of())).getMessage())
                .isEqualTo("Missing X-Amz-Date header; signed requests must carry it");
    }

    // ---- the Authorization header ----

    @Test
    void hostAndDateMustBeSigned() {
        SignedRequest good = post("{}");
        assertThat(refusal(withAuthorization(good, "SignedHeaders=content-type;host;x-amz-date",
                "SignedHeaders=content-type;x-amz-date")).getMessage()).isEqualTo("The host header must be signed");
        assertThat(refusal(withAuthorization(good, "SignedHeaders=content-type;host;x-amz-date",
                "SignedHeaders=content-type;host")).getMessage()).isEqualTo("The x-amz-date header must be signed");
    }

    @Test
    void refusesMalformedAuthorization() {
        SignedRequest good = post("{}");
        assertThat(refusal(RequestFiles.withHeader(good, "Authorization", List.of())).kind())
                .isEqualTo(SigV4Exception.Kind.MISSING_AUTHENTICATION);
        String header = good.values("authorization").get(0);
        List<String> malformed = List.of(
                "Basic dXNlcjpwYXNz",
                header.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
                header.replace("SignedHeaders=content-type;host;x-amz-date", "SignedHeaders=host;content-type;x-amz-date"),
                header.replace("SignedHeaders=content-type;host;x-amz-date", "SignedHeaders=content-type;host;host;x-amz-date"),
                header.replace("SignedHeaders=content-type;host;x-amz-date", "SignedHeaders=Content-Type;host;x-amz-date"),
                header.replace("SignedHeaders=content-type;host;x-amz-date", "SignedHeaders=content-type;;host;x-amz-date"),
                header.replace("/aws4_request", ""),
                header.replace(KEY + "/", KEY + "/x/"),
                header.replace(", Signature=", ", Signature=A"),
                header.substring(0, header.length() - 1),
                header + ", Signature=" + "0".repeat(64),
                header + ", Extra=1",
                header.replace(", SignedHeaders=content-type;host;x-amz-date", ""));
        for (String value : malformed) {
            SigV4Exception e = refusal(RequestFiles.withHeader(good, "Authorization", List.of(value)));
            assertThat(e.kind()).as(value).isEqualTo(SigV4Exception.Kind.INCOMPLETE_SIGNATURE);
            assertThat(e.getMessage()).as(value).startsWith("Authorization header is not a valid AWS4-HMAC-SHA256");
            assertThat(e.getMessage()).as("never echoes the signature").doesNotContain(header.substring(
                    header.indexOf("Signature=") + 10));
        }
        assertThat(refusal(RequestFiles.withHeader(good, "Authorization", List.of(header, header))).getMessage())
                .isEqualTo("The authorization header may be sent only once");
    }

    @Test
    void unknownKeysSessionTokensAndWrongSecrets() {
        SignedRequest good = post("{}");
        SigV4Exception unknown = refusal(withAuthorization(good, KEY, "CRAKBBBBBBBBBBBBBBBB"));
        assertThat(unknown.kind()).isEqualTo(SigV4Exception.Kind.UNRECOGNIZED_CLIENT);
        assertThat(unknown.getMessage()).contains("CRAKBBBBBBBBBBBBBBBB is unknown or disabled");
        assertThat(refusal(RequestFiles.withHeader(good, "X-Amz-Security-Token", List.of("token"))).getMessage())
                .startsWith("The security token included in the request is invalid");
        SigV4Exception wrong = catchThrowableOfType(SigV4Exception.class,
                () -> verify(good, "cleanrooms", NOW, KEY, SECRET + "x"));
        assertThat(wrong.getMessage()).isEqualTo("The request signature we calculated does not match the signature "
                + "you provided. Check your secret access key and signing method.");
    }

    @Test
    void anEmptyBodyHashesToTheEmptyStringsHash() {
        SignedRequest get = sign("GET", "/collaborations", null, Map.of(), "");
        assertThat(verifier.check(get, "cleanrooms", NOW).canonicalRequest()).endsWith("\n" + EMPTY_SHA256);
    }
}
