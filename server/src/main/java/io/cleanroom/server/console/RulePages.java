package io.cleanroom.server.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.ScalarFunction;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.server.cleanrooms.ConfiguredTablesApi;
import io.cleanroom.server.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A configured table's analysis rule: a guided form for aggregation, list and custom rules that is
 * checked as its author types (the same checks as CreateConfiguredTableAnalysisRule, run without
 * creating anything, each message next to the field it names), a JSON view for experts, and the
 * rule created through the API.
 */
final class RulePages {
    static final int AGGREGATE_ROWS = 3;
    static final int CONSTRAINT_ROWS = 2;
    static final List<String> FUNCTIONS = List.of("COUNT", "COUNT_DISTINCT", "SUM", "SUM_DISTINCT", "AVG");
    static final List<String> SCALAR_FUNCTIONS = Arrays.stream(ScalarFunction.values()).map(Enum::name).toList();

    private final Views views;
    private final Quotas quotas;

    RulePages(Views views, Quotas quotas) {
        this.views = requireNonNull(views, "views is null");
        this.quotas = requireNonNull(quotas, "quotas is null");
    }

    void register(Routes routes) {
        routes.get("/configured-tables/{id}/rule", Routes.Access.ACCOUNT, x -> form(x, null));
        routes.post("/configured-tables/{id}/rule", Routes.Access.ACCOUNT, this::create);
        routes.post("/configured-tables/{id}/rule/check", Routes.Access.ACCOUNT, this::check);
        routes.post("/configured-tables/{id}/rule/{type}/delete", Routes.Access.ACCOUNT, this::delete);
    }

    record RuleView(Chrome chrome, String id, String tableName, String type, List<String> columns,
            FormState form, RuleForm fields, String json) {
    }

    /** The guided form's field names, and their error slots. */
    record RuleForm(int aggregateRows, int constraintRows, List<String> functions, List<String> scalarFunctions) {
        static String slot(String field) {
            return "err-" + field.replaceAll("[^A-Za-z0-9]+", "-");
        }
    }

    private static final RuleForm FIELDS = new RuleForm(AGGREGATE_ROWS, CONSTRAINT_ROWS, FUNCTIONS, SCALAR_FUNCTIONS);

    private WebReply form(Exchange x, FormState shown) {
        String id = x.path("id");
        JsonNode t = x.api().call(Operation.GET_CONFIGURED_TABLE, Map.of("configuredTableIdentifier", id))
                .path("configuredTable");
        String type = (shown != null ? x.form().get("type") : x.query().get("type")).toUpperCase(Locale.ROOT);
        if (!List.of("AGGREGATION", "LIST", "CUSTOM").contains(type)) {
            type = "AGGREGATION";
        }
        List<String> columns = Format.strings(t, "allowedColumns");
        FormState form = shown != null ? shown : FormState.blank(defaults(type, columns));
        String json = shown != null && !x.form().raw("json").isEmpty() ? x.form().raw("json")
                : TablePages.pretty(policy(type, shown != null ? x.form() : defaultsForm(type, columns)));
        return views.page(shown != null && shown.failed() ? 400 : 200, "rule", new RuleView(
                x.chrome("Analysis rule for " + Format.text(t, "name"), "tables"), id, Format.text(t, "name"), type,
                columns, form, FIELDS, json));
    }

