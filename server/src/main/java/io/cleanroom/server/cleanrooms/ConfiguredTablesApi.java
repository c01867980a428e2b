package io.cleanroom.server.cleanrooms;

import static io.cleanroom.server.cleanrooms.Handlers.configuredTable;
import static io.cleanroom.server.cleanrooms.Handlers.one;
import static io.cleanroom.server.cleanrooms.Handlers.page;
import static io.cleanroom.server.cleanrooms.Handlers.ruleType;
import static java.util.Objects.requireNonNull;

import io.cleanroom.client.Operation;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.ConfiguredTableAnalysisRule;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.service.ConfiguredTableService;
import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.server.wire.Call;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;

/** Configured tables and their analysis rules. */
public final class ConfiguredTablesApi {
    private final ConfiguredTableService tables;
    private final Render render;
    private final Quotas quotas;

    public ConfiguredTablesApi(ConfiguredTableService tables, Render render, Quotas quotas) {
        this.tables = requireNonNull(tables, "tables is null");
        this.render = requireNonNull(render, "render is null");
        this.quotas = requireNonNull(quotas, "quotas is null");
    }

    public void register(Router router) {
        router.add(new Route(Operation.CREATE_CONFIGURED_TABLE, c -> one("configuredTable", render.configuredTable(
                tables.create(c.caller(), ConfiguredTableRequest.read(c.body(), true, columnLimit()).toCreate())))));
        router.add(new Route(Operation.LIST_CONFIGURED_TABLES, c -> page(
                tables.list(c.caller(), c.page()), "configuredTableSummaries", render::configuredTableSummary)));
        router.add(new Route(Operation.GET_CONFIGURED_TABLE, c -> one("configuredTable",
                render.configuredTable(tables.get(c.caller(), configuredTable(c))))));
        router.add(new Route(Operation.UPDATE_CONFIGURED_TABLE, c -> {
            ConfiguredTableId id = configuredTable(c);
            ConfiguredTableRequest request = ConfiguredTableRequest.read(c.body(), false, columnLimit());
            return one("configuredTable", render.configuredTable(tables.update(c.caller(), id, request.toUpdate())));
        }));
        router.add(new Route(Operation.DELETE_CONFIGURED_TABLE, c -> {
            tables.delete(c.caller(), configuredTable(c));
            return HttpResponse.noContent();
        }));
        router.add(new Route(Operation.CREATE_CONFIGURED_TABLE_ANALYSIS_RULE, this::createRule));
        router.add(new Route(Operation.GET_CONFIGURED_TABLE_ANALYSIS_RULE, c -> rule(c,
                tables.getRule(c.caller(), configuredTable(c), ruleType(c)))));
        router.add(new Route(Operation.UPDATE_CONFIGURED_TABLE_ANALYSIS_RULE, this::updateRule));
        router.add(new Route(Operation.DELETE_CONFIGURED_TABLE_ANALYSIS_RULE, c -> {
            tables.deleteRule(c.caller(), configuredTable(c), ruleType(c));
            return HttpResponse.noContent();
        }));
    }

    /** The model's limit on allowed columns, or the operator's quota when it is higher. */
    private int columnLimit() {
        return Math.max(225, quotas.get(Quota.COLUMNS_PER_ALLOWLIST));
    }

    private HttpResponse rule(Call c, ConfiguredTableAnalysisRule rule) {
        var table = tables.get(c.caller(), rule.configuredTableId()).table();
        return one("analysisRule", render.tableRule(table, rule));
    }

    private HttpResponse createRule(Call c) {
        ConfiguredTableId id = configuredTable(c);
        In body = c.body();
        AnalysisRuleType type = body.enumValue("analysisRuleType", AnalysisRuleType.class, true);
        Handlers.checkRuleSize(body, quotas);
        AnalysisRulePolicy policy = PolicyWire.read(body);
        body.done();
        return rule(c, tables.createRule(c.caller(), id, type, policy));
    }

    /**
     * Checks a CreateConfiguredTableAnalysisRule body as that operation does (shape, size, type,
     * columns against the table's allowed columns) without creating anything: throws the
     * ValidationException the operation would answer. The web console checks a rule with it as
     * its author types; the table's allowed columns come from an API call of the author's.
     */
    public static void checkRule(com.fasterxml.jackson.databind.JsonNode json, java.util.List<String> allowedColumns,
            io.cleanroom.core.service.Quotas quotas) {
        In body = In.of(json);
        AnalysisRuleType type = body.enumValue("analysisRuleType", AnalysisRuleType.class, true);
        Handlers.checkRuleSize(body, quotas);
        AnalysisRulePolicy policy = PolicyWire.read(body);
        body.done();
        ConfiguredTableService.checkRule(type, policy, allowedColumns);
    }

    private HttpResponse updateRule(Call c) {
        ConfiguredTableId id = configuredTable(c);
        AnalysisRuleType type = ruleType(c);
        In body = c.body();
        Handlers.checkRuleSize(body, quotas);
        AnalysisRulePolicy policy = PolicyWire.read(body);
        body.done();
        return rule(c, tables.updateRule(c.caller(), id, type, policy));
    }
}
