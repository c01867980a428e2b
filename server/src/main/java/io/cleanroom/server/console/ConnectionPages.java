package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.server.wire.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Data connections: how the server reaches an account's data in S3-compatible storage or in
 * PostgreSQL. An account's administrators manage their own here through Glue's connection
 * operations (CreateConnection, GetConnection(s), UpdateConnection, DeleteConnection), the operator
 * any account's through the admin API; the service behind both allows exactly that. The secret is
 * typed once into a password field and sent to the API: no page holds it, not the list, not the
 * edit form, not a form shown again after the API refused it (the API never answers it either).
 */
final class ConnectionPages {
    private final Views views;

    ConnectionPages(Views views) {
        this.views = requireNonNull(views, "views is null");
    }

    void register(Routes routes) {
        for (Source source : List.of(new Glue(), new Admin())) {
            Routes.Access access = source instanceof Admin ? Routes.Access.OPERATOR : Routes.Access.ACCOUNT;
            String base = source.pattern();
            routes.get(base, access, x -> list(x, source, FormState.blank(Map.of("type", "S3", "region",
                    "us-east-1")), null));
            routes.post(base, access, x -> create(x, source));
            routes.get(base + "/{name}", access, x -> edit(x, source, null));
            routes.post(base + "/{name}", access, x -> update(x, source));
            routes.post(base + "/{name}/delete", access, x -> delete(x, source));
        }
    }

    /** A connection as a form sends it; secret is "" when the user left it empty. */
    record Spec(String name, String type, String description, String endpoint, String region, String accessKeyId,
            boolean pathStyle, String jdbcUrl, String user, String secret) {
        boolean s3() {
            return type.equals("S3");
        }

        @Override
        public String toString() {
            return "Spec[" + name + ", " + type + "]";
        }

        static Spec of(Form f, String name) {
            return new Spec(name, f.get("type"), f.get("description"), f.get("endpoint"), f.get("region"),
                    f.get("accessKeyId"), f.get("pathStyle").equals("true"), f.get("jdbcUrl"), f.get("user"),
                    f.raw("secret"));
        }
    }

    /** A connection as the pages show it: every setting but the secret, which no answer carries. */
    record Row(String name, String type, String description, String endpoint, String region, String accessKeyId,
            boolean pathStyle, String jdbcUrl, String user, String updateTime) {
        /** Where it reaches, in one line. */
        String reaches() {
            return type.equals("S3") ? (endpoint.isEmpty() ? "AWS S3" : endpoint) + " (" + region + ")"
                    : jdbcUrl + " as " + user;
        }
    }

    /** One page of connections and the next page's token ("" when none). */
    record Listed(List<Row> rows, String nextToken) {
    }

    /** Where one set of pages keeps its connections: the account's own (Glue) or any account's (admin API). */
    private interface Source {
        /** The pages' path pattern under /console. */
        String pattern();

        /** The pages' path for this request. */
        String base(Exchange x);

        /** Whose connections, for the page's heading: null for the signed-in account's own. */
        String account(Exchange x);

        Listed list(Exchange x, String token);

        Row get(Exchange x, String name);

        void create(Exchange x, Spec spec);

        void update(Exchange x, Spec spec);

        void delete(Exchange x, String name);

        /** The API's field names to the form's. */
        Map<String, String> fields();
    }

    /** The signed-in account's own connections, through Glue's operations. */
    private static final class Glue implements Source {
        private static final Map<String, String> FIELDS = glueFields();

        private static Map<String, String> glueFields() {
            Map<String, String> out = new LinkedHashMap<>();
            String p = "ConnectionInput.ConnectionProperties.";
            out.put(p + "ENDPOINT", "endpoint");
            out.put(p + "REGION", "region");
            out.put(p + "ACCESS_KEY_ID", "accessKeyId");
            out.put(p + "SECRET_ACCESS_KEY", "secret");
            out.put(p + "PATH_STYLE", "pathStyle");
            out.put(p + "JDBC_CONNECTION_URL", "jdbcUrl");
            out.put(p + "USERNAME", "user");
            out.put(p + "PASSWORD", "secret");
            out.put("ConnectionInput.Name", "name");
            out.put("ConnectionInput.ConnectionType", "type");
            out.put("ConnectionInput.Description", "description");
            out.put("Name", "name");
            return out;
        }

        @Override
        public String pattern() {
            return "/connections";
        }

        @Override
        public String base(Exchange x) {
            return Console.PREFIX + "/connections";
        }

        @Override
        public String account(Exchange x) {
            return null;
        }

        @Override
        public Listed list(Exchange x, String token) {
            ObjectNode body = Api.object().put("MaxResults", 100);
            if (token != null && !token.isEmpty()) {
                body.put("NextToken", token);
            }
            JsonNode answer = x.api().glue("GetConnections", body);
            List<Row> rows = new ArrayList<>();
            for (JsonNode c : answer.path("ConnectionList")) {
                rows.add(row(c));
            }
            return new Listed(rows, Format.text(answer, "NextToken"));
        }