    /** What a new rule's form starts with: a custom rule allows any query until its author narrows it. */
    private static Map<String, String> defaults(String type, List<String> columns) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("type", type);
        if (type.equals("CUSTOM")) {
            d.put("allowedAnalyses", "ANY_QUERY");
        }
        if (type.equals("AGGREGATION")) {
            d.put("agg[0].function", "COUNT_DISTINCT");
            d.put("oc[0].minimum", "2");
            d.put("allowedJoinOperators", "");
        }
        return d;
    }

    private static Form defaultsForm(String type, List<String> columns) {
        StringBuilder encoded = new StringBuilder();
        defaults(type, columns).forEach((k, v) -> encoded.append(Api.encode(k)).append('=').append(Api.encode(v))
                .append('&'));
        return Form.parse(encoded.toString());
    }

    /** The request body of CreateConfiguredTableAnalysisRule the form describes (guided, or the JSON view). */
    static ObjectNode body(Form f) {
        String type = f.get("type").toUpperCase(Locale.ROOT);
        ObjectNode body = Json.object();
        body.put("analysisRuleType", type);
        if (f.get("mode").equals("json")) {
            try {
                JsonNode policy = Json.MAPPER.readTree(f.raw("json"));
                body.set("analysisRulePolicy", policy);
            } catch (IOException e) {
                throw new ApiError(400, "ValidationException", "The JSON view is not valid JSON",
                        List.of(new ApiError.FieldError("json", "Not valid JSON: check brackets, commas and quotes")));
            }
            return body;
        }
        body.set("analysisRulePolicy", policy(type, f));
        return body;
    }

    private static ObjectNode policy(String type, Form f) {
        ObjectNode policy = Json.object();
        ObjectNode v1 = policy.putObject("v1");
        switch (type) {
            case "LIST" -> {
                ObjectNode l = v1.putObject("list");
                strings(l, "joinColumns", f.all("joinColumns"));
                optionalStrings(l, "allowedJoinOperators", f.all("allowedJoinOperators"));
                strings(l, "listColumns", f.all("listColumns"));
                optional(l, "additionalAnalyses", f.get("additionalAnalyses"));
            }
            case "CUSTOM" -> {
                ObjectNode c = v1.putObject("custom");
                strings(c, "allowedAnalyses", lines(f.raw("allowedAnalyses")));
                optionalStrings(c, "allowedAnalysisProviders", lines(f.raw("allowedAnalysisProviders")));
                optionalStrings(c, "disallowedOutputColumns", f.all("disallowedOutputColumns"));
                optional(c, "additionalAnalyses", f.get("additionalAnalyses"));
                if (!f.all("at.identityColumns").isEmpty() || !f.get("at.minimum").isEmpty()) {
                    ObjectNode t = c.putArray("aggregationThresholds").addObject();
                    strings(t, "identityColumns", f.all("at.identityColumns"));
                    number(t, "minimumIdentityCount", f.get("at.minimum"));
                    t.put("type", "COUNT_DISTINCT");
                }
            }
            default -> {
                ObjectNode a = v1.putObject("aggregation");
                ArrayNode aggregates = a.putArray("aggregateColumns");
                for (int i = 0; i < AGGREGATE_ROWS; i++) {
                    String function = f.get("agg[" + i + "].function");
                    List<String> columns = f.all("agg[" + i + "].columns");
                    if (function.isEmpty() && columns.isEmpty()) {
                        continue;
                    }
                    ObjectNode c = aggregates.addObject();
                    strings(c, "columnNames", columns);
                    c.put("function", function);
                }
                strings(a, "joinColumns", f.all("joinColumns"));
                optional(a, "joinRequired", f.get("joinRequired"));
                optionalStrings(a, "allowedJoinOperators", f.all("allowedJoinOperators"));
                strings(a, "dimensionColumns", f.all("dimensionColumns"));
                strings(a, "scalarFunctions", f.all("scalarFunctions"));
                ArrayNode constraints = a.putArray("outputConstraints");
                for (int i = 0; i < CONSTRAINT_ROWS; i++) {
                    String column = f.get("oc[" + i + "].column");
                    String minimum = f.get("oc[" + i + "].minimum");
                    if (column.isEmpty()) {
                        continue;
                    }
                    ObjectNode c = constraints.addObject();
                    c.put("columnName", column);
                    number(c, "minimum", minimum);
                    c.put("type", "COUNT_DISTINCT");
                }
                optional(a, "additionalAnalyses", f.get("additionalAnalyses"));
            }
        }
        return policy;
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("[\\r\\n,]+")) {
            if (!line.isBlank()) {
                out.add(line.strip());
            }
        }
        return out;
    }

    private static void strings(ObjectNode node, String field, List<String> values) {
        ArrayNode array = node.putArray(field);
        values.forEach(array::add);
    }

    private static void optionalStrings(ObjectNode node, String field, List<String> values) {
        if (!values.isEmpty()) {
            strings(node, field, values);
        }
    }

    private static void optional(ObjectNode node, String field, String value) {
        if (!value.isEmpty()) {
            node.put(field, value);
        }
    }

    /** A number field: a whole number is sent as one, anything else as typed (the API names it). */
    private static void number(ObjectNode node, String field, String value) {
        try {
            node.put(field, Integer.parseInt(value));
        } catch (NumberFormatException e) {
            node.put(field, value);
        }
    }

    /** The API's name of a field of the policy, as the form names it. */
    static String formField(String apiName) {
        String name = apiName.replaceFirst("^analysisRulePolicy\\.v1\\.(aggregation|list|custom)\\.?", "");
        if (name.equals(apiName) && apiName.startsWith("analysisRulePolicy")) {
            return "policy";
        }
        name = name.replaceAll("^aggregateColumns\\[(\\d+)]\\.columnNames.*$", "agg[$1].columns")
                .replaceAll("^aggregateColumns\\[(\\d+)]\\.function$", "agg[$1].function")
                .replaceAll("^aggregateColumns\\[(\\d+)]$", "agg[$1].columns")
                .replaceAll("^aggregateColumns$", "agg[0].function")
                .replaceAll("^outputConstraints\\[(\\d+)]\\.columnName$", "oc[$1].column")
                .replaceAll("^outputConstraints\\[(\\d+)]\\.minimum$", "oc[$1].minimum")
                .replaceAll("^outputConstraints(\\[\\d+])?(\\..*)?$", "oc[0].column")
                .replaceAll("^aggregationThresholds\\[\\d+]\\.identityColumns.*$", "at.identityColumns")
                .replaceAll("^aggregationThresholds\\[\\d+]\\.minimumIdentityCount$", "at.minimum")
                .replaceAll("^(\\w+)\\[\\d+]$", "$1");
        return name.isEmpty() ? "policy" : name;
    }

    private static ApiError onForm(ApiError e) {
        List<ApiError.FieldError> fields = new ArrayList<>();
        for (ApiError.FieldError f : e.fields()) {
            fields.add(new ApiError.FieldError(formField(f.name()), f.message()));
        }
        return new ApiError(e.status(), e.type(), e.getMessage(), fields);
    }

    private WebReply create(Exchange x) {
        String id = x.path("id");
        Form f = x.form();
        try {
            x.api().call(Operation.CREATE_CONFIGURED_TABLE_ANALYSIS_RULE, Map.of("configuredTableIdentifier", id),
                    body(f));
        } catch (ApiError e) {
            if (e.status() >= 500) {
                throw e;
            }
            return form(x, new FormState(f, onForm(e), Map.of()));
        }
        x.session().notice(Format.words(f.get("type")) + " rule added.");
        return WebReply.seeOther(Console.PREFIX + "/configured-tables/" + Api.encode(id));
    }

    /** Each field's message (or none), for the form's error slots. */
    record Slot(String id, String message) {
    }

    record CheckView(String json, List<Slot> slots, String general, boolean valid) {
    }

    /**
     * Checks the guided form as the author types, with the checks CreateConfiguredTableAnalysisRule
     * makes, against the allowed columns the form was rendered with (read through the API); creates
     * nothing and calls nothing. Advisory only: creating the rule is checked again by the API.
     */
    private WebReply check(Exchange x) {
        Form f = x.form();
        List<String> allowed = f.all("allowed");
        ObjectNode body;
        List<ApiError.FieldError> errors = new ArrayList<>();
        String general = null;
        String json;
        try {
            body = body(f);
            json = TablePages.pretty(body.path("analysisRulePolicy"));
            ConfiguredTablesApi.checkRule(body, allowed, quotas);
        } catch (ApiError e) {
            errors.addAll(e.fields());
            general = e.getMessage();
            json = "";
        } catch (CleanroomException e) {
            for (CleanroomException.FieldError fe : e.fieldErrors()) {
                errors.add(new ApiError.FieldError(formField(fe.name()), fe.message()));
            }
            general = e.getMessage();
            json = TablePages.pretty(body(f).path("analysisRulePolicy"));
        }
        List<Slot> slots = new ArrayList<>();
        for (String field : slotFields(f.get("type"))) {
            String message = null;
            for (ApiError.FieldError e : errors) {
                if (e.name().equals(field)) {
                    message = message == null ? e.message() : message + " " + e.message();
                }
            }
            slots.add(new Slot(RuleForm.slot(field), message));
        }
        return views.page("rule_check", new CheckView(json, slots, general, general == null));
    }

    /** Every field of a rule type's guided form that has an error slot. */
    static List<String> slotFields(String type) {
        List<String> out = new ArrayList<>();
        switch (type.toUpperCase(Locale.ROOT)) {
            case "LIST" -> out.addAll(List.of("joinColumns", "allowedJoinOperators", "listColumns",
                    "additionalAnalyses"));
            case "CUSTOM" -> out.addAll(List.of("allowedAnalyses", "allowedAnalysisProviders",
                    "disallowedOutputColumns", "additionalAnalyses", "at.identityColumns", "at.minimum"));
            default -> {
                for (int i = 0; i < AGGREGATE_ROWS; i++) {
                    out.add("agg[" + i + "].function");
                    out.add("agg[" + i + "].columns");
                }
                out.addAll(List.of("joinColumns", "joinRequired", "allowedJoinOperators", "dimensionColumns",
                        "scalarFunctions"));
                for (int i = 0; i < CONSTRAINT_ROWS; i++) {
                    out.add("oc[" + i + "].column");
                    out.add("oc[" + i + "].minimum");
                }
                out.add("additionalAnalyses");
            }
        }
        out.add("policy");
        out.add("json");
        return out;
    }

    private WebReply delete(Exchange x) {
        String id = x.path("id");
        x.api().call(Operation.DELETE_CONFIGURED_TABLE_ANALYSIS_RULE, Map.of("configuredTableIdentifier", id,
                "analysisRuleType", x.path("type")));
        x.session().notice("Analysis rule deleted.");
        return WebReply.seeOther(Console.PREFIX + "/configured-tables/" + Api.encode(id));
    }
}
