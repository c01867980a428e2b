package io.cleanroom.server.sigv4;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pieces of SigV4 as AWS defines them for services other than S3: the canonical URI (the raw
 * path with dot segments and empty segments removed, then URI-encoded once more, so the path the
 * client percent-encoded is signed double-encoded), the canonical query string, canonical header
 * values, the canonical request, the string to sign and the signature.
 */
final class Canonical {
    private static final HexFormat HEX = HexFormat.of();
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    private Canonical() {
    }

    /**
     * The canonical URI of a raw path: "." and empty segments are dropped and ".." removes the
     * segment before it (as botocore, the JavaScript SDK and the suite's normalize-path cases do),
     * a trailing '/' is kept when anything is left, and every byte but the unreserved characters
     * and '/' is percent-encoded (so "%3A" becomes "%253A").
     */
    static String uri(String rawPath) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : rawPath.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        StringBuilder path = new StringBuilder("/");
        path.append(String.join("/", segments));
        if (!segments.isEmpty() && rawPath.endsWith("/")) {
            path.append('/');
        }
        return encode(path.toString().getBytes(StandardCharsets.UTF_8), true);
    }

    /**
     * The canonical query string of a raw query: each parameter's name and value percent-decoded
     * ('+' is a plus sign, as the API reads it) and encoded again per RFC 3986, a parameter without
     * '=' has the empty value, and parameters are sorted by encoded name, then encoded value.
     */
    static String query(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            pairs.add(new String[] {encode(decode(name), false), encode(decode(value), false)});
        }
        pairs.sort((a, b) -> {
            int byName = a[0].compareTo(b[0]);
            return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
        StringBuilder out = new StringBuilder();
        for (String[] pair : pairs) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(pair[0]).append('=').append(pair[1]);
        }
        return out.toString();
    }

    /** A header's canonical value: each value trimmed, inner whitespace runs folded to one space, joined with ','. */
    static String headerValue(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            fold(values.get(i), out);
        }
        return out.toString();
    }

    private static void fold(String value, StringBuilder out) {
        boolean pendingSpace = false;
        boolean any = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000b') {
                pendingSpace = any;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
                any = true;
            }
        }
    }

    /** The canonical request over exactly the signed headers, which the request must all carry. */
    static String request(SignedRequest request, List<String> signedHeaders, String payloadHash) {
        StringBuilder out = new StringBuilder();
        out.append(request.method()).append('\n');
        out.append(uri(request.rawPath())).append('\n');
        out.append(query(request.rawQuery())).append('\n');
        for (String name : signedHeaders) {
            List<String> values = request.values(name);
            if (values.isEmpty()) {
                throw new SigV4Exception(SigV4Exception.Kind.INCOMPLETE_SIGNATURE,
                        "Signed header " + name + " is missing from the request");
            }
            out.append(name).append(':').append(headerValue(values)).append('\n');
        }
        out.append('\n').append(String.join(";", signedHeaders)).append('\n');
        out.append(payloadHash);
        return out.toString();
    }

    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return Authorization.ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 with the key derived from the secret and the scope, in lower-case hex. */
    static String signature(String secret, String date, String region, String service, String terminator,
            String stringToSign) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, terminator);
        return HEX.formatHex(hmac(key, stringToSign));
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** RFC 3986 encoding of bytes: unreserved characters (and '/' when kept) as they are, the rest %XX. */
    static String encode(byte[] bytes, boolean keepSlash) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || (keepSlash && c == '/')) {
                out.append((char) c);
            } else {
                out.append('%').append(UPPER_HEX[c >> 4]).append(UPPER_HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /** Percent-decodes a raw query component to bytes; characters not escaped stand for their UTF-8 bytes. */
    static byte[] decode(String raw) {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '%') {
                if (i + 2 >= bytes.length || Character.digit(bytes[i + 1], 16) < 0
                        || Character.digit(bytes[i + 2], 16) < 0) {
                    throw new SigV4Exception(SigV4Exception.Kind.INCOMPLETE_SIGNATURE,
                            "The query string is not valid percent-encoding");
                }
                out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
