package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisFormat;
import io.cleanroom.core.model.AnalysisMethod;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.AnalysisTemplateId;
import io.cleanroom.core.model.AnalyticsEngine;
import io.cleanroom.core.model.AssociationAnalysisRule;
import io.cleanroom.core.model.AssociationId;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.ConfiguredTableAnalysisRule;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.DataEncryptionMetadata;
import io.cleanroom.core.model.GlueTableReference;
import io.cleanroom.core.model.LogStatus;
import io.cleanroom.core.model.MLMemberAbility;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.MemberStatus;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.MembershipStatus;
import io.cleanroom.core.model.ParameterType;
import io.cleanroom.core.model.PaymentConfiguration;
import io.cleanroom.core.model.ResultConfiguration;
import io.cleanroom.core.model.ResultFormat;
import io.cleanroom.core.model.S3Output;
import io.cleanroom.core.model.SelectedAnalysisMethod;
import io.cleanroom.core.service.AssociationService;
import io.cleanroom.core.service.CollaborationService;
import io.cleanroom.core.service.ConfiguredTableService;
import io.cleanroom.core.service.MembershipService;
import io.cleanroom.core.service.Page;
import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.core.service.SchemaService;
import io.cleanroom.core.service.TagService;
import io.cleanroom.core.service.TemplateService;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The AWS Clean Rooms restJson1 operations: each handler reads and checks its input, calls one
 * service, and renders the result. Paths, fields, limits and success codes follow the reference.
 */
final class CleanRoomsApi {
    private static final Pattern S3_BUCKET = Pattern.compile("^[a-z0-9.-]{3,63}$");
    private static final Pattern KEY_PREFIX = Pattern.compile("^[\\w!.=*/-]*$");
    private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-\\d$");
    private static final Pattern GLUE_NAME = Pattern.compile("^[a-zA-Z0-9_-]+$");

    private final CollaborationService collaborations;
    private final MembershipService memberships;
    private final ConfiguredTableService tables;
    private final AssociationService associations;
    private final SchemaService schemas;
    private final TemplateService templates;
    private final TagService tags;
    private final Render render;
    private final Quotas quotas;

