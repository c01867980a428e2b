package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.Stage;
import io.cleanroom.core.audit.AuditChain;
import io.cleanroom.core.audit.AuditContext;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.core.service.Caller;
import io.cleanroom.server.admin.AdminApi;
import io.cleanroom.server.auth.Policy;
import io.cleanroom.server.auth.SigV4Verifier;
import io.cleanroom.server.cloudtrail.CloudTrailApi;
import io.cleanroom.server.glue.GlueApi;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.ErrorRenderer;
import io.cleanroom.server.wire.HttpRequest;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Reply;
import io.cleanroom.server.wire.Router;
import java.io.IOException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door, apart from any transport: finds a request's API and operation, verifies its
 * SigV4 signature, checks the key's role, runs the handler, records the call in the audit trail,
 * and renders the response or the error in the API's protocol. Nothing but a rendered error leaves
 * on failure: no stack trace, no internals.
 */
final class Front {
    private static final Logger LOG = LoggerFactory.getLogger(Front.class);

    private static final int MAX_AUDITED_PARAMETERS = 64 * 1024;

    private final Router cleanRooms;
    private final Router admin;
    private final GlueApi glue;
    private final CloudTrailApi cloudTrail;
    private final SigV4Verifier verifier;
    private final io.cleanroom.core.store.Store store;

    Front(Router cleanRooms, Router admin, GlueApi glue, CloudTrailApi cloudTrail, SigV4Verifier verifier,
            io.cleanroom.core.store.Store store) {
        this.store = requireNonNull(store, "store is null");
        this.cloudTrail = requireNonNull(cloudTrail, "cloudTrail is null");
        this.cleanRooms = requireNonNull(cleanRooms, "cleanRooms is null");
        this.admin = requireNonNull(admin, "admin is null");
        this.glue = requireNonNull(glue, "glue is null");
        this.verifier = requireNonNull(verifier, "verifier is null");
    }

    private enum Protocol { REST, AWS_JSON, CLOUDTRAIL }

    /** Who made a call: the verified signer of a request on the wire, or an in-process client's caller. */
    @FunctionalInterface
    private interface Identify {
        Caller caller(HttpRequest request, String service);
    }

    /** Serves one request that arrived whole: always a reply, never an exception. */
    Reply handle(HttpRequest request) {
        try (Stage stage = Stage.begin("call")) {
            return serve(request, null, this::verified);
        }
    }

    /**
     * Serves one call of an in-process client, the web console, for a caller its session
     * authenticated: exactly as a signed request is served (the same routing, the same role check,
     * handler, services and query control, and the same audit event) except that the caller is not
     * read from a signature. The request is built by the console, never taken from a browser.
     */
    Reply callAs(Caller caller, HttpRequest request) {
        requireNonNull(caller, "caller is null");
        try (Stage stage = Stage.begin("call")) {
            return serve(request, null, (r, service) -> caller);
        }
    }

