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
 * The operator's API (not part of AWS): accounts and access keys, under /admin, signed with the
 * operator's key (SigV4 signing name "cleanroom"). Secrets appear only in the response that
 * creates them.
 */
public final class AdminApi {
    public static final String SIGNING_NAME = "cleanroom";
    private static final Pattern KEY_ID = Pattern.compile("^[A-Z0-9]{20}$");
    /** The largest (and default) page of an admin listing. */
    static final int ADMIN_PAGE = 1000;

    private final AccountService accounts;
    private final io.cleanroom.core.store.Store store;
    private final AuditKeeper keeper;

    public AdminApi(AccountService accounts, io.cleanroom.core.store.Store store, AuditKeeper keeper) {
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.store = requireNonNull(store, "store is null");
        this.keeper = requireNonNull(keeper, "keeper is null");
    }

    /** The whole chain in sequence order (a page at a time would do for very long trails). */
    private java.util.List<io.cleanroom.core.audit.AuditEvent> events() {
        return store.inTransaction(tx -> tx.of(io.cleanroom.core.store.Kinds.AUDIT_EVENTS).all());
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
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("events");
            for (io.cleanroom.core.audit.AuditEvent e : events()) {
                list.add(Json.MAPPER.valueToTree(AuditJson.of(e)));
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
