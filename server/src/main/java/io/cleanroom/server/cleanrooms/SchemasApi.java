package io.cleanroom.server.cleanrooms;

import static io.cleanroom.server.cleanrooms.Handlers.collaboration;
import static io.cleanroom.server.cleanrooms.Handlers.one;
import static io.cleanroom.server.cleanrooms.Handlers.page;
import static io.cleanroom.server.cleanrooms.Handlers.ruleType;
import static io.cleanroom.server.cleanrooms.Handlers.schemaName;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.service.Page;
import io.cleanroom.core.service.SchemaService;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;
import java.util.List;

/** A collaboration's schemas (the tables a query may name) and their analysis rules. */
public final class SchemasApi {
    private final SchemaService schemas;
    private final Render render;

    public SchemasApi(SchemaService schemas, Render render) {
        this.schemas = requireNonNull(schemas, "schemas is null");
        this.render = requireNonNull(render, "render is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.LIST_SCHEMAS, this::list));
        router.add(new Route(Operation.GET_SCHEMA, c -> one("schema", render.schema(schemas.get(c.caller(),
                collaboration(c), schemaName(c.path("name")))))));
        router.add(new Route(Operation.BATCH_GET_SCHEMA, this::batchGet));
        router.add(new Route(Operation.GET_SCHEMA_ANALYSIS_RULE, c -> one("analysisRule", render.schemaRule(
                schemas.getRule(c.caller(), collaboration(c), schemaName(c.path("name")), ruleType(c, "type"))))));
        router.add(new Route(Operation.BATCH_GET_SCHEMA_ANALYSIS_RULE, this::batchGetRules));
    }

    private HttpResponse list(Call c) {
        String type = c.query("schemaType");
        if (type != null && !type.equals("TABLE") && !type.equals("ID_MAPPING_TABLE")) {
            throw CleanroomException.validation("schemaType", "Value '" + type
                    + "' at 'schemaType' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[TABLE, ID_MAPPING_TABLE]");
        }
        if ("ID_MAPPING_TABLE".equals(type)) {
            return page(new Page<SchemaService.Schema>(List.of(), null), "schemaSummaries", render::schemaSummary);
        }
        return page(schemas.list(c.caller(), collaboration(c), c.page()), "schemaSummaries", render::schemaSummary);
    }

    private HttpResponse batchGet(Call c) {
        CollaborationId id = collaboration(c);
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

    private HttpResponse batchGetRules(Call c) {
        CollaborationId id = collaboration(c);
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
                if (e.code() != ErrorCode.RESOURCE_NOT_FOUND
                        || e.resourceType().filter(t -> t == ResourceType.COLLABORATION).isPresent()) {
                    throw e;
                }
                errors.addObject().put("name", r.name()).put("type", r.type().name())
                        .put("code", "ResourceNotFoundException").put("message", e.getMessage());
            }
        }
        return HttpResponse.ok(out);
    }
}
