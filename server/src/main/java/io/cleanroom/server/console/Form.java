package io.cleanroom.server.console;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fields of a form body (application/x-www-form-urlencoded) or of a query string, in order. */
final class Form {
    static final Form EMPTY = new Form(Map.of());

    private final Map<String, List<String>> fields;

    private Form(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    /** Parses encoded fields; a malformed escape is a {@link ConsoleError} (400). */
    static Form parse(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return EMPTY;
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return new Form(out);
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConsoleError(400, "The form could not be read: it has a malformed escape");
        }
    }

    /** The field's first value, trimmed, or "" when absent. */
    String get(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? "" : values.get(0).strip();
    }

    /** The field's first value exactly as sent (SQL, JSON), or "" when absent. */
    String raw(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    /** The field's non-blank values, trimmed (checkboxes, multiple selects). */
    List<String> all(String name) {
        List<String> out = new ArrayList<>();
        for (String v : fields.getOrDefault(name, List.of())) {
            if (!v.isBlank()) {
                out.add(v.strip());
            }
        }
        return out;
    }

    boolean has(String name) {
        return fields.containsKey(name);
    }

    /** The names of the fields, in order. */
    List<String> names() {
        return List.copyOf(fields.keySet());
    }
}
