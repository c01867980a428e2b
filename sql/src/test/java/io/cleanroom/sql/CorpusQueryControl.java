package io.cleanroom.sql;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.ExecutableQuery;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.conformance.QueryControlFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Query control for the engine conformance suite (engine-spi's test jar): the checker, the corpus's
 * allowed cases with their fixtures, and the allow-list's operators. Engine modules get it from
 * this module's test jar.
 */
public final class CorpusQueryControl implements QueryControlFixture {
    /** Operators only the plan uses (Calcite makes them from other syntax) or that have no syntax of their own. */
    private static final Set<String> INTERNAL = Set.of("SEARCH", "SINGLE_VALUE", "$SUM0", "GROUPING", "ITEM",
            "IS UNKNOWN", "IS NOT UNKNOWN");

    @Override
    public Checked check(String sql, AccountId runner, List<RuledTable> tables, Optional<String> templateArn,
            Dialect dialect) {
        List<TableSpec> specs = tables.stream().map(t -> new TableSpec(t.name(), t.owner(), t.columns(), t.rule(),
                true)).toList();
        CheckedQuery checked = new QueryChecker().check(new QueryRequest(sql, runner, specs,
                templateArn.map(arn -> new QueryRequest.Template(arn, List.of(), Map.of())), List.of(), dialect));
        return new Checked() {
            @Override
            public String sql() {
                return checked.sql();
            }

            @Override
            public List<String> tables() {
                return checked.tables();
            }

            @Override
            public ExecutableQuery executable(List<TableBinding> bindings, Limits limits) {
                return checked.executable(bindings, limits);
            }
        };
    }

    @Override
    public List<CorpusCase> allowedCorpus() {
        try {
            return CorpusTest.load().stream().filter(CorpusTest.Case::allow).map(c -> new CorpusCase(c.toString(),
                    c.tables(), Fixtures.SETS.get(c.tables()).get().stream().filter(TableSpec::ready)
                            .map(t -> new RuledTable(t.name(), t.owner(), t.columns(), t.rule())).toList(),
                    Fixtures.account(c.runner()), c.sql(), c.template() ? Optional.of(Fixtures.TEMPLATE)
                            : Optional.empty())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Set<String> allowedOperators() {
        Set<String> out = new TreeSet<>();
        QueryChecker.allowList().forEach(op -> out.add(op.name()));
        out.removeAll(INTERNAL);
        return out;
    }
}
