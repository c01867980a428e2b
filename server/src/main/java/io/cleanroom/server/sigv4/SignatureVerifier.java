package io.cleanroom.server.sigv4;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Verifies an AWS Signature Version 4 Authorization header as AWS does for services other than
 * S3. The canonical request is built from exactly the headers named in SignedHeaders, the payload
 * hash is the SHA-256 of the body (an x-amz-content-sha256 header, when sent, must equal it; an
 * unsigned or streaming payload is refused), the credential scope must name the request's date,
 * the expected service, an accepted region and aws4_request, host and x-amz-date must be signed,
 * the signing time must lie within the allowed skew, and signatures are compared in constant time.
 *
 * <p>Independent of the HTTP server: a request is a {@link SignedRequest}, the time is given.
 */
public final class SignatureVerifier {
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Set<String> regions;
    private final Duration maxSkew;

    /** A verifier accepting credentials scoped to one of the regions, signed at most maxSkew from now. */
    public SignatureVerifier(Set<String> regions, Duration maxSkew) {
        this.regions = Set.copyOf(requireNonNull(regions, "regions is null"));
        this.maxSkew = requireNonNull(maxSkew, "maxSkew is null");
        if (this.regions.isEmpty()) {
            throw new IllegalArgumentException("at least one region must be accepted");
        }
        if (maxSkew.isNegative()) {
            throw new IllegalArgumentException("maxSkew must not be negative");
        }
    }

    /**
     * Verifies the request's signature for the service at the time now. keys finds the credential
     * of an access key (empty when unknown or disabled), secret gives its secret access key.
     * Returns the credential that signed the request, or throws SigV4Exception saying what is wrong.
     */
    public <C> C verify(SignedRequest request, String service, Instant now, Function<String, Optional<C>> keys,
            Function<C, String> secret) {
        requireNonNull(request, "request is null");
        requireNonNull(service, "service is null");
        requireNonNull(now, "now is null");
        Checked checked = check(request, service, now);
        C credential = keys.apply(checked.authorization().accessKeyId()).orElseThrow(() ->
                new SigV4Exception(SigV4Exception.Kind.UNRECOGNIZED_CLIENT, "The security token included in the "
                        + "request is invalid: access key " + checked.authorization().accessKeyId()
                        + " is unknown or disabled"));
        Authorization a = checked.authorization();
        String expected = Canonical.signature(secret.apply(credential), a.date(), a.region(), a.service(),
                a.terminator(), checked.stringToSign());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                a.signature().getBytes(StandardCharsets.US_ASCII))) {
            throw new SigV4Exception(SigV4Exception.Kind.INVALID_SIGNATURE, "The request signature we calculated "
                    + "does not match the signature you provided. Check your secret access key and signing method.");
        }
        return credential;
    }

    /** What verification computed before it needed the secret. */
    record Checked(Authorization authorization, String canonicalRequest, String stringToSign) {
    }

    /** Every check that needs no secret, in the order a client's mistake is best explained. */
    Checked check(SignedRequest request, String service, Instant now) {
        String header = request.single("authorization").orElseThrow(() -> new SigV4Exception(
                SigV4Exception.Kind.MISSING_AUTHENTICATION,
                "Missing Authentication Token: sign requests with AWS Signature Version 4"));
        Authorization a = Authorization.parse(header);
        if (!a.service().equals(service)) {
            throw invalid("Credential should be scoped to correct service: '" + service + "'");
        }
        if (!regions.contains(a.region())) {
            throw invalid("Credential should be scoped to a valid region, not '" + a.region() + "' (this server "
                    + "accepts " + String.join(", ", regions.stream().sorted().toList()) + ")");
        }
        if (!a.terminator().equals("aws4_request")) {
            throw invalid("Credential should be scoped with a valid terminator: 'aws4_request', not '"
                    + a.terminator() + "'");
        }
        if (!a.signedHeaders().contains("host")) {
            throw incomplete("The host header must be signed");
        }
        String amzDate = request.single("x-amz-date").orElseThrow(() ->
                incomplete("Missing X-Amz-Date header; signed requests must carry it"));
        if (!a.signedHeaders().contains("x-amz-date")) {
            throw incomplete("The x-amz-date header must be signed");
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            throw incomplete("X-Amz-Date is not in the format yyyyMMdd'T'HHmmss'Z'");
        }
        if (!amzDate.substring(0, 8).equals(a.date())) {
            throw invalid("The credential scope date does not match X-Amz-Date");
        }
        if (Duration.between(signedAt, now).abs().compareTo(maxSkew) > 0) {
            throw invalid("Signature expired: the request was signed at " + amzDate + ", more than "
                    + maxSkew.toMinutes() + " minutes from the server's time");
        }
        if (!request.values("x-amz-security-token").isEmpty()) {
            throw invalid("The security token included in the request is invalid: this server issues no "
                    + "session tokens; sign with an access key and its secret only");
        }
        String payloadHash = Canonical.sha256Hex(request.body());
        Optional<String> claimed = request.single("x-amz-content-sha256");
        if (claimed.isPresent()) {
            String value = claimed.get().strip();
            if (value.equals("UNSIGNED-PAYLOAD") || value.startsWith("STREAMING-")) {
                throw invalid("x-amz-content-sha256 " + (value.startsWith("STREAMING-") ? "STREAMING" : value)
                        + " is not accepted: sign the request body");
            }
            if (!value.equals(payloadHash)) {
                throw invalid("The x-amz-content-sha256 header does not match the SHA-256 of the request body");
            }
        }
        String canonicalRequest = Canonical.request(request, a.signedHeaders(), payloadHash);
        return new Checked(a, canonicalRequest, Canonical.stringToSign(amzDate, a.scope(), canonicalRequest));
    }

    private static SigV4Exception invalid(String message) {
        return new SigV4Exception(SigV4Exception.Kind.INVALID_SIGNATURE, message);
    }

    private static SigV4Exception incomplete(String message) {
        return new SigV4Exception(SigV4Exception.Kind.INCOMPLETE_SIGNATURE, message);
    }
}
