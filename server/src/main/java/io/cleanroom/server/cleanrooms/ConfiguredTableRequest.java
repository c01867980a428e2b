package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.AnalysisMethod;
import io.cleanroom.core.model.GlueTableReference;
import io.cleanroom.core.model.SelectedAnalysisMethod;
import io.cleanroom.core.service.ConfiguredTableService;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.List;
import java.util.Map;

/**
 * The body of CreateConfiguredTable (name, tableReference, allowedColumns and analysisMethod
 * required) and of UpdateConfiguredTable (all optional: what is absent, null, stays; no tags).
 */
record ConfiguredTableRequest(
        String name,
        String description,
        GlueTableReference tableReference,
        List<String> allowedColumns,
        AnalysisMethod analysisMethod,
        List<SelectedAnalysisMethod> selectedAnalysisMethods,
        Map<String, String> tags) {
    ConfiguredTableRequest {
        tags = Map.copyOf(tags == null ? Map.of() : tags);
    }

    /** create: CreateConfiguredTable's constraints, else UpdateConfiguredTable's; columnLimit: allowed columns. */
    static ConfiguredTableRequest read(In body, boolean create, int columnLimit) {
        String name = body.string("name", create, 1, 100, In.NON_BLANK);
        String description = body.string("description", false, 0, 255, null);
        GlueTableReference reference = Shapes.tableReference(body, create);
        List<String> allowed = body.strings("allowedColumns", create, 1, columnLimit, 128, In.COLUMN_NAME);
        AnalysisMethod method = body.enumValue("analysisMethod", AnalysisMethod.class, create);
        List<SelectedAnalysisMethod> selected = body.enums("selectedAnalysisMethods", SelectedAnalysisMethod.class,
                false, 0, 2);
        Map<String, String> tags = create ? body.tags() : Map.of();
        EngineTags.onOther(tags);
        body.done();
        return new ConfiguredTableRequest(name, description, reference, allowed, method, selected, tags);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        Json.putIfNotNull(node, "name", name);
        Json.putIfNotNull(node, "description", description);
        if (tableReference != null) {
            node.set("tableReference", Shapes.tableReference(tableReference));
        }
        if (allowedColumns != null) {
            node.set("allowedColumns", Json.strings(allowedColumns));
        }
        Json.putIfNotNull(node, "analysisMethod", analysisMethod);
        if (selectedAnalysisMethods != null) {
            node.set("selectedAnalysisMethods", Json.strings(selectedAnalysisMethods));
        }
        Shapes.putTags(node, tags);
        return node;
    }

    ConfiguredTableService.Create toCreate() {
        return new ConfiguredTableService.Create(name, description, tableReference, allowedColumns, analysisMethod,
                selectedAnalysisMethods, tags);
    }

    ConfiguredTableService.Update toUpdate() {
        return new ConfiguredTableService.Update(name, description, tableReference, allowedColumns, analysisMethod,
                selectedAnalysisMethods);
    }
}
