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

    /** The decoded path parameters if the raw path matches this template. */
    Optional<Map<String, String>> match(List<String> rawSegments) {
        List<String> segments = segments();
        if (segments.size() != rawSegments.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String t = segments.get(i);
            String raw = rawSegments.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                String value = HttpRequest.decode(raw);
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), value);
            } else if (!t.equals(raw)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }
}
