package io.cleanroom.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The one exception type of Cleanroom. Its message is safe to show to a caller: it never carries
 * cell values, secrets or keys.
 */
public final class CleanroomException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final List<FieldError> fieldErrors;
    private final String resourceId;
    private final ResourceType resourceType;
    private final String quotaName;
    private final double quotaValue;

    /** One field that failed validation: its dotted path and what is wrong with it. */
    public record FieldError(String name, String message) {
        public FieldError {
            requireNonNull(name, "name is null");
            requireNonNull(message, "message is null");
        }
    }

    private CleanroomException(ErrorCode code, String message, List<FieldError> fieldErrors,
            String resourceId, ResourceType resourceType, String quotaName, double quotaValue, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
        this.fieldErrors = List.copyOf(fieldErrors);
        this.resourceId = resourceId;
        this.resourceType = resourceType;
        this.quotaName = quotaName;
        this.quotaValue = quotaValue;
    }

    public static CleanroomException of(ErrorCode code, String message) {
        return new CleanroomException(code, message, List.of(), null, null, null, 0, null);
    }

    public static CleanroomException validation(String field, String message) {
        return new CleanroomException(ErrorCode.VALIDATION, field + ": " + message,
                List.of(new FieldError(field, message)), null, null, null, 0, null);
    }

    public static CleanroomException validation(List<FieldError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("no field errors");
        }
        StringBuilder message = new StringBuilder();
        for (FieldError error : errors) {
            if (message.length() > 0) {
                message.append("; ");
            }
            message.append(error.name()).append(": ").append(error.message());
        }
        return new CleanroomException(ErrorCode.VALIDATION, message.toString(), errors, null, null, null, 0, null);
    }

    public static CleanroomException invalidConfiguration(String message) {
        return of(ErrorCode.INVALID_CONFIGURATION, message);
    }

    public static CleanroomException notFound(ResourceType type, String id) {
        return new CleanroomException(ErrorCode.RESOURCE_NOT_FOUND,
                type.displayName() + " " + id + " does not exist or is not visible to you", List.of(),
                id, type, null, 0, null);
    }

    public static CleanroomException notFound(ResourceType type, String id, String message) {
        return new CleanroomException(ErrorCode.RESOURCE_NOT_FOUND, message, List.of(), id, type, null, 0, null);
    }

    public static CleanroomException conflict(ErrorCode code, ResourceType type, String id, String message) {
        if (code != ErrorCode.ALREADY_EXISTS && code != ErrorCode.SUBRESOURCES_EXIST && code != ErrorCode.INVALID_STATE) {
            throw new IllegalArgumentException("not a conflict code: " + code);
        }
        return new CleanroomException(code, message, List.of(), id, type, null, 0, null);
    }

    public static CleanroomException quota(String quotaName, double quotaValue) {
        return new CleanroomException(ErrorCode.QUOTA_EXCEEDED,
                "Service quota exceeded: " + quotaName + " (limit " + (long) quotaValue + ")", List.of(),
                null, null, quotaName, quotaValue, null);
    }

    public static CleanroomException accessDenied(String message) {
        return of(ErrorCode.ACCESS_DENIED, message);
    }

    public static CleanroomException internal(String message, Throwable cause) {
        return new CleanroomException(ErrorCode.INTERNAL, message, List.of(), null, null, null, 0, cause);
    }

    public ErrorCode code() {
        return code;
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    public Optional<String> resourceId() {
        return Optional.ofNullable(resourceId);
    }

    public Optional<ResourceType> resourceType() {
        return Optional.ofNullable(resourceType);
    }

    public Optional<String> quotaName() {
        return Optional.ofNullable(quotaName);
    }

    public double quotaValue() {
        return quotaValue;
    }
}
