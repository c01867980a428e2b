package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.service.Caller;
import io.cleanroom.server.wire.HttpRequest;
import java.util.Map;

/**
 * One request to a console page: the request, its path parameters, query and form fields, and,
 * once signed in, the session and the API as its caller.
 */
final class Exchange {
    private final HttpRequest request;
    private final boolean secure;
    private final Map<String, String> path;
    private final Form query;
    private final Form form;
    private final Session session;
    private final Api api;

    Exchange(HttpRequest request, boolean secure, Map<String, String> path, Form query, Form form, Session session,
            Api api) {
        this.request = requireNonNull(request, "request is null");
        this.secure = secure;
        this.path = Map.copyOf(path);
        this.query = requireNonNull(query, "query is null");
        this.form = requireNonNull(form, "form is null");
        this.session = session;
        this.api = api;
    }

    HttpRequest request() {
        return request;
    }

    boolean secure() {
        return secure;
    }

    /** A path parameter, decoded. */
    String path(String name) {
        String value = path.get(name);
        if (value == null) {
            throw new IllegalStateException("the page has no parameter " + name);
        }
        return value;
    }

    Form query() {
        return query;
    }

    Form form() {
        return form;
    }

    Session session() {
        if (session == null) {
            throw new IllegalStateException("no one is signed in");
        }
        return session;
    }

    Api api() {
        if (api == null) {
            throw new IllegalStateException("no one is signed in");
        }
        return api;
    }

    Caller caller() {
        return api().caller();
    }

    /** The signed-in account's id (the operator has none). */
    String account() {
        return caller().account() == null ? null : caller().account().value();
    }

    /** Whether htmx sent the request (it swaps the answer into the page). */
    boolean htmx() {
        return request.header("hx-request").map("true"::equals).orElse(false);
    }

    /** The chrome of a page of this request, with the notice left for it. */
    Chrome chrome(String title, String nav) {
        if (session == null) {
            return Chrome.signedOut(title, null, null);
        }
        Caller caller = caller();
        return new Chrome(title, nav, caller.account() == null ? null : caller.account().value(),
                caller.accessKeyId(), caller.role().name(), caller.operator(), session.csrfToken(),
                session.takeNotice());
    }
}
