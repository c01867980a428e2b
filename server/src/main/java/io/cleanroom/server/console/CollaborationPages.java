package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collaborations: the list with invitations, create, accept an invitation (a membership with its
 * query-log setting and default result configuration), members, remove a member, delete, leave.
 */
final class CollaborationPages {
    /** The rows of member fields the create form offers. */
    static final int MEMBER_ROWS = 5;

    private final Views views;

    CollaborationPages(Views views) {
        this.views = requireNonNull(views, "views is null");
    }

    void register(Routes routes) {
        routes.get("/collaborations", Routes.Access.ACCOUNT, this::list);
        routes.get("/collaborations/new", Routes.Access.ACCOUNT, x -> createForm(x, FormState.blank(Map.of(
                "queryLogStatus", "DISABLED", "analyticsEngine", "CLEAN_ROOMS_SQL",
                "creatorMemberAbilities", ""))));
        routes.post("/collaborations", Routes.Access.ACCOUNT, this::create);
        routes.get("/collaborations/{id}", Routes.Access.ACCOUNT, x -> show(x, FormState.blank(Map.of(
                "queryLogStatus", "DISABLED", "resultFormat", "CSV"))));
        routes.post("/collaborations/{id}/accept", Routes.Access.ACCOUNT, this::accept);
        routes.post("/collaborations/{id}/members/{accountId}/remove", Routes.Access.ACCOUNT, this::removeMember);
        routes.post("/collaborations/{id}/delete", Routes.Access.ACCOUNT, this::delete);
        routes.post("/collaborations/{id}/leave", Routes.Access.ACCOUNT, this::leave);
    }

    record Row(String id, String name, String creatorDisplayName, String creatorAccountId, String memberStatus,
            String createTime, String membershipId) {
    }

    record ListView(Chrome chrome, List<Row> invitations, List<Row> active, String nextToken) {
    }

    private WebReply list(Exchange x) {
        Map<String, String> query = new HashMap<>();
        if (!x.query().get("nextToken").isEmpty()) {
            query.put("nextToken", x.query().get("nextToken"));
        }
        JsonNode answer = x.api().call(Operation.LIST_COLLABORATIONS, Map.of(), query, null);
        List<Row> invitations = new ArrayList<>();
        List<Row> active = new ArrayList<>();
        for (JsonNode c : answer.path("collaborationList")) {
            Row row = new Row(Format.text(c, "id"), Format.text(c, "name"), Format.text(c, "creatorDisplayName"),
                    Format.text(c, "creatorAccountId"), Format.text(c, "memberStatus"), Format.time(c, "createTime"),
                    Format.text(c, "membershipId"));
            (row.memberStatus().equals("INVITED") ? invitations : active).add(row);
        }
        return views.page("collaborations", new ListView(x.chrome("Collaborations", "collaborations"), invitations,
                active, Format.text(answer, "nextToken")));
    }

    record CreateView(Chrome chrome, FormState form, int memberRows) {
    }

    private WebReply createForm(Exchange x, FormState form) {
        return views.page(form.failed() ? 400 : 200, "collaboration_new",
                new CreateView(x.chrome("Create a collaboration", "collaborations"), form, MEMBER_ROWS));
    }

    private WebReply create(Exchange x) {
        Form f = x.form();
        ObjectNode body = Api.object();
        body.put("name", f.get("name"));
        if (!f.get("description").isEmpty()) {
            body.put("description", f.get("description"));
        }
        body.put("creatorDisplayName", f.get("creatorDisplayName"));
        ArrayNode creatorAbilities = body.putArray("creatorMemberAbilities");
        f.all("creatorMemberAbilities").forEach(creatorAbilities::add);
        ArrayNode members = body.putArray("members");
        for (int i = 0; i < MEMBER_ROWS; i++) {
            String prefix = "members[" + i + "].";
            String account = f.get(prefix + "accountId");
            if (account.isEmpty() && f.get(prefix + "displayName").isEmpty()) {
                continue;
            }
            ObjectNode m = members.addObject();
            m.put("accountId", account);
            m.put("displayName", f.get(prefix + "displayName"));
            ArrayNode abilities = m.putArray("memberAbilities");
            f.all(prefix + "memberAbilities").forEach(abilities::add);
        }
        body.put("queryLogStatus", f.get("queryLogStatus"));
        if (!f.get("analyticsEngine").isEmpty()) {
            body.put("analyticsEngine", f.get("analyticsEngine"));
        }
        JsonNode created;
        try {
            created = x.api().call(Operation.CREATE_COLLABORATION, Map.of(), body);
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return createForm(x, new FormState(f, renumbered(e, f), Map.of()));
        }
        String id = created.path("collaboration").path("id").asText();
        x.session().notice("Collaboration \u201c" + f.get("name") + "\u201d created. Invited members see it under "
                + "their invitations.");
        return WebReply.seeOther(Console.PREFIX + "/collaborations/" + Api.encode(id));
    }

