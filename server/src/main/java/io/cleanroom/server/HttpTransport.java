package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.server.console.Console;
import io.cleanroom.server.console.WebReply;
import io.cleanroom.server.wire.HttpRequest;
import io.cleanroom.server.wire.Reply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 (keep-alive) and HTTPS on Jetty, in front of {@link Front}.
 *
 * <p>No thread waits on a client: Jetty parses request headers as bytes arrive, the body is read
 * as it arrives (demand, not a blocking stream), and a call runs only once its request is whole, on
 * the Jetty thread that finds it so; the pool holds {@code threads} threads for calls and a few more
 * for accepting and selecting. A reply is written without waiting for the client to read it. Slow clients are timed out: a connection idle for idleTimeout is closed; a
 * request whose headers (with, on a new HTTPS connection, the TLS handshake) take longer than
 * headerTimeout from their first byte, or whose body takes longer than bodyTimeout after the
 * headers, has its connection closed. A body larger than maxBodyBytes is refused without being
 * read to its end.
 */
final class HttpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

    /** TLS 1.3's suites, then TLS 1.2's forward-secret AEAD suites (ECDSA and RSA certificates). */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final Server server;
    private final ServerConnector connector;
    private final ScheduledExecutorService timers;
    private final Front front;
    private final Console console;
    private final int maxBodyBytes;
    private final ServerConfig.Transport limits;
    private final boolean secure;
    private final Map<EndPoint, Watch> watches = new ConcurrentHashMap<>();
    private volatile int boundPort = -1;

    private HttpTransport(String host, int port, ServerConfig.Transport limits, TlsMaterial tls, int threads,
            int maxBodyBytes, Front front, Console console) {
        this.front = requireNonNull(front, "front is null");
        this.console = requireNonNull(console, "console is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.maxBodyBytes = maxBodyBytes;
        this.secure = tls != null;
        // calls run on Jetty's threads once their request is whole: threads for calls, and a few for
        // accepting and selecting
        QueuedThreadPool pool = new QueuedThreadPool(threads + 8, Math.min(threads, 4));
        pool.setName("cleanroom-http");
        pool.setDaemon(true);
        this.server = new Server(pool);
        server.setErrorHandler(new AwsErrors());
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(16 * 1024);
        http.setIdleTimeout(limits.idleTimeout().toMillis());
        http.setHttpCompliance(HttpCompliance.RFC9110);
        // paths are never mapped to files: every path reaches the router, which matches raw segments
        // and answers an AWS error for what it does not serve; SigV4 needs the path as it was sent
        http.setUriCompliance(UriCompliance.UNSAFE);
        List<ConnectionFactory> factories = new ArrayList<>();
        if (tls != null) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(tls.keyStore());
            ssl.setKeyStorePassword(new String(tls.password()));
            ssl.setCertAlias(TlsMaterial.ALIAS);
            ssl.setIncludeProtocols(PROTOCOLS.toArray(new String[0]));
            ssl.setIncludeCipherSuites(CIPHER_SUITES.toArray(new String[0]));
            ssl.setUseCipherSuitesOrder(true);
            ssl.setRenegotiationAllowed(false);
            ssl.setSniRequired(false);
            // one certificate, no virtual hosts: a client may name the server by any address it reaches
            http.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
            factories.add(new SslConnectionFactory(ssl, "http/1.1"));
        }
        factories.add(new HttpConnectionFactory(http));
        this.connector = new ServerConnector(server, 1, 1, factories.toArray(new ConnectionFactory[0]));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(128);
        connector.setAcceptedTcpNoDelay(true);
        server.addConnector(connector);
        server.setHandler(new Entry());
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> {
                    Thread t = new Thread(r, "cleanroom-http-timeouts");
                    t.setDaemon(true);
                    return t;
                });
        timer.setRemoveOnCancelPolicy(true);
        this.timers = timer;
    }

    /** Starts listening; throws IOException when the address cannot be bound. */
    static HttpTransport start(String host, int port, ServerConfig.Transport limits, TlsMaterial tls, int threads,
            int maxBodyBytes, Front front, Console console) throws IOException {
        HttpTransport transport = new HttpTransport(host, port, limits, tls, threads, maxBodyBytes, front, console);
        try {
            transport.server.start();
        } catch (IOException e) {
            transport.close();
            throw e;
        } catch (Exception e) {
            transport.close();
            throw new IOException(e.getMessage(), e);
        }
        transport.boundPort = transport.connector.getLocalPort();
        long sweep = Math.max(50, Math.min(1000, limits.headerTimeout().toMillis() / 4));
        transport.timers.scheduleWithFixedDelay(transport::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        return transport;
    }

    /** The port bound at start (kept after close, so that a restart can bind it again). */
    int port() {
        return boundPort;
    }

    boolean secure() {
        return secure;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("stopping the HTTP server", e);
        }
        timers.shutdownNow();
    }

    /**
     * What the transport knows of one connection: how many of its requests are being served, how
     * many bytes had arrived when it was last at rest (no request being served, none arriving), and
     * since when bytes of a next request are arriving.
     */
    private static final class Watch {
        final AtomicInteger serving = new AtomicInteger();
        volatile long bytesAtRest;
        volatile long arrivingSince;
    }

    /** The socket's end point, under any TLS layer. */
    private static EndPoint socket(EndPoint endPoint) {
        EndPoint e = endPoint;
        while (e instanceof EndPoint.Wrapper wrapper) {
            e = wrapper.unwrap();
        }
        return e;
    }

    private static long bytesIn(EndPoint socket) {
        org.eclipse.jetty.io.Connection c = socket.getConnection();
        return c == null ? 0 : c.getBytesIn();
    }

    /**
     * Closes every connection whose next request has been arriving for longer than headerTimeout
     * (bytes came in since it was last at rest, and no request of it is being served).
     */
    private void sweep() {
        try {
            long now = System.nanoTime();
            long limit = limits.headerTimeout().toNanos();
            for (EndPoint socket : connector.getConnectedEndPoints()) {
                Watch watch = watches.computeIfAbsent(socket, s -> new Watch());
                if (watch.serving.get() > 0) {
                    watch.arrivingSince = 0;
                    continue;
                }
                if (bytesIn(socket) > watch.bytesAtRest) {
                    if (watch.arrivingSince == 0) {
                        watch.arrivingSince = now;
                    } else if (now - watch.arrivingSince >= limit) {
                        LOG.debug("closing {}: its request headers took longer than {}", socket.getRemoteSocketAddress(),
                                limits.headerTimeout());
                        watches.remove(socket);
                        socket.close();
                    }
                } else {
                    watch.arrivingSince = 0;
                }
            }
            watches.keySet().removeIf(socket -> !socket.isOpen());
        } catch (RuntimeException e) {
            LOG.warn("the slow-client check failed this time: {}", e.toString());
        }
    }

    /**
     * Receives each request once its headers are in, on one of Jetty's threads (not a selector):
     * reads the body as it comes, and serves the call on the thread that finds it whole.
     */
    private final class Entry extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            EndPoint socket = socket(request.getConnectionMetaData().getConnection().getEndPoint());
            Watch watch = watches.computeIfAbsent(socket, s -> new Watch());
            watch.serving.incrementAndGet();
            watch.arrivingSince = 0;
            Callback done = new Callback() {
                @Override
                public void succeeded() {
                    rest();
                    callback.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    rest();
                    callback.failed(x);
                }

                private void rest() {
                    watch.bytesAtRest = bytesIn(socket);
                    watch.serving.decrementAndGet();
                }

                @Override
                public InvocationType getInvocationType() {
                    return callback.getInvocationType();
                }
            };
            HttpRequest head = head(request, new byte[0]);
            long length = request.getLength();
            boolean waitsToSend = request.getHeaders().contains(HttpHeader.EXPECT, "100-continue");
            if (length > drainLimit() || (length > maxBodyBytes && waitsToSend)) {
                // too much to read only to throw away, or a client that waits to be asked for it: refused
                // at once, and the connection closed unread
                call(() -> refuse(response, done, head, true), done);
                return true;
            }
            new BodyReader(request, response, done, socket, head, length).start();
            return true;
        }
    }

    /**
     * A body over maxBodyBytes but within this many bytes is read to its end and thrown away before
     * it is refused, so that the client, still sending it, gets the 413 rather than a connection
     * reset (which the AWS SDKs would retry); a larger one is refused at once and its connection
     * closed. Reading costs no memory, and bodyTimeout still bounds it.
     */
    private long drainLimit() {
        return 4L * maxBodyBytes;
    }

    private CleanroomException tooLarge() {
        return CleanroomException.of(ErrorCode.PAYLOAD_TOO_LARGE,
                "The request body is larger than the server accepts (" + maxBodyBytes + " bytes)");
    }

    /** Runs a call here; what escapes the front door (nothing should) drops the connection. */
    private static void call(Runnable call, Callback done) {
        try {
            call.run();
        } catch (RuntimeException | Error e) {
            LOG.error("a call failed outside the front door", e);
            done.failed(e);
        }
    }

    /** Reads a request body as it arrives, within maxBodyBytes and bodyTimeout, then serves the call. */
    private final class BodyReader implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback done;
        private final EndPoint socket;
        private final HttpRequest head;
        private final AtomicBoolean finished = new AtomicBoolean();
        private byte[] body;
        private int size;
        /** Bytes of a body over the limit read and thrown away, or -1 while the body is within it. */
        private long discarded = -1;
        private volatile ScheduledFuture<?> timeout;

        BodyReader(Request request, Response response, Callback done, EndPoint socket, HttpRequest head,
                long length) {
            this.request = request;
            this.response = response;
            this.done = done;
            this.socket = socket;
            this.head = head;
            if (length > maxBodyBytes) {
                this.body = new byte[0];
                this.discarded = 0;
            } else {
                this.body = new byte[length > 0 ? (int) length : 0];
            }
        }

        void start() {
            run();
            if (!finished.get()) {
                // the body is still on its way: from now on it has bodyTimeout to arrive
                timeout = timers.schedule(this::expire, limits.bodyTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (finished.get()) {
                    timeout.cancel(false);
                }
            }
        }

        private void stopTimer() {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }

        /** The body did not arrive in time: the connection is closed (whatever was read is dropped). */
        private void expire() {
            if (finished.compareAndSet(false, true)) {
                LOG.debug("closing {}: its request body took longer than {}", socket.getRemoteSocketAddress(),
                        limits.bodyTimeout());
                socket.close();
                done.failed(new java.util.concurrent.TimeoutException("request body timed out"));
            }
        }

        /** Reads what has arrived; asks to be called again when more does. */
        @Override
        public void run() {
            while (true) {
                if (finished.get()) {
                    return;
                }
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    Throwable failure = chunk.getFailure();
                    chunk.release();
                    if (finished.compareAndSet(false, true)) {
                        stopTimer();
                        done.failed(failure);
                    }
                    return;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                int n = bytes.remaining();
                if (discarded < 0 && (long) size + n > maxBodyBytes) {
                    discarded = size;
                    body = new byte[0];
                    size = 0;
                }
                if (discarded >= 0) {
                    discarded += n;
                    boolean last = chunk.isLast();
                    chunk.release();
                    boolean whole = last && discarded <= drainLimit();
                    if ((whole || discarded > drainLimit()) && finished.compareAndSet(false, true)) {
                        stopTimer();
                        // read to its end, the connection can serve the next request; else it is closed
                        call(() -> refuse(response, done, head, !whole), done);
                        return;
                    }
                    if (last) {
                        return;
                    }
                    continue;
                }
                if (size + n > body.length) {
                    body = java.util.Arrays.copyOf(body, Math.max(size + n, Math.min(maxBodyBytes, body.length * 2)));
                }
                bytes.get(body, size, n);
                size += n;
                boolean last = chunk.isLast();
                chunk.release();
                if (last) {
                    if (finished.compareAndSet(false, true)) {
                        stopTimer();
                        byte[] all = size == body.length ? body : java.util.Arrays.copyOf(body, size);
                        HttpRequest whole = new HttpRequest(head.method(), head.rawPath(), head.rawQuery(),
                                head.headers(), all, head.sourceAddress());
                        call(() -> serve(response, done, whole), done);
                    }
                    return;
                }
            }
        }
    }

    /** A whole request: the web console's pages under /console, every other path the API's front door. */
    private void serve(Response response, Callback done, HttpRequest request) {
        if (Console.serves(request.rawPath())) {
            sendPage(response, done, console.handle(request, secure), false);
        } else {
            send(response, done, front.handle(request), false);
        }
    }

    /** A request whose body is over the limit: refused by the console or the front door, whichever it is for. */
    private void refuse(Response response, Callback done, HttpRequest head, boolean close) {
        if (Console.serves(head.rawPath())) {
            sendPage(response, done, console.tooLarge(secure), close);
        } else {
            send(response, done, front.refuse(head, tooLarge()), close);
        }
    }

    private static void sendPage(Response response, Callback done, WebReply reply, boolean close) {
        response.setStatus(reply.status());
        HttpFields.Mutable headers = response.getHeaders();
        for (WebReply.Header header : reply.headers()) {
            headers.add(header.name(), header.value());
        }
        if (close) {
            headers.put(HttpHeader.CONNECTION, "close");
        }
        headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        response.write(true, ByteBuffer.wrap(reply.body()), done);
    }

    /** The request as the front door sees it: raw path and query as sent, lower-case header names. */
    private static HttpRequest head(Request request, byte[] body) {
        Map<String, List<String>> headers = new HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.computeIfAbsent(field.getLowerCaseName(), k -> new ArrayList<>(1)).add(field.getValue());
        }
        String rawPath = request.getHttpURI().getPath();
        return new HttpRequest(request.getMethod().toUpperCase(Locale.ROOT),
                rawPath == null || rawPath.isEmpty() ? "/" : rawPath, request.getHttpURI().getQuery(), headers, body,
                Request.getRemoteAddr(request));
    }

    private static void send(Response response, Callback done, Reply reply, boolean close) {
        response.setStatus(reply.status());
        HttpFields.Mutable headers = response.getHeaders();
        headers.put("x-amzn-RequestId", reply.requestId());
        if (reply.errorType() != null) {
            headers.put("x-amzn-ErrorType", reply.errorType());
        }
        if (close) {
            headers.put(HttpHeader.CONNECTION, "close");
        }
        if (reply.body() == null) {
            response.write(true, null, done);
            return;
        }
        headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, reply.body().length);
        response.write(true, ByteBuffer.wrap(reply.body()), done);
    }

    /**
     * What Jetty answers itself, for a request it cannot parse (a malformed request line, URI or
     * percent-escape, headers too large): an AWS error of the request's protocol with Jetty's
     * status, never a stack trace or echoed input. Not a call, so not audited.
     */
    private static final class AwsErrors extends ErrorHandler {
        @Override
        protected void generateResponse(Request request, Response response, int code, String message,
                Throwable cause, Callback callback) {
            String target = null;
            try {
                target = request.getHeaders().get("X-Amz-Target");
            } catch (RuntimeException e) {
                // no headers parsed: the Clean Rooms protocol
            }
            Reply reply = Front.unparsable(code, target);
            response.setStatus(reply.status());
            HttpFields.Mutable headers = response.getHeaders();
            headers.put("x-amzn-RequestId", reply.requestId());
            headers.put("x-amzn-ErrorType", reply.errorType());
            headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
            headers.put(HttpHeader.CONTENT_LENGTH, reply.body().length);
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
        }
    }
}
