package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditContext;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.core.service.Caller;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door: reads a request (bounded), finds its API and operation, verifies its SigV4
 * signature, checks the key's role, runs the handler, and renders the response or the error in
 * the API's protocol. Nothing but a rendered error leaves on failure: no stack trace, no internals.
 */
final class Front implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Front.class);

    private static final int MAX_AUDITED_PARAMETERS = 64 * 1024;

    private final Router cleanRooms;
    private final Router admin;
    private final GlueApi glue;
    private final CloudTrailApi cloudTrail;
    private final SigV4Verifier verifier;
    private final int maxBodyBytes;
    private final io.cleanroom.core.store.Store store;

    Front(Router cleanRooms, Router admin, GlueApi glue, CloudTrailApi cloudTrail, SigV4Verifier verifier,
            int maxBodyBytes, io.cleanroom.core.store.Store store) {
        this.store = requireNonNull(store, "store is null");
        this.cloudTrail = requireNonNull(cloudTrail, "cloudTrail is null");
        this.cleanRooms = requireNonNull(cleanRooms, "cleanRooms is null");
        this.admin = requireNonNull(admin, "admin is null");
        this.glue = requireNonNull(glue, "glue is null");
        this.verifier = requireNonNull(verifier, "verifier is null");
        this.maxBodyBytes = maxBodyBytes;
    }

    private enum Protocol { REST, AWS_JSON, CLOUDTRAIL }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        Protocol protocol = Protocol.REST;
        String source = exchange.getRemoteAddress() == null ? null
                : exchange.getRemoteAddress().getAddress().getHostAddress();
        AuditContext audit = AuditContext.begin(AuditEvent.draft(requestId,
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), source));
        try {
            HttpRequest request = read(exchange);
            claimedKey(request).ifPresent(key -> audit.update(d -> d.withIdentity(null, key)));
            String target = request.header("x-amz-target").orElse(null);
            HttpResponse response;
            if (request.method().equals("POST") && request.rawPath().equals("/") && target != null) {
                protocol = CloudTrailApi.isCloudTrailTarget(target) ? Protocol.CLOUDTRAIL : Protocol.AWS_JSON;
                response = dispatchAwsJson(request, target);
            } else {
                response = dispatchRest(request);
            }
            record(audit);
            respond(exchange, requestId, protocol, response);
        } catch (CleanroomException e) {
            ErrorRenderer.Rendered rendered = render(protocol, e);
            audit.update(d -> d.withError(rendered.type(), e.code() == ErrorCode.INTERNAL ? "Internal error"
                    : e.getMessage()));
            recordQuietly(audit, requestId);
            if (e.code() == ErrorCode.INTERNAL) {
                LOG.error("request {} failed: {}", requestId, e.getMessage(), e.getCause());
            }
            respondError(exchange, requestId, protocol, e);
        } catch (RuntimeException | Error e) {
            LOG.error("request {} failed", requestId, e);
            audit.update(d -> d.withError("InternalServerException", "Internal error"));
            recordQuietly(audit, requestId);
            respondError(exchange, requestId, protocol,
                    CleanroomException.internal("Internal error; quote request id " + requestId, e));
        } finally {
            audit.end();
            exchange.close();
        }
    }

    private static final java.util.regex.Pattern CLAIMED_KEY = java.util.regex.Pattern.compile(
            "Credential=([A-Za-z0-9]{1,128})/");

    /** The access key a request claims to be signed with, before it is verified. */
    private static java.util.Optional<String> claimedKey(HttpRequest request) {
        return request.header("authorization").map(CLAIMED_KEY::matcher).filter(java.util.regex.Matcher::find)
                .map(m -> m.group(1));
    }

    /** Appends the call's event unless a change already committed it. */
    private void record(AuditContext audit) {
        AuditEvent draft = audit.take();
        if (draft != null) {
            store.inTransaction(tx -> AuditChain.append(tx, draft));
        }
    }

    private void recordQuietly(AuditContext audit, String requestId) {
        try {
            record(audit);
        } catch (RuntimeException e) {
            LOG.error("request {}: the audit event could not be recorded", requestId, e);
        }
    }

    /**
     * The collaboration a call concerns, for the audit trail's visibility: named in the path,
     * through the path's membership, or in the body (CreateMembership).
     */
    private String collaborationOf(java.util.Map<String, String> path, HttpRequest request) {
        if (path.containsKey("collaborationIdentifier")) {
            // only an identifier that can name a collaboration: anything else is refused by the handler, and
            // must not reach the trail's collaboration column (NUL bytes, or longer than the column)
            String id = path.get("collaborationIdentifier");
            return io.cleanroom.core.model.Ids.isUuid(id) ? id : null;
        }
        String membership = path.get("membershipIdentifier");
        if (membership != null && io.cleanroom.core.model.Ids.isUuid(membership)) {
            return store.inTransaction(tx -> tx.of(io.cleanroom.core.store.Kinds.MEMBERSHIPS).get(membership)
                    .map(m -> m.collaborationId().value()).orElse(null));
        }
        if (request.body().length > 0 && request.body().length < 65536) {
            try {
                JsonNode body = Json.MAPPER.readTree(request.body());
                JsonNode id = body == null ? null : body.get("collaborationIdentifier");
                if (id != null && id.isTextual() && io.cleanroom.core.model.Ids.isUuid(id.asText())) {
                    return id.asText();
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    /** What the audit trail keeps of a request's parameters: its JSON body, bounded. */
    private static String auditedParameters(HttpRequest request) {
        if (request.body().length == 0) {
            return request.rawQuery();
        }
        String body = new String(request.body(), java.nio.charset.StandardCharsets.UTF_8);
        return body.length() > MAX_AUDITED_PARAMETERS ? body.substring(0, MAX_AUDITED_PARAMETERS) + "..." : body;
    }

    private HttpRequest read(HttpExchange exchange) throws IOException {
        Map<String, List<String>> headers = new HashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        byte[] body = readBounded(exchange.getRequestBody());
        String source = exchange.getRemoteAddress() == null ? null
                : exchange.getRemoteAddress().getAddress().getHostAddress();
        String rawPath = exchange.getRequestURI().getRawPath();
        return new HttpRequest(exchange.getRequestMethod().toUpperCase(Locale.ROOT),
                rawPath == null || rawPath.isEmpty() ? "/" : rawPath,
                exchange.getRequestURI().getRawQuery(), headers, body, source);
    }

    private byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > maxBodyBytes) {
                in.transferTo(OutputStream.nullOutputStream());
                throw CleanroomException.of(ErrorCode.PAYLOAD_TOO_LARGE,
                        "The request body is larger than the server accepts (" + maxBodyBytes + " bytes)");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private Caller authenticate(HttpRequest request, String service, String operation) {
        AccountService.Credential credential = verifier.verify(request, service);
        Caller caller = new Caller(credential.key().accountId(), credential.key().accessKeyId(), credential.key().role());
        AuditContext.current().update(d -> d.withIdentity(caller.account() == null ? "operator"
                : caller.account().value(), caller.accessKeyId()));
        if (!Policy.allows(caller.role(), operation)) {
            throw CleanroomException.accessDenied("Access key " + caller.accessKeyId() + " (role " + caller.role()
                    + ") is not authorized to perform " + service + ":" + operation);
        }
        return caller;
    }

    private HttpResponse dispatchRest(HttpRequest request) {
        boolean isAdmin = request.rawPath().startsWith("/admin/");
        Router router = isAdmin ? admin : cleanRooms;
        Router.Match match = router.find(request.method(), request.rawPath()).orElseThrow(() ->
                CleanroomException.of(ErrorCode.UNKNOWN_OPERATION,
                        "No operation is served at " + request.method() + " " + request.rawPath()));
        String operation = match.route().operation();
        java.util.List<String> resources = new java.util.ArrayList<>(match.pathParameters().values());
        String collaboration = collaborationOf(match.pathParameters(), request);
        AuditContext.current().update(d -> d.withCall(isAdmin ? "cleanroom-admin" : "cleanrooms.amazonaws.com",
                operation, resources, auditedParameters(request), collaboration));
        Caller caller = authenticate(request, isAdmin ? AdminApi.SIGNING_NAME : "cleanrooms", operation);
        if (isAdmin && !caller.operator()) {
            throw CleanroomException.accessDenied("Only the operator's key may call " + operation);
        }
        JsonNode body = request.method().equals("GET") || request.method().equals("DELETE")
                ? null : Json.parse(request.body());
        return match.route().handler().handle(new Call(caller, request, match.pathParameters(), body));
    }

    private static ErrorRenderer.Rendered render(Protocol protocol, CleanroomException e) {
        return switch (protocol) {
            case AWS_JSON -> ErrorRenderer.glue(e);
            case CLOUDTRAIL -> ErrorRenderer.cloudTrail(e);
            case REST -> ErrorRenderer.cleanRooms(e);
        };
    }

    private HttpResponse dispatchAwsJson(HttpRequest request, String target) {
        if (CloudTrailApi.isLookupEvents(target)) {
            AuditContext.current().update(d -> d.withCall("cloudtrail.amazonaws.com", "LookupEvents",
                    java.util.List.of(), auditedParameters(request), null));
            Caller caller = authenticate(request, "cloudtrail", "LookupEvents");
            return cloudTrail.lookupEvents(caller, Json.parse(request.body()));
        }
        int dot = target.indexOf('.');
        String prefix = dot < 0 ? target : target.substring(0, dot);
        String operation = dot < 0 ? "" : target.substring(dot + 1);
        if (!prefix.equals("AWSGlue") || !glue.serves(operation)) {
            throw CleanroomException.of(ErrorCode.UNKNOWN_OPERATION, "Unknown operation " + target);
        }
        AuditContext.current().update(d -> d.withCall("glue.amazonaws.com", operation, java.util.List.of(),
                auditedParameters(request), null));
        Caller caller = authenticate(request, "glue", operation);
        return glue.handle(operation, caller, Json.parse(request.body()));
    }

    private void respond(HttpExchange exchange, String requestId, Protocol protocol, HttpResponse response)
            throws IOException {
        exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
        if (response.body() == null) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        byte[] bytes = Json.MAPPER.writeValueAsBytes(response.body());
        exchange.getResponseHeaders().set("Content-Type",
                protocol == Protocol.REST ? "application/json" : "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void respondError(HttpExchange exchange, String requestId, Protocol protocol, CleanroomException e)
            throws IOException {
        ErrorRenderer.Rendered rendered = render(protocol, e);
        exchange.getResponseHeaders().set("x-amzn-ErrorType", rendered.type());
        try {
            respond(exchange, requestId, protocol, new HttpResponse(rendered.status(), rendered.body()));
        } catch (IOException io) {
            LOG.debug("could not send error for request {}", requestId, io);
        }
    }
}
