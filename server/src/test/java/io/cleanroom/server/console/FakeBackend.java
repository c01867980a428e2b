package io.cleanroom.server.console;

import io.cleanroom.core.model.AccessKey;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.core.service.Caller;
import io.cleanroom.server.wire.HttpRequest;
import io.cleanroom.server.wire.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A backend that answers the console's API calls from a table (method and path to a JSON body and
 * status), records every call with its caller, and holds access keys that tests can disable.
 */
final class FakeBackend implements Backend {
    record Recorded(Caller caller, HttpRequest request) {
        String target() {
            return request.method() + " " + request.rawPath() + request.header("x-amz-target").map(t -> " " + t)
                    .orElse("");
        }
    }

    record SignIn(String accessKeyId, String account, String failure) {
    }

    final List<Recorded> calls = new ArrayList<>();
    final List<SignIn> signIns = new ArrayList<>();
    private final Map<String, AccountService.Credential> keys = new HashMap<>();
    private final Map<String, Function<HttpRequest, Reply>> answers = new HashMap<>();
    /** The answer to a call no test named (null: such a call fails the test). */
    Function<HttpRequest, Reply> otherwise;

    void key(String id, String account, Role role, String secret) {
        keys.put(id, new AccountService.Credential(new AccessKey(id, account == null ? null : new AccountId(account),
                role, true, "sealed", Instant.EPOCH), secret));
    }

    void disable(String id) {
        keys.remove(id);
    }

    /** The answer to "METHOD /path" (or "POST / Target" for the JSON protocols). */
    void answer(String target, int status, String errorType, String json) {
        answers.put(target, r -> new Reply(status, "request", errorType, "application/json",
                json.getBytes(StandardCharsets.UTF_8)));
    }

    void answer(String target, String json) {
        answer(target, 200, null, json);
    }

    @Override
    public Reply call(Caller caller, HttpRequest request) {
        Recorded recorded = new Recorded(caller, request);
        calls.add(recorded);
        Function<HttpRequest, Reply> answer = answers.get(recorded.target());
        if (answer == null && otherwise != null) {
            return otherwise.apply(request);
        }
        if (answer == null) {
            throw new AssertionError("the test did not expect the console to call " + recorded.target());
        }
        return answer.apply(request);
    }

    @Override
    public Optional<AccountService.Credential> credential(String accessKeyId) {
        return Optional.ofNullable(keys.get(accessKeyId));
    }

    @Override
    public void recordSignIn(String accessKeyId, String account, String sourceAddress, String failure) {
        signIns.add(new SignIn(accessKeyId, account, failure));
    }
}
