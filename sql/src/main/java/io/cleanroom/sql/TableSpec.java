package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Column;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One table a query may reference: its name in the collaboration (the association name), the
 * member who owns it, its allowed columns with types, its analysis rule (empty if none), whether
 * its schema is READY, the accounts allowed to receive results that use it (empty when not
 * restricted, as in tests of the rules alone), and why its schema is not ready (the messages of
 * its status reasons, for the refusal).
 */
public record TableSpec(String name, AccountId owner, List<Column> columns, Optional<AnalysisRulePolicy> rule,
        boolean ready, Optional<List<AccountId>> resultReceivers, List<String> notReadyReasons) {
    public TableSpec {
        requireNonNull(name, "name is null");
        requireNonNull(owner, "owner is null");
        columns = List.copyOf(columns);
        requireNonNull(rule, "rule is null");
        resultReceivers = resultReceivers.map(List::copyOf);
        notReadyReasons = List.copyOf(notReadyReasons);
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

    public boolean hasColumn(String column) {
        return columns.stream().anyMatch(c -> c.name().equalsIgnoreCase(column));
    }

    String key() {
        return name.toLowerCase(Locale.ROOT);
    }
}