    /**
     * Records a console sign-in attempt (CloudTrail's ConsoleLogin) in the audit trail: the access key
     * it named, the account when the key is known, where it came from, and the failure if it failed.
     */
    void recordSignIn(String accessKeyId, String account, String sourceAddress, String failure) {
        String requestId = UUID.randomUUID().toString();
        AuditEvent event = AuditEvent.draft(requestId,
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), sourceAddress)
                .withCall("signin.amazonaws.com", "ConsoleLogin", java.util.List.of(), null, null)
                .withIdentity(account, accessKeyId);
        AuditEvent recorded = failure == null ? event : event.withError("AccessDeniedException", failure);
        store.inTransaction(tx -> AuditChain.append(tx, recorded));
    }

    /**
     * Answers a request whose body was refused before it was read (larger than the server
     * accepts): the refusal is rendered and audited like any other failed call.
     */
    Reply refuse(HttpRequest head, CleanroomException why) {
        return serve(head, requireNonNull(why, "why is null"), this::verified);
    }

    private Reply serve(HttpRequest request, CleanroomException refused, Identify identify) {
        String requestId = UUID.randomUUID().toString();
        Protocol protocol = Protocol.REST;
        AuditContext audit = AuditContext.begin(AuditEvent.draft(requestId,
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), request.sourceAddress()));
        try {
            claimedKey(request).ifPresent(key -> audit.update(d -> d.withIdentity(null, key)));
            String target = request.header("x-amz-target").orElse(null);
            boolean awsJson = request.method().equals("POST") && request.rawPath().equals("/") && target != null;
            if (awsJson) {
                protocol = protocolOf(target);
            }
            if (refused != null) {
                throw refused;
            }
            HttpResponse response;
            if (awsJson) {
                response = dispatchAwsJson(request, target, identify);
            } else {
                response = dispatchRest(request, identify);
            }
            record(audit);
            return reply(requestId, protocol, response, null);
        } catch (CleanroomException e) {
            ErrorRenderer.Rendered rendered = render(protocol, e);
            audit.update(d -> d.withError(rendered.type(), e.code() == ErrorCode.INTERNAL ? "Internal error"
                    : e.getMessage()));
            recordQuietly(audit, requestId);
            if (e.code() == ErrorCode.INTERNAL) {
                LOG.error("request {} failed: {}", requestId, e.getMessage(), e.getCause());
            }
            return errorReply(requestId, protocol, e);
        } catch (RuntimeException | Error e) {
            LOG.error("request {} failed", requestId, e);
            audit.update(d -> d.withError("InternalServerException", "Internal error"));
            recordQuietly(audit, requestId);
            return errorReply(requestId, protocol,
                    CleanroomException.internal("Internal error; quote request id " + requestId, e));
        } finally {
            audit.end();
        }
    }

    private static Protocol protocolOf(String target) {
        return CloudTrailApi.isCloudTrailTarget(target) ? Protocol.CLOUDTRAIL : Protocol.AWS_JSON;
    }

    /**
     * The answer to a request the transport could not parse (a malformed request line, URI or
     * percent-escape, headers or URI too long), with the transport's status: an error of the
     * protocol the X-Amz-Target header names, else of Clean Rooms'. Not a call: nothing is audited.
     */
    static Reply unparsable(int status, String amzTarget) {
        CleanroomException e = switch (status) {
            case 408 -> CleanroomException.of(ErrorCode.VALIDATION, "The request took too long to arrive");
            case 413 -> CleanroomException.of(ErrorCode.PAYLOAD_TOO_LARGE,
                    "The request is larger than the server accepts");
            case 414 -> CleanroomException.of(ErrorCode.VALIDATION, "The request URI is longer than the server accepts");
            case 431 -> CleanroomException.of(ErrorCode.VALIDATION,
                    "The request headers are larger than the server accepts");
            default -> status >= 500 ? CleanroomException.internal("Internal error", null)
                    : CleanroomException.of(ErrorCode.VALIDATION, "The request is not valid HTTP/1.1: a malformed "
                            + "request line, URI, percent-escape or header");
        };
        Protocol protocol = amzTarget == null ? Protocol.REST : protocolOf(amzTarget);
        Reply reply = errorReply(UUID.randomUUID().toString(), protocol, e);
        return new Reply(status >= 400 && status < 600 ? status : reply.status(), reply.requestId(), reply.errorType(),
                reply.contentType(), reply.body());
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
            try (Stage stage = Stage.begin("call.audit")) {
                store.inTransaction(tx -> AuditChain.append(tx, draft));
            }
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
            return store.read(tx -> tx.of(io.cleanroom.core.store.Kinds.MEMBERSHIPS).get(membership)
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

    /** What CloudTrail records instead of a secret a request carries. */
    static final String HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
    /** The members whose values are secrets, wherever they appear in a body that may carry one. */
    private static final java.util.Set<String> SECRET_MEMBERS = java.util.Set.of("secretaccesskey", "password",
            "secret_access_key", "encrypted_password");

    /**
     * The parameters of a call whose body may carry a secret (a connection's): the body read as JSON
     * and written again with every secret member's value replaced, never the text as sent (which could
     * hold the secret twice, or be malformed around it). A body that does not read as JSON is not
     * recorded at all.
     */
    private static String auditedSecretParameters(HttpRequest request) {
        if (request.body().length == 0) {
            return request.rawQuery();
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(request.body());
        } catch (IOException | RuntimeException e) {
            return "(a body that is not JSON, not recorded: it may hold a secret)";
        }
        String text = hideSecrets(body).toString();
        return text.length() > MAX_AUDITED_PARAMETERS ? text.substring(0, MAX_AUDITED_PARAMETERS) + "..." : text;
    }

    /** A copy of the JSON with the value of every member named as a secret replaced. */
    static JsonNode hideSecrets(JsonNode node) {
        if (node == null) {
            return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
        if (node.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode out = Json.object();
            node.properties().forEach(e -> out.set(e.getKey(),
                    SECRET_MEMBERS.contains(e.getKey().toLowerCase(java.util.Locale.ROOT))
                            ? com.fasterxml.jackson.databind.node.TextNode.valueOf(HIDDEN) : hideSecrets(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = Json.array();
            node.forEach(e -> out.add(hideSecrets(e)));
            return out;
        }
        return node;
    }

    private Caller verified(HttpRequest request, String service) {
        AccountService.Credential credential;
        try (Stage stage = Stage.begin("call.verify")) {
            credential = verifier.verify(request, service);
        }
        return new Caller(credential.key().accountId(), credential.key().accessKeyId(), credential.key().role());
    }

    private Caller authenticate(HttpRequest request, String service, String operation, Identify identify) {
        Caller caller = identify.caller(request, service);
        AuditContext.current().update(d -> d.withIdentity(caller.account() == null ? "operator"
                : caller.account().value(), caller.accessKeyId()));
        if (!Policy.allows(caller.role(), operation)) {
            throw CleanroomException.accessDenied("Access key " + caller.accessKeyId() + " (role " + caller.role()
                    + ") is not authorized to perform " + service + ":" + operation);
        }
        return caller;
    }

    private HttpResponse dispatchRest(HttpRequest request, Identify identify) {
        boolean isAdmin = request.rawPath().startsWith("/admin/");
        Router router = isAdmin ? admin : cleanRooms;
        Router.Match match = router.find(request.method(), request.rawPath()).orElseThrow(() ->
                CleanroomException.of(ErrorCode.UNKNOWN_OPERATION,
                        "No operation is served at " + request.method() + " " + request.rawPath()));
        String operation = match.route().operation();
        java.util.List<String> resources = new java.util.ArrayList<>(match.pathParameters().values());
        String collaboration = collaborationOf(match.pathParameters(), request);
        String parameters = isAdmin && AdminApi.SECRET_BEARING.contains(operation)
                ? auditedSecretParameters(request) : auditedParameters(request);
        AuditContext.current().update(d -> d.withCall(isAdmin ? "cleanroom-admin" : "cleanrooms.amazonaws.com",
                operation, resources, parameters, collaboration));
        Caller caller = authenticate(request, isAdmin ? AdminApi.SIGNING_NAME : "cleanrooms", operation, identify);
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

    private HttpResponse dispatchAwsJson(HttpRequest request, String target, Identify identify) {
        if (CloudTrailApi.isLookupEvents(target)) {
            AuditContext.current().update(d -> d.withCall("cloudtrail.amazonaws.com", "LookupEvents",
                    java.util.List.of(), auditedParameters(request), null));
            Caller caller = authenticate(request, "cloudtrail", "LookupEvents", identify);
            return cloudTrail.lookupEvents(caller, Json.parse(request.body()));
        }
        int dot = target.indexOf('.');
        String prefix = dot < 0 ? target : target.substring(0, dot);
        String operation = dot < 0 ? "" : target.substring(dot + 1);
        if (!prefix.equals("AWSGlue") || !glue.serves(operation)) {
            throw CleanroomException.of(ErrorCode.UNKNOWN_OPERATION, "Unknown operation " + target);
        }
        String parameters = GlueApi.SECRET_BEARING.contains(operation) ? auditedSecretParameters(request)
                : auditedParameters(request);
        AuditContext.current().update(d -> d.withCall("glue.amazonaws.com", operation, java.util.List.of(),
                parameters, null));
        Caller caller = authenticate(request, "glue", operation, identify);
        return glue.handle(operation, caller, Json.parse(request.body()));
    }

    private static Reply reply(String requestId, Protocol protocol, HttpResponse response, String errorType) {
        byte[] body = null;
        if (response.body() != null) {
            try {
                body = Json.MAPPER.writeValueAsBytes(response.body());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return new Reply(response.status(), requestId, errorType,
                protocol == Protocol.REST ? "application/json" : "application/x-amz-json-1.1", body);
    }

    private static Reply errorReply(String requestId, Protocol protocol, CleanroomException e) {
        ErrorRenderer.Rendered rendered = render(protocol, e);
        return reply(requestId, protocol, new HttpResponse(rendered.status(), rendered.body()), rendered.type());
    }
}
