package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReceiversTest {
    private static final String SQL = "SELECT a.campaign, COUNT(*) FROM advertiser_audience a "
            + "JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash GROUP BY a.campaign";

    private static List<TableSpec> tables(List<AccountId> publisherReceivers) {
        List<TableSpec> out = new ArrayList<>();
        for (TableSpec t : Fixtures.aggregation()) {
            out.add(t.name().equals("publisher_audience")
                    ? new TableSpec(t.name(), t.owner(), t.columns(), t.rule(), t.ready(),
                            Optional.of(publisherReceivers))
                    : t);
        }
        return out;
    }

    @Test
    void receiversMustBeAllowedByEveryReferencedTable() {
        QueryRequest allowed = new QueryRequest(SQL, Fixtures.ADVERTISER, tables(List.of(Fixtures.ADVERTISER)),
                Optional.empty(), List.of(Fixtures.ADVERTISER));
        assertThat(new QueryChecker().check(allowed).tables()).hasSize(2);
        QueryRequest refused = new QueryRequest(SQL, Fixtures.ADVERTISER, tables(List.of(Fixtures.ADVERTISER)),
                Optional.empty(), List.of(Fixtures.ADVERTISER, Fixtures.THIRD));
        assertThat(catchThrowableOfType(CleanroomException.class, () -> new QueryChecker().check(refused))
                .getMessage()).contains("Account 333333333333 is not allowed to receive results of queries on table "
                        + "publisher_audience");
    }
}
