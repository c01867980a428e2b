package io.cleanroom.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.AssociationId;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.store.Kinds;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The migration that makes association names unique without regard to case: names that already
 * clash stay readable and updatable, every other row is held unique by the store. Each store runs
 * it (SqliteAssociationNamesMigrationIT, PostgresAssociationNamesMigrationIT).
 */
abstract class AssociationNamesMigrationSuite {
    private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");
    private final CollaborationId first = CollaborationId.random();
    private final CollaborationId second = CollaborationId.random();

    /** A JDBC URL of an empty database. */
    abstract String emptyDatabase() throws Exception;

    private static Association association(CollaborationId collaboration, String name) {
        return new Association(AssociationId.random(), MembershipId.random(), collaboration,
                new AccountId("111111111111"), ConfiguredTableId.random(), name, null,
                "arn:aws:iam::111111111111:role/r", NOW, NOW);
    }

    /** Inserts a row as the version 5 schema held it, before names were compared without case. */
    private static void insertAtVersion5(Connection c, Association a) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO associations (id, membership_id, "
                + "collaboration_id, configured_table_id, membership_name, collaboration_name, body) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, a.id().value());
            ps.setString(2, a.membershipId().value());
            ps.setString(3, a.collaborationId().value());
            ps.setString(4, a.configuredTableId().value());
            ps.setString(5, a.membershipId().value() + "/" + a.name());
            ps.setString(6, a.collaborationId().value() + "/" + a.name());
            ps.setString(7, new JsonCodec().write(a));
            ps.executeUpdate();
        }
    }

    private static java.util.List<Association> inCollaboration(JdbcStore store, CollaborationId id) {
        return store.inTransaction(tx -> tx.of(Kinds.ASSOCIATIONS).find("collaboration_id", id.value()));
    }

    private static java.util.Optional<Association> get(JdbcStore store, AssociationId id) {
        return store.inTransaction(tx -> tx.of(Kinds.ASSOCIATIONS).get(id.value()));
    }

    private static void insert(JdbcStore store, Association a) {
        store.inTransaction(tx -> {
            tx.of(Kinds.ASSOCIATIONS).insert(a);
            return null;
        });
    }

    @Test
    void clashingNamesStoredBeforeStayReadableAndNewOnesAreRefused() throws Exception {
        String url = emptyDatabase();
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target("5").load()
                .migrate();
        Association lower = association(first, "pub_audience");
        Association upper = association(first, "PUB_AUDIENCE");
        Association other = association(first, "other");
        Association elsewhere = association(second, "pub_audience");
        try (Connection c = DriverManager.getConnection(url)) {
            for (Association a : new Association[] {lower, upper, other, elsewhere}) {
                insertAtVersion5(c, a);
            }
        }
        try (JdbcStore store = JdbcStore.open(url, null, null)) {
            assertThat(inCollaboration(store, first)).extracting(Association::name)
                    .containsExactlyInAnyOrder("pub_audience", "PUB_AUDIENCE", "other");
            assertThat(get(store, upper.id())).contains(upper);
            // the clashing rows can still be changed (their owners rename by deleting and associating again)
            Association described = new Association(upper.id(), upper.membershipId(), upper.collaborationId(),
                    upper.ownerAccountId(), upper.configuredTableId(), upper.name(), "rename me", upper.roleArn(),
                    upper.createTime(), NOW);
            store.inTransaction(tx -> tx.of(Kinds.ASSOCIATIONS).update(described));
            assertThat(get(store, upper.id()))
                    .contains(described);
            // every row that did not clash is held unique without regard to case, in its collaboration only
            for (Association refused : new Association[] {association(first, "OTHER"),
                    association(second, "Pub_Audience")}) {
                CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> insert(store, refused));
                assertThat(e).as(refused.name()).isNotNull();
                assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
            }
            insert(store, association(second, "other"));
            Association fresh = association(first, "fresh");
            insert(store, fresh);
            assertThat(catchThrowableOfType(CleanroomException.class,
                    () -> insert(store, association(first, "FRESH"))).code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
            // renaming a row into a clash is refused as well
            Association renamed = new Association(fresh.id(), fresh.membershipId(), fresh.collaborationId(),
                    fresh.ownerAccountId(), fresh.configuredTableId(), "Other", null, fresh.roleArn(),
                    fresh.createTime(), NOW);
            assertThat(catchThrowableOfType(CleanroomException.class,
                    () -> store.inTransaction(tx -> tx.of(Kinds.ASSOCIATIONS).update(renamed))).code())
                    .isEqualTo(ErrorCode.ALREADY_EXISTS);
        }
    }
}
