package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cleanroom.client.SignedHttpClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;

/** Sends a request and prints the JSON answer, or turns an error into one readable line. */
public final class Calls {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Calls() {
    }

    public static JsonNode call(SignedHttpClient client, String operation, String method, String encodedPath,
            Map<String, List<String>> query, Map<String, String> headers, String body, String signingName) {
        Reply reply = send(client, method, encodedPath, query, headers, body, signingName);
        if (!reply.ok()) {
            throw new CliException(reply.errorLine(operation), Main.SERVICE_ERROR);
        }
        return reply.json();
    }

    /** An answer of the server: the HTTP status, its error type (x-amzn-ErrorType) or null, and the JSON body. */
    record Reply(int status, String errorType, JsonNode json, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        /** The error's message, or the body when it has none. */
        String message() {
            return json != null && json.has("message") ? json.get("message").asText() : body;
        }

        /** An error in the AWS CLI's words: An error occurred (Type) when calling the Operation operation: message. */
        String errorLine(String operation) {
            String type = errorType != null ? errorType : "HTTP " + status;
            return "An error occurred (" + type + ") when calling the " + operation + " operation: " + message();
        }
    }

    /** Sends a request and returns the answer, error or not; fails only when no answer came. */
    static Reply send(SignedHttpClient client, String method, String encodedPath, Map<String, List<String>> query,
            Map<String, String> headers, String body, String signingName) {
        SignedHttpClient.Response response;
        try {
            response = client.send(method, encodedPath, query, headers, body, signingName);
        } catch (ConnectException e) {
            throw new CliException("error: cannot connect to the server; is 'cleanroom server' running and is "
                    + "--endpoint right?", Main.SERVICE_ERROR);
        } catch (IOException e) {
            throw new CliException("error: request failed: " + e.getMessage(), Main.SERVICE_ERROR);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("error: interrupted", Main.SERVICE_ERROR);
        }
        JsonNode json = null;
        if (!response.body().isEmpty()) {
            try {
                json = MAPPER.readTree(response.body());
            } catch (IOException e) {
                json = null;
            }
        }
        return new Reply(response.status(), response.errorType(), json, response.body());
    }

    static void print(PrintWriter out, JsonNode json) {
        if (json == null || (json.isObject() && json.isEmpty())) {
            return;
        }
        try {
            out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (IOException e) {
            throw new CliException("error: cannot print the response", Main.USAGE_ERROR);
        }
        out.flush();
    }

    /** Percent-encodes one path segment (RFC 3986 unreserved characters stay). */
    static String encodeSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
