package io.cleanroom.server.wire;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;

/**
 * The one table from error codes to HTTP status and AWS error type, for the restJson1 APIs
 * (Clean Rooms, admin) and for the awsJson1.1 Glue API, whose error types differ.
 */
public final class ErrorRenderer {
    public record Rendered(int status, String type, ObjectNode body) {
    }

    private ErrorRenderer() {
    }

    private static final String ACCESS_DENIED_REASON = "INSUFFICIENT_PERMISSIONS";

    private static String validationReason(CleanroomException e) {
        return switch (e.code()) {
            case INVALID_CONFIGURATION -> "INVALID_CONFIGURATION";
            case INVALID_QUERY -> "INVALID_QUERY";
            default -> "FIELD_VALIDATION_FAILED";
        };
    }

    public static Rendered cleanRooms(CleanroomException e) {
        ObjectNode body = Json.object();
        body.put("message", e.getMessage());
        int status;
        String type;
        switch (e.code()) {
            case VALIDATION, INVALID_CONFIGURATION, INVALID_QUERY, PAYLOAD_TOO_LARGE -> {
                status = e.code() == io.cleanroom.core.ErrorCode.PAYLOAD_TOO_LARGE ? 413 : 400;
                type = "ValidationException";
                body.put("reason", validationReason(e));
                if (!e.fieldErrors().isEmpty()) {
                    ArrayNode fields = body.putArray("fieldList");
                    for (CleanroomException.FieldError f : e.fieldErrors()) {
                        fields.addObject().put("name", f.name()).put("message", f.message());
                    }
                }
            }
            case ACCESS_DENIED -> {
                status = 403;
                type = "AccessDeniedException";
                body.put("reason", ACCESS_DENIED_REASON);
            }
            case RESOURCE_NOT_FOUND -> {
                status = 404;
                type = "ResourceNotFoundException";
                e.resourceId().ifPresent(id -> body.put("resourceId", id));
                e.resourceType().ifPresent(t -> body.put("resourceType", t.name()));
            }
            case ALREADY_EXISTS, SUBRESOURCES_EXIST, INVALID_STATE -> {
                status = 409;
                type = "ConflictException";
                e.resourceId().ifPresent(id -> body.put("resourceId", id));
                e.resourceType().ifPresent(t -> body.put("resourceType", t.name()));
                body.put("reason", e.code().name());
            }
            case QUOTA_EXCEEDED -> {
                status = 402;
                type = "ServiceQuotaExceededException";
                body.put("quotaName", e.quotaName().orElse(""));
                body.put("quotaValue", e.quotaValue());
            }
            case THROTTLING -> {
                status = 429;
                type = "ThrottlingException";
            }
            case UNKNOWN_OPERATION -> {
                status = 404;
                type = "UnknownOperationException";
            }
            default -> {
                status = 500;
                type = "InternalServerException";
            }
        }
        body.put("__type", type);
        return new Rendered(status, type, body);
    }

    public static Rendered cloudTrail(CleanroomException e) {
        String type = switch (e.code()) {
            case ACCESS_DENIED -> "AccessDeniedException";
            case THROTTLING -> "ThrottlingException";
            case UNKNOWN_OPERATION -> "UnknownOperationException";
            case INTERNAL -> "InternalServerException";
            default -> e.fieldErrors().stream().anyMatch(f -> f.name().equalsIgnoreCase("NextToken"))
                    ? "InvalidNextTokenException"
                    : e.fieldErrors().stream().anyMatch(f -> f.name().endsWith("Time")) ? "InvalidTimeRangeException"
                    : e.fieldErrors().stream().anyMatch(f -> f.name().equals("MaxResults"))
                            ? "InvalidMaxResultsException" : "InvalidLookupAttributesException";
        };
        int status = switch (e.code()) {
            case ACCESS_DENIED -> 403;
            case INTERNAL -> 500;
            default -> 400;
        };
        ObjectNode body = Json.object();
        body.put("__type", type);
        body.put("message", e.getMessage());
        return new Rendered(status, type, body);
    }

    public static Rendered glue(CleanroomException e) {
        String type = switch (e.code()) {
            case RESOURCE_NOT_FOUND -> "EntityNotFoundException";
            case ALREADY_EXISTS -> "AlreadyExistsException";
            case ACCESS_DENIED -> "AccessDeniedException";
            case QUOTA_EXCEEDED -> "ResourceNumberLimitExceededException";
            case THROTTLING -> "ThrottlingException";
            case UNKNOWN_OPERATION -> "UnknownOperationException";
            case INTERNAL -> "InternalServiceException";
            default -> "InvalidInputException";
        };
        int status = switch (e.code()) {
            case ACCESS_DENIED -> 403;
            case INTERNAL -> 500;
            case PAYLOAD_TOO_LARGE -> 413;
            default -> 400;
        };
        ObjectNode body = Json.object();
        body.put("__type", type);
        body.put("message", e.getMessage());
        return new Rendered(status, type, body);
    }
}
