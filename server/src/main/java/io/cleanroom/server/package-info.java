/**
 * The server's composition root and its door: {@link io.cleanroom.server.CleanroomServer} opens
 * the store, builds the services, the query pipeline and the APIs and serves them;
 * {@code HttpTransport} (Jetty, TLS from {@code TlsMaterial}) hands each request to {@code Front},
 * which finds its API and operation, authenticates it ({@link io.cleanroom.server.auth}), runs the
 * handler and records the call in the audit trail. Where the wire is read and written:
 * {@link io.cleanroom.server.wire}; the APIs: {@link io.cleanroom.server.cleanrooms},
 * {@link io.cleanroom.server.glue}, {@link io.cleanroom.server.cloudtrail},
 * {@link io.cleanroom.server.admin}.
 */
package io.cleanroom.server;
