package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import java.util.List;
import java.util.Optional;

/**
 * A query to check: its SQL, the account running it (the member who can query), the tables of the
 * collaboration, and, for a query from an analysis template, the template's ARN.
 */
public record QueryRequest(String sql, AccountId runner, List<TableSpec> tables, Optional<String> templateArn) {
    public QueryRequest {
        requireNonNull(sql, "sql is null");
        requireNonNull(runner, "runner is null");
        tables = List.copyOf(tables);
        requireNonNull(templateArn, "templateArn is null");
    }

    public static QueryRequest adHoc(String sql, AccountId runner, List<TableSpec> tables) {
        return new QueryRequest(sql, runner, tables, Optional.empty());
    }
}
