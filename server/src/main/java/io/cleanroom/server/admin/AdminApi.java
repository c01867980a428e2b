package io.cleanroom.server.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.AccessKey;
import io.cleanroom.core.model.Account;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;
import java.util.regex.Pattern;

/**
 * The operator's API (not part of AWS): accounts, access keys and connections, under /admin, signed
 * with the operator's key (SigV4 signing name "cleanroom"). Access-key secrets appear only in the
 * response that creates them; a connection's secret in no response at all.
 */
public final class AdminApi {
    public static final String SIGNING_NAME = "cleanroom";
    private static final Pattern KEY_ID = Pattern.compile("^[A-Z0-9]{20}$");
    /** The largest (and default) page of an admin listing. */
    static final int ADMIN_PAGE = 1000;

    private final AccountService accounts;
    private final io.cleanroom.core.store.Store store;
    private final AuditKeeper keeper;
    private final io.cleanroom.core.service.ConnectionService connections;

    public AdminApi(AccountService accounts, io.cleanroom.core.store.Store store, AuditKeeper keeper,
            io.cleanroom.core.service.ConnectionService connections) {
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.store = requireNonNull(store, "store is null");
        this.keeper = requireNonNull(keeper, "keeper is null");
        this.connections = requireNonNull(connections, "connections is null");
    }

    /** The operations whose request bodies carry a secret, which the audit trail records hidden. */
    public static final java.util.Set<String> SECRET_BEARING = java.util.Set.of("CreateConnection",
            "UpdateConnection");

    /** A connection's settings from a body: every field but the name; secrets never echoed in errors. */
    private static io.cleanroom.core.service.ConnectionService.Spec spec(In body) {
        io.cleanroom.core.model.ConnectionType type = body.enumValue("type",
                io.cleanroom.core.model.ConnectionType.class, true);
        String description = body.string("description", false, 0, 2048, null);
        String endpoint = body.string("endpoint", false, 1, 2048, null);
        String region = body.string("region", false, 1, 64, null);
        String accessKeyId = body.string("accessKeyId", false, 1, 128, null);
        String secretAccessKey = body.string("secretAccessKey", false, 1, 1024, null);
        Boolean pathStyle = body.bool("pathStyle", false);
        String jdbcUrl = body.string("jdbcUrl", false, 1, 2048, null);
        String user = body.string("user", false, 1, 63, null);
        String password = body.string("password", false, 0, 1024, null);
        if (secretAccessKey != null && password != null) {
            body.error("password", "Value at 'password' belongs to POSTGRESQL connections; an S3 connection's secret "
                    + "is secretAccessKey");
        }
        body.done();
        return new io.cleanroom.core.service.ConnectionService.Spec(type, description, endpoint, region, accessKeyId,
                pathStyle, jdbcUrl, user, type == io.cleanroom.core.model.ConnectionType.S3 ? secretAccessKey
                        : password);
    }

    private static String connectionName(Call c) {
        return io.cleanroom.core.service.ConnectionService.checkName("name", c.path("name"));
    }

    /** A connection as the admin API shows it: every setting but the secret, which is never shown. */
    static ObjectNode connection(io.cleanroom.core.model.Connection k) {
        ObjectNode node = Json.object();
        node.put("accountId", k.accountId().value());
        node.put("name", k.name());
        node.put("type", k.type().name());
        Json.putIfNotNull(node, "description", k.description());
        if (k.type() == io.cleanroom.core.model.ConnectionType.S3) {
            Json.putIfNotNull(node, "endpoint", k.endpoint());
            node.put("region", k.region());
            node.put("accessKeyId", k.accessKeyId());
            node.put("pathStyle", k.pathStyle());
        } else {
            node.put("jdbcUrl", k.jdbcUrl());
            node.put("user", k.user());
        }
        node.put("createTime", Json.time(k.createTime()));
        node.put("updateTime", Json.time(k.updateTime()));
        return node;
    }

