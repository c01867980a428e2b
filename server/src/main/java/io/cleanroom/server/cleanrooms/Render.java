package io.cleanroom.server.cleanrooms;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.AnalysisTemplate;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.AssociationAnalysisRule;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.ConfiguredTable;
import io.cleanroom.core.model.ConfiguredTableAnalysisRule;
import io.cleanroom.core.model.Member;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.PrivacyBudgetTemplate;
import io.cleanroom.core.model.PrivacyBudgetType;
import io.cleanroom.core.service.AssociationService;
import io.cleanroom.core.service.CollaborationService;
import io.cleanroom.core.service.ConfiguredTableService;
import io.cleanroom.core.service.MembershipService;
import io.cleanroom.core.service.PrivacyBudgetService;
import io.cleanroom.core.service.SchemaService;
import io.cleanroom.privacy.Aggregation;
import io.cleanroom.server.wire.Json;
import java.util.List;
import java.util.Optional;

/** Domain records to the wire shapes of the Clean Rooms API (field names and nesting as in the reference). */
public final class Render {
    private final Arns arns;

    public Render(Arns arns) {
        this.arns = requireNonNull(arns, "arns is null");
    }

    private String collaborationArn(Collaboration c) {
        return arns.collaboration(c.creatorAccountId(), c.id());
    }

    private void times(ObjectNode node, java.time.Instant create, java.time.Instant update) {
        node.put("createTime", Json.time(create));
        node.put("updateTime", Json.time(update));
    }

    ObjectNode collaboration(CollaborationService.View view) {
        Collaboration c = view.collaboration();
        ObjectNode node = collaborationSummary(view);
        Json.putIfNotNull(node, "description", c.description());
        node.put("queryLogStatus", c.queryLogStatus().name());
        Json.putIfNotNull(node, "jobLogStatus", c.jobLogStatus());
        if (c.dataEncryptionMetadata() != null) {
            node.putObject("dataEncryptionMetadata")
                    .put("allowCleartext", c.dataEncryptionMetadata().allowCleartext())
                    .put("allowDuplicates", c.dataEncryptionMetadata().allowDuplicates())
                    .put("allowJoinsOnColumnsWithDifferentNames",
                            c.dataEncryptionMetadata().allowJoinsOnColumnsWithDifferentNames())
                    .put("preserveNulls", c.dataEncryptionMetadata().preserveNulls());
        }
        if (c.metricsEnabled() != null) {
            node.put("isMetricsEnabled", c.metricsEnabled());
        }
        if (!c.allowedResultRegions().isEmpty()) {
            node.set("allowedResultRegions", Json.strings(c.allowedResultRegions()));
        }
        if (!c.autoApprovedChangeTypes().isEmpty()) {
            node.set("autoApprovedChangeTypes", Json.strings(c.autoApprovedChangeTypes()));
        }
        return node;
    }

    ObjectNode collaborationSummary(CollaborationService.View view) {
        Collaboration c = view.collaboration();
        ObjectNode node = Json.object();
        node.put("id", c.id().value());
        node.put("arn", collaborationArn(c));
        node.put("name", c.name());
        node.put("creatorAccountId", c.creatorAccountId().value());
        node.put("creatorDisplayName", c.creatorDisplayName());
        times(node, c.createTime(), c.updateTime());
        node.put("memberStatus", view.caller().status().name());
        if (view.caller().membershipId() != null) {
            node.put("membershipId", view.caller().membershipId().value());
            node.put("membershipArn", arns.membership(view.caller().accountId(), view.caller().membershipId()));
        }
        Json.putIfNotNull(node, "analyticsEngine", c.analyticsEngine());
        return node;
    }

    ObjectNode member(Member m) {
        ObjectNode node = Json.object();
        node.put("accountId", m.accountId().value());
        node.put("status", m.status().name());
        node.put("displayName", m.displayName());
        node.set("abilities", Json.strings(m.abilities()));
        if (!m.mlAbilities().isEmpty()) {
            node.putObject("mlAbilities").set("customMLMemberAbilities", Json.strings(m.mlAbilities()));
        }
        times(node, m.createTime(), m.updateTime());
        if (m.membershipId() != null) {
            node.put("membershipId", m.membershipId().value());
            node.put("membershipArn", arns.membership(m.accountId(), m.membershipId()));
        }
        node.set("paymentConfiguration", Shapes.payment(m.paymentConfiguration()));
        return node;
    }

