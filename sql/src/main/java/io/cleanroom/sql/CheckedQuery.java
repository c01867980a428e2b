package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.ExecutableQuery;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.TableBinding;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;

/**
 * A query that passed query control, rewritten and rendered in its engine's dialect. Only
 * {@link QueryChecker} creates one; its SQL is rendered from the checked tree. Binding its tables
 * to their data turns it into the {@link ExecutableQuery} an engine runs.
 */
public final class CheckedQuery {
    private final String sql;
    private final Dialect dialect;
    private final AnalysisRuleType ruleType;
    private final List<String> tables;
    private final List<String> outputColumns;
    private final List<String> addedConstraints;
    private final java.util.Map<String, List<io.cleanroom.core.model.ColumnFilter>> filters;
    private final java.util.Optional<DifferentialPrivacyPlan> differentialPrivacy;

    CheckedQuery(SqlNode tree, Dialect dialect, AnalysisRuleType ruleType, List<String> tables,
            List<String> outputColumns, List<String> addedConstraints,
            java.util.Map<String, List<io.cleanroom.core.model.ColumnFilter>> filters,
            java.util.Optional<DifferentialPrivacyPlan> differentialPrivacy) {
        this.filters = java.util.Map.copyOf(filters);
        this.dialect = requireNonNull(dialect, "dialect is null");
        String rendered = render(requireNonNull(tree, "tree is null"), calcite(dialect));
        this.sql = dialect == Dialect.SPARK ? SparkDialect.checked(rendered) : rendered;
        this.ruleType = requireNonNull(ruleType, "ruleType is null");
        this.tables = List.copyOf(tables);
        this.outputColumns = List.copyOf(outputColumns);
        this.addedConstraints = List.copyOf(addedConstraints);
        this.differentialPrivacy = requireNonNull(differentialPrivacy, "differentialPrivacy is null");
    }

    /**
     * For a query that reads a table with differential privacy: how to release its answer. Its SQL
     * then returns exact statistics per group, never an answer: only the query stage, which adds the
     * noise and spends the budget, may turn them into one.
     */
    public java.util.Optional<DifferentialPrivacyPlan> differentialPrivacy() {
        return differentialPrivacy;
    }

    public AnalysisRuleType ruleType() {
        return ruleType;
    }

    /** The collaboration tables the query reads (association names). */
    public List<String> tables() {
        return tables;
    }

    /** The columns the SQL returns (for a differentially private query, the plan's keys and statistics). */
    public List<String> outputColumns() {
        return outputColumns;
    }

    /**
     * The conditions the query places on a table's columns that every row of it must meet to count
     * ({@link Filters}): a reader may skip partitions, objects or rows that cannot meet them. Empty
     * when the query reads the table more than once, or places none.
     */
    public List<io.cleanroom.core.model.ColumnFilter> filters(String table) {
        return filters.getOrDefault(table.toLowerCase(Locale.ROOT), List.of());
    }

    /** The output constraints the rewrite added, e.g. "COUNT(DISTINCT t.user_id) >= 100". */
    public List<String> addedConstraints() {
        return addedConstraints;
    }

    /** The SQL to run, in {@link #dialect()}, with every identifier quoted. */
    public String sql() {
        return sql;
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * The query an engine runs: this SQL with each table it reads bound to its allowed columns
     * and its data, exactly those tables.
     */
    public ExecutableQuery executable(List<TableBinding> bindings, Limits limits) {
        Set<String> bound = new TreeSet<>();
        bindings.forEach(b -> bound.add(b.name().toLowerCase(Locale.ROOT)));
        Set<String> read = new TreeSet<>();
        tables.forEach(t -> read.add(t.toLowerCase(Locale.ROOT)));
        if (!bound.equals(read) || bound.size() != bindings.size()) {
            throw new IllegalArgumentException("the query reads " + read + " but the bindings are " + bound);
        }
        return ExecutableQuery.issue(sql, dialect, bindings, outputColumns, limits);
    }

    static SqlDialect calcite(Dialect dialect) {
        return switch (dialect) {
            case DUCKDB -> PostgresqlSqlDialect.DEFAULT;
            case SPARK -> SparkDialect.DEFAULT;
        };
    }

    static String render(SqlNode tree, SqlDialect dialect) {
        return tree.toSqlString(c -> c.withDialect(dialect).withQuoteAllIdentifiers(true)).getSql();
    }

    @Override
    public String toString() {
        return "CheckedQuery[" + ruleType + ", " + dialect + ", tables=" + tables + "]";
    }
}
