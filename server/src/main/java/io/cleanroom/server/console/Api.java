package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import io.cleanroom.core.service.Caller;
import io.cleanroom.server.wire.HttpRequest;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API as one signed-in user of the console calls it: each method builds the request an SDK
 * would send (method, path, query, JSON body, X-Amz-Target) and has the {@link Backend} serve it
 * for the session's caller. A failure is an {@link ApiError} carrying the API's own answer.
 */
final class Api {
    private final Backend backend;
    private final Caller caller;
    private final String sourceAddress;

    Api(Backend backend, Caller caller, String sourceAddress) {
        this.backend = requireNonNull(backend, "backend is null");
        this.caller = requireNonNull(caller, "caller is null");
        this.sourceAddress = sourceAddress;
    }

    Caller caller() {
        return caller;
    }

    /**
     * Makes independent calls at once (a page's reads), as an SDK client with a few connections
     * would: each is served and audited on its own, and their audit events share commits. The
     * answers come back in order; the first failure is thrown as it was.
     */
    <T> List<T> all(List<java.util.concurrent.Callable<T>> calls) {
        if (calls.size() <= 1) {
            List<T> one = new ArrayList<>();
            for (java.util.concurrent.Callable<T> c : calls) {
                one.add(run(c));
            }
            return one;
        }
        List<java.util.concurrent.Future<T>> futures = new ArrayList<>();
        for (java.util.concurrent.Callable<T> c : calls) {
            futures.add(FANOUT.submit(c));
        }
        List<T> out = new ArrayList<>();
        RuntimeException failure = null;
        for (java.util.concurrent.Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r
                            : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(other -> other.cancel(true));
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return out;
    }

    private static <T> T run(java.util.concurrent.Callable<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The threads a page's independent calls run on: few, so that one page cannot crowd out others. */
    private static final java.util.concurrent.ExecutorService FANOUT = java.util.concurrent.Executors
            .newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "cleanroom-console-api");
                t.setDaemon(true);
                return t;
            });

    /** A Clean Rooms operation: path parameters fill its template, query parameters follow it. */
    JsonNode call(Operation operation, Map<String, String> path, Map<String, String> query, JsonNode body) {
        String rawPath = operation.template();
        for (String name : operation.pathParameters()) {
            String value = path.get(name);
            if (value == null) {
                throw new IllegalArgumentException(operation.operationName() + " needs " + name);
            }
            rawPath = rawPath.replace("{" + name + "}", encode(value));
        }
        return send(operation.method(), rawPath, query(query), body, null);
    }

    JsonNode call(Operation operation, Map<String, String> path) {
        return call(operation, path, Map.of(), null);
    }

    JsonNode call(Operation operation, Map<String, String> path, JsonNode body) {
        return call(operation, path, Map.of(), body);
    }

    /** A Glue operation of the account's catalog. */
    JsonNode glue(String operation, JsonNode body) {
        return send("POST", "/", null, body, "AWSGlue." + operation);
    }

    /** CloudTrail's LookupEvents. */
    JsonNode lookupEvents(JsonNode body) {
        return send("POST", "/", null, body, "CloudTrail_20131101.LookupEvents");
    }

    /** An operation of the operator's admin API (method and path under /admin). */
    JsonNode admin(String method, String path, Map<String, String> query, JsonNode body) {
        return send(method, path, query(query), body, null);
    }

    private JsonNode send(String method, String rawPath, String rawQuery, JsonNode body, String target) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        byte[] bytes = new byte[0];
        if (target != null) {
            headers.put("x-amz-target", List.of(target));
            headers.put("content-type", List.of("application/x-amz-json-1.1"));
            bytes = (body == null ? Json.object() : body).toString().getBytes(StandardCharsets.UTF_8);
        } else if (body != null) {
            headers.put("content-type", List.of("application/json"));
            bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        }
        headers.put("user-agent", List.of("cleanroom-console"));
        Reply reply = backend.call(caller, new HttpRequest(method, rawPath, rawQuery, headers, bytes, sourceAddress));
        JsonNode answer = parse(reply.body());
        if (reply.errorType() != null || reply.status() >= 400) {
            throw error(reply, answer, target);
        }
        return answer;
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return Json.object();
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("the API answered something other than JSON", e);
        }
    }

    private static ApiError error(Reply reply, JsonNode body, String target) {
        String type = reply.errorType() == null ? "InternalServerException" : reply.errorType();
        String message = body.path("message").asText(body.path("Message").asText("The call failed"));
        List<ApiError.FieldError> fields = new ArrayList<>();
        for (JsonNode f : body.path("fieldList")) {
            fields.add(new ApiError.FieldError(f.path("name").asText(""), f.path("message").asText("")));
        }
        if (fields.isEmpty() && target != null && target.startsWith("AWSGlue.")) {
            fields.addAll(glueFields(message));
        }
        return new ApiError(reply.status(), type, message, fields);
    }

    /** A field of the request, as Glue's messages begin with it ("TableInput.Name: ..."). */
    private static final java.util.regex.Pattern GLUE_FIELD = java.util.regex.Pattern.compile(
            "(?:^|; )([A-Z][A-Za-z0-9_]*(?:(?:\\.[A-Za-z][A-Za-z0-9_]*)|(?:\\[\\d+]))*): ");

    /**
     * The fields Glue's answer names: its errors carry no field list (Glue's own shape), only a message
     * made of "Field.Path: what is wrong" parts joined by "; ", as the server writes validation errors.
     */
    static List<ApiError.FieldError> glueFields(String message) {
        List<ApiError.FieldError> out = new ArrayList<>();
        java.util.regex.Matcher m = GLUE_FIELD.matcher(message);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            starts.add(new int[] {m.start(), m.end()});
            names.add(m.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : message.length();
            out.add(new ApiError.FieldError(names.get(i), message.substring(starts.get(i)[1], end)));
        }
        return out;
    }

    private static String query(Map<String, String> query) {
        StringBuilder out = new StringBuilder();
        query.forEach((k, v) -> {
            if (v != null) {
                if (out.length() > 0) {
                    out.append('&');
                }
                out.append(encode(k)).append('=').append(encode(v));
            }
        });
        return out.length() == 0 ? null : out.toString();
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    static ObjectNode object() {
        return Json.object();
    }
}
