package io.cleanroom.server.sigv4;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Signs a raw request (method, raw path and query as they go on the wire, headers, body bytes) as
 * a client does, with the verifier's own canonicalisation, which the AWS test suite pins. Tests that
 * send requests no SDK would build (malformed paths, odd bytes) use it so that those requests pass
 * SigV4 and reach the handlers.
 */
public final class RequestSigner {
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private RequestSigner() {
    }

    /**
     * The headers to send: the given ones plus X-Amz-Date and Authorization, signed over every
     * given header (Host must be among them) and X-Amz-Date, with the body's SHA-256 as payload hash.
     */
    public static Map<String, List<String>> sign(String method, String rawPath, String rawQuery,
            Map<String, List<String>> headers, byte[] body, String accessKeyId, String secret, String region,
            String service, Instant at) {
        Map<String, List<String>> all = new LinkedHashMap<>(headers);
        String amzDate = AMZ_DATE.format(at);
        all.put("X-Amz-Date", List.of(amzDate));
        List<String> signedHeaders = new ArrayList<>();
        all.keySet().forEach(n -> signedHeaders.add(n.toLowerCase(Locale.ROOT)));
        Collections.sort(signedHeaders);
        SignedRequest unsigned = new SignedRequest(method, rawPath, rawQuery, all, body);
        String canonical = Canonical.request(unsigned, signedHeaders, Canonical.sha256Hex(body));
        String date = amzDate.substring(0, 8);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String signature = Canonical.signature(secret, date, region, service, "aws4_request",
                Canonical.stringToSign(amzDate, scope, canonical));
        all.put("Authorization", List.of("AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope
                + ", SignedHeaders=" + String.join(";", signedHeaders) + ", Signature=" + signature));
        return all;
    }
}
