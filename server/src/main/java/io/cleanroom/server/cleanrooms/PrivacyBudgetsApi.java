package io.cleanroom.server.cleanrooms;

import static io.cleanroom.server.cleanrooms.Handlers.collaboration;
import static io.cleanroom.server.cleanrooms.Handlers.membership;
import static io.cleanroom.server.cleanrooms.Handlers.page;
import static io.cleanroom.server.cleanrooms.Handlers.privacyBudgetTemplate;
import static io.cleanroom.server.cleanrooms.Handlers.privacyBudgetType;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.service.PrivacyBudgetService;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;

/**
 * Differential privacy: the collaboration's policy (privacy budget templates, a membership's own
 * and the collaboration's), its budget, and PreviewPrivacyImpact.
 */
public final class PrivacyBudgetsApi {
    private final PrivacyBudgetService budgets;
    private final Render render;

    public PrivacyBudgetsApi(PrivacyBudgetService budgets, Render render) {
        this.budgets = requireNonNull(budgets, "budgets is null");
        this.render = requireNonNull(render, "render is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.CREATE_PRIVACY_BUDGET_TEMPLATE, c -> {
            MembershipId id = membership(c);
            CreatePrivacyBudgetTemplateRequest request = CreatePrivacyBudgetTemplateRequest.read(c.body());
            return one(budgets.create(c.caller(), id, request.toCreate()));
        }));
        router.add(new Route(Operation.LIST_PRIVACY_BUDGET_TEMPLATES, c -> page(
                budgets.list(c.caller(), membership(c), c.page()), "privacyBudgetTemplateSummaries",
                v -> render.privacyBudgetTemplateSummary(v.template(), v.collaboration()))));
        router.add(new Route(Operation.GET_PRIVACY_BUDGET_TEMPLATE, c -> one(
                budgets.get(c.caller(), membership(c), privacyBudgetTemplate(c)))));
        router.add(new Route(Operation.UPDATE_PRIVACY_BUDGET_TEMPLATE, c -> {
            MembershipId id = membership(c);
            UpdatePrivacyBudgetTemplateRequest request = UpdatePrivacyBudgetTemplateRequest.read(c.body());
            return one(budgets.update(c.caller(), id, privacyBudgetTemplate(c), request.epsilon(),
                    request.usersNoisePerQuery()));
        }));
        router.add(new Route(Operation.DELETE_PRIVACY_BUDGET_TEMPLATE, c -> {
            budgets.delete(c.caller(), membership(c), privacyBudgetTemplate(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route(Operation.LIST_COLLABORATION_PRIVACY_BUDGET_TEMPLATES, c -> page(
                budgets.listInCollaboration(c.caller(), collaboration(c), c.page()),
                "collaborationPrivacyBudgetTemplateSummaries",
                v -> render.collaborationPrivacyBudgetTemplateSummary(v.template(), v.collaboration()))));
        router.add(new Route(Operation.GET_COLLABORATION_PRIVACY_BUDGET_TEMPLATE, c -> {
            PrivacyBudgetService.View v = budgets.getInCollaboration(c.caller(), collaboration(c),
                    privacyBudgetTemplate(c));
            return Handlers.one("collaborationPrivacyBudgetTemplate",
                    render.collaborationPrivacyBudgetTemplate(v.template(), v.collaboration()));
        }));
        router.add(new Route(Operation.LIST_PRIVACY_BUDGETS, c -> page(
                budgets.budgets(c.caller(), membership(c), privacyBudgetType(c), c.page()),
                "privacyBudgetSummaries", render::privacyBudgetSummary)));
        router.add(new Route(Operation.LIST_COLLABORATION_PRIVACY_BUDGETS, c -> page(
                budgets.budgetsInCollaboration(c.caller(), collaboration(c), privacyBudgetType(c), c.page()),
                "collaborationPrivacyBudgetSummaries", render::collaborationPrivacyBudgetSummary)));
        router.add(new Route(Operation.PREVIEW_PRIVACY_IMPACT, c -> {
            MembershipId id = membership(c);
            In body = c.body();
            PreviewPrivacyImpactRequest request = PreviewPrivacyImpactRequest.read(body);
            ObjectNode out = Json.object();
            out.set("privacyImpact", Render.privacyImpact(budgets.preview(c.caller(), id,
                    request.parameters().epsilon(), request.parameters().usersNoisePerQuery())));
            return HttpResponse.ok(out);
        }));
    }

    private HttpResponse one(PrivacyBudgetService.View v) {
        return Handlers.one("privacyBudgetTemplate", render.privacyBudgetTemplate(v.template(), v.collaboration()));
    }
}