    ObjectNode membershipSummary(MembershipService.View view) {
        Membership m = view.membership();
        Collaboration c = view.collaboration();
        ObjectNode node = Json.object();
        node.put("id", m.id().value());
        node.put("arn", arns.membership(m.accountId(), m.id()));
        node.put("collaborationArn", collaborationArn(c));
        node.put("collaborationId", c.id().value());
        node.put("collaborationCreatorAccountId", c.creatorAccountId().value());
        node.put("collaborationCreatorDisplayName", c.creatorDisplayName());
        node.put("collaborationName", c.name());
        times(node, m.createTime(), m.updateTime());
        node.put("status", m.status().name());
        node.set("memberAbilities", Json.strings(m.abilities()));
        if (!m.mlAbilities().isEmpty()) {
            node.putObject("mlMemberAbilities").set("customMLMemberAbilities", Json.strings(m.mlAbilities()));
        }
        node.set("paymentConfiguration", Shapes.payment(m.paymentConfiguration()));
        return node;
    }

    ObjectNode membership(MembershipService.View view) {
        Membership m = view.membership();
        ObjectNode node = membershipSummary(view);
        node.put("queryLogStatus", m.queryLogStatus().name());
        Json.putIfNotNull(node, "jobLogStatus", m.jobLogStatus());
        if (m.defaultResultConfiguration() != null) {
            node.set("defaultResultConfiguration", Shapes.resultConfiguration(m.defaultResultConfiguration()));
        }
        if (m.metricsEnabled() != null) {
            node.put("isMetricsEnabled", m.metricsEnabled());
        }
        return node;
    }

    private static ArrayNode ruleTypes(Optional<AnalysisRuleType> type) {
        return Json.strings(type.map(List::of).orElse(List.of()));
    }

    ObjectNode configuredTableSummary(ConfiguredTableService.View view) {
        ConfiguredTable t = view.table();
        ObjectNode node = Json.object();
        node.put("id", t.id().value());
        node.put("arn", arns.configuredTable(t.ownerAccountId(), t.id()));
        node.put("name", t.name());
        times(node, t.createTime(), t.updateTime());
        node.set("analysisRuleTypes", ruleTypes(view.ruleType()));
        node.put("analysisMethod", t.analysisMethod().name());
        if (!t.selectedAnalysisMethods().isEmpty()) {
            node.set("selectedAnalysisMethods", Json.strings(t.selectedAnalysisMethods()));
        }
        return node;
    }

    ObjectNode configuredTable(ConfiguredTableService.View view) {
        ConfiguredTable t = view.table();
        ObjectNode node = configuredTableSummary(view);
        Json.putIfNotNull(node, "description", t.description());
        node.set("tableReference", Shapes.tableReference(t.tableReference()));
        node.set("allowedColumns", Json.strings(t.allowedColumns()));
        return node;
    }

    ObjectNode tableRule(ConfiguredTable table, ConfiguredTableAnalysisRule rule) {
        ObjectNode node = Json.object();
        node.put("configuredTableId", table.id().value());
        node.put("configuredTableArn", arns.configuredTable(table.ownerAccountId(), table.id()));
        node.set("policy", PolicyWire.render(rule.policy()));
        node.put("type", rule.type().name());
        times(node, rule.createTime(), rule.updateTime());
        return node;
    }

    ObjectNode associationSummary(AssociationService.View view) {
        Association a = view.association();
        ObjectNode node = Json.object();
        node.put("configuredTableId", a.configuredTableId().value());
        node.put("membershipId", a.membershipId().value());
        node.put("membershipArn", arns.membership(a.ownerAccountId(), a.membershipId()));
        node.put("name", a.name());
        times(node, a.createTime(), a.updateTime());
        node.put("id", a.id().value());
        node.put("arn", arns.association(a.ownerAccountId(), a.membershipId(), a.id()));
        node.set("analysisRuleTypes", ruleTypes(view.ruleType()));
        return node;
    }

