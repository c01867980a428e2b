package io.cleanroom.server.wire;

/**
 * What goes back on the wire for one call: status, the request id (x-amzn-RequestId), the AWS error
 * type of a failure (x-amzn-ErrorType, null on success), the body's content type, and the body (null
 * for none, as on 204).
 */
public record Reply(int status, String requestId, String errorType, String contentType, byte[] body) {
}
