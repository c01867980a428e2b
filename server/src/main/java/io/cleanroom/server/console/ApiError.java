package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * An API call that failed, as the API answered it: the AWS error type, its message (safe to show:
 * the API's messages never carry data, secrets or internals), and the fields it names.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final List<FieldError> fields;

    record FieldError(String name, String message) {
        FieldError {
            requireNonNull(name, "name is null");
            requireNonNull(message, "message is null");
        }
    }

    ApiError(int status, String type, String message, List<FieldError> fields) {
        super(message, null, false, false);
        this.status = status;
        this.type = requireNonNull(type, "type is null");
        this.fields = List.copyOf(fields);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    List<FieldError> fields() {
        return fields;
    }

    /** The message of the first field error whose name is this one or lies under it (name.x, name[0]). */
    Optional<String> forField(String name) {
        for (FieldError f : fields) {
            if (f.name().equals(name) || f.name().startsWith(name + ".") || f.name().startsWith(name + "[")) {
                return Optional.of(f.message());
            }
        }
        return Optional.empty();
    }

    /**
     * The same error with its fields named as a form names them: a field the API named by one of the
     * map's keys, or under it, takes the form's name; the others keep theirs.
     */
    ApiError renamed(java.util.Map<String, String> apiToForm) {
        List<FieldError> renamed = new java.util.ArrayList<>();
        for (FieldError f : fields) {
            String name = f.name();
            for (java.util.Map.Entry<String, String> e : apiToForm.entrySet()) {
                if (name.equals(e.getKey()) || name.startsWith(e.getKey() + ".") || name.startsWith(e.getKey() + "[")) {
                    name = e.getValue();
                    break;
                }
            }
            renamed.add(new FieldError(name, f.message()));
        }
        return new ApiError(status, type, getMessage(), renamed);
    }

    boolean notFound() {
        return status == 404;
    }

    boolean accessDenied() {
        return status == 403;
    }
}