    ObjectNode association(AssociationService.View view) {
        Association a = view.association();
        ObjectNode node = associationSummary(view);
        node.put("configuredTableArn", arns.configuredTable(a.ownerAccountId(), a.configuredTableId()));
        node.put("roleArn", a.roleArn());
        Json.putIfNotNull(node, "description", a.description());
        return node;
    }

    ObjectNode associationRule(AssociationAnalysisRule rule, Association association) {
        ObjectNode node = Json.object();
        node.put("membershipIdentifier", rule.membershipId().value());
        node.put("configuredTableAssociationId", rule.associationId().value());
        node.put("configuredTableAssociationArn",
                arns.association(association.ownerAccountId(), association.membershipId(), association.id()));
        ObjectNode policy = node.putObject("policy").putObject("v1")
                .putObject(rule.type().name().toLowerCase(java.util.Locale.ROOT));
        collaborationPolicyBody(rule, policy);
        node.put("type", rule.type().name());
        times(node, rule.createTime(), rule.updateTime());
        return node;
    }

    private static void collaborationPolicyBody(AssociationAnalysisRule rule, ObjectNode policy) {
        if (!rule.allowedResultReceivers().isEmpty()) {
            policy.set("allowedResultReceivers", Json.strings(rule.allowedResultReceivers()));
        }
        if (!rule.allowedAdditionalAnalyses().isEmpty()) {
            policy.set("allowedAdditionalAnalyses", Json.strings(rule.allowedAdditionalAnalyses()));
        }
    }

    ObjectNode schemaSummary(SchemaService.Schema s) {
        ObjectNode node = Json.object();
        node.put("name", s.name());
        node.put("type", "TABLE");
        node.put("creatorAccountId", s.association().ownerAccountId().value());
        times(node, s.association().createTime(), s.association().updateTime());
        node.put("collaborationId", s.collaboration().id().value());
        node.put("collaborationArn", collaborationArn(s.collaboration()));
        node.set("analysisRuleTypes", ruleTypes(s.rule().map(ConfiguredTableAnalysisRule::type)));
        node.put("analysisMethod", s.table().analysisMethod().name());
        if (!s.table().selectedAnalysisMethods().isEmpty()) {
            node.set("selectedAnalysisMethods", Json.strings(s.table().selectedAnalysisMethods()));
        }
        node.put("resourceArn", arns.association(s.association().ownerAccountId(), s.association().membershipId(),
                s.association().id()));
        return node;
    }

    ObjectNode schema(SchemaService.Schema s) {
        ObjectNode node = schemaSummary(s);
        ArrayNode columns = node.putArray("columns");
        s.columns().forEach(c -> columns.addObject().put("name", c.name()).put("type", c.type()));
        node.putArray("partitionKeys");
        node.put("description", s.association().description() == null ? "" : s.association().description());
        ArrayNode details = node.putArray("schemaStatusDetails");
        ObjectNode detail = details.addObject();
        detail.put("status", s.status().ready() ? "READY" : "NOT_READY");
        ArrayNode reasons = detail.putArray("reasons");
        s.status().reasons().forEach(r -> reasons.addObject().put("code", r.code()).put("message", r.message()));
        Json.putIfNotNull(detail, "analysisRuleType", s.status().ruleType());
        if (!s.status().configurations().isEmpty()) {
            detail.set("configurations", Json.strings(s.status().configurations()));
        }
        detail.put("analysisType", "DIRECT_ANALYSIS");
        return node;
    }

    ObjectNode schemaRule(SchemaService.Schema s) {
        ConfiguredTableAnalysisRule rule = s.rule().orElseThrow();
        ObjectNode node = Json.object();
        node.put("collaborationId", s.collaboration().id().value());
        node.put("type", rule.type().name());
        node.put("name", s.name());
        times(node, rule.createTime(), rule.updateTime());
        node.set("policy", PolicyWire.render(rule.policy()));
        String key = PolicyWire.key(rule.policy());
        s.collaborationRule().ifPresent(cr -> {
            ObjectNode policy = node.putObject("collaborationPolicy").putObject("v1").putObject(key);
            collaborationPolicyBody(cr, policy);
        });
        ObjectNode consolidated = node.putObject("consolidatedPolicy").putObject("v1").putObject(key);
        PolicyWire.body(rule.policy(), consolidated);
        consolidated.set("allowedResultReceivers", Json.strings(s.resultReceivers()));
        s.collaborationRule().ifPresent(cr -> {
            if (!cr.allowedAdditionalAnalyses().isEmpty()) {
                consolidated.set("allowedAdditionalAnalyses", Json.strings(cr.allowedAdditionalAnalyses()));
            }
        });
        return node;
    }

