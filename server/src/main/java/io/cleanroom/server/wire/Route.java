package io.cleanroom.server.wire;

import static java.util.Objects.requireNonNull;

import io.cleanroom.client.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One operation of a REST API: method and path template ("/collaborations/{collaborationIdentifier}"). */
public record Route(String operation, String method, String template, Handler handler) {
    public Route {
        requireNonNull(operation, "operation is null");
        requireNonNull(method, "method is null");
        requireNonNull(template, "template is null");
        requireNonNull(handler, "handler is null");
    }

    public Route(Operation operation, Handler handler) {
        this(operation.operationName(), operation.method(), operation.template(), handler);
    }

    public interface Handler {
        HttpResponse handle(Call call);
    }

    List<String> segments() {
        List<String> out = new ArrayList<>();
        for (String s : template.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    /**
     * The decoded path parameters if the raw path matches this template; a parameter that is not
     * valid percent-encoding is a ValidationException naming it.
     */
    Optional<Map<String, String>> match(List<String> rawSegments) {
        List<String> segments = segments();
        if (segments.size() != rawSegments.size()) {
            return Optional.empty();
        }
        // the literal segments first: a path another route serves is never refused for this one's parameters
        for (int i = 0; i < segments.size(); i++) {
            String t = segments.get(i);
            if (!isParameter(t) && !t.equals(rawSegments.get(i))) {
                return Optional.empty();
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String t = segments.get(i);
            if (isParameter(t)) {
                String name = t.substring(1, t.length() - 1);
                String value = HttpRequest.decode(rawSegments.get(i), name);
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                params.put(name, value);
            }
        }
        return Optional.of(params);
    }
}
