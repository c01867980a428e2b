package io.cleanroom.server.cleanrooms;

import static io.cleanroom.server.cleanrooms.Handlers.collaboration;
import static io.cleanroom.server.cleanrooms.Handlers.one;
import static io.cleanroom.server.cleanrooms.Handlers.page;
import static java.util.Objects.requireNonNull;

import io.cleanroom.client.Operation;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AnalyticsEngine;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.MemberStatus;
import io.cleanroom.core.service.CollaborationService;
import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;

/** Collaborations and their members. */
public final class CollaborationsApi {
    private final CollaborationService collaborations;
    private final Render render;
    private final Quotas quotas;
    private final java.util.Set<String> engines;

    /** engines: the names of the engines the server runs, which the tag cleanroom:engine may pin. */
    public CollaborationsApi(CollaborationService collaborations, Render render, Quotas quotas,
            java.util.Set<String> engines) {
        this.engines = java.util.Set.copyOf(engines);
        this.collaborations = requireNonNull(collaborations, "collaborations is null");
        this.render = requireNonNull(render, "render is null");
        this.quotas = requireNonNull(quotas, "quotas is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.CREATE_COLLABORATION, this::create));
        router.add(new Route(Operation.LIST_COLLABORATIONS, this::list));
        router.add(new Route(Operation.GET_COLLABORATION, c -> one("collaboration",
                render.collaboration(collaborations.get(c.caller(), collaboration(c))))));
        router.add(new Route(Operation.UPDATE_COLLABORATION, this::update));
        router.add(new Route(Operation.DELETE_COLLABORATION, c -> {
            collaborations.delete(c.caller(), collaboration(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route(Operation.LIST_MEMBERS, c -> page(collaborations.listMembers(c.caller(),
                collaboration(c), c.page()), "memberSummaries", render::member)));
        router.add(new Route(Operation.DELETE_MEMBER, c -> {
            collaborations.deleteMember(c.caller(), collaboration(c), c.accountId("accountId"));
            return HttpResponse.noContent();
        }));
    }

    private HttpResponse create(Call c) {
        // the model's limit, or the operator's quota when it is higher, so that raising the quota works
        int memberLimit = Math.max(10, quotas.get(Quota.MEMBERS_INVITED_PER_COLLABORATION));
        CreateCollaborationRequest request = CreateCollaborationRequest.read(c.body(), memberLimit);
        EngineTags.onCollaboration(request.tags(), engines);
        return one("collaboration", render.collaboration(collaborations.create(c.caller(), request.toCreate())));
    }

    private HttpResponse list(Call c) {
        MemberStatus status = c.queryEnum("memberStatus", MemberStatus.class);
        if (status == MemberStatus.LEFT || status == MemberStatus.REMOVED) {
            throw CleanroomException.validation("memberStatus", "Value '" + status
                    + "' at 'memberStatus' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[INVITED, ACTIVE]");
        }
        return page(collaborations.list(c.caller(), status, c.page()), "collaborationList",
                render::collaborationSummary);
    }

    private HttpResponse update(Call c) {
        CollaborationId id = collaboration(c);
        In body = c.body();
        String name = body.string("name", false, 1, 100, In.NON_BLANK);
        String description = body.string("description", false, 1, 255, In.NON_BLANK);
        AnalyticsEngine engine = body.enumValue("analyticsEngine", AnalyticsEngine.class, false);
        body.done();
        return one("collaboration", render.collaboration(collaborations.update(c.caller(), id, name, description,
                engine)));
    }
}
