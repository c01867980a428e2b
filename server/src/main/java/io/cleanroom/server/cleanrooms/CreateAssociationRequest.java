package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.service.AssociationService;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.Map;

/** CreateConfiguredTableAssociation's body. */
record CreateAssociationRequest(String name, String description, ConfiguredTableId configuredTableIdentifier,
        String roleArn, Map<String, String> tags) {
    CreateAssociationRequest {
        tags = Map.copyOf(tags == null ? Map.of() : tags);
    }

    static CreateAssociationRequest read(In body) {
        String name = body.string("name", true, 1, 128, In.TABLE_ALIAS);
        String description = body.string("description", false, 0, 255, null);
        String table = body.string("configuredTableIdentifier", true, 36, 36, Shapes.UUID);
        String roleArn = body.string("roleArn", true, 32, 512, In.ROLE_ARN);
        Map<String, String> tags = body.tags();
        EngineTags.onOther(tags);
        body.done();
        return new CreateAssociationRequest(name, description, new ConfiguredTableId(table), roleArn, tags);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("name", name);
        Json.putIfNotNull(node, "description", description);
        node.put("configuredTableIdentifier", configuredTableIdentifier.value());
        node.put("roleArn", roleArn);
        Shapes.putTags(node, tags);
        return node;
    }

    AssociationService.Create toCreate() {
        return new AssociationService.Create(name, description, configuredTableIdentifier, roleArn, tags);
    }
}
