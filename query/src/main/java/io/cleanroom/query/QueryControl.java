package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.SchemaService;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.Explanation;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.util.List;
import java.util.Optional;

/**
 * Connects query control to the collaboration: the tables a membership's query may reference are
 * the collaboration's schemas, each with its owner, allowed columns, analysis rule and status.
 */
public final class QueryControl {
    private final SchemaService schemas;
    private final QueryChecker checker = new QueryChecker();

    public QueryControl(SchemaService schemas) {
        this.schemas = requireNonNull(schemas, "schemas is null");
    }

    private static QueryRequest request(SchemaService.QueryContext context, Caller caller, String sql,
            Optional<QueryRequest.Template> template, List<AccountId> receivers) {
        List<TableSpec> tables = context.schemas().stream()
                .map(s -> new TableSpec(s.name(), s.association().ownerAccountId(), s.columns(),
                        s.rule().map(r -> r.policy()), s.status().ready(), Optional.of(s.resultReceivers()),
                        s.status().reasons().stream().map(SchemaService.Reason::message).toList()))
                .toList();
        return new QueryRequest(sql, caller.requireAccount(), tables, template, receivers);
    }

    /** Checks a query of the membership whose query context (tables, rules) the caller already holds. */
    CheckedQuery check(SchemaService.QueryContext context, Caller caller, String sql,
            Optional<QueryRequest.Template> template, List<AccountId> receivers) {
        return checker.check(request(context, caller, sql, template, receivers));
    }

    public Explanation explain(Caller caller, MembershipId membership, String sql) {
        return checker.explain(request(schemas.forQuery(caller, membership), caller, sql, Optional.empty(),
                List.of()));
    }
}
