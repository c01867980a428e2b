package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisMethod;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.ConfiguredTable;
import io.cleanroom.core.model.ConfiguredTableAnalysisRule;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.GlueTableReference;
import io.cleanroom.core.model.SelectedAnalysisMethod;
import io.cleanroom.core.model.TagSet;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Configured tables and their analysis rules; an account sees only its own. */
public final class ConfiguredTableService {
    private final ServiceContext context;

    public ConfiguredTableService(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    public record Create(
            String name,
            String description,
            GlueTableReference tableReference,
            List<String> allowedColumns,
            AnalysisMethod analysisMethod,
            List<SelectedAnalysisMethod> selectedAnalysisMethods,
            Map<String, String> tags) {
        public Create {
            allowedColumns = List.copyOf(allowedColumns);
            tags = Map.copyOf(tags == null ? Map.of() : tags);
        }
    }

    /** A configured table with the type of its analysis rule, if any. */
    public record View(ConfiguredTable table, Optional<AnalysisRuleType> ruleType) {
    }

    public View create(Caller caller, Create request) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            checkColumns(tx, account, request.tableReference(), request.allowedColumns());
            context.quotas().require(Quota.CONFIGURED_TABLES_PER_ACCOUNT,
                    tx.of(Kinds.CONFIGURED_TABLES).find("owner_account_id", account.value()).size() + 1);
            Instant now = context.now();
            ConfiguredTable table = new ConfiguredTable(ConfiguredTableId.random(), account, request.name(),
                    request.description(), request.tableReference(), normalise(request.allowedColumns()),
                    request.analysisMethod(), request.selectedAnalysisMethods(), now, now);
            tx.of(Kinds.CONFIGURED_TABLES).insert(table);
            if (!request.tags().isEmpty()) {
                tx.of(Kinds.TAGS).insert(new TagSet(context.arns().configuredTable(account, table.id()), account,
                        request.tags()));
            }
            return new View(table, Optional.empty());
        });
    }

    private static List<String> normalise(List<String> columns) {
        return columns.stream().map(c -> c.toLowerCase(java.util.Locale.ROOT)).toList();
    }

    /** The catalog table must exist in the caller's catalog and hold every allowed column. */
    private void checkColumns(Tx tx, AccountId account, GlueTableReference reference, List<String> columns) {
        context.quotas().require(Quota.COLUMNS_PER_ALLOWLIST, columns.size());
        Optional<CatalogTable> catalogTable = tx.of(Kinds.CATALOG_TABLES).get(
                account.value() + "/" + reference.databaseName() + "/" + reference.tableName());
        if (catalogTable.isEmpty()) {
            throw CleanroomException.validation("tableReference.glue",
                    "Table " + reference.databaseName() + "." + reference.tableName()
                            + " does not exist in your catalog");
        }
        List<CleanroomException.FieldError> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            if (!seen.add(column.toLowerCase(java.util.Locale.ROOT))) {
                errors.add(new CleanroomException.FieldError("allowedColumns[" + i + "]",
                        "Column " + column + " is listed twice"));
            } else if (!catalogTable.get().hasColumn(column)) {
                errors.add(new CleanroomException.FieldError("allowedColumns[" + i + "]",
                        "Column " + column + " does not exist in table " + reference.databaseName() + "."
                                + reference.tableName()));
            }
        }
        if (!errors.isEmpty()) {
            throw CleanroomException.validation(errors);
        }
    }

    private static Optional<AnalysisRuleType> ruleType(Tx tx, ConfiguredTableId id) {
        return tx.of(Kinds.TABLE_RULES).get(id.value()).map(ConfiguredTableAnalysisRule::type);
    }

    public View get(Caller caller, ConfiguredTableId id) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> {
            ConfiguredTable table = Lookups.ownTable(tx, account, id);
            return new View(table, ruleType(tx, id));
        });
    }

    public Page<View> list(Caller caller, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListConfiguredTables", caller);
        return context.store().inTransaction(tx -> listing.read(page,
                (after, n) -> tx.of(Kinds.CONFIGURED_TABLES).findAfter("owner_account_id", account.value(), after, n),
                Kinds.CONFIGURED_TABLES::positionOf, t -> true)
                .map(t -> new View(t, ruleType(tx, t.id()))));
    }

    /** Fields left null keep their values. */
    public record Update(
            String name,
            String description,
            GlueTableReference tableReference,
            List<String> allowedColumns,
            AnalysisMethod analysisMethod,
            List<SelectedAnalysisMethod> selectedAnalysisMethods) {
    }

    public View update(Caller caller, ConfiguredTableId id, Update update) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            ConfiguredTable table = Lookups.ownTable(tx, account, id);
            GlueTableReference reference = update.tableReference() == null ? table.tableReference()
                    : update.tableReference();
            List<String> columns = update.allowedColumns() == null ? table.allowedColumns()
                    : normalise(update.allowedColumns());
            if (update.tableReference() != null || update.allowedColumns() != null) {
                checkColumns(tx, account, reference, columns);
            }
            Optional<ConfiguredTableAnalysisRule> rule = tx.of(Kinds.TABLE_RULES).get(id.value());
            if (rule.isPresent()) {
                AnalysisRules.checkColumnsAllowed(rule.get().policy(), columns);
            }
            ConfiguredTable updated = new ConfiguredTable(id, account,
                    update.name() == null ? table.name() : update.name(),
                    update.description() == null ? table.description() : update.description(), reference, columns,
                    update.analysisMethod() == null ? table.analysisMethod() : update.analysisMethod(),
                    update.selectedAnalysisMethods() == null ? table.selectedAnalysisMethods()
                            : update.selectedAnalysisMethods(),
                    table.createTime(), context.now());
            tx.of(Kinds.CONFIGURED_TABLES).update(updated);
            return new View(updated, rule.map(ConfiguredTableAnalysisRule::type));
        });
    }

    /** Deletes a configured table that no collaboration uses any more, with its analysis rule. */
    public void delete(Caller caller, ConfiguredTableId id) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            Lookups.ownTable(tx, account, id);
            if (!tx.of(Kinds.ASSOCIATIONS).find("configured_table_id", id.value()).isEmpty()) {
                throw CleanroomException.conflict(ErrorCode.SUBRESOURCES_EXIST, ResourceType.CONFIGURED_TABLE,
                        id.value(), "Configured table " + id
                                + " is associated with a collaboration; delete its associations first");
            }
            tx.of(Kinds.TABLE_RULES).delete(id.value());
            tx.of(Kinds.TAGS).delete(context.arns().configuredTable(account, id));
            tx.of(Kinds.CONFIGURED_TABLES).delete(id.value());
            return null;
        });
    }

    // ---- analysis rules ----

    /**
     * What {@link #createRule} checks of a rule on its own, for a table with these allowed columns:
     * the type matches the policy, and every column and combination is admissible. Reads and
     * writes nothing (the web console checks a rule as its author types it).
     */
    public static void checkRule(AnalysisRuleType type, AnalysisRulePolicy policy, List<String> allowedColumns) {
        AnalysisRules.checkTypeMatches(type, policy);
        AnalysisRules.validate(policy, allowedColumns);
    }

    public ConfiguredTableAnalysisRule createRule(Caller caller, ConfiguredTableId id, AnalysisRuleType type,
            AnalysisRulePolicy policy) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            ConfiguredTable table = Lookups.ownTable(tx, account, id);
            AnalysisRules.checkTypeMatches(type, policy);
            Optional<ConfiguredTableAnalysisRule> existing = tx.of(Kinds.TABLE_RULES).get(id.value());
            if (existing.isPresent()) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.CONFIGURED_TABLE, id.value(),
                        "Configured table " + id + " already has a " + existing.get().type()
                                + " analysis rule; only one analysis rule can be created for a configured table");
            }
            AnalysisRules.validate(policy, table.allowedColumns());
            requireSameUserColumn(tx, id, policy);
            Instant now = context.now();
            ConfiguredTableAnalysisRule rule = new ConfiguredTableAnalysisRule(id, policy, now, now);
            tx.of(Kinds.TABLE_RULES).insert(rule);
            return rule;
        });
    }

    /**
     * A rule that turns differential privacy on must protect the same user identifier column as the
     * other tables with differential privacy of every collaboration the table is associated with.
     */
    private static void requireSameUserColumn(Tx tx, ConfiguredTableId id, AnalysisRulePolicy policy) {
        Optional<String> column = DifferentialPrivacyTables.userColumn(policy);
        if (column.isEmpty()) {
            return;
        }
        for (io.cleanroom.core.model.Association association : tx.of(Kinds.ASSOCIATIONS).find("configured_table_id",
                id.value())) {
            DifferentialPrivacyTables.requireSameUserColumn(tx, association.collaborationId(), id, column.get(),
                    "Configured table " + id + " is associated with collaboration " + association.collaborationId()
                            + " as " + association.name());
        }
    }

    private static ConfiguredTableAnalysisRule rule(Tx tx, ConfiguredTableId id, AnalysisRuleType type) {
        return tx.of(Kinds.TABLE_RULES).get(id.value())
                .filter(r -> r.type() == type)
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.ANALYSIS_RULE, id.value(),
                        "Configured table " + id + " has no " + type + " analysis rule"));
    }

    public ConfiguredTableAnalysisRule getRule(Caller caller, ConfiguredTableId id, AnalysisRuleType type) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Lookups.ownTable(tx, account, id);
            return rule(tx, id, type);
        });
    }

    public ConfiguredTableAnalysisRule updateRule(Caller caller, ConfiguredTableId id, AnalysisRuleType type,
            AnalysisRulePolicy policy) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            ConfiguredTable table = Lookups.ownTable(tx, account, id);
            ConfiguredTableAnalysisRule existing = rule(tx, id, type);
            AnalysisRules.checkTypeMatches(type, policy);
            AnalysisRules.validate(policy, table.allowedColumns());
            requireSameUserColumn(tx, id, policy);
            ConfiguredTableAnalysisRule updated =
                    new ConfiguredTableAnalysisRule(id, policy, existing.createTime(), context.now());
            tx.of(Kinds.TABLE_RULES).update(updated);
            return updated;
        });
    }

    public void deleteRule(Caller caller, ConfiguredTableId id, AnalysisRuleType type) {
        AccountId account = caller.requireAccount();
        context.store().inTransaction(tx -> {
            Lookups.ownTable(tx, account, id);
            rule(tx, id, type);
            tx.of(Kinds.TABLE_RULES).delete(id.value());
            return null;
        });
    }
}
