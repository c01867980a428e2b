package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisParameter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A query to check: its SQL, the account running it (the member who can query), the tables of the
 * collaboration, and, for a query from an analysis template, the template's ARN, its declared
 * parameters and the values given for them.
 */
public record QueryRequest(String sql, AccountId runner, List<TableSpec> tables, Optional<Template> template) {
    public QueryRequest {
        requireNonNull(sql, "sql is null");
        requireNonNull(runner, "runner is null");
        tables = List.copyOf(tables);
        requireNonNull(template, "template is null");
    }

    /** An analysis template run: its ARN, declared parameters, and the values for this run. */
    public record Template(String arn, List<AnalysisParameter> parameters, Map<String, String> values) {
        public Template {
            requireNonNull(arn, "arn is null");
            parameters = List.copyOf(parameters);
            values = Map.copyOf(values);
        }
    }

    public static QueryRequest adHoc(String sql, AccountId runner, List<TableSpec> tables) {
        return new QueryRequest(sql, runner, tables, Optional.empty());
    }

    public Optional<String> templateArn() {
        return template.map(Template::arn);
    }
}
