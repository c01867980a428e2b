package io.cleanroom.server.cleanrooms;

import static io.cleanroom.server.cleanrooms.Handlers.association;
import static io.cleanroom.server.cleanrooms.Handlers.membership;
import static io.cleanroom.server.cleanrooms.Handlers.one;
import static io.cleanroom.server.cleanrooms.Handlers.page;
import static io.cleanroom.server.cleanrooms.Handlers.ruleType;
import static java.util.Objects.requireNonNull;

import io.cleanroom.client.Operation;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.AssociationAnalysisRule;
import io.cleanroom.core.model.AssociationId;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.service.AssociationService;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;
import java.util.List;
import java.util.Locale;

/** Configured table associations (a table brought into a collaboration) and their analysis rules. */
public final class AssociationsApi {
    private final AssociationService associations;
    private final Render render;
    private final Quotas quotas;

    public AssociationsApi(AssociationService associations, Render render, Quotas quotas) {
        this.associations = requireNonNull(associations, "associations is null");
        this.render = requireNonNull(render, "render is null");
        this.quotas = requireNonNull(quotas, "quotas is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.CREATE_CONFIGURED_TABLE_ASSOCIATION, c -> {
            MembershipId id = membership(c);
            CreateAssociationRequest request = CreateAssociationRequest.read(c.body());
            return one("configuredTableAssociation", render.association(associations.create(c.caller(), id,
                    request.toCreate())));
        }));
        router.add(new Route(Operation.LIST_CONFIGURED_TABLE_ASSOCIATIONS, c -> page(
                associations.list(c.caller(), membership(c), c.page()), "configuredTableAssociationSummaries",
                render::associationSummary)));
        router.add(new Route(Operation.GET_CONFIGURED_TABLE_ASSOCIATION, c -> one("configuredTableAssociation",
                render.association(associations.get(c.caller(), membership(c), association(c))))));
        router.add(new Route(Operation.UPDATE_CONFIGURED_TABLE_ASSOCIATION, this::update));
        router.add(new Route(Operation.DELETE_CONFIGURED_TABLE_ASSOCIATION, c -> {
            associations.delete(c.caller(), membership(c), association(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route(Operation.CREATE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, c -> rule(c, true)));
        router.add(new Route(Operation.GET_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, c -> renderRule(c,
                associations.getRule(c.caller(), membership(c), association(c), ruleType(c)))));
        router.add(new Route(Operation.UPDATE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, c -> rule(c, false)));
        router.add(new Route(Operation.DELETE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE, c -> {
            associations.deleteRule(c.caller(), membership(c), association(c), ruleType(c));
            return HttpResponse.noContent();
        }));
    }

    private HttpResponse update(Call c) {
        MembershipId membership = membership(c);
        AssociationId id = association(c);
        In body = c.body();
        String description = body.string("description", false, 0, 255, null);
        String roleArn = body.string("roleArn", false, 32, 512, In.ROLE_ARN);
        body.done();
        return one("configuredTableAssociation", render.association(associations.update(c.caller(), membership, id,
                description, roleArn)));
    }

    private HttpResponse rule(Call c, boolean create) {
        MembershipId membership = membership(c);
        AssociationId id = association(c);
        In body = c.body();
        AnalysisRuleType type = create ? body.enumValue("analysisRuleType", AnalysisRuleType.class, true)
                : ruleType(c);
        Handlers.checkRuleSize(body, quotas);
        In policy = body.object("analysisRulePolicy", true);
        List<AccountId> receivers = null;
        List<String> additional = null;
        if (policy != null) {
            In v1 = policy.object("v1", true);
            String kind = v1 == null ? null : v1.union("aggregation", "list", "custom");
            if (kind != null) {
                In rule = v1.object(kind, true);
                if (rule != null) {
                    receivers = rule.accountIds("allowedResultReceivers", false, 0, 10);
                    additional = rule.strings("allowedAdditionalAnalyses", false, 0, 25, 256, null);
                }
                if (type != null && !kind.equals(type.name().toLowerCase(Locale.ROOT))) {
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
        return renderRule(c, rule);
    }

    private static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private HttpResponse renderRule(Call c, AssociationAnalysisRule rule) {
        var association = associations.get(c.caller(), rule.membershipId(), rule.associationId()).association();
        return one("analysisRule", render.associationRule(rule, association));
    }
}
