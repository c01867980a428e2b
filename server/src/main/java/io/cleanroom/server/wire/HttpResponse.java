package io.cleanroom.server.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** What a handler returns: a status and a JSON body, or no body (204). */
public record HttpResponse(int status, JsonNode body) {
    public static HttpResponse ok(JsonNode body) {
        return new HttpResponse(200, body);
    }

    public static HttpResponse noContent() {
        return new HttpResponse(204, null);
    }
}
