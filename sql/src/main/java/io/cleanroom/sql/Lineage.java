package io.cleanroom.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;

/** Column lineage on the relational plan: the collaboration table columns a field derives from. */
final class Lineage {
    private Lineage() {
    }

    /** A column of a collaboration table. */
    record Origin(TableSpec table, String column) {
        String describe() {
            return table.name() + "." + column;
        }
    }

    /** The origins of field index of rel, or empty when Calcite cannot establish them. */
    static Optional<List<Origin>> origins(RelMetadataQuery mq, RelNode rel, int index, Map<String, TableSpec> tables) {
        Set<RelColumnOrigin> origins = mq.getColumnOrigins(rel, index);
        if (origins == null) {
            return Optional.empty();
        }
        List<Origin> out = new ArrayList<>();
        for (RelColumnOrigin origin : origins) {
            RelOptTable table = origin.getOriginTable();
            List<String> name = table.getQualifiedName();
            TableSpec spec = tables.get(name.get(name.size() - 1).toLowerCase(Locale.ROOT));
            if (spec != null) {
                out.add(new Origin(spec, table.getRowType().getFieldList().get(origin.getOriginColumnOrdinal())
                        .getName()));
            }
        }
        return Optional.of(out);
    }
}
