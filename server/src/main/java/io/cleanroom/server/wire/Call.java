package io.cleanroom.server.wire;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Ids;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Page;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** One authenticated call to an operation: who calls, path and query parameters, and the body. */
public final class Call {
    private final Caller caller;
    private final HttpRequest request;
    private final Map<String, String> pathParameters;
    private final JsonNode body;

    public Call(Caller caller, HttpRequest request, Map<String, String> pathParameters, JsonNode body) {
        this.caller = requireNonNull(caller, "caller is null");
        this.request = requireNonNull(request, "request is null");
        this.pathParameters = Map.copyOf(pathParameters);
        this.body = body;
    }

    public Caller caller() {
        return caller;
    }

    public In body() {
        return In.of(body);
    }

    public String path(String name) {
        String value = pathParameters.get(name);
        if (value == null) {
            throw new IllegalStateException("route has no parameter " + name);
        }
        return value;
    }

    /** A path identifier that must be a lowercase UUID; anything else is a validation error. */
    public <T> T id(String name, Function<String, T> type) {
        String value = path(name);
        if (!Ids.isUuid(value)) {
            throw CleanroomException.validation(name,
                    "Value at '" + name + "' failed to satisfy constraint: Member must satisfy pattern "
                            + "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
        }
        return type.apply(value);
    }

    public AccountId accountId(String name) {
        String value = path(name);
        if (!Ids.isAccountId(value)) {
            throw CleanroomException.validation(name, "Value at '" + name + "' must be a 12-digit account id");
        }
        return new AccountId(value);
    }

    public String query(String name) {
        List<String> values = request.queryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> queryAll(String name) {
        return request.queryParameters().getOrDefault(name, List.of());
    }

    public <E extends Enum<E>> E queryEnum(String name, Class<E> type) {
        String value = query(name);
        if (value == null) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value)) {
                return constant;
            }
        }
        throw CleanroomException.validation(name, "Value '" + value + "' at '" + name
                + "' failed to satisfy constraint: Member must satisfy enum value set: "
                + List.of(type.getEnumConstants()));
    }

    /** maxResults (1..100) and nextToken (at most 10240 characters) from the query string. */
    public Page.Request page() {
        String max = query("maxResults");
        int maxResults = 100;
        if (max != null) {
            try {
                maxResults = Integer.parseInt(max);
            } catch (NumberFormatException e) {
                throw CleanroomException.validation("maxResults", "Value at 'maxResults' must be an integer");
            }
            if (maxResults < 1 || maxResults > 100) {
                throw CleanroomException.validation("maxResults",
                        "Value at 'maxResults' failed to satisfy constraint: Member must be between 1 and 100");
            }
        }
        String token = query("nextToken");
        if (token != null && token.length() > 10240) {
            throw CleanroomException.validation("nextToken", "Value at 'nextToken' must be at most 10240 characters");
        }
        return new Page.Request(maxResults, token);
    }
}