    /** Most events in one page of ExportAuditTrail. */
    public static final int EXPORT_PAGE = 1000;
    /** A page of ExportAuditTrail ends once its events' request parameters hold this many characters. */
    static final int EXPORT_PAGE_CHARACTERS = 4 * 1024 * 1024;
    private static final Pattern EXPORT_TOKEN = Pattern.compile("^\\d{19}$");

    /**
     * One page of the chain in sequence order, after the event whose key is the token (from the
     * start when null): at most maxResults events, fewer when their request parameters are large,
     * so that exporting a trail of any length takes bounded memory. The key of the last event is the
     * next page's token.
     */
    private java.util.List<io.cleanroom.core.store.Row<io.cleanroom.core.audit.AuditEvent>> events(String after,
            int maxResults) {
        return store.inTransaction(tx -> {
            java.util.List<io.cleanroom.core.store.Row<io.cleanroom.core.audit.AuditEvent>> page =
                    new java.util.ArrayList<>();
            long characters = 0;
            String position = after;
            while (page.size() < maxResults) {
                var batch = tx.of(io.cleanroom.core.store.Kinds.AUDIT_EVENTS).rowsAfter(position,
                        Math.min(100, maxResults - page.size()));
                for (var row : batch) {
                    page.add(row);
                    position = row.key();
                    String parameters = row.value().requestParameters();
                    characters += parameters == null ? 0 : parameters.length();
                    if (characters >= EXPORT_PAGE_CHARACTERS) {
                        return page;
                    }
                }
                if (batch.isEmpty()) {
                    break;
                }
            }
            return page;
        });
    }

