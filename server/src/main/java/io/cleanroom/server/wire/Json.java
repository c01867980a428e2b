package io.cleanroom.server.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.function.Function;

/** The server's JSON: strict parsing of request bodies, and small helpers to build responses. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private Json() {
    }

    /** Parses a request body; an empty body is an empty object. */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node == null ? MAPPER.createObjectNode() : node;
        } catch (IOException e) {
            throw CleanroomException.validation("body",
                    "The request body is not valid JSON (" + safeReason(e) + ")");
        }
    }

    private static String safeReason(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null) {
            return "at line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr();
        }
        return "cannot be read";
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** Epoch seconds with millisecond fraction: the restJson1 and awsJson timestamp format. */
    public static BigDecimal time(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    public static ArrayNode strings(Collection<?> values) {
        ArrayNode array = array();
        values.forEach(v -> array.add(String.valueOf(v)));
        return array;
    }

    public static <T> ArrayNode array(Collection<T> values, Function<T, JsonNode> render) {
        ArrayNode array = array();
        values.forEach(v -> array.add(render.apply(v)));
        return array;
    }

    public static void putIfNotNull(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    public static void putIfNotNull(ObjectNode node, String name, Enum<?> value) {
        if (value != null) {
            node.put(name, value.name());
        }
    }
}