    /**
     * The API numbers the members it was sent; the form skips empty rows, so a field error of the
     * n-th member sent belongs to the n-th filled row.
     */
    private static ApiError renumbered(ApiError e, Form f) {
        List<Integer> filled = new ArrayList<>();
        for (int i = 0; i < MEMBER_ROWS; i++) {
            String prefix = "members[" + i + "].";
            if (!f.get(prefix + "accountId").isEmpty() || !f.get(prefix + "displayName").isEmpty()) {
                filled.add(i);
            }
        }
        List<ApiError.FieldError> fields = new ArrayList<>();
        for (ApiError.FieldError field : e.fields()) {
            String name = field.name();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^members[.\\[](\\d+)]?(.*)$").matcher(name);
            if (m.matches()) {
                int sent = Integer.parseInt(m.group(1));
                String rest = m.group(2).startsWith(".") ? m.group(2) : "." + m.group(2);
                if (sent < filled.size()) {
                    name = "members[" + filled.get(sent) + "]" + (rest.equals(".") ? "" : rest);
                }
            }
            fields.add(new ApiError.FieldError(name, field.message()));
        }
        return new ApiError(e.status(), e.type(), e.getMessage(), fields);
    }

    record Member(String accountId, String displayName, String status, List<String> abilities, boolean you) {
    }

    record Schema(String name, String creatorAccountId, List<String> ruleTypes) {
    }

    record DetailView(Chrome chrome, String id, String name, String description, String creatorAccountId,
            String creatorDisplayName, String memberStatus, String membershipId, String queryLogStatus,
            String analyticsEngine, String createTime, boolean creator, List<Member> members, List<Schema> schemas,
            List<String> yourAbilities, FormState accept, Budgets.Budget budget) {
        boolean invited() {
            return memberStatus.equals("INVITED");
        }

        boolean active() {
            return memberStatus.equals("ACTIVE");
        }

        boolean canQuery() {
            return active() && yourAbilities.contains("CAN_QUERY");
        }
    }

    private WebReply show(Exchange x, FormState accept) {
        String id = x.path("id");
        List<JsonNode> answers = x.api().all(List.of(
                () -> x.api().call(Operation.GET_COLLABORATION, Map.of("collaborationIdentifier", id)),
                () -> x.api().call(Operation.LIST_MEMBERS, Map.of("collaborationIdentifier", id))));
        JsonNode c = answers.get(0).path("collaboration");
        JsonNode listed = answers.get(1);
        List<Member> members = new ArrayList<>();
        List<String> yours = new ArrayList<>();
        for (JsonNode m : listed.path("memberSummaries")) {
            boolean you = Format.text(m, "accountId").equals(x.account());
            if (you) {
                yours = Format.strings(m, "abilities");
            }
            members.add(new Member(Format.text(m, "accountId"), Format.text(m, "displayName"), Format.text(m, "status"),
                    Format.strings(m, "abilities"), you));
        }
        List<Schema> schemas = new ArrayList<>();
        String status = Format.text(c, "memberStatus");
        Budgets.Budget budget = null;
        if (status.equals("ACTIVE")) {
            String membership = Format.text(c, "membershipId");
            List<Object> both = x.api().all(List.of(
                    () -> x.api().call(Operation.LIST_SCHEMAS, Map.of("collaborationIdentifier", id)),
                    () -> Budgets.of(x, membership)));
            JsonNode listedSchemas = (JsonNode) both.get(0);
            budget = (Budgets.Budget) both.get(1);
            for (JsonNode s : listedSchemas.path("schemaSummaries")) {
                schemas.add(new Schema(Format.text(s, "name"), Format.text(s, "creatorAccountId"),
                        Format.strings(s, "analysisRuleTypes")));
            }
        }
        String creator = Format.text(c, "creatorAccountId");
        DetailView view = new DetailView(x.chrome(Format.text(c, "name"), "collaborations"), id, Format.text(c, "name"),
                Format.text(c, "description"), creator, Format.text(c, "creatorDisplayName"), status,
                Format.text(c, "membershipId"), Format.text(c, "queryLogStatus"), Format.text(c, "analyticsEngine"),
                Format.time(c, "createTime"), creator.equals(x.account()), members, schemas, yours, accept, budget);
        return views.page(accept.failed() ? 400 : 200, "collaboration", view);
    }