    public void register(Router router) {
        router.add(new Route("CreateAccount", "POST", "/admin/accounts", c -> {
            In body = c.body();
            String id = body.string("accountId", true, 12, 12, Pattern.compile("^\\d{12}$"));
            String name = body.string("name", true, 1, 100, In.NON_BLANK);
            java.util.List<String> roots = body.strings("dataRoots", false, 0, 20, 4096, null);
            body.done();
            AccountService.CreatedAccount created = accounts.createAccount(c.caller(), new AccountId(id), name,
                    roots == null ? java.util.List.of() : roots);
            ObjectNode out = account(created.account());
            issued(out, created.key());
            return HttpResponse.ok(out);
        }));
        router.add(new Route("ListAccounts", "GET", "/admin/accounts", c -> {
            io.cleanroom.core.service.Page<Account> page = accounts.listAccounts(c.caller(), page(c));
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("accounts");
            page.items().forEach(a -> list.add(account(a)));
            Json.putIfNotNull(out, "nextToken", page.nextToken());
            return HttpResponse.ok(out);
        }));
        router.add(new Route("UpdateAccount", "PATCH", "/admin/accounts/{accountId}", c -> {
            AccountId id = c.accountId("accountId");
            In body = c.body();
            Boolean enabled = body.bool("enabled", true);
            body.done();
            return HttpResponse.ok(account(accounts.setAccountEnabled(c.caller(), id, enabled)));
        }));
        router.add(new Route("SetDataRoots", "PUT", "/admin/accounts/{accountId}/dataRoots", c -> {
            AccountId id = c.accountId("accountId");
            In body = c.body();
            java.util.List<String> roots = body.strings("dataRoots", true, 0, 20, 4096, null);
            body.done();
            return HttpResponse.ok(account(accounts.setDataRoots(c.caller(), id, roots)));
        }));
        router.add(new Route("CreateConnection", "POST", "/admin/accounts/{accountId}/connections", c -> {
            AccountId id = c.accountId("accountId");
            In body = c.body();
            String name = body.string("name", true, 1, 64, null);
            io.cleanroom.core.service.ConnectionService.Spec spec = spec(body);
            return HttpResponse.ok(connection(connections.create(c.caller(), id,
                    io.cleanroom.core.service.ConnectionService.checkName("name", name), spec)));
        }));
        router.add(new Route("ListConnections", "GET", "/admin/accounts/{accountId}/connections", c -> {
            io.cleanroom.core.service.Page<io.cleanroom.core.model.Connection> page = connections.list(c.caller(),
                    c.accountId("accountId"), page(c));
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("connections");
            page.items().forEach(k -> list.add(connection(k)));
            Json.putIfNotNull(out, "nextToken", page.nextToken());
            return HttpResponse.ok(out);
        }));
        router.add(new Route("GetConnection", "GET", "/admin/accounts/{accountId}/connections/{name}", c ->
                HttpResponse.ok(connection(connections.get(c.caller(), c.accountId("accountId"), connectionName(c))))));
        router.add(new Route("UpdateConnection", "PUT", "/admin/accounts/{accountId}/connections/{name}", c -> {
            AccountId id = c.accountId("accountId");
            String name = connectionName(c);
            return HttpResponse.ok(connection(connections.update(c.caller(), id, name, spec(c.body()))));
        }));
        router.add(new Route("DeleteConnection", "DELETE", "/admin/accounts/{accountId}/connections/{name}", c -> {
            connections.delete(c.caller(), c.accountId("accountId"), connectionName(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route("VerifyAuditTrail", "GET", "/admin/audit/verify", c -> {
            AuditKeeper.Verification result = keeper.verify();
            ObjectNode out = Json.object();
            out.put("verified", result.problem().isEmpty());
            out.put("events", result.events());
            out.put("digests", result.digests());
            result.problem().ifPresent(p -> out.putObject("firstProblem").put("sequence", p.sequence())
                    .put("kind", p.kind()).put("message", p.message()));
            return HttpResponse.ok(out);
        }));
        router.add(new Route("CreateAuditDigest", "POST", "/admin/audit/digests", c -> {
            ObjectNode out = Json.object();
            keeper.digest().ifPresent(d -> out.putObject("digest").put("sequence", d.sequence()).put("hash", d.hash())
                    .put("time", Json.time(d.time())).put("signature", d.signature()));
            return HttpResponse.ok(out);
        }));
        router.add(new Route("PruneAuditTrail", "POST", "/admin/audit/prune", c -> {
            In body = c.body();
            Integer days = body.integer("olderThanDays", true, 0, 36500);
            body.done();
            int removed = keeper.prune(java.time.Duration.ofDays(days));
            return HttpResponse.ok(Json.object().put("removed", removed));
        }));
        router.add(new Route("ExportAuditTrail", "GET", "/admin/audit/events", c -> {
            String token = c.query("nextToken");
            if (token != null && !EXPORT_TOKEN.matcher(token).matches()) {
                throw io.cleanroom.core.CleanroomException.validation("nextToken",
                        "The pagination token is invalid; pass the nextToken of the previous page");
            }
            int maxResults = EXPORT_PAGE;
            String max = c.query("maxResults");
            if (max != null) {
                try {
                    maxResults = Integer.parseInt(max);
                } catch (NumberFormatException e) {
                    maxResults = 0;
                }
                if (maxResults < 1 || maxResults > EXPORT_PAGE) {
                    throw io.cleanroom.core.CleanroomException.validation("maxResults",
                            "Value at 'maxResults' failed to satisfy constraint: Member must be between 1 and "
                                    + EXPORT_PAGE);
                }
            }
            var page = events(token, maxResults);
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("events");
            for (var row : page) {
                list.add(Json.MAPPER.valueToTree(AuditJson.of(row.value())));
            }
            if (!page.isEmpty() && !events(page.get(page.size() - 1).key(), 1).isEmpty()) {
                out.put("nextToken", page.get(page.size() - 1).key());
            }
            return HttpResponse.ok(out);
        }));
        router.add(new Route("CreateAccessKey", "POST", "/admin/accounts/{accountId}/keys", c -> {
            AccountId id = c.accountId("accountId");
            In body = c.body();
            Role role = body.enumValue("role", Role.class, false);
            body.done();
            ObjectNode out = Json.object();
            issued(out, accounts.createKey(c.caller(), id, role == null ? Role.ADMINISTRATOR : role));
            return HttpResponse.ok(out);
        }));
        router.add(new Route("ListAccessKeys", "GET", "/admin/accounts/{accountId}/keys", c -> {
            io.cleanroom.core.service.Page<AccessKey> page = accounts.listKeys(c.caller(), c.accountId("accountId"),
                    page(c));
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("accessKeys");
            page.items().forEach(k -> list.add(key(k)));
            Json.putIfNotNull(out, "nextToken", page.nextToken());
            return HttpResponse.ok(out);
        }));
        router.add(new Route("UpdateAccessKey", "PATCH", "/admin/keys/{accessKeyId}", c -> {
            String keyId = keyId(c);
            In body = c.body();
            Boolean active = body.bool("active", true);
            body.done();
            return HttpResponse.ok(key(accounts.setKeyActive(c.caller(), keyId, active)));
        }));
        router.add(new Route("RotateAccessKey", "POST", "/admin/keys/{accessKeyId}/rotate", c -> {
            ObjectNode out = Json.object();
            issued(out, accounts.rotateKey(c.caller(), keyId(c)));
            out.put("replacedAccessKeyId", c.path("accessKeyId"));
            return HttpResponse.ok(out);
        }));
        router.add(new Route("DeleteAccessKey", "DELETE", "/admin/keys/{accessKeyId}", c -> {
            accounts.deleteKey(c.caller(), keyId(c));
            return HttpResponse.noContent();
        }));
    }

    /** maxResults (1..1000, default 1000) and nextToken of an admin listing. */
    private static io.cleanroom.core.service.Page.Request page(Call c) {
        String max = c.query("maxResults");
        int maxResults = ADMIN_PAGE;
        if (max != null) {
            try {
                maxResults = Integer.parseInt(max);
            } catch (NumberFormatException e) {
                maxResults = 0;
            }
            if (maxResults < 1 || maxResults > ADMIN_PAGE) {
                throw io.cleanroom.core.CleanroomException.validation("maxResults",
                        "Value at 'maxResults' must be an integer between 1 and " + ADMIN_PAGE);
            }
        }
        String token = c.query("nextToken");
        if (token != null && token.length() > 10240) {
            throw io.cleanroom.core.CleanroomException.validation("nextToken",
                    "Value at 'nextToken' must be at most 10240 characters");
        }
        return new io.cleanroom.core.service.Page.Request(maxResults, token);
    }

    private static String keyId(Call c) {
        String id = c.path("accessKeyId");
        if (!KEY_ID.matcher(id).matches()) {
            throw io.cleanroom.core.CleanroomException.validation("accessKeyId",
                    "Access key ids are 20 upper-case letters and digits");
        }
        return id;
    }

    private static ObjectNode account(Account a) {
        ObjectNode node = Json.object();
        node.put("accountId", a.id().value());
        node.put("name", a.name());
        node.put("enabled", a.enabled());
        node.set("dataRoots", Json.strings(a.dataRoots()));
        node.put("createTime", Json.time(a.createTime()));
        return node;
    }

    static ObjectNode key(AccessKey k) {
        ObjectNode node = Json.object();
        node.put("accessKeyId", k.accessKeyId());
        if (k.accountId() != null) {
            node.put("accountId", k.accountId().value());
        }
        node.put("role", k.role().name());
        node.put("active", k.active());
        node.put("createTime", Json.time(k.createTime()));
        return node;
    }

    private static void issued(ObjectNode out, AccountService.IssuedKey issued) {
        if (issued.key().accountId() != null) {
            out.put("accountId", issued.key().accountId().value());
        }
        out.put("accessKeyId", issued.key().accessKeyId());
        out.put("secretAccessKey", issued.secretAccessKey());
        out.put("role", issued.key().role().name());
    }
}
