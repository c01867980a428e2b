/**
 * The wire, apart from any transport: a received request ({@link io.cleanroom.server.wire.HttpRequest}),
 * routes by method and path template ({@link io.cleanroom.server.wire.Router}), one authenticated
 * call ({@link io.cleanroom.server.wire.Call}), request bodies read and checked field by field as
 * AWS does ({@link io.cleanroom.server.wire.In}), JSON ({@link io.cleanroom.server.wire.Json}), what
 * a handler returns, and the one table from error codes to HTTP status and AWS error type
 * ({@link io.cleanroom.server.wire.ErrorRenderer}).
 */
package io.cleanroom.server.wire;
