package io.cleanroom.server.sigv4;

import static java.util.Objects.requireNonNull;

/**
 * Why a request's signature is refused. The kind follows the error types AWS answers with; the
 * message says what is wrong and never carries a secret, a signature we computed or a signing key.
 */
public final class SigV4Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What AWS would call the failure. */
    public enum Kind {
        /** No Authorization header (MissingAuthenticationTokenException). */
        MISSING_AUTHENTICATION,
        /** The Authorization header, or a part the signature needs, is malformed or missing (IncompleteSignature). */
        INCOMPLETE_SIGNATURE,
        /** Well formed, but the scope, time, payload or signature is wrong (InvalidSignatureException). */
        INVALID_SIGNATURE,
        /** The access key is not known or not active (UnrecognizedClientException). */
        UNRECOGNIZED_CLIENT
    }

    private final Kind kind;

    public SigV4Exception(Kind kind, String message) {
        super(requireNonNull(message, "message is null"), null, false, false);
        this.kind = requireNonNull(kind, "kind is null");
    }

    public Kind kind() {
        return kind;
    }
}