    private String templateArn(AnalysisTemplate t) {
        return arns.analysisTemplate(t.ownerAccountId(), t.membershipId(), t.id());
    }

    ObjectNode templateSummary(AnalysisTemplate t, Collaboration c) {
        ObjectNode node = Json.object();
        node.put("arn", templateArn(t));
        times(node, t.createTime(), t.updateTime());
        node.put("id", t.id().value());
        node.put("name", t.name());
        node.put("membershipArn", arns.membership(t.ownerAccountId(), t.membershipId()));
        node.put("membershipId", t.membershipId().value());
        node.put("collaborationArn", collaborationArn(c));
        node.put("collaborationId", t.collaborationId().value());
        Json.putIfNotNull(node, "description", t.description());
        return node;
    }

    ObjectNode template(AnalysisTemplate t, Collaboration c) {
        ObjectNode node = templateSummary(t, c);
        templateBody(t, node);
        return node;
    }

    private static void templateBody(AnalysisTemplate t, ObjectNode node) {
        node.putObject("schema").set("referencedTables", Json.strings(t.referencedTables()));
        node.put("format", t.format().name());
        node.putObject("source").put("text", t.sourceText());
        if (!t.parameters().isEmpty()) {
            ArrayNode parameters = node.putArray("analysisParameters");
            for (AnalysisParameter p : t.parameters()) {
                ObjectNode param = parameters.addObject().put("name", p.name()).put("type", p.type().name());
                Json.putIfNotNull(param, "defaultValue", p.defaultValue());
            }
        }
    }

    ObjectNode collaborationTemplateSummary(AnalysisTemplate t, Collaboration c) {
        ObjectNode node = Json.object();
        node.put("arn", templateArn(t));
        times(node, t.createTime(), t.updateTime());
        node.put("id", t.id().value());
        node.put("name", t.name());
        node.put("collaborationArn", collaborationArn(c));
        node.put("collaborationId", c.id().value());
        node.put("creatorAccountId", t.ownerAccountId().value());
        Json.putIfNotNull(node, "description", t.description());
        return node;
    }

    ObjectNode collaborationTemplate(AnalysisTemplate t, Collaboration c) {
        ObjectNode node = collaborationTemplateSummary(t, c);
        templateBody(t, node);
        return node;
    }

    // ---- differential privacy: policies (privacy budget templates), budgets, preview ----

    private String privacyBudgetTemplateArn(PrivacyBudgetTemplate t) {
        return arns.privacyBudgetTemplate(t.ownerAccountId(), t.id());
    }

    /** The fields every template shape starts with: id, arn, collaboration. */
    private ObjectNode privacyBudgetTemplateHead(PrivacyBudgetTemplate t, Collaboration c) {
        ObjectNode node = Json.object();
        node.put("id", t.id().value());
        node.put("arn", privacyBudgetTemplateArn(t));
        node.put("collaborationId", c.id().value());
        node.put("collaborationArn", collaborationArn(c));
        return node;
    }

    private static ObjectNode privacyParameters(PrivacyBudgetTemplate t) {
        ObjectNode node = Json.object();
        node.putObject("differentialPrivacy").put("epsilon", t.epsilon())
                .put("usersNoisePerQuery", t.usersNoisePerQuery());
        return node;
    }

    ObjectNode privacyBudgetTemplateSummary(PrivacyBudgetTemplate t, Collaboration c) {
        ObjectNode node = privacyBudgetTemplateHead(t, c);
        node.put("membershipId", t.membershipId().value());
        node.put("membershipArn", arns.membership(t.ownerAccountId(), t.membershipId()));
        node.put("privacyBudgetType", PrivacyBudgetType.DIFFERENTIAL_PRIVACY.name());
        times(node, t.createTime(), t.updateTime());
        return node;
    }

