package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.service.Quota;
import io.cleanroom.server.wire.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's pages, for the operator's key only (and the admin API refuses any other key
 * anyway): accounts with their keys, data roots and data connections ({@link ConnectionPages}), the
 * server's quotas, and the audit trail's verification, digests and events.
 */
final class OperatorPages {
    private final Views views;
    private final Console.Settings settings;

    OperatorPages(Views views, Console.Settings settings) {
        this.views = requireNonNull(views, "views is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    void register(Routes routes) {
        routes.get("/operator/accounts", Routes.Access.OPERATOR, x -> accounts(x, FormState.blank(), null));
        routes.post("/operator/accounts", Routes.Access.OPERATOR, this::createAccount);
        routes.get("/operator/accounts/{account}", Routes.Access.OPERATOR,
                x -> account(x, x.path("account"), null, null));
        routes.post("/operator/accounts/{account}/enabled", Routes.Access.OPERATOR, this::setEnabled);
        routes.post("/operator/accounts/{account}/data-roots", Routes.Access.OPERATOR, this::setRoots);
        routes.post("/operator/accounts/{account}/keys", Routes.Access.OPERATOR, this::createKey);
        routes.post("/operator/keys/{key}/active", Routes.Access.OPERATOR, this::setKeyActive);
        routes.post("/operator/keys/{key}/rotate", Routes.Access.OPERATOR, this::rotateKey);
        routes.post("/operator/keys/{key}/delete", Routes.Access.OPERATOR, this::deleteKey);
        routes.get("/operator/server", Routes.Access.OPERATOR, this::server);
        routes.get("/operator/audit", Routes.Access.OPERATOR, x -> audit(x, null, null));
        routes.post("/operator/audit/verify", Routes.Access.OPERATOR, this::verify);
        routes.post("/operator/audit/digest", Routes.Access.OPERATOR, this::digest);
    }

    record AccountRow(String accountId, String name, boolean enabled, List<String> dataRoots, String createTime) {
    }

    /** A key just issued: its secret is shown on this one page, never again. */
    record Issued(String accountId, String accessKeyId, String secretAccessKey, String role) {
    }

    record AccountsView(Chrome chrome, List<AccountRow> accounts, FormState form, Issued issued, String nextToken) {
    }

    private WebReply accounts(Exchange x, FormState form, Issued issued) {
        Map<String, String> query = new LinkedHashMap<>();
        if (!x.query().get("nextToken").isEmpty()) {
            query.put("nextToken", x.query().get("nextToken"));
        }
        JsonNode listed = x.api().admin("GET", "/admin/accounts", query, null);
        List<AccountRow> rows = new ArrayList<>();
        for (JsonNode a : listed.path("accounts")) {
            rows.add(row(a));
        }
        return views.page(form.failed() ? 400 : 200, "operator_accounts", new AccountsView(x.chrome("Accounts",
                "accounts"), rows, form, issued, Format.text(listed, "nextToken")));
    }

    private static AccountRow row(JsonNode a) {
        return new AccountRow(Format.text(a, "accountId"), Format.text(a, "name"), a.path("enabled").asBoolean(),
                Format.strings(a, "dataRoots"), Format.time(a, "createTime"));
    }

    private WebReply createAccount(Exchange x) {
        Form f = x.form();
        ObjectNode body = Json.object();
        body.put("accountId", f.get("accountId"));
        body.put("name", f.get("name"));
        ArrayNode roots = body.putArray("dataRoots");
        for (String line : f.raw("dataRoots").split("[\\r\\n]+")) {
            if (!line.isBlank()) {
                roots.add(line.strip());
            }
        }
        JsonNode created;
        try {
            created = x.api().admin("POST", "/admin/accounts", Map.of(), body);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return accounts(x, new FormState(f, e, Map.of()), null);
        }
        return accounts(x, FormState.blank(), issued(created));
    }

    private static Issued issued(JsonNode created) {
        return new Issued(Format.text(created, "accountId"), Format.text(created, "accessKeyId"),
                Format.text(created, "secretAccessKey"), Format.text(created, "role"));
    }

    record Key(String accessKeyId, String role, boolean active, String createTime) {
    }

    record AccountView(Chrome chrome, AccountRow account, List<Key> keys, Issued issued, String error,
            List<ConnectionPages.Row> connections) {
    }

    private WebReply account(Exchange x, String id, Issued issued, String error) {
        AccountRow account = null;
        String token = null;
        do {
            Map<String, String> query = token == null ? Map.of() : Map.of("nextToken", token);
            JsonNode listed = x.api().admin("GET", "/admin/accounts", query, null);
            for (JsonNode a : listed.path("accounts")) {
                if (Format.text(a, "accountId").equals(id)) {
                    account = row(a);
                }
            }
            token = listed.hasNonNull("nextToken") ? listed.get("nextToken").asText() : null;
        } while (account == null && token != null);
        if (account == null) {
            throw new ConsoleError(404, "There is no account " + id);
        }
        String encoded = Api.encode(id);
        List<JsonNode> answers = x.api().all(List.of(
                () -> x.api().admin("GET", "/admin/accounts/" + encoded + "/keys", Map.of(), null),
                () -> x.api().admin("GET", "/admin/accounts/" + encoded + "/connections", Map.of(), null)));
        List<Key> keys = new ArrayList<>();
        for (JsonNode k : answers.get(0).path("accessKeys")) {
            keys.add(new Key(Format.text(k, "accessKeyId"), Format.text(k, "role"), k.path("active").asBoolean(),
                    Format.time(k, "createTime")));
        }
        List<ConnectionPages.Row> connections = new ArrayList<>();
        for (JsonNode c : answers.get(1).path("connections")) {
            connections.add(ConnectionPages.adminRow(c));
        }
        return views.page(error == null ? 200 : 400, "operator_account", new AccountView(x.chrome("Account " + id,
                "accounts"), account, keys, issued, error, connections));
    }

    private WebReply setEnabled(Exchange x) {
        String id = x.path("account");
        boolean enabled = x.form().get("enabled").equals("true");
        x.api().admin("PATCH", "/admin/accounts/" + Api.encode(id), Map.of(), Json.object().put("enabled", enabled));
        x.session().notice("Account " + id + (enabled ? " enabled." : " disabled."));
        return WebReply.seeOther(Console.PREFIX + "/operator/accounts/" + Api.encode(id));
    }

    private WebReply setRoots(Exchange x) {
        String id = x.path("account");
        ObjectNode body = Json.object();
        ArrayNode roots = body.putArray("dataRoots");
        for (String line : x.form().raw("dataRoots").split("[\\r\\n]+")) {
            if (!line.isBlank()) {
                roots.add(line.strip());
            }
        }
        try {
            x.api().admin("PUT", "/admin/accounts/" + Api.encode(id) + "/dataRoots", Map.of(), body);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return account(x, id, null, e.getMessage());
        }
        x.session().notice("Data roots saved.");
        return WebReply.seeOther(Console.PREFIX + "/operator/accounts/" + Api.encode(id));
    }

    private WebReply createKey(Exchange x) {
        String id = x.path("account");
        JsonNode created = x.api().admin("POST", "/admin/accounts/" + Api.encode(id) + "/keys", Map.of(),
                Json.object().put("role", x.form().get("role").isEmpty() ? "ADMINISTRATOR" : x.form().get("role")));
        return account(x, id, issued(created), null);
    }

    private WebReply setKeyActive(Exchange x) {
        String key = x.path("key");
        boolean active = x.form().get("active").equals("true");
        JsonNode updated = x.api().admin("PATCH", "/admin/keys/" + Api.encode(key), Map.of(),
                Json.object().put("active", active));
        x.session().notice("Key " + key + (active ? " enabled." : " disabled."));
        return WebReply.seeOther(Console.PREFIX + "/operator/accounts/" + Api.encode(Format.text(updated,
                "accountId")));
    }

    private WebReply rotateKey(Exchange x) {
        String key = x.path("key");
        JsonNode created = x.api().admin("POST", "/admin/keys/" + Api.encode(key) + "/rotate", Map.of(),
                Json.object());
        return account(x, Format.text(created, "accountId"), issued(created), null);
    }

    private WebReply deleteKey(Exchange x) {
        String key = x.path("key");
        String account = x.form().get("account");
        x.api().admin("DELETE", "/admin/keys/" + Api.encode(key), Map.of(), null);
        x.session().notice("Key " + key + " deleted.");
        return WebReply.seeOther(Console.PREFIX + (account.matches("^\\d{12}$") ? "/operator/accounts/" + account
                : "/operator/accounts"));
    }

    record QuotaRow(String name, String option, int value) {
    }

    record ServerView(Chrome chrome, String region, List<QuotaRow> quotas, String idleTimeout) {
    }

    private WebReply server(Exchange x) {
        List<QuotaRow> quotas = new ArrayList<>();
        for (Quota q : Quota.values()) {
            quotas.add(new QuotaRow(q.awsName(), q.option(), settings.quotas().get(q)));
        }
        return views.page("operator_server", new ServerView(x.chrome("Server", "server"), settings.region(), quotas,
                Format.duration(settings.idleTimeout().toMillis())));
    }

    record AuditEvent(long sequence, String time, String account, String accessKeyId, String source, String name,
            String error) {
    }

    record OperatorAuditView(Chrome chrome, String verification, boolean verified, String digest,
            List<AuditEvent> events, String nextToken) {
    }

    private WebReply audit(Exchange x, String verification, Boolean verified) {
        return audit(x, verification, verified, null);
    }

    private WebReply audit(Exchange x, String verification, Boolean verified, String digest) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("maxResults", "100");
        if (!x.query().get("nextToken").isEmpty()) {
            query.put("nextToken", x.query().get("nextToken"));
        }
        JsonNode page = x.api().admin("GET", "/admin/audit/events", query, null);
        List<AuditEvent> events = new ArrayList<>();
        for (JsonNode e : page.path("events")) {
            events.add(new AuditEvent(e.path("sequence").asLong(), Format.time(e, "eventTime"),
                    Format.text(e, "accountId"), Format.text(e, "accessKeyId"), Format.text(e, "sourceIpAddress"),
                    Format.text(e, "eventName"), Format.text(e, "errorCode")));
        }
        return views.page("operator_audit", new OperatorAuditView(x.chrome("Audit trail", "operator-audit"),
                verification, verified != null && verified, digest, events, Format.text(page, "nextToken")));
    }

    private WebReply verify(Exchange x) {
        JsonNode result = x.api().admin("GET", "/admin/audit/verify", Map.of(), null);
        boolean verified = result.path("verified").asBoolean();
        String text = verified
                ? "The trail verifies: " + result.path("events").asLong() + " events, " + result.path("digests").asLong()
                        + " signed digests."
                : "The trail does NOT verify: at event " + result.path("firstProblem").path("sequence").asLong() + ", "
                        + Format.text(result.path("firstProblem"), "message");
        return audit(x, text, verified);
    }

    private WebReply digest(Exchange x) {
        JsonNode result = x.api().admin("POST", "/admin/audit/digests", Map.of(), Json.object());
        JsonNode d = result.path("digest");
        String text = d.isMissingNode() ? "Nothing new to sign." : "Signed a digest of event " + d.path("sequence")
                .asLong() + " (hash " + Format.text(d, "hash") + ").";
        return audit(x, null, null, text);
    }
}
