/**
 * The cleanroom command as a member or the operator uses it against a running server: admin,
 * catalog, audit, query (run a protected query on a terminal and print its result), query
 * results, and one sub-command per Clean Rooms operation. It needs only the
 * client module (the operation table and request signing): this module's jar,
 * cleanroom-client.jar, holds no server, engine, query control or JDBC driver. The server's own
 * commands (server, demo) are added by the app module's full jar.
 */
package io.cleanroom.cli;
