package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The console's pages: method, path pattern under /console ("/collaborations/{id}"), who may use it. */
final class Routes {
    /** Who may use a page: anyone, any signed-in key, an account's key only, or the operator's only. */
    enum Access { PUBLIC, SIGNED_IN, ACCOUNT, OPERATOR }

    interface Handler {
        WebReply handle(Exchange x);
    }

    record Route(String method, List<String> segments, Access access, Handler handler) {
        Route {
            requireNonNull(method, "method is null");
            segments = List.copyOf(segments);
            requireNonNull(access, "access is null");
            requireNonNull(handler, "handler is null");
        }
    }

    record Match(Route route, Map<String, String> parameters) {
    }

    private final List<Route> routes = new ArrayList<>();

    void get(String pattern, Access access, Handler handler) {
        routes.add(new Route("GET", segments(pattern), access, handler));
    }

    void post(String pattern, Access access, Handler handler) {
        routes.add(new Route("POST", segments(pattern), access, handler));
    }

    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** The route for a method and decoded path segments; {@code anyMethod} finds one of any method. */
    Optional<Match> find(String method, List<String> path, boolean anyMethod) {
        for (Route route : routes) {
            if (!anyMethod && !route.method().equals(method)) {
                continue;
            }
            if (route.segments().size() != path.size()) {
                continue;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            boolean matches = true;
            for (int i = 0; i < path.size() && matches; i++) {
                String t = route.segments().get(i);
                if (t.startsWith("{") && t.endsWith("}")) {
                    parameters.put(t.substring(1, t.length() - 1), path.get(i));
                } else {
                    matches = t.equals(path.get(i));
                }
            }
            if (matches) {
                return Optional.of(new Match(route, parameters));
            }
        }
        return Optional.empty();
    }
}
