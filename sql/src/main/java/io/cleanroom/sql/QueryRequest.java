package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisParameter;
import io.cleanroom.engine.spi.Dialect;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A query to check: its SQL, the account running it (the member who can query), the tables of the
 * collaboration, for a query from an analysis template the template's ARN, declared parameters
 * and values, the accounts that are to receive the results (empty when not yet known), and the
 * dialect of the engine that will run it (its SQL is rendered, failure-free, for that engine).
 */
public record QueryRequest(String sql, AccountId runner, List<TableSpec> tables, Optional<Template> template,
        List<AccountId> receivers, Dialect dialect) {
    public QueryRequest {
        requireNonNull(sql, "sql is null");
        requireNonNull(runner, "runner is null");
        tables = List.copyOf(tables);
        requireNonNull(template, "template is null");
        receivers = List.copyOf(receivers);
        requireNonNull(dialect, "dialect is null");
    }

    public QueryRequest(String sql, AccountId runner, List<TableSpec> tables, Optional<Template> template,
            List<AccountId> receivers) {
        this(sql, runner, tables, template, receivers, Dialect.DUCKDB);
    }

    public QueryRequest(String sql, AccountId runner, List<TableSpec> tables, Optional<Template> template) {
        this(sql, runner, tables, template, List.of());
    }

    /** The same request, for an engine of another dialect. */
    public QueryRequest forDialect(Dialect other) {
        return new QueryRequest(sql, runner, tables, template, receivers, other);
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
