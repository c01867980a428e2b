package io.cleanroom.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Reading the API's JSON answers for display. */
final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** A text member, or "" when absent. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }

    /** The strings of an array member. */
    static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : node.path(field)) {
            out.add(v.asText());
        }
        return out;
    }

    /** An epoch-seconds time member, as UTC, or "" when absent. */
    static String time(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            return "";
        }
        return TIME.format(instant(value));
    }

    static Instant instant(JsonNode seconds) {
        return Instant.ofEpochMilli(Math.round(seconds.asDouble() * 1000));
    }

    static String time(Instant instant) {
        return TIME.format(instant);
    }

    /** A duration in milliseconds as people read it: 850 ms, 4.2 s, 3 min 5 s. */
    static String duration(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = millis / 1000;
        return (seconds / 60) + " min " + (seconds % 60) + " s";
    }

    /** An enum name as words: CAN_RECEIVE_RESULTS → "can receive results". */
    static String words(String constant) {
        return constant.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