        private static Row row(JsonNode c) {
            JsonNode p = c.path("ConnectionProperties");
            String type = Format.text(c, "ConnectionType").equals("JDBC") ? "POSTGRESQL" : Format.text(c,
                    "ConnectionType");
            return new Row(Format.text(c, "Name"), type, Format.text(c, "Description"), Format.text(p, "ENDPOINT"),
                    Format.text(p, "REGION"), Format.text(p, "ACCESS_KEY_ID"), Format.text(p, "PATH_STYLE")
                            .equals("true"), Format.text(p, "JDBC_CONNECTION_URL"), Format.text(p, "USERNAME"),
                    Format.time(c, "LastUpdatedTime"));
        }

        @Override
        public Row get(Exchange x, String name) {
            return row(x.api().glue("GetConnection", Api.object().put("Name", name)).path("Connection"));
        }

        private static ObjectNode input(Spec spec) {
            ObjectNode input = Api.object();
            input.put("Name", spec.name());
            input.put("ConnectionType", spec.type().equals("POSTGRESQL") ? "JDBC" : spec.type());
            if (!spec.description().isEmpty()) {
                input.put("Description", spec.description());
            }
            ObjectNode p = input.putObject("ConnectionProperties");
            if (spec.s3()) {
                putIfGiven(p, "ENDPOINT", spec.endpoint());
                putIfGiven(p, "REGION", spec.region());
                putIfGiven(p, "ACCESS_KEY_ID", spec.accessKeyId());
                putIfGiven(p, "SECRET_ACCESS_KEY", spec.secret());
                p.put("PATH_STYLE", Boolean.toString(spec.pathStyle()));
            } else {
                putIfGiven(p, "JDBC_CONNECTION_URL", spec.jdbcUrl());
                putIfGiven(p, "USERNAME", spec.user());
                putIfGiven(p, "PASSWORD", spec.secret());
            }
            return input;
        }

        @Override
        public void create(Exchange x, Spec spec) {
            ObjectNode body = Api.object();
            body.set("ConnectionInput", input(spec));
            x.api().glue("CreateConnection", body);
        }

        @Override
        public void update(Exchange x, Spec spec) {
            ObjectNode body = Api.object().put("Name", spec.name());
            body.set("ConnectionInput", input(spec));
            x.api().glue("UpdateConnection", body);
        }

        @Override
        public void delete(Exchange x, String name) {
            x.api().glue("DeleteConnection", Api.object().put("ConnectionName", name));
        }

        @Override
        public Map<String, String> fields() {
            return FIELDS;
        }
    }

    /** Any account's connections, for the operator, through the admin API. */
    private static final class Admin implements Source {
        private static final Map<String, String> FIELDS = Map.of("secretAccessKey", "secret", "password", "secret");

        @Override
        public String pattern() {
            return "/operator/accounts/{account}/connections";
        }

        private static String path(Exchange x) {
            return "/admin/accounts/" + Api.encode(account(x.path("account"))) + "/connections";
        }

        private static String account(String id) {
            if (!id.matches("^\\d{12}$")) {
                throw new ConsoleError(404, "There is no such account");
            }
            return id;
        }

        @Override
        public String base(Exchange x) {
            return Console.PREFIX + "/operator/accounts/" + account(x.path("account")) + "/connections";
        }

        @Override
        public String account(Exchange x) {
            return account(x.path("account"));
        }

        @Override
        public Listed list(Exchange x, String token) {
            Map<String, String> query = new LinkedHashMap<>();
            if (token != null && !token.isEmpty()) {
                query.put("nextToken", token);
            }
            JsonNode answer = x.api().admin("GET", path(x), query, null);
            List<Row> rows = new ArrayList<>();
            for (JsonNode c : answer.path("connections")) {
                rows.add(row(c));
            }
            return new Listed(rows, Format.text(answer, "nextToken"));
        }

        static Row row(JsonNode c) {
            return new Row(Format.text(c, "name"), Format.text(c, "type"), Format.text(c, "description"),
                    Format.text(c, "endpoint"), Format.text(c, "region"), Format.text(c, "accessKeyId"),
                    c.path("pathStyle").asBoolean(), Format.text(c, "jdbcUrl"), Format.text(c, "user"),
                    Format.time(c, "updateTime"));
        }

        @Override
        public Row get(Exchange x, String name) {
            return row(x.api().admin("GET", path(x) + "/" + Api.encode(name), Map.of(), null));
        }

