package io.cleanroom.server;

import com.fasterxml.jackson.databind.JsonNode;

/** What a handler returns: a status and a JSON body, or no body (204). */
record HttpResponse(int status, JsonNode body) {
    static HttpResponse ok(JsonNode body) {
        return new HttpResponse(200, body);
    }

    static HttpResponse noContent() {
        return new HttpResponse(204, null);
    }
}
