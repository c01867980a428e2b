package io.cleanroom.server.sigv4;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request as received, before anything interprets it: the method, the path and query exactly as
 * the client sent them (still percent-encoded; the query without its '?', null when absent), every
 * header with all its values in the order received, and the body bytes. Header names are matched
 * without regard to case.
 */
public record SignedRequest(String method, String rawPath, String rawQuery, Map<String, List<String>> headers,
        byte[] body) {
    public SignedRequest {
        requireNonNull(method, "method is null");
        requireNonNull(rawPath, "rawPath is null");
        requireNonNull(headers, "headers is null");
        requireNonNull(body, "body is null");
        Map<String, List<String>> lower = new LinkedHashMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        lower.replaceAll((name, values) -> List.copyOf(values));
        headers = Map.copyOf(lower);
    }

    /** Every value of a header, in the order received; empty when it is absent. */
    public List<String> values(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The header's value when it was sent exactly once; empty when absent. */
    Optional<String> single(String name) throws SigV4Exception {
        List<String> values = values(name);
        if (values.size() > 1) {
            throw new SigV4Exception(SigV4Exception.Kind.INCOMPLETE_SIGNATURE,
                    "The " + name + " header may be sent only once");
        }
        return values.stream().findFirst();
    }
}
