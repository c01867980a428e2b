package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.AnalysisFormat;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.core.model.ParameterType;
import io.cleanroom.core.service.TemplateService;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.List;
import java.util.Map;

/**
 * CreateAnalysisTemplate's body: the SQL in source.text (PySpark artifacts are refused); schema
 * is accepted and not kept. analysisParameters and tags are empty when absent.
 */
record CreateAnalysisTemplateRequest(String name, String description, AnalysisFormat format, String sourceText,
        List<AnalysisParameter> analysisParameters, Map<String, String> tags) {
    CreateAnalysisTemplateRequest {
        analysisParameters = List.copyOf(analysisParameters == null ? List.of() : analysisParameters);
        tags = Map.copyOf(tags == null ? Map.of() : tags);
    }

    static CreateAnalysisTemplateRequest read(In body) {
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
        Map<String, String> tags = body.tags();
        EngineTags.onOther(tags);
        body.done();
        return new CreateAnalysisTemplateRequest(name, description, format, text, parameters, tags);
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("name", name);
        Json.putIfNotNull(node, "description", description);
        node.put("format", format.name());
        node.putObject("source").put("text", sourceText);
        if (!analysisParameters.isEmpty()) {
            ArrayNode list = node.putArray("analysisParameters");
            for (AnalysisParameter p : analysisParameters) {
                ObjectNode parameter = list.addObject().put("name", p.name()).put("type", p.type().name());
                Json.putIfNotNull(parameter, "defaultValue", p.defaultValue());
            }
        }
        Shapes.putTags(node, tags);
        return node;
    }

    TemplateService.Create toCreate() {
        return new TemplateService.Create(name, description, format, sourceText, analysisParameters, tags);
    }
}