    ObjectNode privacyBudgetTemplate(PrivacyBudgetTemplate t, Collaboration c) {
        ObjectNode node = privacyBudgetTemplateSummary(t, c);
        node.put("autoRefresh", t.autoRefresh().name());
        node.set("parameters", privacyParameters(t));
        return node;
    }

    ObjectNode collaborationPrivacyBudgetTemplateSummary(PrivacyBudgetTemplate t, Collaboration c) {
        ObjectNode node = privacyBudgetTemplateHead(t, c);
        node.put("creatorAccountId", t.ownerAccountId().value());
        node.put("privacyBudgetType", PrivacyBudgetType.DIFFERENTIAL_PRIVACY.name());
        times(node, t.createTime(), t.updateTime());
        return node;
    }

    ObjectNode collaborationPrivacyBudgetTemplate(PrivacyBudgetTemplate t, Collaboration c) {
        ObjectNode node = collaborationPrivacyBudgetTemplateSummary(t, c);
        node.put("autoRefresh", t.autoRefresh().name());
        node.set("parameters", privacyParameters(t));
        return node;
    }

    /** {"differentialPrivacy": {"aggregations": [{type, maxCount, remainingCount}], "epsilon"}}. */
    private static ObjectNode budget(PrivacyBudgetService.BudgetView b) {
        ObjectNode node = Json.object();
        ObjectNode dp = node.putObject("differentialPrivacy");
        ArrayNode aggregations = dp.putArray("aggregations");
        for (Aggregation aggregation : Aggregation.values()) {
            aggregations.addObject().put("type", aggregation.name())
                    .put("maxCount", b.maxCounts().get(aggregation))
                    .put("remainingCount", b.remainingCounts().get(aggregation));
        }
        dp.put("epsilon", b.template().epsilon());
        return node;
    }

    /** The fields both budget summaries start with. */
    private ObjectNode budgetHead(PrivacyBudgetService.BudgetView b) {
        ObjectNode node = Json.object();
        node.put("id", b.budget().id().value());
        node.put("privacyBudgetTemplateId", b.template().id().value());
        node.put("privacyBudgetTemplateArn", privacyBudgetTemplateArn(b.template()));
        return node;
    }

    private void budgetTail(PrivacyBudgetService.BudgetView b, ObjectNode node) {
        node.put("type", PrivacyBudgetType.DIFFERENTIAL_PRIVACY.name());
        times(node, b.budget().createTime(), b.budget().updateTime());
        node.set("budget", budget(b));
    }

    /** PrivacyBudgetSummary: the membership named is the one that owns the policy. */
    ObjectNode privacyBudgetSummary(PrivacyBudgetService.BudgetView b) {
        ObjectNode node = budgetHead(b);
        node.put("membershipId", b.template().membershipId().value());
        node.put("membershipArn", arns.membership(b.template().ownerAccountId(), b.template().membershipId()));
        node.put("collaborationId", b.collaboration().id().value());
        node.put("collaborationArn", collaborationArn(b.collaboration()));
        budgetTail(b, node);
        return node;
    }

    ObjectNode collaborationPrivacyBudgetSummary(PrivacyBudgetService.BudgetView b) {
        ObjectNode node = budgetHead(b);
        node.put("collaborationId", b.collaboration().id().value());
        node.put("collaborationArn", collaborationArn(b.collaboration()));
        node.put("creatorAccountId", b.template().ownerAccountId().value());
        budgetTail(b, node);
        return node;
    }

    /** {"differentialPrivacy": {"aggregations": [{type, maxCount}]}}. */
    static ObjectNode privacyImpact(java.util.Map<Aggregation, Long> maxCounts) {
        ObjectNode node = Json.object();
        ArrayNode aggregations = node.putObject("differentialPrivacy").putArray("aggregations");
        for (Aggregation aggregation : Aggregation.values()) {
            aggregations.addObject().put("type", aggregation.name()).put("maxCount", maxCounts.get(aggregation));
        }
        return node;
    }
}
