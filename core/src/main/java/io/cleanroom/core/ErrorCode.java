package io.cleanroom.core;

/**
 * The one set of error codes that crosses layers. The wire layer maps each to an HTTP status and
 * an AWS error type; nothing else decides how an error looks to a caller.
 */
public enum ErrorCode {
    /** Input fails a field constraint (AWS ValidationException, reason FIELD_VALIDATION_FAILED). */
    VALIDATION,
    /** A configuration is invalid as a whole (ValidationException, reason INVALID_CONFIGURATION). */
    INVALID_CONFIGURATION,
    /** A query violates an analysis rule or does not parse (ValidationException, reason INVALID_QUERY). */
    INVALID_QUERY,
    /** Unsigned, mis-signed, expired or unauthorised request (AccessDeniedException). */
    ACCESS_DENIED,
    /** The named resource does not exist or is not visible to the caller (ResourceNotFoundException). */
    RESOURCE_NOT_FOUND,
    /** The resource already exists (ConflictException, reason ALREADY_EXISTS). */
    ALREADY_EXISTS,
    /** The resource still has sub-resources (ConflictException, reason SUBRESOURCES_EXIST). */
    SUBRESOURCES_EXIST,
    /** The resource is in a state that forbids the operation (ConflictException, reason INVALID_STATE). */
    INVALID_STATE,
    /** A quota is exhausted (ServiceQuotaExceededException). */
    QUOTA_EXCEEDED,
    /** Too many requests (ThrottlingException). */
    THROTTLING,
    /** The request path or operation does not exist. */
    UNKNOWN_OPERATION,
    /** A protected query failed while running (out of memory, time-out, engine error). */
    QUERY_FAILED,
    /** The request body is larger than the server accepts. */
    PAYLOAD_TOO_LARGE,
    /** A bug or an unavailable dependency (InternalServerException); never carries internals. */
    INTERNAL
}