    CleanRoomsApi(CollaborationService collaborations, MembershipService memberships, ConfiguredTableService tables,
            AssociationService associations, SchemaService schemas, TemplateService templates, TagService tags,
            Render render, Quotas quotas) {
        this.collaborations = requireNonNull(collaborations, "collaborations is null");
        this.memberships = requireNonNull(memberships, "memberships is null");
        this.tables = requireNonNull(tables, "tables is null");
        this.associations = requireNonNull(associations, "associations is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
        this.templates = requireNonNull(templates, "templates is null");
        this.tags = requireNonNull(tags, "tags is null");
        this.render = requireNonNull(render, "render is null");
        this.quotas = requireNonNull(quotas, "quotas is null");
    }

    /** The analysis rule size quota, on the policy's JSON as sent (without insignificant whitespace). */
    private void checkRuleSize(In body) {
        com.fasterxml.jackson.databind.JsonNode policy = body.raw("analysisRulePolicy");
        if (policy != null) {
            try {
                quotas.require(Quota.ANALYSIS_RULE_SIZE, Json.MAPPER.writeValueAsBytes(policy).length);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw CleanroomException.internal("cannot measure an analysis rule", e);
            }
        }
    }

    void register(Router router) {
        // collaborations and members
        router.add(new Route(Operation.CREATE_COLLABORATION, this::createCollaboration));
        router.add(new Route(Operation.LIST_COLLABORATIONS, this::listCollaborations));
        router.add(new Route(Operation.GET_COLLABORATION, c -> one("collaboration", render.collaboration(collaborations.get(c.caller(), cid(c))))));
        router.add(new Route(Operation.UPDATE_COLLABORATION, this::updateCollaboration));
        router.add(new Route(Operation.DELETE_COLLABORATION, c -> {
            collaborations.delete(c.caller(), cid(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route(Operation.LIST_MEMBERS, c -> page(collaborations.listMembers(c.caller(), cid(c), c.page()), "memberSummaries", render::member)));
        router.add(new Route(Operation.DELETE_MEMBER, c -> {
                    collaborations.deleteMember(c.caller(), cid(c), c.accountId("accountId"));
                    return HttpResponse.noContent();
                }));
        // memberships
        router.add(new Route(Operation.CREATE_MEMBERSHIP, this::createMembership));
        router.add(new Route(Operation.LIST_MEMBERSHIPS, c -> page(
                memberships.list(c.caller(), c.queryEnum("status", MembershipStatus.class), c.page()),
                "membershipSummaries", render::membershipSummary)));
        router.add(new Route(Operation.GET_MEMBERSHIP, c -> one("membership", render.membership(memberships.get(c.caller(), mid(c))))));
        router.add(new Route(Operation.UPDATE_MEMBERSHIP, this::updateMembership));
        router.add(new Route(Operation.DELETE_MEMBERSHIP, c -> {
            memberships.delete(c.caller(), mid(c));
            return HttpResponse.noContent();
        }));
        // configured tables and their rules
        router.add(new Route(Operation.CREATE_CONFIGURED_TABLE, this::createConfiguredTable));
        router.add(new Route(Operation.LIST_CONFIGURED_TABLES, c -> page(
                tables.list(c.caller(), c.page()), "configuredTableSummaries", render::configuredTableSummary)));
        router.add(new Route(Operation.GET_CONFIGURED_TABLE, c -> one("configuredTable", render.configuredTable(tables.get(c.caller(), ctid(c))))));
        router.add(new Route(Operation.UPDATE_CONFIGURED_TABLE, this::updateConfiguredTable));
        router.add(new Route(Operation.DELETE_CONFIGURED_TABLE, c -> {
                    tables.delete(c.caller(), ctid(c));
                    return HttpResponse.noContent();
                }));
        router.add(new Route(Operation.CREATE_CONFIGURED_TABLE_ANALYSIS_RULE, this::createTableRule));
        router.add(new Route(Operation.GET_CONFIGURED_TABLE_ANALYSIS_RULE, c -> tableRule(c, tables.getRule(c.caller(), ctid(c), ruleType(c)))));
        router.add(new Route(Operation.UPDATE_CONFIGURED_TABLE_ANALYSIS_RULE, this::updateTableRule));
        router.add(new Route(Operation.DELETE_CONFIGURED_TABLE_ANALYSIS_RULE, c -> {
                    tables.deleteRule(c.caller(), ctid(c), ruleType(c));
                    return HttpResponse.noContent();
                }));
        // associations and their rules
        router.add(new Route(Operation.CREATE_CONFIGURED_TABLE_ASSOCIATION, this::createAssociation));
        router.add(new Route(Operation.LIST_CONFIGURED_TABLE_ASSOCIATIONS, c -> page(
                associations.list(c.caller(), mid(c), c.page()), "configuredTableAssociationSummaries",
                render::associationSummary)));
        router.add(new Route(Operation.GET_CONFIGURED_TABLE_ASSOCIATION, c -> one(
                "configuredTableAssociation", render.association(associations.get(c.caller(), mid(c), ctaid(c))))));
        router.add(new Route(Operation.UPDATE_CONFIGURED_TABLE_ASSOCIATION, this::updateAssociation));
        router.add(new Route(Operation.DELETE_CONFIGURED_TABLE_ASSOCIATION, c -> {
            associations.delete(c.caller(), mid(c), ctaid(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route(Operation.CREATE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, c -> associationRule(c, true)));
        router.add(new Route(Operation.GET_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, c -> renderAssociationRule(c,
                        associations.getRule(c.caller(), mid(c), ctaid(c), ruleType(c)))));
        router.add(new Route(Operation.UPDATE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, c -> associationRule(c, false)));
        router.add(new Route(Operation.DELETE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, c -> {
                    associations.deleteRule(c.caller(), mid(c), ctaid(c), ruleType(c));
                    return HttpResponse.noContent();
                }));
        // schemas
        router.add(new Route(Operation.LIST_SCHEMAS, this::listSchemas));
        router.add(new Route(Operation.GET_SCHEMA, c -> one("schema", render.schema(schemas.get(c.caller(), cid(c), schemaName(c.path("name")))))));
        router.add(new Route(Operation.BATCH_GET_SCHEMA, this::batchGetSchema));
        router.add(new Route(Operation.GET_SCHEMA_ANALYSIS_RULE, c -> one("analysisRule", render.schemaRule(schemas.getRule(c.caller(), cid(c),
                        schemaName(c.path("name")), ruleType(c, "type"))))));
        router.add(new Route(Operation.BATCH_GET_SCHEMA_ANALYSIS_RULE, this::batchGetSchemaRule));
        // analysis templates
        router.add(new Route(Operation.CREATE_ANALYSIS_TEMPLATE, this::createTemplate));
        router.add(new Route(Operation.LIST_ANALYSIS_TEMPLATES, c -> page(
                templates.list(c.caller(), mid(c), c.page()), "analysisTemplateSummaries",
                v -> render.templateSummary(v.template(), v.collaboration()))));
        router.add(new Route(Operation.GET_ANALYSIS_TEMPLATE, c -> template(
                templates.get(c.caller(), mid(c), atid(c)))));
        router.add(new Route(Operation.UPDATE_ANALYSIS_TEMPLATE, c -> {
            In body = c.body();
            String description = body.string("description", false, 0, 255, null);
            body.done();
            return template(templates.update(c.caller(), mid(c), atid(c), description));
        }));
        router.add(new Route(Operation.DELETE_ANALYSIS_TEMPLATE, c -> {
            templates.delete(c.caller(), mid(c), atid(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route(Operation.LIST_COLLABORATION_ANALYSIS_TEMPLATES, c -> page(
                        templates.listInCollaboration(c.caller(), cid(c), c.page()),
                        "collaborationAnalysisTemplateSummaries",
                        v -> render.collaborationTemplateSummary(v.template(), v.collaboration()))));
        router.add(new Route(Operation.GET_COLLABORATION_ANALYSIS_TEMPLATE, c -> {
                    TemplateService.View v = templates.getInCollaboration(c.caller(), cid(c),
                            c.path("analysisTemplateArn"));
                    return one("collaborationAnalysisTemplate",
                            render.collaborationTemplate(v.template(), v.collaboration()));
                }));
        router.add(new Route(Operation.BATCH_GET_COLLABORATION_ANALYSIS_TEMPLATE, this::batchGetTemplates));
        // tags
        router.add(new Route(Operation.LIST_TAGS_FOR_RESOURCE, c -> {
            ObjectNode out = Json.object();
            ObjectNode tagNode = out.putObject("tags");
            tags.list(c.caller(), c.path("resourceArn")).forEach(tagNode::put);
            return HttpResponse.ok(out);
        }));
        router.add(new Route(Operation.TAG_RESOURCE, c -> {
            In body = c.body();
            var map = body.stringMap("tags", 200, 1, 128, 256);
            if (map == null && !body.has("tags")) {
                body.error("tags", "Value at 'tags' failed to satisfy constraint: Member must not be null");
            }
            body.done();
            tags.tag(c.caller(), c.path("resourceArn"), map);
            return HttpResponse.ok(Json.object());
        }));
        router.add(new Route(Operation.UNTAG_RESOURCE, c -> {
            List<String> keys = c.queryAll("tagKeys");
            if (keys.isEmpty()) {
                throw CleanroomException.validation("tagKeys",
                        "Value at 'tagKeys' failed to satisfy constraint: Member must not be null");
            }
            tags.untag(c.caller(), c.path("resourceArn"), keys);
            return HttpResponse.ok(Json.object());
        }));
    }

    // ---- helpers ----

    private static HttpResponse one(String field, ObjectNode value) {
        ObjectNode out = Json.object();
        out.set(field, value);
        return HttpResponse.ok(out);
    }

    private static <T> HttpResponse page(Page<T> page, String field, Function<T, ObjectNode> each) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray(field);
        page.items().forEach(i -> items.add(each.apply(i)));
        if (page.nextToken() != null) {
            out.put("nextToken", page.nextToken());
        }
        return HttpResponse.ok(out);
    }

    private static CollaborationId cid(Call c) {
        return c.id("collaborationIdentifier", CollaborationId::new);
    }

    private static MembershipId mid(Call c) {
        return c.id("membershipIdentifier", MembershipId::new);
    }

    private static ConfiguredTableId ctid(Call c) {
        return c.id("configuredTableIdentifier", ConfiguredTableId::new);
    }

    private static AssociationId ctaid(Call c) {
        return c.id("configuredTableAssociationIdentifier", AssociationId::new);
    }

    private static AnalysisTemplateId atid(Call c) {
        return c.id("analysisTemplateIdentifier", AnalysisTemplateId::new);
    }

    private static AnalysisRuleType ruleType(Call c) {
        return ruleType(c, "analysisRuleType");
    }

    private static AnalysisRuleType ruleType(Call c, String name) {
        String value = c.path(name);
        for (AnalysisRuleType type : AnalysisRuleType.values()) {
            if (type.name().equals(value)) {
                return type;
            }
        }
        throw CleanroomException.validation(name, "Value '" + In.echo(value) + "' at '" + name
                + "' failed to satisfy constraint: Member must satisfy enum value set: [AGGREGATION, LIST, CUSTOM]");
    }

    private static String schemaName(String name) {
        if (name.length() > 128 || !In.TABLE_ALIAS.matcher(name).matches()) {
            throw CleanroomException.validation("name", "Value at 'name' failed to satisfy constraint: Member must "
                    + "satisfy pattern " + In.TABLE_ALIAS.pattern());
        }
        return name;
    }

    private static PaymentConfiguration payment(In in, String field) {
        In p = in.object(field, false);
        if (p == null) {
            return null;
        }
        In query = p.object("queryCompute", true);
        Boolean responsible = query == null ? null : query.bool("isResponsible", true);
        In job = p.object("jobCompute", false);
        Boolean jobResponsible = job == null ? null : job.bool("isResponsible", true);
        p.object("machineLearning", false);
        return responsible == null ? null : new PaymentConfiguration(responsible, jobResponsible);
    }

    private static List<MLMemberAbility> mlAbilities(In in, String field) {
        In ml = in.object(field, false);
        if (ml == null) {
            return List.of();
        }
        List<MLMemberAbility> out = ml.enums("customMLMemberAbilities", MLMemberAbility.class, true, 1, 10);
        return out == null ? List.of() : out;
    }

    // ---- collaborations ----

    private HttpResponse createCollaboration(Call c) {
        In body = c.body();
        String name = body.string("name", true, 1, 100, In.NON_BLANK);
        String description = body.string("description", false, 1, 255, In.NON_BLANK);
        // the model's limit, or the operator's quota when it is higher, so that raising the quota works
        int memberLimit = Math.max(10, quotas.get(Quota.MEMBERS_INVITED_PER_COLLABORATION));
        List<CollaborationService.MemberSpec> members = body.list("members", true, 0, memberLimit, e -> {
            In m = e.object();
            if (m == null) {
                return null;
            }
            String accountId = m.string("accountId", true, 12, 12, Pattern.compile("^\\d+$"));
            List<MemberAbility> abilities = m.enums("memberAbilities", MemberAbility.class, true, 0, 10);
            List<MLMemberAbility> ml = mlAbilities(m, "mlMemberAbilities");
            String displayName = m.string("displayName", true, 1, 100, In.NON_BLANK);
            PaymentConfiguration payment = payment(m, "paymentConfiguration");
            if (accountId == null || abilities == null || displayName == null) {
                return null;
            }
            return new CollaborationService.MemberSpec(new AccountId(accountId), displayName, abilities, ml, payment);
        });
        List<MemberAbility> creatorAbilities = body.enums("creatorMemberAbilities", MemberAbility.class, true, 0, 10);
        List<MLMemberAbility> creatorMl = mlAbilities(body, "creatorMLMemberAbilities");
        String creatorDisplayName = body.string("creatorDisplayName", true, 1, 100, In.NON_BLANK);
        DataEncryptionMetadata encryption = null;
        In em = body.object("dataEncryptionMetadata", false);
        if (em != null) {
            Boolean a = em.bool("allowCleartext", true);
            Boolean b = em.bool("allowDuplicates", true);
            Boolean d = em.bool("allowJoinsOnColumnsWithDifferentNames", true);
            Boolean n = em.bool("preserveNulls", true);
            if (a != null && b != null && d != null && n != null) {
                encryption = new DataEncryptionMetadata(a, b, d, n);
            }
        }
        LogStatus queryLog = body.enumValue("queryLogStatus", LogStatus.class, true);
        LogStatus jobLog = body.enumValue("jobLogStatus", LogStatus.class, false);
        PaymentConfiguration creatorPayment = payment(body, "creatorPaymentConfiguration");
        AnalyticsEngine engine = body.enumValue("analyticsEngine", AnalyticsEngine.class, false);
        Boolean metrics = body.bool("isMetricsEnabled", false);
        List<String> regions = body.strings("allowedResultRegions", false, 0, 50, 32, REGION);
        List<String> autoApproved = body.strings("autoApprovedChangeRequestTypes", false, 0, 10, 64,
                Pattern.compile("^(ADD_MEMBER|GRANT_RECEIVE_RESULTS_ABILITY|REVOKE_RECEIVE_RESULTS_ABILITY)$"));
        var tagMap = body.tags();
        body.done();
        CollaborationService.View view = collaborations.create(c.caller(), new CollaborationService.Create(name,
                description, members, creatorAbilities, creatorMl, creatorDisplayName, creatorPayment, queryLog,
                jobLog, encryption, engine, metrics, regions, autoApproved, tagMap));
        return one("collaboration", render.collaboration(view));
    }

    private HttpResponse listCollaborations(Call c) {
        MemberStatus status = c.queryEnum("memberStatus", MemberStatus.class);
        if (status == MemberStatus.LEFT || status == MemberStatus.REMOVED) {
            throw CleanroomException.validation("memberStatus", "Value '" + status
                    + "' at 'memberStatus' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[INVITED, ACTIVE]");
        }
        return page(collaborations.list(c.caller(), status, c.page()), "collaborationList",
                render::collaborationSummary);
    }

    private HttpResponse updateCollaboration(Call c) {
        CollaborationId id = cid(c);
        In body = c.body();
        String name = body.string("name", false, 1, 100, In.NON_BLANK);
        String description = body.string("description", false, 1, 255, In.NON_BLANK);
        AnalyticsEngine engine = body.enumValue("analyticsEngine", AnalyticsEngine.class, false);
        body.done();
        return one("collaboration", render.collaboration(collaborations.update(c.caller(), id, name, description,
                engine)));
    }

    // ---- memberships ----

    private static ResultConfiguration resultConfiguration(In body) {
        In r = body.object("defaultResultConfiguration", false);
        if (r == null) {
            return null;
        }
        In output = r.object("outputConfiguration", true);
        String roleArn = r.string("roleArn", false, 32, 512, In.ROLE_ARN);
        if (output == null) {
            return null;
        }
        String kind = output.union("s3");
        if (kind == null) {
            return null;
        }
        In s3 = output.object("s3", true);
        if (s3 == null) {
            return null;
        }
        ResultFormat format = s3.enumValue("resultFormat", ResultFormat.class, true);
        String bucket = s3.string("bucket", true, 3, 63, S3_BUCKET);
        String keyPrefix = s3.string("keyPrefix", false, 0, 512, KEY_PREFIX);
        Boolean single = s3.bool("singleFileOutput", false);
        if (format == null || bucket == null) {
            return null;
        }
        return new ResultConfiguration(new S3Output(format, bucket, keyPrefix, single), roleArn);
    }

    private HttpResponse createMembership(Call c) {
        In body = c.body();
        String collaboration = body.string("collaborationIdentifier", true, 36, 36,
                Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"));
        LogStatus queryLog = body.enumValue("queryLogStatus", LogStatus.class, true);
        LogStatus jobLog = body.enumValue("jobLogStatus", LogStatus.class, false);
        ResultConfiguration result = resultConfiguration(body);
        body.object("defaultJobResultConfiguration", false);
        PaymentConfiguration payment = payment(body, "paymentConfiguration");
        Boolean metrics = body.bool("isMetricsEnabled", false);
        var tagMap = body.tags();
        body.done();
        MembershipService.View view = memberships.create(c.caller(), new MembershipService.Create(
                new CollaborationId(collaboration), queryLog, jobLog, result, payment, metrics, tagMap));
        return one("membership", render.membership(view));
    }

    private HttpResponse updateMembership(Call c) {
        MembershipId id = mid(c);
        In body = c.body();
        LogStatus queryLog = body.enumValue("queryLogStatus", LogStatus.class, false);
        LogStatus jobLog = body.enumValue("jobLogStatus", LogStatus.class, false);
        ResultConfiguration result = resultConfiguration(body);
        body.done();
        return one("membership", render.membership(memberships.update(c.caller(), id, queryLog, jobLog, result,
                false)));
    }

    // ---- configured tables ----

    private static GlueTableReference tableReference(In body, boolean required) {
        In reference = body.object("tableReference", required);
        if (reference == null) {
            return null;
        }
        String kind = reference.union("glue", "snowflake", "athena");
        if (kind == null) {
            return null;
        }
        if (!kind.equals("glue")) {
            reference.error(kind, "Only glue table references are supported by Cleanroom; register the table in "
                    + "your catalog and reference it with glue.databaseName and glue.tableName");
            return null;
        }
        In glue = reference.object("glue", true);
        if (glue == null) {
            return null;
        }
        String table = glue.string("tableName", true, 0, 128, GLUE_NAME);
        String database = glue.string("databaseName", true, 0, 128, GLUE_NAME);
        String region = glue.string("region", false, 1, 32, REGION);
        if (table == null || database == null) {
            return null;
        }
        return new GlueTableReference(database.toLowerCase(java.util.Locale.ROOT),
                table.toLowerCase(java.util.Locale.ROOT), region);
    }

    /** The model's limit on allowed columns, or the operator's quota when it is higher. */
    private int columnLimit() {
        return Math.max(225, quotas.get(Quota.COLUMNS_PER_ALLOWLIST));
    }

    private HttpResponse createConfiguredTable(Call c) {
        In body = c.body();
        String name = body.string("name", true, 1, 100, In.NON_BLANK);
        String description = body.string("description", false, 0, 255, null);
        GlueTableReference reference = tableReference(body, true);
        List<String> allowed = body.strings("allowedColumns", true, 1, columnLimit(), 128, In.COLUMN_NAME);
        AnalysisMethod method = body.enumValue("analysisMethod", AnalysisMethod.class, true);
        List<SelectedAnalysisMethod> selected = body.enums("selectedAnalysisMethods", SelectedAnalysisMethod.class,
                false, 0, 2);
        var tagMap = body.tags();
        body.done();
        return one("configuredTable", render.configuredTable(tables.create(c.caller(),
                new ConfiguredTableService.Create(name, description, reference, allowed, method, selected, tagMap))));
    }

    private HttpResponse updateConfiguredTable(Call c) {
        ConfiguredTableId id = ctid(c);
        In body = c.body();
        String name = body.string("name", false, 1, 100, In.NON_BLANK);
        String description = body.string("description", false, 0, 255, null);
        GlueTableReference reference = tableReference(body, false);
        List<String> allowed = body.strings("allowedColumns", false, 1, columnLimit(), 128, In.COLUMN_NAME);
        AnalysisMethod method = body.enumValue("analysisMethod", AnalysisMethod.class, false);
        List<SelectedAnalysisMethod> selected = body.enums("selectedAnalysisMethods", SelectedAnalysisMethod.class,
                false, 0, 2);
        body.done();
        return one("configuredTable", render.configuredTable(tables.update(c.caller(), id,
                new ConfiguredTableService.Update(name, description, reference, allowed, method, selected))));
    }

    private HttpResponse tableRule(Call c, ConfiguredTableAnalysisRule rule) {
        var table = tables.get(c.caller(), rule.configuredTableId()).table();
        return one("analysisRule", render.tableRule(table, rule));
    }

    private HttpResponse createTableRule(Call c) {
        ConfiguredTableId id = ctid(c);
        In body = c.body();
        AnalysisRuleType type = body.enumValue("analysisRuleType", AnalysisRuleType.class, true);
        checkRuleSize(body);
        AnalysisRulePolicy policy = PolicyWire.read(body);
        body.done();
        return tableRule(c, tables.createRule(c.caller(), id, type, policy));
    }

    private HttpResponse updateTableRule(Call c) {
        ConfiguredTableId id = ctid(c);
        AnalysisRuleType type = ruleType(c);
        In body = c.body();
        checkRuleSize(body);
        AnalysisRulePolicy policy = PolicyWire.read(body);
        body.done();
        return tableRule(c, tables.updateRule(c.caller(), id, type, policy));
    }

    // ---- associations ----

    private HttpResponse createAssociation(Call c) {
        MembershipId id = mid(c);
        In body = c.body();
        String name = body.string("name", true, 1, 128, In.TABLE_ALIAS);
        String description = body.string("description", false, 0, 255, null);
        String table = body.string("configuredTableIdentifier", true, 36, 36,
                Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"));
        String roleArn = body.string("roleArn", true, 32, 512, In.ROLE_ARN);
        var tagMap = body.tags();
        body.done();
        return one("configuredTableAssociation", render.association(associations.create(c.caller(), id,
                new AssociationService.Create(name, description, new ConfiguredTableId(table), roleArn, tagMap))));
    }

    private HttpResponse updateAssociation(Call c) {
        MembershipId membership = mid(c);
        AssociationId id = ctaid(c);
        In body = c.body();
        String description = body.string("description", false, 0, 255, null);
        String roleArn = body.string("roleArn", false, 32, 512, In.ROLE_ARN);
        body.done();
        return one("configuredTableAssociation", render.association(associations.update(c.caller(), membership, id,
                description, roleArn)));
    }

    private HttpResponse associationRule(Call c, boolean create) {
        MembershipId membership = mid(c);
        AssociationId id = ctaid(c);
        In body = c.body();
        AnalysisRuleType type = create ? body.enumValue("analysisRuleType", AnalysisRuleType.class, true)
                : ruleType(c);
        checkRuleSize(body);
        In policy = body.object("analysisRulePolicy", true);
        List<AccountId> receivers = null;
        List<String> additional = null;
        if (policy != null) {
            In v1 = policy.object("v1", true);
            String kind = v1 == null ? null : v1.union("aggregation", "list", "custom");
            In rule = kind == null ? null : v1.object(kind, true);
            if (rule != null) {
                receivers = rule.accountIds("allowedResultReceivers", false, 0, 10);
                additional = rule.strings("allowedAdditionalAnalyses", false, 0, 25, 256, null);
                if (type != null && !kind.equals(type.name().toLowerCase(java.util.Locale.ROOT))) {
                    v1.error(kind, "analysisRuleType is " + type + " but the policy is a " + kind + " policy");
                }
            }
        }
        body.done();
        AssociationAnalysisRule rule = create
                ? associations.createRule(c.caller(), membership, id, type, listOrEmpty(receivers),
                        listOrEmpty(additional))
                : associations.updateRule(c.caller(), membership, id, type, listOrEmpty(receivers),
                        listOrEmpty(additional));
        return renderAssociationRule(c, rule);
    }

    private static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private HttpResponse renderAssociationRule(Call c, AssociationAnalysisRule rule) {
        var association = associations.get(c.caller(), rule.membershipId(), rule.associationId()).association();
        return one("analysisRule", render.associationRule(rule, association));
    }

    // ---- schemas ----

    private HttpResponse listSchemas(Call c) {
        String type = c.query("schemaType");
        if (type != null && !type.equals("TABLE") && !type.equals("ID_MAPPING_TABLE")) {
            throw CleanroomException.validation("schemaType", "Value '" + In.echo(type)
                    + "' at 'schemaType' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[TABLE, ID_MAPPING_TABLE]");
        }
        if ("ID_MAPPING_TABLE".equals(type)) {
            return page(new Page<SchemaService.Schema>(List.of(), null), "schemaSummaries", render::schemaSummary);
        }
        return page(schemas.list(c.caller(), cid(c), c.page()), "schemaSummaries", render::schemaSummary);
    }

    private HttpResponse batchGetSchema(Call c) {
        CollaborationId id = cid(c);
        In body = c.body();
        List<String> names = body.strings("names", true, 1, 25, 128, In.TABLE_ALIAS);
        body.done();
        SchemaService.Batch batch = schemas.batchGet(c.caller(), id, names);
        ObjectNode out = Json.object();
        ArrayNode found = out.putArray("schemas");
        batch.schemas().forEach(s -> found.add(render.schema(s)));
        ArrayNode errors = out.putArray("errors");
        batch.missing().forEach(m -> errors.addObject().put("name", m.name()).put("code", m.code())
                .put("message", m.message()));
        return HttpResponse.ok(out);
    }

    private HttpResponse batchGetSchemaRule(Call c) {
        CollaborationId id = cid(c);
        In body = c.body();
        record Request(String name, AnalysisRuleType type) {
        }
        List<Request> requests = body.list("schemaAnalysisRuleRequests", true, 1, 25, e -> {
            In r = e.object();
            if (r == null) {
                return null;
            }
            String name = r.string("name", true, 1, 128, In.TABLE_ALIAS);
            AnalysisRuleType type = r.enumValue("type", AnalysisRuleType.class, true);
            return name == null || type == null ? null : new Request(name, type);
        });
        body.done();
        ObjectNode out = Json.object();
        ArrayNode rules = out.putArray("analysisRules");
        ArrayNode errors = out.putArray("errors");
        for (Request r : requests) {
            try {
                rules.add(render.schemaRule(schemas.getRule(c.caller(), id, r.name(), r.type())));
            } catch (CleanroomException e) {
                if (e.code() != io.cleanroom.core.ErrorCode.RESOURCE_NOT_FOUND
                        || e.resourceType().filter(t -> t == io.cleanroom.core.ResourceType.COLLABORATION).isPresent()) {
                    throw e;
                }
                errors.addObject().put("name", r.name()).put("type", r.type().name())
                        .put("code", "ResourceNotFoundException").put("message", e.getMessage());
            }
        }
        return HttpResponse.ok(out);
    }

    // ---- templates ----

    private HttpResponse template(TemplateService.View v) {
        return one("analysisTemplate", render.template(v.template(), v.collaboration()));
    }

    private HttpResponse createTemplate(Call c) {
        MembershipId id = mid(c);
        In body = c.body();
        String name = body.string("name", true, 1, 128, In.TABLE_ALIAS);
        String description = body.string("description", false, 0, 255, null);
        AnalysisFormat format = body.enumValue("format", AnalysisFormat.class, true);
        In source = body.object("source", true);
        String text = null;
        if (source != null) {
            String kind = source.union("text", "artifacts");
            if ("artifacts".equals(kind)) {
                source.error("artifacts", "PySpark artifacts are not supported; give the SQL in source.text");
            } else if (kind != null) {
                text = source.string("text", true, 0, 500000, null);
            }
        }
        List<AnalysisParameter> parameters = body.list("analysisParameters", false, 0, 50, e -> {
            In p = e.object();
            if (p == null) {
                return null;
            }
            String pname = p.string("name", true, 1, 100, In.PARAMETER_NAME);
            ParameterType type = p.enumValue("type", ParameterType.class, true);
            String defaultValue = p.string("defaultValue", false, 0, 1000, null);
            return pname == null || type == null ? null : new AnalysisParameter(pname, type, defaultValue);
        });
        body.object("schema", false);
        var tagMap = body.tags();
        body.done();
        return template(templates.create(c.caller(), id, new TemplateService.Create(name, description, format, text,
                parameters, tagMap)));
    }

    private HttpResponse batchGetTemplates(Call c) {
        CollaborationId id = cid(c);
        In body = c.body();
        List<String> arns = body.strings("analysisTemplateArns", true, 1, 10, 200, null);
        body.done();
        TemplateService.Batch batch = templates.batchGetInCollaboration(c.caller(), id, arns);
        ObjectNode out = Json.object();
        ArrayNode found = out.putArray("collaborationAnalysisTemplates");
        batch.templates().forEach(v -> found.add(render.collaborationTemplate(v.template(), v.collaboration())));
        ArrayNode errors = out.putArray("errors");
        batch.missing().forEach(arn -> errors.addObject().put("arn", arn).put("code", "ResourceNotFoundException")
                .put("message", "Analysis template " + arn + " does not exist in collaboration " + id));
        return HttpResponse.ok(out);
    }
}
