package io.cleanroom.server.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the route of a request by method and raw path. */
public final class Router {
    private final List<Route> routes = new ArrayList<>();

    public void add(Route route) {
        routes.add(route);
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public record Match(Route route, Map<String, String> pathParameters) {
    }

    /** The match, or empty; {@code methodMismatch} tells apart a known path with another method. */
    public Optional<Match> find(String method, String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/", -1)) {
            if (!s.isEmpty()) {
                segments.add(s);
            }
        }
        for (Route route : routes) {
            if (!route.method().equals(method)) {
                continue;
            }
            Optional<Map<String, String>> params = route.match(segments);
            if (params.isPresent()) {
                return Optional.of(new Match(route, params.get()));
            }
        }
        return Optional.empty();
    }
}
