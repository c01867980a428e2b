package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A form as shown again after the API refused it: the values the user sent, and the API's error,
 * each field's message next to its field and the rest above the form. A new form has no values
 * (the defaults show) and no error.
 */
final class FormState {
    private final Form form;
    private final ApiError error;
    private final Map<String, String> defaults;

    FormState(Form form, ApiError error, Map<String, String> defaults) {
        this.form = requireNonNull(form, "form is null");
        this.error = error;
        this.defaults = Map.copyOf(defaults);
    }

    static FormState blank(Map<String, String> defaults) {
        return new FormState(Form.EMPTY, null, defaults);
    }

    static FormState blank() {
        return blank(Map.of());
    }

    private boolean sent() {
        return !form.names().isEmpty();
    }

    /** The value to show in a field: what was sent, else its default. */
    String value(String name) {
        if (sent()) {
            return form.raw(name);
        }
        return defaults.getOrDefault(name, "");
    }

    /** Whether a checkbox or radio with this value is checked. */
    boolean checked(String name, String value) {
        if (sent()) {
            return form.all(name).contains(value);
        }
        String d = defaults.get(name);
        return d != null && List.of(d.split(",")).contains(value);
    }

    /** The API's message for this field (or a field under it), or null. */
    String error(String name) {
        if (error == null) {
            return null;
        }
        return error.forField(name).orElse(null);
    }

    /** The message to show above the form, or null: the API's message when no field shows it. */
    String general() {
        if (error == null) {
            return null;
        }
        return error.getMessage();
    }

    /** The API's message when none of these fields shows one (the form shows it above itself), else null. */
    String generalExcept(String... fields) {
        if (error == null) {
            return null;
        }
        for (String field : fields) {
            if (error(field) != null) {
                return null;
            }
        }
        return error.getMessage();
    }

    boolean failed() {
        return error != null;
    }
}
