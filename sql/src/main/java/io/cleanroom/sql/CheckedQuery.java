package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AnalysisRuleType;
import java.util.List;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.dialect.PostgresqlSqlDialect;

/**
 * A query that passed query control, with its rewrite applied. Only {@link QueryChecker} creates
 * one, and it is the only thing an engine accepts: its SQL text is rendered from the checked tree.
 */
public final class CheckedQuery {
    private final SqlNode tree;
    private final AnalysisRuleType ruleType;
    private final List<String> tables;
    private final List<String> outputColumns;
    private final List<String> addedConstraints;

    CheckedQuery(SqlNode tree, AnalysisRuleType ruleType, List<String> tables, List<String> outputColumns,
            List<String> addedConstraints) {
        this.tree = requireNonNull(tree, "tree is null");
        this.ruleType = requireNonNull(ruleType, "ruleType is null");
        this.tables = List.copyOf(tables);
        this.outputColumns = List.copyOf(outputColumns);
        this.addedConstraints = List.copyOf(addedConstraints);
    }

    public AnalysisRuleType ruleType() {
        return ruleType;
    }

    /** The collaboration tables the query reads (association names). */
    public List<String> tables() {
        return tables;
    }

    public List<String> outputColumns() {
        return outputColumns;
    }

    /** The output constraints the rewrite added, e.g. "COUNT(DISTINCT t.user_id) >= 100". */
    public List<String> addedConstraints() {
        return addedConstraints;
    }

    /** The SQL to run, in the given dialect, with every identifier quoted. */
    public String sql(SqlDialect dialect) {
        return render(tree, dialect);
    }

    static String render(SqlNode tree, SqlDialect dialect) {
        return tree.toSqlString(c -> c.withDialect(dialect).withQuoteAllIdentifiers(true)).getSql();
    }

    /** The SQL in the PostgreSQL-like dialect that DuckDB reads. */
    public String sql() {
        return sql(PostgresqlSqlDialect.DEFAULT);
    }

    @Override
    public String toString() {
        return "CheckedQuery[" + ruleType + ", tables=" + tables + "]";
    }
}
