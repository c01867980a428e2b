package io.cleanroom.engine.spi.conformance;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Column;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.ExecutableQuery;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.TableBinding;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the conformance suite needs from query control, which engine-spi cannot depend on: checked
 * queries rendered in a dialect, the allowed cases of the query-control corpus, and the names of the
 * operators query control allows. Engine modules get it from sql's test jar.
 */
public interface QueryControlFixture {
    /** A table a query may reference: its name, owner, allowed columns (Glue types) and analysis rule. */
    record RuledTable(String name, AccountId owner, List<Column> columns, Optional<AnalysisRulePolicy> rule) {
        public RuledTable {
            requireNonNull(name, "name is null");
            requireNonNull(owner, "owner is null");
            columns = List.copyOf(columns);
            requireNonNull(rule, "rule is null");
        }
    }

    /** An allowed case of the corpus: the fixture's tables, who runs it, its SQL, its template if any. */
    record CorpusCase(String name, String fixture, List<RuledTable> tables, AccountId runner, String sql,
            Optional<String> templateArn) {
        public CorpusCase {
            tables = List.copyOf(tables);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A query that passed query control, rendered in one dialect. */
    interface Checked {
        /** The SQL as the engine gets it. */
        String sql();

        /** The tables it reads. */
        List<String> tables();

        /** The query bound to its tables' data, as query control issues it. */
        ExecutableQuery executable(List<TableBinding> bindings, Limits limits);
    }

    /** Checks the SQL as the runner against the tables and renders it for the dialect; throws when refused. */
    Checked check(String sql, AccountId runner, List<RuledTable> tables, Optional<String> templateArn,
            Dialect dialect);

    /** Every ALLOW case of the query-control corpus. */
    List<CorpusCase> allowedCorpus();

    /** The operators query control allows that have a syntax of their own (each needs a sample in the suite). */
    Set<String> allowedOperators();
}
