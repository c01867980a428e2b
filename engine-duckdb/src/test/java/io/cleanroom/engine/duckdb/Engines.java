package io.cleanroom.engine.duckdb;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnType;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.engine.spi.BoundColumn;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.ResultSink;
import io.cleanroom.engine.spi.TableBinding;
import io.cleanroom.engine.spi.TableSource;
import io.cleanroom.sql.CheckedQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** What the engine tests hand the engine: tables over files, limits, sinks and cancellations. */
final class Engines {
    private Engines() {
    }

    /** A table over files, its allowed columns with Glue type names. */
    record Table(String name, List<Path> files, TableFormat format, List<Column> columns) {
        TableBinding binding() {
            return new TableBinding(name, columns.stream().map(c -> new BoundColumn(c.name(), ColumnType.parse(c.type())))
                    .toList(), new TableSource.Files(files.stream().map(Path::toUri).toList(), format));
        }
    }

    static List<TableBinding> bind(Collection<Table> tables) {
        List<TableBinding> out = new ArrayList<>();
        tables.forEach(t -> out.add(t.binding()));
        return out;
    }

    /** Limits with the memory in DuckDB's syntax (512MB, 2GB), a minute and a million rows. */
    static Limits limits(String memory, int threads) {
        long mb = memory.endsWith("GB") ? Long.parseLong(memory.replace("GB", "")) * 1024
                : Long.parseLong(memory.replace("MB", ""));
        return new Limits(mb << 20, threads, Duration.ofMinutes(1), 1_000_000);
    }

    /** Runs a checked query with the named tables bound. */
    static void execute(DuckDbEngine engine, CheckedQuery query, Map<String, Table> tables, Limits limits,
            ResultSink sink, Cancellation cancellation) {
        List<Table> read = query.tables().stream().map(tables::get).toList();
        engine.execute(query.executable(bind(read), limits), sink, cancellation);
    }

    static Cancellation never() {
        return Cancellation.NEVER;
    }

    /** A sink adding every row to rows, ignoring the columns. */
    static ResultSink rowsInto(List<List<Object>> rows) {
        return new ResultSink() {
            @Override
            public void columns(List<ResultSink.Column> columns) {
            }

            @Override
            public void row(List<Object> values) {
                rows.add(values);
            }
        };
    }
}
