package io.cleanroom.engine.duckdb;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A fixture of the non-interference hunt: collaboration tables with rules and small data, the
 * member who runs queries, and what the rules say must stay hidden, read from the rules alone:
 * <ul>
 * <li>renamed columns: values that may only be joined or compared to columns (join columns of
 * aggregation and list rules, identity columns of aggregation thresholds, and disallowed output
 * columns of custom rules whose comparison controls allow no literal comparison on them). Every
 * column of their value domain, in every table, must be renamed too, or equality joins would break
 * (the constructor refuses a world where that does not hold). A numeric or date column that
 * nothing may compare with another column is renamed on its own.</li>
 * <li>permutable columns: disallowed output columns of custom rules that are not identity columns
 * (permuting an identity column would change the distinct counts thresholds rely on).</li>
 * </ul>
 */
final class World {
    /** Kinds of values a column holds; doubles are left out so that sums do not depend on order. */
    enum Kind {
        STRING("string"), INT("int"), DECIMAL("decimal(10,2)"), DATE("date"), BOOLEAN("boolean");

        final String glueType;

        Kind(String glueType) {
            this.glueType = glueType;
        }
    }

    /**
     * A column; domain names the family of values it shares with columns of other tables (people's
     * ids, emails), whose strings all start with the domain's prefix, which no other value of the
     * world starts with: an order-preserving renaming within the domain then also keeps every
     * comparison with any other value.
     */
    record WorldColumn(String name, Kind kind, Optional<Domain> domain) {
        WorldColumn {
            requireNonNull(name, "name is null");
            requireNonNull(kind, "kind is null");
            requireNonNull(domain, "domain is null");
        }

        static WorldColumn of(String name, Kind kind) {
            return new WorldColumn(name, kind, Optional.empty());
        }

        static WorldColumn of(String name, Domain domain) {
            return new WorldColumn(name, Kind.STRING, Optional.of(domain));
        }
    }

    /** A family of string values shared between tables, with the prefix all of them start with. */
    record Domain(String name, char prefix) {
    }

