package io.cleanroom.server.cleanrooms;

import static io.cleanroom.server.cleanrooms.Handlers.collaboration;
import static io.cleanroom.server.cleanrooms.Handlers.membership;
import static io.cleanroom.server.cleanrooms.Handlers.one;
import static io.cleanroom.server.cleanrooms.Handlers.page;
import static io.cleanroom.server.cleanrooms.Handlers.template;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.service.TemplateService;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;
import java.util.List;

/** Analysis templates: a membership's own, and the collaboration's as its members see them. */
public final class AnalysisTemplatesApi {
    private final TemplateService templates;
    private final Render render;

    public AnalysisTemplatesApi(TemplateService templates, Render render) {
        this.templates = requireNonNull(templates, "templates is null");
        this.render = requireNonNull(render, "render is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.CREATE_ANALYSIS_TEMPLATE, c -> {
            MembershipId id = membership(c);
            CreateAnalysisTemplateRequest request = CreateAnalysisTemplateRequest.read(c.body());
            return one(templates.create(c.caller(), id, request.toCreate()));
        }));
        router.add(new Route(Operation.LIST_ANALYSIS_TEMPLATES, c -> page(
                templates.list(c.caller(), membership(c), c.page()), "analysisTemplateSummaries",
                v -> render.templateSummary(v.template(), v.collaboration()))));
        router.add(new Route(Operation.GET_ANALYSIS_TEMPLATE, c -> one(
                templates.get(c.caller(), membership(c), template(c)))));
        router.add(new Route(Operation.UPDATE_ANALYSIS_TEMPLATE, c -> {
            In body = c.body();
            String description = body.string("description", false, 0, 255, null);
            body.done();
            return one(templates.update(c.caller(), membership(c), template(c), description));
        }));
        router.add(new Route(Operation.DELETE_ANALYSIS_TEMPLATE, c -> {
            templates.delete(c.caller(), membership(c), template(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route(Operation.LIST_COLLABORATION_ANALYSIS_TEMPLATES, c -> page(
                templates.listInCollaboration(c.caller(), collaboration(c), c.page()),
                "collaborationAnalysisTemplateSummaries",
                v -> render.collaborationTemplateSummary(v.template(), v.collaboration()))));
        router.add(new Route(Operation.GET_COLLABORATION_ANALYSIS_TEMPLATE, c -> {
            TemplateService.View v = templates.getInCollaboration(c.caller(), collaboration(c),
                    c.path("analysisTemplateArn"));
            return Handlers.one("collaborationAnalysisTemplate",
                    render.collaborationTemplate(v.template(), v.collaboration()));
        }));
        router.add(new Route(Operation.BATCH_GET_COLLABORATION_ANALYSIS_TEMPLATE, this::batchGet));
    }

    private HttpResponse one(TemplateService.View v) {
        return Handlers.one("analysisTemplate", render.template(v.template(), v.collaboration()));
    }

    private HttpResponse batchGet(Call c) {
        CollaborationId id = collaboration(c);
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
