/**
 * Who calls and what they may call: SigV4 authentication of a request against the accounts' keys
 * ({@link io.cleanroom.server.auth.SigV4Verifier}, on the signature checks of
 * {@link io.cleanroom.server.sigv4}) and the allow-list of operations per role
 * ({@link io.cleanroom.server.auth.Policy}).
 */
package io.cleanroom.server.auth;