    private WebReply accept(Exchange x) {
        String id = x.path("id");
        Form f = x.form();
        ObjectNode body = Api.object();
        body.put("collaborationIdentifier", id);
        body.put("queryLogStatus", f.get("queryLogStatus"));
        if (!f.get("resultBucket").isEmpty()) {
            ObjectNode s3 = body.putObject("defaultResultConfiguration").putObject("outputConfiguration")
                    .putObject("s3");
            s3.put("resultFormat", f.get("resultFormat"));
            s3.put("bucket", f.get("resultBucket"));
            if (!f.get("resultKeyPrefix").isEmpty()) {
                s3.put("keyPrefix", f.get("resultKeyPrefix"));
            }
        }
        try {
            x.api().call(Operation.CREATE_MEMBERSHIP, Map.of(), body);
        } catch (ApiError e) {
            if (e.status() >= 500 || e.notFound()) {
                throw e;
            }
            return show(x, new FormState(f, acceptFields(e), Map.of()));
        }
        x.session().notice("You joined the collaboration.");
        return WebReply.seeOther(Console.PREFIX + "/collaborations/" + Api.encode(id));
    }

    /** The API names the result configuration's fields by their JSON path; the form by its own names. */
    private static ApiError acceptFields(ApiError e) {
        List<ApiError.FieldError> fields = new ArrayList<>();
        for (ApiError.FieldError field : e.fields()) {
            String name = field.name();
            if (name.endsWith("s3.bucket")) {
                name = "resultBucket";
            } else if (name.endsWith("s3.keyPrefix")) {
                name = "resultKeyPrefix";
            } else if (name.endsWith("s3.resultFormat")) {
                name = "resultFormat";
            }
            fields.add(new ApiError.FieldError(name, field.message()));
        }
        return new ApiError(e.status(), e.type(), e.getMessage(), fields);
    }

    private WebReply removeMember(Exchange x) {
        String id = x.path("id");
        String account = x.path("accountId");
        x.api().call(Operation.DELETE_MEMBER, Map.of("collaborationIdentifier", id, "accountId", account));
        x.session().notice("Member " + account + " removed from the collaboration.");
        return WebReply.seeOther(Console.PREFIX + "/collaborations/" + Api.encode(id));
    }

    private WebReply delete(Exchange x) {
        String id = x.path("id");
        x.api().call(Operation.DELETE_COLLABORATION, Map.of("collaborationIdentifier", id));
        x.session().notice("Collaboration deleted.");
        return WebReply.seeOther(Console.PREFIX + "/collaborations");
    }

    private WebReply leave(Exchange x) {
        String id = x.path("id");
        JsonNode c = x.api().call(Operation.GET_COLLABORATION, Map.of("collaborationIdentifier", id))
                .path("collaboration");
        String membership = Format.text(c, "membershipId");
        if (membership.isEmpty()) {
            throw new ConsoleError(409, "You are not a member of this collaboration");
        }
        x.api().call(Operation.DELETE_MEMBERSHIP, Map.of("membershipIdentifier", membership));
        x.session().notice("You left the collaboration.");
        return WebReply.seeOther(Console.PREFIX + "/collaborations");
    }
}
