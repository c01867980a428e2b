package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ColumnFilter;
import io.cleanroom.core.model.ColumnFilter.Literal;
import io.cleanroom.core.model.ColumnFilter.Literal.Kind;
import io.cleanroom.core.model.ColumnFilter.Operator;
import io.cleanroom.core.model.S3Location;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class S3LayoutTest {
    private static final S3Location FOLDER = S3Location.parse("s3://lake/t/").location().orElseThrow();
    private static final List<Column> DT = List.of(new Column("dt", "date"));

    private static ColumnFilter filter(String column, Operator operator, Kind kind, String... values) {
        return new ColumnFilter(column, operator, Arrays.stream(values).map(v -> new Literal(kind, v)).toList());
    }

    @Test
    void objectsAreDataUnlessHiddenAndLieInTheirPartitionFolders() {
        assertThat(S3Layout.segments(FOLDER, "t/_SUCCESS")).isEmpty();
        assertThat(S3Layout.segments(FOLDER, "t/_temporary/x.parquet")).isEmpty();
        assertThat(S3Layout.segments(FOLDER, "t/.hidden/x")).isEmpty();
        assertThat(S3Layout.segments(FOLDER, "tt/x.parquet")).isEmpty();
        List<String> segments = S3Layout.segments(FOLDER, "t/DT=2026-11-01/country=FR/part-0.parquet").orElseThrow();
        assertThat(S3Layout.keysOf(segments)).containsExactly("dt", "country");
        assertThat(S3Layout.values(segments, List.of("dt", "country"))).contains(List.of("2026-11-01", "FR"));
        assertThat(S3Layout.values(segments, List.of("country", "dt"))).isEmpty();
        assertThat(S3Layout.values(S3Layout.segments(FOLDER, "t/part-0.parquet").orElseThrow(), List.of("dt")))
                .isEmpty();
        // Hive's escapes and its NULL partition
        assertThat(S3Layout.values(S3Layout.segments(FOLDER, "t/city=S%C3%A3o%20Paulo%2FSP/x").orElseThrow(),
                List.of("city"))).contains(List.of("São Paulo/SP"));
        assertThat(S3Layout.values(S3Layout.segments(FOLDER, "t/dt=__HIVE_DEFAULT_PARTITION__/x").orElseThrow(),
                List.of("dt"))).contains(Arrays.asList((String) null));
    }

    @Test
    void typesFromTheValues() {
        assertThat(S3Layout.typeOf(List.of("2026-11-01", "2026-11-02"))).isEqualTo("date");
        assertThat(S3Layout.typeOf(Arrays.asList("1", "-20", null))).isEqualTo("bigint");
        assertThat(S3Layout.typeOf(List.of("2026-11-01", "x"))).isEqualTo("string");
        assertThat(S3Layout.typeOf(List.of("2026-13-01"))).isEqualTo("string");
    }

    @Test
    void aPartitionIsSkippedOnlyWhenAFilterIsCertainlyFalse() {
        ColumnFilter day = filter("dt", Operator.EQ, Kind.DATE, "2026-11-02");
        assertThat(S3Layout.keep(List.of("2026-11-02"), DT, List.of(day))).isTrue();
        assertThat(S3Layout.keep(List.of("2026-11-01"), DT, List.of(day))).isFalse();
        assertThat(S3Layout.keep(Arrays.asList((String) null), DT, List.of(day))).isFalse();
        // a value that does not read cleanly as a date: the engine decides
        assertThat(S3Layout.keep(List.of("2026-11-1"), DT, List.of(day))).isTrue();
        assertThat(S3Layout.keep(List.of("x"), DT, List.of(day))).isTrue();
        ColumnFilter range = filter("dt", Operator.BETWEEN, Kind.STRING, "2026-11-02", "2026-11-04");
        assertThat(S3Layout.keep(List.of("2026-11-04"), DT, List.of(range))).isTrue();
        assertThat(S3Layout.keep(List.of("2026-11-05"), DT, List.of(range))).isFalse();
        assertThat(S3Layout.keep(List.of("2026-11-05"), DT, List.of(filter("dt", Operator.IN, Kind.DATE,
                "2026-11-01", "2026-11-05")))).isTrue();
        // a filter on another column, or of another kind, prunes nothing
        assertThat(S3Layout.keep(List.of("2026-11-01"), DT, List.of(filter("segment", Operator.EQ, Kind.STRING,
                "x")))).isTrue();
        assertThat(S3Layout.keep(List.of("2026-11-01"), DT, List.of(filter("dt", Operator.EQ, Kind.NUMBER, "1"))))
                .isTrue();
        List<Column> n = List.of(new Column("n", "bigint"));
        assertThat(S3Layout.keep(List.of("007"), n, List.of(filter("n", Operator.EQ, Kind.NUMBER, "7")))).isTrue();
        assertThat(S3Layout.keep(List.of("8"), n, List.of(filter("n", Operator.LT, Kind.NUMBER, "7.5")))).isFalse();
        assertThat(S3Layout.keep(List.of("+7"), n, List.of(filter("n", Operator.EQ, Kind.NUMBER, "8")))).isTrue();
        List<Column> s = List.of(new Column("c", "string"));
        assertThat(S3Layout.keep(List.of("b"), s, List.of(filter("c", Operator.GT, Kind.STRING, "a")))).isTrue();
        assertThat(S3Layout.keep(List.of("B"), s, List.of(filter("c", Operator.GT, Kind.STRING, "a")))).isFalse();
        // code points, as the engines compare: U+1F600 sorts after U+FFFD (UTF-16 order would not)
        assertThat(S3Layout.keep(List.of("\uD83D\uDE00"), s, List.of(filter("c", Operator.GT, Kind.STRING,
                "\uFFFD")))).isTrue();
        List<Column> d = List.of(new Column("x", "double"));
        assertThat(S3Layout.keep(List.of("1.0"), d, List.of(filter("x", Operator.EQ, Kind.NUMBER, "2")))).isTrue();
        assertThat(Optional.ofNullable(S3Layout.holds("1", "timestamp", filter("t", Operator.EQ, Kind.TIMESTAMP,
                "2026-11-01 00:00:00")))).isEmpty();
    }

    /**
     * Attack pass 2: the engine reads a partition value as the column's type, rounded to its scale
     * (TRY_CAST('2.499' AS DECIMAL(10,2)) is 2.50), so a filter amount >= 2.5 holds of it there;
     * compared as written, 2.499 was pruned, and the count told rows apart by digits the column's
     * type hides. A value with more digits than the scale is left to the engine.
     */
    @Test
    void aDecimalPartitionWithMoreDigitsThanItsScaleIsLeftToTheEngine() {
        List<Column> amount = List.of(new Column("amount", "decimal(10,2)"));
        ColumnFilter atLeast = filter("amount", Operator.GE, Kind.NUMBER, "2.5");
        assertThat(S3Layout.keep(List.of("2.499"), amount, List.of(atLeast))).isTrue();
        assertThat(S3Layout.keep(List.of("2.490"), amount, List.of(atLeast))).isFalse();
        assertThat(S3Layout.keep(List.of("2.40"), amount, List.of(atLeast))).isFalse();
        assertThat(S3Layout.keep(List.of("2.5"), amount, List.of(atLeast))).isTrue();
        assertThat(S3Layout.keep(List.of("3"), List.of(new Column("amount", "decimal(10,0)")),
                List.of(filter("amount", Operator.LT, Kind.NUMBER, "3")))).isFalse();
        assertThat(S3Layout.keep(List.of("2.6"), List.of(new Column("amount", "decimal(10,0)")),
                List.of(filter("amount", Operator.LT, Kind.NUMBER, "3")))).isTrue();
    }
}
