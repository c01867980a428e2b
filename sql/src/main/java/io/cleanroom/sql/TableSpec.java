package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Column;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One table a query may reference: its name in the collaboration (the association name), the
 * member who owns it, its allowed columns with types, its analysis rule (empty if none), whether
 * its schema is READY, the accounts allowed to receive results that use it (empty when not
 * restricted, as in tests of the rules alone), why its schema is not ready (the messages of its
 * status reasons, for the refusal), and what its owner declared in its catalog (the Glue Parameters
 * of the table and of its columns, where differentially private queries find their bounds).
 */
public record TableSpec(String name, AccountId owner, List<Column> columns, Optional<AnalysisRulePolicy> rule,
        boolean ready, Optional<List<AccountId>> resultReceivers, List<String> notReadyReasons,
        CatalogParameters parameters) {
    public TableSpec {
        requireNonNull(name, "name is null");
        requireNonNull(owner, "owner is null");
        columns = List.copyOf(columns);
        requireNonNull(rule, "rule is null");
        resultReceivers = resultReceivers.map(List::copyOf);
        notReadyReasons = List.copyOf(notReadyReasons);
        requireNonNull(parameters, "parameters is null");
    }

    /**
     * The Glue Parameters the owner gave the catalog table (table) and each of its columns
     * (columns, by lower-cased column name). Only differentially private queries read them, for
     * the bounds named in {@code docs/differential-privacy.md} ({@code cleanroom.dp.min}, ...).
     */
    public record CatalogParameters(Map<String, String> table, Map<String, Map<String, String>> columns) {
        public static final CatalogParameters NONE = new CatalogParameters(Map.of(), Map.of());

        public CatalogParameters {
            table = Map.copyOf(table);
            Map<String, Map<String, String>> byName = new java.util.HashMap<>();
            columns.forEach((k, v) -> byName.put(k.toLowerCase(Locale.ROOT), Map.copyOf(v)));
            columns = Map.copyOf(byName);
        }

        /** The Parameters of one column (none when it has none). */
        public Map<String, String> column(String name) {
            return columns.getOrDefault(name.toLowerCase(Locale.ROOT), Map.of());
        }
    }

    public TableSpec(String name, AccountId owner, List<Column> columns, Optional<AnalysisRulePolicy> rule,
            boolean ready, Optional<List<AccountId>> resultReceivers, List<String> notReadyReasons) {
        this(name, owner, columns, rule, ready, resultReceivers, notReadyReasons, CatalogParameters.NONE);
    }

    public TableSpec(String name, AccountId owner, List<Column> columns, Optional<AnalysisRulePolicy> rule,
            boolean ready, Optional<List<AccountId>> resultReceivers) {
        this(name, owner, columns, rule, ready, resultReceivers, List.of());
    }

    public TableSpec(String name, AccountId owner, List<Column> columns, Optional<AnalysisRulePolicy> rule,
            boolean ready) {
        this(name, owner, columns, rule, ready, Optional.empty());
    }

    /** Whether the table's custom analysis rule turns differential privacy on. */
    public boolean differentialPrivacy() {
        return rule.filter(r -> r instanceof AnalysisRulePolicy.Custom c && c.differentialPrivacyColumn() != null)
                .isPresent();
    }

    /** The user identifier column its custom rule names for differential privacy, if any. */
    public Optional<String> userIdentifier() {
        return rule.filter(r -> r instanceof AnalysisRulePolicy.Custom).map(r -> ((AnalysisRulePolicy.Custom) r)
                .differentialPrivacyColumn());
    }

    public boolean hasColumn(String column) {
        return columns.stream().anyMatch(c -> c.name().equalsIgnoreCase(column));
    }

    String key() {
        return name.toLowerCase(Locale.ROOT);
    }
}
