package io.cleanroom.server.console;

import io.cleanroom.core.service.AccountService;
import io.cleanroom.core.service.Caller;
import io.cleanroom.server.wire.HttpRequest;
import io.cleanroom.server.wire.Reply;
import java.util.Optional;

/** What the console needs of the server: to call its API as a caller, and to check access keys. */
public interface Backend {
    /**
     * Serves one API call for the caller exactly as a signed request is served (the same routing,
     * role check, handler, services, query control and audit event); the caller is the one the
     * console's session authenticated instead of a signature's.
     */
    Reply call(Caller caller, HttpRequest request);

    /** The active access key with this id, with its secret (empty when unknown or disabled). */
    Optional<AccountService.Credential> credential(String accessKeyId);

    /** Records a sign-in attempt in the audit trail (ConsoleLogin); failure is null on success. */
    void recordSignIn(String accessKeyId, String account, String sourceAddress, String failure);
}
