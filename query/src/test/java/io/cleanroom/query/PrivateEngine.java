package io.cleanroom.query;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.EngineFactory;
import io.cleanroom.engine.spi.EngineSettings;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import io.cleanroom.privacy.Calibration;
import io.cleanroom.privacy.ExactSampler;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The path of a differentially private query below the server, for engine-level tests: query
 * control checks and rewrites it, DuckDB (over CSV files the test's rows are written to) computes the bounded
 * statistics, and {@link NoisyRelease} adds the noise, with randomness the test chooses. No budget,
 * no answer cache: each release draws fresh noise.
 */
final class PrivateEngine implements AutoCloseable {
    static final AccountId PUBLISHER = new AccountId("111111111111");
    static final AccountId ADVERTISER = new AccountId("222222222222");
    static final AnalysisRulePolicy.Custom DP = new AnalysisRulePolicy.Custom(List.of(AnalysisRulePolicy.Custom.ANY_QUERY),
            List.of(ADVERTISER), null, List.of(), "user_id", List.of(), null);
    static final AnalysisRulePolicy.Custom PLAIN = new AnalysisRulePolicy.Custom(
            List.of(AnalysisRulePolicy.Custom.ANY_QUERY), List.of(ADVERTISER), null, List.of(), null, List.of(), null);
    private static final Limits LIMITS = new Limits(256L << 20, 1, Duration.ofMinutes(2), Long.MAX_VALUE);

    private final QueryEngine engine = EngineFactory.find("duckdb").orElseThrow()
            .create(new EngineSettings(Map.of()));
    private final QueryChecker checker = new QueryChecker();
    private final java.nio.file.Path directory;

    PrivateEngine() {
        try {
            directory = java.nio.file.Files.createTempDirectory("private-engine");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What the engine returned: its columns and rows. */
    record Output(List<ResultSink.Column> columns, List<List<Object>> rows) {
    }

    static TableSpec table(String name, AccountId owner, AnalysisRulePolicy rule, List<Column> columns,
            Map<String, String> tableParameters, Map<String, Map<String, String>> columnParameters) {
        return new TableSpec(name, owner, columns, Optional.of(rule), true, Optional.empty(), List.of(),
                new TableSpec.CatalogParameters(tableParameters, columnParameters));
    }

    CheckedQuery check(String sql, List<TableSpec> tables) {
        return checker.check(new QueryRequest(sql, ADVERTISER, tables, Optional.empty(), List.of(), Dialect.DUCKDB));
    }

    /** Runs a checked query over the given rows of each table (by name). */
    Output run(CheckedQuery query, List<TableSpec> tables, Map<String, List<List<Object>>> data) {
        List<TableBinding> bindings = new ArrayList<>();
        for (TableSpec table : tables) {
            if (!query.tables().contains(table.name())) {
                continue;
            }
            bindings.add(new TableBinding(table.name(), table.columns().stream()
                    .map(c -> new BoundColumn(c.name(), ColumnType.parse(c.type()))).toList(),
                    new TableSource.Files(List.of(csv(table, data.get(table.name())).toUri()),
                            io.cleanroom.core.model.TableFormat.CSV)));
        }
        List<ResultSink.Column> columns = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        engine.execute(query.executable(bindings, LIMITS), new ResultSink() {
            @Override
            public void columns(List<ResultSink.Column> c) {
                columns.addAll(c);
            }

            @Override
            public void row(List<Object> values) {
                rows.add(values);
            }
        }, Cancellation.NEVER);
        return new Output(columns, rows);
    }

    /** Releases an engine output with fresh noise from the sampler, as the query stage does. */
    static Output release(CheckedQuery query, Output exact, Calibration calibration, ExactSampler sampler) {
        NoisyRelease release = new NoisyRelease(query.differentialPrivacy().orElseThrow(), calibration, sampler,
                100_000);
        release.columns(exact.columns());
        exact.rows().forEach(release::row);
        List<List<Object>> rows = release.resultRows();
        return new Output(release.resultColumns(), rows);
    }

    /**
     * The rows as a CSV file with a header (an empty cell is NULL), which DuckDB reads much faster
     * than rows handed to it one by one. Values hold no comma, quote or line break.
     */
    private java.nio.file.Path csv(TableSpec table, List<List<Object>> rows) {
        StringBuilder text = new StringBuilder(String.join(",", table.columns().stream().map(Column::name)
                .toList())).append('\n');
        for (List<Object> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                text.append(i == 0 ? "" : ",").append(row.get(i) == null ? "" : row.get(i));
            }
            text.append('\n');
        }
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile(directory, table.name(), ".csv");
            java.nio.file.Files.writeString(file, text);
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        engine.close();
        try (var files = java.nio.file.Files.list(directory)) {
            for (java.nio.file.Path file : files.toList()) {
                java.nio.file.Files.delete(file);
            }
            java.nio.file.Files.delete(directory);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
