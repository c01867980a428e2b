package io.cleanroom.server.sigv4;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads requests written as the SigV4 test suite writes them: a request line, "Name:value" header
 * lines (a line starting with whitespace is a further value of the header above, as the suite's
 * get-header-value-multiline reads it), an empty line, then the body.
 */
final class RequestFiles {
    private RequestFiles() {
    }

    static Path resource(String name) {
        try {
            return Path.of(RequestFiles.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> children(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SignedRequest parse(String text) {
        int end = text.indexOf("\n\n");
        String head = end < 0 ? text : text.substring(0, end);
        String body = end < 0 ? "" : text.substring(end + 2);
        String[] lines = head.split("\n", -1);
        String requestLine = lines[0];
        String method = requestLine.substring(0, requestLine.indexOf(' '));
        String target = requestLine.substring(method.length() + 1, requestLine.lastIndexOf(' '));
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        String query = question < 0 ? null : target.substring(question + 1);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        List<String> last = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (!line.isEmpty() && Character.isWhitespace(line.charAt(0)) && last != null) {
                last.add(line);
                continue;
            }
            int colon = line.indexOf(':');
            last = headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>());
            last.add(line.substring(colon + 1));
        }
        return new SignedRequest(method, path, query, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the request with one header's values replaced (or removed when values is empty). */
    static SignedRequest withHeader(SignedRequest r, String name, List<String> values) {
        Map<String, List<String>> headers = new LinkedHashMap<>(r.headers());
        headers.remove(name.toLowerCase(java.util.Locale.ROOT));
        if (!values.isEmpty()) {
            headers.put(name, values);
        }
        return new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), headers, r.body());
    }

    static SignedRequest withTarget(SignedRequest r, String rawPath, String rawQuery) {
        return new SignedRequest(r.method(), rawPath, rawQuery, r.headers(), r.body());
    }

    static SignedRequest withBody(SignedRequest r, String body) {
        return new SignedRequest(r.method(), r.rawPath(), r.rawQuery(), r.headers(),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
