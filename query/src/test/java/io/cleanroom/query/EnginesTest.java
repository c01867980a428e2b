package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.Column;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Dialect;
import io.cleanroom.engine.spi.ExecutableQuery;
import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.engine.spi.ResultSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnginesTest {
    /** An engine that runs nothing; with schemas, it reads Parquet schemas. */
    private static final class Fake implements QueryEngine {
        private final String name;
        private final boolean schemas;
        final List<String> closed = new ArrayList<>();

        Fake(String name, boolean schemas) {
            this.name = name;
            this.schemas = schemas;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Dialect dialect() {
            return Dialect.SPARK;
        }

        @Override
        public void execute(ExecutableQuery query, ResultSink sink, Cancellation cancellation) {
        }

        @Override
        public List<Column> parquetColumns(List<Path> files) {
            if (!schemas) {
                return QueryEngine.super.parquetColumns(files);
            }
            return List.of(new Column("read by " + name, "string"));
        }

        @Override
        public void close() {
            closed.add(name);
        }
    }

    @Test
    void anOptionalAbilityComesFromTheFirstEngineThatHasIt() {
        Fake spark = new Fake("spark", false);
        Fake duckdb = new Fake("duckdb", true);
        Engines engines = new Engines(Map.of("spark", spark, "duckdb", duckdb), "spark");
        assertThat(engines.abilities().parquetColumns(List.of())).extracting(Column::name)
                .containsExactly("read by duckdb");
        Engines sparkAlone = new Engines(Map.of("spark", new Fake("spark", false)), "spark");
        assertThatThrownBy(() -> sparkAlone.abilities().parquetColumns(List.of()))
                .isInstanceOf(CleanroomException.class).hasMessageContaining("does not support reading Parquet");
        engines.close();
        assertThat(spark.closed).containsExactly("spark");
        assertThat(duckdb.closed).containsExactly("duckdb");
    }

    @Test
    void theDefaultEngineMustBeOneThatRuns() {
        assertThatThrownBy(() -> new Engines(Map.of("duckdb", new Fake("duckdb", true)), "spark"))
                .hasMessageContaining("spark");
    }

    @Test
    void anEngineNotOnTheClassPathStopsTheStartNamingIt() {
        assertThatThrownBy(() -> Engines.start("nosuch", List.of("nosuch"), Map.of()))
                .isInstanceOf(CleanroomException.class).hasMessageContaining("The nosuch engine is not on the "
                        + "server's class path").hasMessageContaining("duckdb");
    }
}
