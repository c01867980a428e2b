package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.SchemaService;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.Explanation;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
            Optional<QueryRequest.Template> template, List<AccountId> receivers, Dialect dialect) {
        List<TableSpec> tables = context.schemas().stream()
                .map(s -> new TableSpec(s.name(), s.association().ownerAccountId(), s.columns(),
                        s.rule().map(r -> r.policy()), s.status().ready(), Optional.of(s.resultReceivers()),
                        s.status().reasons().stream().map(SchemaService.Reason::message).toList(),
                        s.catalogTable().map(QueryControl::parameters).orElse(TableSpec.CatalogParameters.NONE)))
                .toList();
        return new QueryRequest(sql, caller.requireAccount(), tables, template, receivers, dialect);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * What the owner declared in its catalog: the table's Glue Parameters, and each column's
     * (StorageDescriptor.Columns[].Parameters of the definition it gave, kept as sent).
     */
    static TableSpec.CatalogParameters parameters(CatalogTable table) {
        Map<String, Map<String, String>> columns = new HashMap<>();
        if (table.definition() != null) {
            try {
                for (JsonNode column : JSON.readTree(table.definition()).path("StorageDescriptor").path("Columns")) {
                    Map<String, String> values = new HashMap<>();
                    column.path("Parameters").fields().forEachRemaining(e -> values.put(e.getKey(),
                            e.getValue().asText()));
                    if (column.hasNonNull("Name") && !values.isEmpty()) {
                        columns.put(column.get("Name").asText(), values);
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // a definition the catalog wrote is JSON; without it, no column declares anything
            }
        }
        return new TableSpec.CatalogParameters(table.parameters(), columns);
    }

    /**
     * A query as query control admitted it, with the request it was checked from: every input of
     * the check (the SQL, the runner, each table's columns, rule, status and receivers, the
     * template, the receivers), all values compared by value.
     */
    record Checked(QueryRequest request, CheckedQuery query) {
        Checked {
            requireNonNull(request, "request is null");
            requireNonNull(query, "query is null");
        }

        /**
         * The answer to a request: this one when the request equals the one it was checked from
         * (the checker is a function of its request alone), else the checker's, in full.
         */
        Checked again(QueryRequest now, QueryChecker checker) {
            return now.equals(request) ? this : new Checked(now, checker.check(now));
        }
    }

    /**
     * Checks a query of the membership whose query context (tables, rules) the caller already holds,
     * rendered in the dialect of the engine that will run it.
     */
    Checked check(SchemaService.QueryContext context, Caller caller, String sql,
            Optional<QueryRequest.Template> template, List<AccountId> receivers, Dialect dialect) {
        QueryRequest request = request(context, caller, sql, template, receivers, dialect);
        return new Checked(request, checker.check(request));
    }

    /**
     * Checks again, against the context of this moment, a query checked earlier. The checker is a
     * function of its request alone, so when the request is equal to the earlier one (nothing the
     * check reads has changed) the earlier answer is the answer, without parsing again; any change
     * (a rule, a column, a table's status, a receiver) is checked in full.
     */
    Checked recheck(Checked earlier, SchemaService.QueryContext context, Caller caller, String sql,
            Optional<QueryRequest.Template> template, List<AccountId> receivers, Dialect dialect) {
        return earlier.again(request(context, caller, sql, template, receivers, dialect), checker);
    }

    public Explanation explain(Caller caller, MembershipId membership, String sql) {
        return checker.explain(request(schemas.forQuery(caller, membership), caller, sql, Optional.empty(),
                List.of(), Dialect.DUCKDB));
    }
}
