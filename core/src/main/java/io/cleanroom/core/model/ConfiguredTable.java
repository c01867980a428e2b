package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/** A catalog table an account exposes for collaborations: which columns, analysed how. */
public record ConfiguredTable(
        ConfiguredTableId id,
        AccountId ownerAccountId,
        String name,
        String description,
        GlueTableReference tableReference,
        List<String> allowedColumns,
        AnalysisMethod analysisMethod,
        List<SelectedAnalysisMethod> selectedAnalysisMethods,
        Instant createTime,
        Instant updateTime) {
    public ConfiguredTable {
        requireNonNull(id, "id is null");
        requireNonNull(ownerAccountId, "ownerAccountId is null");
        requireNonNull(name, "name is null");
        requireNonNull(tableReference, "tableReference is null");
        allowedColumns = List.copyOf(allowedColumns);
        requireNonNull(analysisMethod, "analysisMethod is null");
        selectedAnalysisMethods = List.copyOf(selectedAnalysisMethods == null ? List.of() : selectedAnalysisMethods);
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }
}
