package io.cleanroom.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Ids;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads one JSON object of a request, checking each field against the reference's constraints.
 * Problems are collected with the field's path (members[0].accountId) and reported together by
 * {@link #done()} as one ValidationException, in the style AWS uses.
 */
public final class In {
    public static final Pattern TABLE_ALIAS = Pattern.compile("^[a-zA-Z0-9_](([a-zA-Z0-9_ ]+-)*([a-zA-Z0-9_ ]+))?$");
    public static final Pattern COLUMN_NAME = Pattern.compile("^[a-z0-9_](([a-z0-9_ ]+-)*([a-z0-9_ ]+))?$");
    public static final Pattern ROLE_ARN = Pattern.compile("^arn:aws:iam::[\\w]+:role/[\\w+=./@-]+$");
    public static final Pattern NON_BLANK = Pattern.compile("(?s)^.*\\S.*$");
    public static final Pattern PARAMETER_NAME = Pattern.compile("^[0-9a-zA-Z_]+$");

    private final JsonNode node;
    private final String path;
    private final List<CleanroomException.FieldError> errors;

    private In(JsonNode node, String path, List<CleanroomException.FieldError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    public static In of(JsonNode node) {
        if (node != null && !node.isObject() && !node.isNull()) {
            throw CleanroomException.validation("body", "The request body must be a JSON object");
        }
        return new In(node == null ? NullNode.getInstance() : node, "", new ArrayList<>());
    }

    private String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public void error(String name, String message) {
        errors.add(new CleanroomException.FieldError(field(name), message));
    }

    private JsonNode get(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    public boolean has(String name) {
        return get(name) != null;
    }

    /** The raw JSON of a field, or null when absent. */
    public JsonNode raw(String name) {
        return get(name);
    }

    private void missing(String name) {
        error(name, "Value at '" + field(name) + "' failed to satisfy constraint: Member must not be null");
    }

    private void wrongType(String name, String type) {
        error(name, "Value at '" + field(name) + "' must be " + type);
    }

    /** A string; null when absent (reported if required) or invalid (reported). */
    public String string(String name, boolean required, int min, int max, Pattern pattern) {
        JsonNode value = get(name);
        if (value == null) {
            if (required) {
                missing(name);
            }
            return null;
        }
        if (!value.isTextual()) {
            wrongType(name, "a string");
            return null;
        }
        return checkString(name, value.asText(), min, max, pattern);
    }

    private String checkString(String name, String text, int min, int max, Pattern pattern) {
        if (text.length() < min) {
            error(name, "Value at '" + field(name)
                    + "' failed to satisfy constraint: Member must have length greater than or equal to " + min);
            return null;
        }
        if (text.length() > max) {
            error(name, "Value at '" + field(name)
                    + "' failed to satisfy constraint: Member must have length less than or equal to " + max);
            return null;
        }
        if (pattern != null && !pattern.matcher(text).matches()) {
            error(name, "Value at '" + field(name) + "' failed to satisfy constraint: Member must satisfy pattern "
                    + pattern.pattern());
            return null;
        }
        return text;
    }

    public <E extends Enum<E>> E enumValue(String name, Class<E> type, boolean required) {
        JsonNode value = get(name);
        if (value == null) {
            if (required) {
                missing(name);
            }
            return null;
        }
        if (!value.isTextual()) {
            wrongType(name, "a string");
            return null;
        }
        return parseEnum(name, value.asText(), type);
    }

    <E extends Enum<E>> E parseEnum(String name, String text, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(text)) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name());
        }
        error(name, "Value '" + text + "' at '" + field(name)
                + "' failed to satisfy constraint: Member must satisfy enum value set: " + names);
        return null;
    }

    public Boolean bool(String name, boolean required) {
        JsonNode value = get(name);
        if (value == null) {
            if (required) {
                missing(name);
            }
            return null;
        }
        if (!value.isBoolean()) {
            wrongType(name, "a boolean");
            return null;
        }
        return value.asBoolean();
    }

    public Integer integer(String name, boolean required, long min, long max) {
        JsonNode value = get(name);
        if (value == null) {
            if (required) {
                missing(name);
            }
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            wrongType(name, "an integer");
            return null;
        }
        int v = value.asInt();
        if (v < min || v > max) {
            error(name, "Value at '" + field(name) + "' failed to satisfy constraint: Member must be between "
                    + min + " and " + max);
            return null;
        }
        return v;
    }

    /** A nested object; null when absent (reported if required). */
    public In object(String name, boolean required) {
        JsonNode value = get(name);
        if (value == null) {
            if (required) {
                missing(name);
            }
            return null;
        }
        if (!value.isObject()) {
            wrongType(name, "an object");
            return null;
        }
        return new In(value, field(name), errors);
    }

    /** The members of a union object; exactly one must be set. Returns its name, or null. */
    public String union(String... members) {
        List<String> set = new ArrayList<>();
        for (String member : members) {
            if (has(member)) {
                set.add(member);
            }
        }
        if (set.size() != 1) {
            java.util.Iterator<String> names = node.fieldNames();
            if (set.isEmpty() && names.hasNext()) {
                errors.add(new CleanroomException.FieldError(path.isEmpty() ? "body" : path,
                        "Unsupported member '" + names.next() + "'; expected exactly one of "
                                + List.of(members)));
            } else {
                errors.add(new CleanroomException.FieldError(path.isEmpty() ? "body" : path,
                        "Exactly one of " + List.of(members) + " must be set"));
            }
            return null;
        }
        return set.get(0);
    }

    /** A list whose elements are read by each; null when absent (reported if required). */
    public <T> List<T> list(String name, boolean required, int min, int max, Function<Element, T> each) {
        JsonNode value = get(name);
        if (value == null) {
            if (required) {
                missing(name);
            }
            return null;
        }
        if (!value.isArray()) {
            wrongType(name, "a list");
            return null;
        }
        if (value.size() < min || value.size() > max) {
            error(name, "Value at '" + field(name) + "' failed to satisfy constraint: Member must have "
                    + (value.size() < min ? "at least " + min : "at most " + max) + " elements");
            return null;
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            T item = each.apply(new Element(value.get(i), field(name) + "[" + i + "]"));
            if (item != null) {
                out.add(item);
            }
        }
        return out;
    }

    /** A list of unique strings with per-element length and pattern. */
    public List<String> strings(String name, boolean required, int min, int max, int elementMax, Pattern pattern) {
        List<String> values = list(name, required, min, max, e -> e.string(1, elementMax, pattern));
        if (values != null && values.size() != new java.util.HashSet<>(values).size()) {
            error(name, "Value at '" + field(name) + "' must not contain duplicates");
        }
        return values;
    }

    public <E extends Enum<E>> List<E> enums(String name, Class<E> type, boolean required, int min, int max) {
        List<E> values = list(name, required, min, max, e -> e.enumValue(type));
        if (values != null && values.size() != new java.util.HashSet<>(values).size()) {
            error(name, "Value at '" + field(name) + "' must not contain duplicates");
        }
        return values;
    }

    public List<AccountId> accountIds(String name, boolean required, int min, int max) {
        return list(name, required, min, max, Element::accountId);
    }

    /** A map of string to string (tags, parameters). */
    public Map<String, String> stringMap(String name, int maxEntries, int keyMin, int keyMax, int valueMax) {
        JsonNode value = get(name);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            wrongType(name, "an object of strings");
            return null;
        }
        if (value.size() > maxEntries) {
            error(name, "Value at '" + field(name) + "' must have at most " + maxEntries + " entries");
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var entry : value.properties()) {
            if (entry.getKey().length() < keyMin || entry.getKey().length() > keyMax) {
                error(name, "Key '" + entry.getKey() + "' must be " + keyMin + "-" + keyMax + " characters");
                continue;
            }
            if (!entry.getValue().isTextual()) {
                error(name + "." + entry.getKey(), "Value must be a string");
                continue;
            }
            if (entry.getValue().asText().length() > valueMax) {
                error(name + "." + entry.getKey(), "Value must be at most " + valueMax + " characters");
                continue;
            }
            out.put(entry.getKey(), entry.getValue().asText());
        }
        return out;
    }

    public Map<String, String> tags() {
        return stringMap("tags", 200, 1, 128, 256);
    }

    /** Throws the collected validation errors, if any. */
    public void done() {
        if (!errors.isEmpty()) {
            throw CleanroomException.validation(List.copyOf(errors));
        }
    }

    /** One element of a list. */
    public final class Element {
        private final JsonNode value;
        private final String elementPath;

        Element(JsonNode value, String elementPath) {
            this.value = value;
            this.elementPath = elementPath;
        }

        private void fail(String message) {
            errors.add(new CleanroomException.FieldError(elementPath, message));
        }

        public String string(int min, int max, Pattern pattern) {
            if (value == null || !value.isTextual()) {
                fail("Value at '" + elementPath + "' must be a string");
                return null;
            }
            String text = value.asText();
            if (text.length() < min || text.length() > max) {
                fail("Value at '" + elementPath + "' must be " + min + "-" + max + " characters");
                return null;
            }
            if (pattern != null && !pattern.matcher(text).matches()) {
                fail("Value at '" + elementPath + "' failed to satisfy constraint: Member must satisfy pattern "
                        + pattern.pattern());
                return null;
            }
            return text;
        }

        public <E extends Enum<E>> E enumValue(Class<E> type) {
            if (value == null || !value.isTextual()) {
                fail("Value at '" + elementPath + "' must be a string");
                return null;
            }
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(value.asText())) {
                    return constant;
                }
            }
            List<String> names = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                names.add(constant.name());
            }
            fail("Value '" + value.asText() + "' at '" + elementPath
                    + "' failed to satisfy constraint: Member must satisfy enum value set: " + names);
            return null;
        }

        AccountId accountId() {
            String text = string(12, 12, null);
            if (text == null) {
                return null;
            }
            if (!Ids.isAccountId(text)) {
                fail("Value at '" + elementPath + "' must be a 12-digit account id");
                return null;
            }
            return new AccountId(text);
        }

        public In object() {
            if (value == null || !value.isObject()) {
                fail("Value at '" + elementPath + "' must be an object");
                return null;
            }
            return new In(value, elementPath, errors);
        }
    }
}
