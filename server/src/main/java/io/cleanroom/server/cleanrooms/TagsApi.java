package io.cleanroom.server.cleanrooms;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.service.TagService;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;
import java.util.List;
import java.util.Map;

/** Tags on any Clean Rooms resource, by ARN. */
public final class TagsApi {
    private final TagService tags;
    private final java.util.Set<String> engines;

    /** engines: the names of the engines the server runs, which the tag cleanroom:engine may pin. */
    public TagsApi(TagService tags, java.util.Set<String> engines) {
        this.engines = java.util.Set.copyOf(engines);
        this.tags = requireNonNull(tags, "tags is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.LIST_TAGS_FOR_RESOURCE, c -> {
            ObjectNode out = Json.object();
            ObjectNode tagNode = out.putObject("tags");
            tags.list(c.caller(), c.path("resourceArn")).forEach(tagNode::put);
            return HttpResponse.ok(out);
        }));
        router.add(new Route(Operation.TAG_RESOURCE, c -> {
            In body = c.body();
            Map<String, String> map = body.stringMap("tags", 200, 1, 128, 256);
            if (map == null && !body.has("tags")) {
                body.error("tags", "Value at 'tags' failed to satisfy constraint: Member must not be null");
            }
            body.done();
            EngineTags.onResource(c.path("resourceArn"), map, engines);
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
}
