package io.cleanroom.sources;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.model.ColumnFilter;
import io.cleanroom.core.model.ColumnType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which filters PostgreSQL gets: only those it evaluates as the engine would on the values the engine reads. */
class PostgresPushDownTest {
    private static final ColumnFilter AT_LEAST = new ColumnFilter("amount", ColumnFilter.Operator.GE,
            List.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.NUMBER, "2.5")));

    private static PostgresDatabase.Export amount(String databaseType) {
        return new PostgresDatabase.Export("amount", "amount", ColumnType.parse("decimal(10,2)"), databaseType);
    }

    /**
     * Attack pass 2: the engine reads 2.499 of a numeric(12,4) column, catalogued as decimal(10,2),
     * as 2.50, which amount >= 2.5 keeps; PostgreSQL compared the stored 2.499 and dropped the row,
     * so the answer counted rows by digits the catalog's type hides. Only a column that holds no
     * more digits than the catalog's scale gets the condition.
     */
    @Test
    void aNumericWithMoreDigitsThanTheCatalogsScaleIsLeftToTheEngine() {
        assertThat(PostgresDatabase.pushDown(amount("numeric(12,4)"), AT_LEAST)).isEmpty();
        assertThat(PostgresDatabase.pushDown(amount("numeric"), AT_LEAST)).isEmpty();
        assertThat(PostgresDatabase.pushDown(amount("numeric(10,2)"), AT_LEAST)).hasValueSatisfying(c ->
                assertThat(c.sql()).isEqualTo("\"amount\" >= ?"));
        assertThat(PostgresDatabase.pushDown(amount("numeric(8,1)"), AT_LEAST)).isPresent();
    }

    @Test
    void textRangesCompareInByteOrderAndOtherTypesAreLeftAlone() {
        ColumnFilter below = new ColumnFilter("name", ColumnFilter.Operator.LT,
                List.of(new ColumnFilter.Literal(ColumnFilter.Literal.Kind.STRING, "a")));
        PostgresDatabase.Export text = new PostgresDatabase.Export("name", "name", ColumnType.parse("string"), "text");
        assertThat(PostgresDatabase.pushDown(text, below)).hasValueSatisfying(c ->
                assertThat(c.sql()).isEqualTo("\"name\" COLLATE \"C\" < ?"));
        // character(n) pads: not compared there
        assertThat(PostgresDatabase.pushDown(new PostgresDatabase.Export("name", "name", ColumnType.parse("string"),
                "character(5)"), below)).isEmpty();
        // a number against a text column is the engine's to compare
        assertThat(PostgresDatabase.pushDown(text, AT_LEAST)).isEmpty();
    }
}
