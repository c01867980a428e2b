package io.cleanroom.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.conformance.EngineConformanceSuite;
import io.cleanroom.engine.spi.conformance.QueryControlFixture;
import io.cleanroom.sql.CorpusQueryControl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The engine conformance suite on embedded DuckDB. */
class DuckDbConformanceIT extends EngineConformanceSuite {
    private final DuckDbEngine engine = new DuckDbEngine();
    private final CorpusQueryControl control = new CorpusQueryControl();

    @Override
    protected QueryEngine engine() {
        return engine;
    }

    @Override
    protected QueryControlFixture queryControl() {
        return control;
    }

    /** Raw SQL on the locked-down connection the engine builds for a query. */
    @Override
    protected void executeUnchecked(String sql, List<TableBinding> tables, ResultSink sink) throws Exception {
        try (Connection c = DuckDbEngine.sandbox(tables, limits()); Statement s = c.createStatement()) {
            if (s.execute(sql)) {
                try (ResultSet rs = s.getResultSet()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>();
                        for (int i = 1; i <= n; i++) {
                            row.add(rs.getObject(i));
                        }
                        sink.row(row);
                    }
                }
            }
        }
    }

    @Override
    protected List<String> escapes(Path secret, Path directory) {
        return List.of("SELECT * FROM read_csv('" + secret + "')", "SELECT * FROM read_csv('/etc/passwd')",
                "SELECT * FROM read_text('" + secret + "')", "SELECT * FROM read_csv('/proc/self/fd/*')",
                "SELECT * FROM glob('" + directory + "/*')",
                "COPY mine TO '" + directory.resolve("out.csv") + "'", "ATTACH '" + directory.resolve("x.db") + "'",
                "INSTALL httpfs", "LOAD httpfs", "SET enable_external_access = true", "SET allowed_paths = ['/']",
                "SET memory_limit = '20GB'", "SET lock_configuration = false");
    }

    /** DuckDB's memory limit holds per query: 16 MB cannot sort the join. */
    @Override
    protected void memoryOutcome(Outcome hungry) {
        assertThat(hungry.failure()).isEqualTo(OUT_OF_MEMORY);
    }
}
