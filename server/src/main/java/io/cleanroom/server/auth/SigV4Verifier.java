package io.cleanroom.server.auth;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.server.sigv4.SigV4Exception;
import io.cleanroom.server.sigv4.SignatureVerifier;
import io.cleanroom.server.sigv4.SignedRequest;
import io.cleanroom.server.wire.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Authenticates a received request with AWS Signature Version 4 ({@link SignatureVerifier}) against
 * the access keys of the account service, at the server's clock, for credentials scoped to the
 * server's region. Every refusal is an AccessDeniedException whose message says what is wrong.
 */
public final class SigV4Verifier {
    private final Function<String, Optional<AccountService.Credential>> credentials;
    private final Clock clock;
    private final SignatureVerifier verifier;

    public SigV4Verifier(Function<String, Optional<AccountService.Credential>> credentials, Clock clock, String region,
            Duration maxSkew) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.verifier = new SignatureVerifier(Set.of(requireNonNull(region, "region is null")), maxSkew);
    }

    /** Returns the verified credential, or throws AccessDenied saying what is wrong. */
    public AccountService.Credential verify(HttpRequest request, String expectedService) {
        SignedRequest signed = new SignedRequest(request.method(), request.rawPath(), request.rawQuery(),
                request.headers(), request.body());
        try {
            return verifier.verify(signed, expectedService, clock.instant(), credentials,
                    AccountService.Credential::secret);
        } catch (SigV4Exception e) {
            throw CleanroomException.accessDenied(e.getMessage());
        }
    }
}
