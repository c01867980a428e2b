package io.cleanroom.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over one keep-alive socket that sends requests exactly as given: any raw
 * path and query, any headers (repeated, huge), any body bytes. The JDK's clients refuse or rewrite
 * much of what a fuzzer must send. Responses are read by Content-Length or chunked encoding.
 */
final class RawHttp implements AutoCloseable {
    /** A response: status, lower-case headers (first value) and the body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final String host;
    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttp(String host, int port, int timeoutMillis) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    private void connect() throws IOException {
        close();
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
    }

    /**
     * Sends one request on the kept-alive connection (reconnecting once if the server had closed it
     * before the request was written) and reads the response.
     */
    Response send(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body)
            throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        String target = rawQuery == null ? rawPath : rawPath + "?" + rawQuery;
        head.writeBytes((method + " " + target + " HTTP/1.1\r\n").getBytes(StandardCharsets.ISO_8859_1));
        boolean hasLength = false;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            hasLength |= header.getKey().equalsIgnoreCase("content-length");
            for (String value : header.getValue()) {
                head.writeBytes((header.getKey() + ": " + value + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!hasLength) {
            head.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        head.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        boolean fresh = socket == null || socket.isClosed();
        if (fresh) {
            connect();
        }
        try {
            return exchange(method, head.toByteArray(), body);
        } catch (IOException e) {
            close();
            if (fresh) {
                throw e;
            }
            // the server may have closed the idle connection: try once on a new one
            connect();
            try {
                return exchange(method, head.toByteArray(), body);
            } catch (IOException again) {
                close();
                throw again;
            }
        }
    }

    /**
     * Writes the request and reads the answer. A server may answer before it has taken the whole
     * body (a body it refuses) and close the connection: the write then fails, and the answer is read
     * all the same, as HTTP clients do.
     */
    private Response exchange(String method, byte[] head, byte[] body) throws IOException {
        try {
            out.write(head);
            out.write(body);
            out.flush();
        } catch (IOException writeFailed) {
            try {
                Response early = read(method);
                close();
                return early;
            } catch (IOException noAnswer) {
                writeFailed.addSuppressed(noAnswer);
                throw writeFailed;
            }
        }
        return read(method);
    }

    private Response read(String method) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunked();
        } else if (length != null) {
            long n = Long.parseLong(length);
            if (n > MAX_RESPONSE_BYTES) {
                throw new IOException("response of " + n + " bytes");
            }
            body = in.readNBytes((int) n);
            if (body.length != n) {
                throw new IOException("response body cut short");
            }
        } else {
            body = in.readNBytes(MAX_RESPONSE_BYTES);
            close();
        }
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
            close();
        }
        return new Response(status, headers, body);
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            if (size == null) {
                throw new IOException("chunked body cut short");
            }
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                String trailer;
                while ((trailer = line()) != null && !trailer.isEmpty()) {
                    // trailers are ignored
                }
                return body.toByteArray();
            }
            if (body.size() + n > MAX_RESPONSE_BYTES) {
                throw new IOException("response too large");
            }
            byte[] chunk = in.readNBytes(n);
            if (chunk.length != n) {
                throw new IOException("chunk cut short");
            }
            body.writeBytes(chunk);
            line();
        }
    }

    /** One CRLF-terminated line (ISO-8859-1), or null at end of stream. */
    private String line() throws IOException {
        StringBuilder text = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int end = text.length();
                if (end > 0 && text.charAt(end - 1) == '\r') {
                    text.setLength(end - 1);
                }
                return text.toString();
            }
            text.append((char) c);
            if (text.length() > 65536) {
                throw new IOException("response line too long");
            }
        }
        return text.length() == 0 ? null : text.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
    }
}
