package io.cleanroom.server.sigv4;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The parts of an {@code Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=...} header: the access key, the credential scope (date, region, service, terminator),
 * the signed header names (lower case, sorted, each once) and the signature (64 hex digits).
 */
record Authorization(String accessKeyId, String date, String region, String service, String terminator,
        List<String> signedHeaders, String signature) {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";

    private static final Pattern ACCESS_KEY = Pattern.compile("[A-Za-z0-9]{1,128}");
    private static final Pattern DATE = Pattern.compile("\\d{8}");
    private static final Pattern SCOPE_PART = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** An HTTP header name (RFC 9110 token) in lower case. */
    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]{1,128}");
    private static final Pattern SIGNATURE = Pattern.compile("[0-9a-f]{64}");

    Authorization {
        requireNonNull(accessKeyId, "accessKeyId is null");
        requireNonNull(date, "date is null");
        requireNonNull(region, "region is null");
        requireNonNull(service, "service is null");
        requireNonNull(terminator, "terminator is null");
        signedHeaders = List.copyOf(signedHeaders);
        requireNonNull(signature, "signature is null");
    }

    /** The credential scope as it appears in the string to sign. */
    String scope() {
        return date + "/" + region + "/" + service + "/" + terminator;
    }

    static Authorization parse(String header) {
        String value = header.strip();
        int space = indexOfWhitespace(value);
        if (space < 0 || !value.substring(0, space).equals(ALGORITHM)) {
            throw malformed("the algorithm must be " + ALGORITHM);
        }
        Map<String, String> parts = new HashMap<>();
        for (String part : value.substring(space).split(",", -1)) {
            String p = part.strip();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw malformed("each part must be a name=value pair");
            }
            String name = p.substring(0, eq);
            if (!name.equals("Credential") && !name.equals("SignedHeaders") && !name.equals("Signature")) {
                throw malformed("only Credential, SignedHeaders and Signature may be given");
            }
            if (parts.put(name, p.substring(eq + 1)) != null) {
                throw malformed("'" + name + "' is given twice");
            }
        }
        for (String required : List.of("Credential", "SignedHeaders", "Signature")) {
            if (!parts.containsKey(required)) {
                throw malformed("it requires the '" + required + "' parameter");
            }
        }
        String[] credential = parts.get("Credential").split("/", -1);
        if (credential.length != 5 || !ACCESS_KEY.matcher(credential[0]).matches()
                || !DATE.matcher(credential[1]).matches() || !SCOPE_PART.matcher(credential[2]).matches()
                || !SCOPE_PART.matcher(credential[3]).matches() || !SCOPE_PART.matcher(credential[4]).matches()) {
            throw malformed("Credential must be ACCESS_KEY/yyyyMMdd/region/service/aws4_request");
        }
        String[] names = parts.get("SignedHeaders").split(";", -1);
        for (int i = 0; i < names.length; i++) {
            if (!HEADER_NAME.matcher(names[i]).matches()) {
                throw malformed("SignedHeaders must be lower-case header names separated by ';'");
            }
            if (i > 0 && names[i - 1].compareTo(names[i]) >= 0) {
                throw malformed("SignedHeaders must be sorted and name each header once");
            }
        }
        String signature = parts.get("Signature");
        if (!SIGNATURE.matcher(signature).matches()) {
            throw malformed("Signature must be 64 lower-case hexadecimal digits");
        }
        return new Authorization(credential[0], credential[1], credential[2], credential[3], credential[4],
                List.of(names), signature);
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static SigV4Exception malformed(String why) {
        return new SigV4Exception(SigV4Exception.Kind.INCOMPLETE_SIGNATURE,
                "Authorization header is not a valid AWS4-HMAC-SHA256 signature (Credential, SignedHeaders, "
                        + "Signature): " + why);
    }
}
