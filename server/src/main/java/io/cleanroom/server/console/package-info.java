/**
 * The web console, served at {@code /console}: pages rendered on the server from precompiled jte
 * templates (src/main/jte), enhanced with htmx, Chart.js and CodeMirror served from their WebJars.
 *
 * <p>The console is a client of the API, in process: every page reads and every form writes
 * through {@link io.cleanroom.server.console.Backend#call}, which serves the call as a signed
 * request is served (routing, role check, handler, services, query control, audit event) for the
 * caller its session authenticated. It holds no path of its own to the store or the services, so
 * it can see and do no more than its user's access key can through an SDK.
 *
 * <p>Web security: the secret access key is exchanged at sign-in for a server-side session whose
 * cookie is HttpOnly, SameSite=Strict and Secure over TLS, with an idle expiry; every request
 * that changes anything carries the session's CSRF token; every page has a Content-Security-Policy
 * without inline script or style; everything shown is escaped by the templates.
 */
package io.cleanroom.server.console;
