package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tables whose names differ only in case (stored before association names had to differ in more):
 * a query naming them is refused whatever order the tables come in; other queries still run.
 */
class AmbiguousNamesTest {
    private static final String OVERLAP = "SELECT a.campaign, COUNT(DISTINCT a.user_id_hash) "
            + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
            + "GROUP BY a.campaign";

    /** The tutorial tables plus a third member's PUBLISHER_AUDIENCE, first or last. */
    private static List<TableSpec> withDuplicate(boolean first) {
        TableSpec publisher = Fixtures.aggregation().get(0);
        TableSpec duplicate = new TableSpec("PUBLISHER_AUDIENCE", Fixtures.THIRD, publisher.columns(),
                publisher.rule(), true);
        List<TableSpec> tables = new ArrayList<>(Fixtures.aggregation());
        tables.add(first ? 0 : tables.size(), duplicate);
        return tables;
    }

    private static CleanroomException refusal(String sql, List<TableSpec> tables) {
        return catchThrowableOfType(CleanroomException.class, () -> new QueryChecker().check(
                QueryRequest.adHoc(sql, Fixtures.ADVERTISER, tables)));
    }

    @Test
    void queryNamingAnAmbiguousTableIsRefusedInEitherOrder() {
        for (boolean first : List.of(true, false)) {
            CleanroomException e = refusal(OVERLAP, withDuplicate(first));
            assertThat(e).as("duplicate first: " + first).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
            assertThat(e.getMessage()).isEqualTo("Table name publisher_audience is ambiguous: the collaboration has "
                    + "tables PUBLISHER_AUDIENCE (account 333333333333) and publisher_audience (account "
                    + "111111111111), whose names differ only in case. "
                    + "Their owners must rename all but one of these associations (delete it and associate the "
                    + "table again under another name)");
        }
    }

    @Test
    void everySpellingAndPlaceOfTheNameIsRefused() {
        List<TableSpec> tables = withDuplicate(false);
        for (String sql : List.of(
                OVERLAP.replace("publisher_audience p", "PUBLISHER_AUDIENCE p"),
                OVERLAP.replace("publisher_audience p", "\"PUBLISHER_AUDIENCE\" p"),
                OVERLAP.replace("publisher_audience p", "Publisher_Audience p"),
                "SELECT a.campaign, COUNT(DISTINCT a.user_id_hash) FROM advertiser_audience a WHERE a.user_id_hash "
                        + "IN (SELECT user_id_hash FROM publisher_audience) GROUP BY a.campaign")) {
            CleanroomException e = refusal(sql, tables);
            assertThat(e).as(sql).isNotNull();
            assertThat(e.getMessage()).as(sql).startsWith("Table name publisher_audience is ambiguous");
        }
    }

    @Test
    void queryNotNamingTheAmbiguousTableRuns() {
        String sql = "SELECT a.campaign, COUNT(DISTINCT a.user_id_hash) FROM advertiser_audience a "
                + "JOIN partner_tiers t ON a.user_id_hash = t.user_id_hash GROUP BY a.campaign";
        CheckedQuery checked = new QueryChecker().check(QueryRequest.adHoc(sql, Fixtures.ADVERTISER,
                withDuplicate(true)));
        assertThat(checked.tables()).containsExactly("advertiser_audience", "partner_tiers");
    }
}
