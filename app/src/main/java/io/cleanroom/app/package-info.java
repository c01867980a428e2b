/**
 * The full cleanroom command (cleanroom.jar): the client's commands and the server's own, which
 * start an embedded server (server, demo). The composition of the server is the server module's;
 * the engine is found on this jar's class path (engine-duckdb, a runtime dependency).
 */
package io.cleanroom.app;