    /** A table: its spec (name, owner, rule) and rows, one value per column (null allowed). */
    record WorldTable(String name, AccountId owner, List<WorldColumn> columns, AnalysisRulePolicy rule,
            List<List<Object>> rows) {
        WorldTable {
            requireNonNull(name, "name is null");
            requireNonNull(owner, "owner is null");
            columns = List.copyOf(columns);
            requireNonNull(rule, "rule is null");
            rows = rows.stream().map(r -> java.util.Collections.unmodifiableList(new ArrayList<>(r))).toList();
            for (List<Object> row : rows) {
                if (row.size() != columns.size()) {
                    throw new IllegalArgumentException(name + ": a row has " + row.size() + " values for "
                            + columns.size() + " columns");
                }
            }
        }

        TableSpec spec() {
            return new TableSpec(name, owner, columns.stream().map(c -> new Column(c.name(), c.kind().glueType))
                    .toList(), Optional.of(rule), true);
        }

        int index(String column) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equalsIgnoreCase(column)) {
                    return i;
                }
            }
            throw new IllegalArgumentException(name + " has no column " + column);
        }

        WorldColumn column(String column) {
            return columns.get(index(column));
        }
    }

    /** A column of a table of the world, as table.column in lower case. */
    record Ref(String table, String column) {
        Ref {
            table = table.toLowerCase(Locale.ROOT);
            column = column.toLowerCase(Locale.ROOT);
        }

        @Override
        public String toString() {
            return table + "." + column;
        }
    }

    private final String name;
    private final String description;
    private final AccountId runner;
    private final Optional<QueryRequest.Template> template;
    private final TableFormat format;
    private final List<WorldTable> tables;
    private final Set<Ref> renamed = new LinkedHashSet<>();
    private final Set<Ref> permutable = new LinkedHashSet<>();
    private final Set<Domain> renamedDomains = new LinkedHashSet<>();

    World(String name, String description, AccountId runner, Optional<QueryRequest.Template> template,
            TableFormat format, List<WorldTable> tables) {
        this.name = requireNonNull(name, "name is null");
        this.description = requireNonNull(description, "description is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.template = requireNonNull(template, "template is null");
        this.format = requireNonNull(format, "format is null");
        this.tables = List.copyOf(tables);
        AnalysisRuleType type = tables.get(0).rule().type();
        for (WorldTable table : tables) {
            if (table.rule().type() != type) {
                throw new IllegalArgumentException(name + ": every table of a world has the same rule type");
            }
            for (WorldColumn column : table.columns()) {
                Ref ref = new Ref(table.name(), column.name());
                if (isRenamed(table.rule(), column.name())) {
                    if (column.domain().isPresent()) {
                        renamedDomains.add(column.domain().get());
                    } else if (column.kind() == Kind.STRING || column.kind() == Kind.BOOLEAN
                            || isColumnComparable(table.rule(), column.name())) {
                        // a column of its own is renamed alone: only where nothing may compare it to another
                        throw new IllegalArgumentException(name + ": " + ref + " must be renamed, so it needs a "
                                + "domain");
                    }
                    renamed.add(ref);
                }
                if (isPermutable(table.rule(), column.name())) {
                    permutable.add(ref);
                }
            }
        }
        for (WorldTable table : tables) {
            for (WorldColumn column : table.columns()) {
                if (column.domain().isEmpty()) {
                    continue;
                }
                boolean inRenamedDomain = renamedDomains.contains(column.domain().get());
                if (inRenamedDomain != renamed.contains(new Ref(table.name(), column.name()))) {
                    throw new IllegalArgumentException(name + ": " + table.name() + "." + column.name() + " is in a "
                            + "renamed domain but its rule lets it be used otherwise (or the reverse); a renaming "
                            + "would change legitimate results");
                }
            }
        }
        checkPrefixes();
    }

    /** Values of a domain start with its prefix; no other string of the world may. */
    private void checkPrefixes() {
        for (WorldTable table : tables) {
            for (int i = 0; i < table.columns().size(); i++) {
                WorldColumn column = table.columns().get(i);
                for (List<Object> row : table.rows()) {
                    if (!(row.get(i) instanceof String value)) {
                        continue;
                    }
                    for (Domain domain : renamedDomains) {
                        boolean own = column.domain().equals(Optional.of(domain));
                        boolean starts = !value.isEmpty() && value.charAt(0) == domain.prefix();
                        if (own != starts) {
                            throw new IllegalArgumentException(name + ": value of " + table.name() + "."
                                    + column.name() + (own ? " does not start" : " starts") + " with the prefix of "
                                    + "domain " + domain.name());
                        }
                    }
                }
            }
        }
    }

    private static boolean isRenamed(AnalysisRulePolicy rule, String column) {
        if (rule instanceof AnalysisRulePolicy.Aggregation aggregation) {
            return contains(aggregation.joinColumns(), column);
        }
        if (rule instanceof AnalysisRulePolicy.ListRule list) {
            return contains(list.joinColumns(), column);
        }
        Custom custom = (Custom) rule;
        if (isIdentity(custom, column)) {
            return true;
        }
        return contains(custom.disallowedOutputColumns(), column) && custom.comparisonControls() != null
                && !contains(custom.comparisonControls().allowedLiteralComparisonColumns(), column);
    }

    private static boolean isColumnComparable(AnalysisRulePolicy rule, String column) {
        return !(rule instanceof Custom custom) || custom.comparisonControls() == null
                || contains(custom.comparisonControls().allowedColumnComparisonColumns(), column);
    }

    private static boolean isPermutable(AnalysisRulePolicy rule, String column) {
        return rule instanceof Custom custom && contains(custom.disallowedOutputColumns(), column)
                && !isIdentity(custom, column);
    }

    static boolean isIdentity(Custom rule, String column) {
        for (AggregationThreshold threshold : rule.aggregationThresholds()) {
            if (contains(threshold.identityColumns(), column)) {
                return true;
            }
        }
        return false;
    }

    static boolean contains(List<String> names, String name) {
        return names.stream().anyMatch(n -> n.equalsIgnoreCase(name));
    }

    String name() {
        return name;
    }

    String description() {
        return description;
    }

    AccountId runner() {
        return runner;
    }

    Optional<QueryRequest.Template> template() {
        return template;
    }

    TableFormat format() {
        return format;
    }

    List<WorldTable> tables() {
        return tables;
    }

    AnalysisRuleType ruleType() {
        return tables.get(0).rule().type();
    }

    WorldTable table(String table) {
        return tables.stream().filter(t -> t.name().equalsIgnoreCase(table)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no table " + table));
    }

    List<TableSpec> specs() {
        return tables.stream().map(WorldTable::spec).toList();
    }

    /** Columns whose values the renamed variant renames. */
    Set<Ref> renamed() {
        return renamed;
    }

    Set<Domain> renamedDomains() {
        return renamedDomains;
    }

    /** Disallowed output columns the permuted variant may permute. */
    Set<Ref> permutable() {
        return permutable;
    }

    QueryRequest request(String sql) {
        return new QueryRequest(sql, runner, specs(), template);
    }

    @Override
    public String toString() {
        return name;
    }
}