        private static ObjectNode body(Spec spec) {
            ObjectNode body = Json.object();
            body.put("type", spec.type());
            if (!spec.description().isEmpty()) {
                body.put("description", spec.description());
            }
            if (spec.s3()) {
                putIfGiven(body, "endpoint", spec.endpoint());
                putIfGiven(body, "region", spec.region());
                putIfGiven(body, "accessKeyId", spec.accessKeyId());
                putIfGiven(body, "secretAccessKey", spec.secret());
                body.put("pathStyle", spec.pathStyle());
            } else {
                putIfGiven(body, "jdbcUrl", spec.jdbcUrl());
                putIfGiven(body, "user", spec.user());
                putIfGiven(body, "password", spec.secret());
            }
            return body;
        }

        @Override
        public void create(Exchange x, Spec spec) {
            x.api().admin("POST", path(x), Map.of(), body(spec).put("name", spec.name()));
        }

        @Override
        public void update(Exchange x, Spec spec) {
            x.api().admin("PUT", path(x) + "/" + Api.encode(spec.name()), Map.of(), body(spec));
        }

        @Override
        public void delete(Exchange x, String name) {
            x.api().admin("DELETE", path(x) + "/" + Api.encode(name), Map.of(), null);
        }

        @Override
        public Map<String, String> fields() {
            return FIELDS;
        }
    }

    private static void putIfGiven(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }

    /** A connection as the admin API answers it (the operator's account page lists them). */
    static Row adminRow(JsonNode c) {
        return Admin.row(c);
    }

    // ---------------------------------------------------------------- pages

    record ListView(Chrome chrome, String base, String account, List<Row> rows, String nextToken, FormState form,
            String error) {
    }

    private WebReply list(Exchange x, Source source, FormState form, String error) {
        Listed listed = source.list(x, x.query().get("nextToken"));
        String account = source.account(x);
        return views.page(form.failed() || error != null ? 400 : 200, "connections", new ListView(
                x.chrome(account == null ? "Data connections" : "Data connections of " + account,
                        account == null ? "tables" : "accounts"), source.base(x), account, listed.rows(),
                listed.nextToken(), form, error));
    }

    private WebReply create(Exchange x, Source source) {
        Form f = x.form();
        Spec spec = Spec.of(f, f.get("name"));
        try {
            source.create(x, spec);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return list(x, source, new FormState(f, e.renamed(source.fields()), Map.of()), null);
        }
        x.session().notice("Connection " + spec.name() + " created. Its secret is kept sealed on the server and is "
                + "never shown again.");
        return WebReply.seeOther(source.base(x));
    }

    record EditView(Chrome chrome, String base, String account, Row row, FormState form) {
    }

    private WebReply edit(Exchange x, Source source, FormState failed) {
        Row row = source.get(x, x.path("name"));
        FormState form = failed != null ? failed : FormState.blank(Map.of("description", row.description(),
                "endpoint", row.endpoint(), "region", row.region(), "accessKeyId", row.accessKeyId(),
                "pathStyle", Boolean.toString(row.pathStyle()), "jdbcUrl", row.jdbcUrl(), "user", row.user(),
                "type", row.type()));
        String account = source.account(x);
        return views.page(failed != null ? 400 : 200, "connection", new EditView(x.chrome("Connection "
                + row.name(), account == null ? "tables" : "accounts"), source.base(x), account, row, form));
    }

    private WebReply update(Exchange x, Source source) {
        Form f = x.form();
        String name = x.path("name");
        Row current = source.get(x, name);
        // the type cannot change: the stored one is sent, whatever the form says
        Spec sent = Spec.of(f, name);
        Spec spec = new Spec(name, current.type(), sent.description(), sent.endpoint(), sent.region(),
                sent.accessKeyId(), sent.pathStyle(), sent.jdbcUrl(), sent.user(), sent.secret());
        try {
            source.update(x, spec);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return edit(x, source, new FormState(f, e.renamed(source.fields()), Map.of()));
        }
        x.session().notice("Connection " + name + " saved." + (spec.secret().isEmpty()
                ? " Its secret is unchanged." : " Its new secret is kept sealed and is never shown again."));
        return WebReply.seeOther(source.base(x));
    }

    private WebReply delete(Exchange x, Source source) {
        String name = x.path("name");
        try {
            source.delete(x, name);
        } catch (ApiError e) {
            if (e.status() >= 500 || e.notFound()) {
                throw e;
            }
            return list(x, source, FormState.blank(Map.of("type", "S3", "region", "us-east-1")), e.getMessage());
        }
        x.session().notice("Connection " + name + " deleted.");
        return WebReply.seeOther(source.base(x));
    }

    /** The signed-in account's own connections, every page of them, for the register form. */
    static List<Row> own(Exchange x) {
        List<Row> out = new ArrayList<>();
        String token = "";
        Glue glue = new Glue();
        do {
            Listed page = glue.list(x, token);
            out.addAll(page.rows());
            token = page.nextToken();
        } while (!token.isEmpty());
        return out;
    }
}
