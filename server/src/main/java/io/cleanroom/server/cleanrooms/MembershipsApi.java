package io.cleanroom.server.cleanrooms;

import static io.cleanroom.server.cleanrooms.Handlers.membership;
import static io.cleanroom.server.cleanrooms.Handlers.one;
import static io.cleanroom.server.cleanrooms.Handlers.page;
import static java.util.Objects.requireNonNull;

import io.cleanroom.client.Operation;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.MembershipStatus;
import io.cleanroom.core.service.MembershipService;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;

/** Memberships: a member's side of a collaboration. */
public final class MembershipsApi {
    private final MembershipService memberships;
    private final Render render;

    public MembershipsApi(MembershipService memberships, Render render) {
        this.memberships = requireNonNull(memberships, "memberships is null");
        this.render = requireNonNull(render, "render is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.CREATE_MEMBERSHIP, this::create));
        router.add(new Route(Operation.LIST_MEMBERSHIPS, c -> page(
                memberships.list(c.caller(), c.queryEnum("status", MembershipStatus.class), c.page()),
                "membershipSummaries", render::membershipSummary)));
        router.add(new Route(Operation.GET_MEMBERSHIP, c -> one("membership",
                render.membership(memberships.get(c.caller(), membership(c))))));
        router.add(new Route(Operation.UPDATE_MEMBERSHIP, this::update));
        router.add(new Route(Operation.DELETE_MEMBERSHIP, c -> {
            memberships.delete(c.caller(), membership(c));
            return HttpResponse.noContent();
        }));
    }

    private HttpResponse create(Call c) {
        CreateMembershipRequest request = CreateMembershipRequest.read(c.body());
        return one("membership", render.membership(memberships.create(c.caller(), request.toCreate())));
    }

    private HttpResponse update(Call c) {
        MembershipId id = membership(c);
        UpdateMembershipRequest request = UpdateMembershipRequest.read(c.body());
        return one("membership", render.membership(memberships.update(c.caller(), id, request.queryLogStatus(),
                request.jobLogStatus(), request.defaultResultConfiguration(), false)));
    }
}
