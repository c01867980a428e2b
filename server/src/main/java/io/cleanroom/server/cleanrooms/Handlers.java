package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.AnalysisTemplateId;
import io.cleanroom.core.model.AssociationId;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.PrivacyBudgetTemplateId;
import io.cleanroom.core.model.PrivacyBudgetType;
import io.cleanroom.core.model.ProtectedQueryId;
import io.cleanroom.core.service.Page;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.function.Function;

/** What the resource classes share: the identifiers in their paths and the shapes of their answers. */
final class Handlers {
    private Handlers() {
    }

    /** {"field": value}. */
    static HttpResponse one(String field, ObjectNode value) {
        ObjectNode out = Json.object();
        out.set(field, value);
        return HttpResponse.ok(out);
    }

    /** {"field": [items...], "nextToken": ...}. */
    static <T> HttpResponse page(Page<T> page, String field, Function<T, ObjectNode> each) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray(field);
        page.items().forEach(i -> items.add(each.apply(i)));
        if (page.nextToken() != null) {
            out.put("nextToken", page.nextToken());
        }
        return HttpResponse.ok(out);
    }

    static CollaborationId collaboration(Call c) {
        return c.id("collaborationIdentifier", CollaborationId::new);
    }

    static MembershipId membership(Call c) {
        return c.id("membershipIdentifier", MembershipId::new);
    }

    static ConfiguredTableId configuredTable(Call c) {
        return c.id("configuredTableIdentifier", ConfiguredTableId::new);
    }

    static AssociationId association(Call c) {
        return c.id("configuredTableAssociationIdentifier", AssociationId::new);
    }

    static AnalysisTemplateId template(Call c) {
        return c.id("analysisTemplateIdentifier", AnalysisTemplateId::new);
    }

    static PrivacyBudgetTemplateId privacyBudgetTemplate(Call c) {
        return c.id("privacyBudgetTemplateIdentifier", PrivacyBudgetTemplateId::new);
    }

    /** The privacyBudgetType query parameter the budget listings require. */
    static PrivacyBudgetType privacyBudgetType(Call c) {
        PrivacyBudgetType type = c.queryEnum("privacyBudgetType", PrivacyBudgetType.class);
        if (type == null) {
            throw CleanroomException.validation("privacyBudgetType",
                    "Value at 'privacyBudgetType' failed to satisfy constraint: Member must not be null");
        }
        return type;
    }

    static ProtectedQueryId protectedQuery(Call c) {
        return c.id("protectedQueryIdentifier", ProtectedQueryId::new);
    }

    static AnalysisRuleType ruleType(Call c) {
        return ruleType(c, "analysisRuleType");
    }

    static AnalysisRuleType ruleType(Call c, String name) {
        String value = c.path(name);
        for (AnalysisRuleType type : AnalysisRuleType.values()) {
            if (type.name().equals(value)) {
                return type;
            }
        }
        throw CleanroomException.validation(name, "Value '" + In.echo(value) + "' at '" + name
                + "' failed to satisfy constraint: Member must satisfy enum value set: [AGGREGATION, LIST, CUSTOM]");
    }

    /** The analysis rule size quota, on the policy's JSON as sent (without insignificant whitespace). */
    static void checkRuleSize(In body, io.cleanroom.core.service.Quotas quotas) {
        com.fasterxml.jackson.databind.JsonNode policy = body.raw("analysisRulePolicy");
        if (policy != null) {
            try {
                quotas.require(io.cleanroom.core.service.Quota.ANALYSIS_RULE_SIZE,
                        Json.MAPPER.writeValueAsBytes(policy).length);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw CleanroomException.internal("cannot measure an analysis rule", e);
            }
        }
    }

    static String schemaName(String name) {
        if (name.length() > 128 || !In.TABLE_ALIAS.matcher(name).matches()) {
            throw CleanroomException.validation("name", "Value at 'name' failed to satisfy constraint: Member must "
                    + "satisfy pattern " + In.TABLE_ALIAS.pattern());
        }
        return name;
    }
}
