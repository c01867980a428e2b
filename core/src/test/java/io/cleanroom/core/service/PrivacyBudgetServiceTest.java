package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AnalysisMethod;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.AutoRefresh;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.GlueTableReference;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.PrivacyBudgetTemplate;
import io.cleanroom.core.model.PrivacyBudgetType;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.privacy.Aggregation;
import io.cleanroom.privacy.Rational;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The differential privacy policy and the accounting of its budget, on the in-memory store with a
 * clock the tests move: reservations, commits and refunds in exact rationals, refusal at the limit
 * saying when the budget refreshes, the monthly refresh, a policy created again, the rule that
 * epsilon never shrinks once spent, who may create a policy, and the schema status it changes.
 */
class PrivacyBudgetServiceTest extends ServiceTestSupport {
    private static final String ROLE = "arn:aws:iam::111111111111:role/cleanrooms";

    private final PrivacyBudgetService budgets = new PrivacyBudgetService(context);
    private final PrivacyBudgetLedger ledger = new PrivacyBudgetLedger(context);
    private final Caller publisher = account("111111111111");
    private final Caller advertiser = account("222222222222");
    private final CollaborationId collaboration = collaborations.create(publisher, collaboration("c",
            List.of(member(advertiser, MemberAbility.CAN_QUERY, MemberAbility.CAN_RECEIVE_RESULTS))))
            .collaboration().id();
    private final MembershipId publisherMembership = memberships.create(publisher, join(collaboration))
            .membership().id();
    private final MembershipId advertiserMembership = memberships.create(advertiser, join(collaboration))
            .membership().id();

    private ConfiguredTableId table(Caller owner, String name) {
        catalogTable(owner, "lab", name, "user_id", "uid", "segment");
        return tables.create(owner, new ConfiguredTableService.Create(name, null,
                new GlueTableReference("lab", name, null), List.of("user_id", "uid", "segment"),
                AnalysisMethod.DIRECT_QUERY, null, Map.of())).table().id();
    }

    private AnalysisRulePolicy.Custom dp(String column) {
        return new AnalysisRulePolicy.Custom(List.of(AnalysisRulePolicy.Custom.ANY_QUERY),
                List.of(advertiser.account()), null, List.of(), column, List.of(), null);
    }

    /** A table of the owner's with differential privacy on the column, associated under the name. */
    private ConfiguredTableId dpTable(Caller owner, MembershipId membership, String name, String column) {
        ConfiguredTableId table = table(owner, name);
        tables.createRule(owner, table, AnalysisRuleType.CUSTOM, dp(column));
        associations.create(owner, membership, new AssociationService.Create(name, null, table, ROLE, Map.of()));
        return table;
    }

    private PrivacyBudgetTemplate policy(AutoRefresh refresh, int epsilon, int noise) {
        return budgets.create(publisher, publisherMembership,
                new PrivacyBudgetService.Create(refresh, epsilon, noise, Map.of())).template();
    }

    private Map<Aggregation, Long> remaining() {
        List<PrivacyBudgetService.BudgetView> views = budgets.budgets(advertiser, advertiserMembership,
                PrivacyBudgetType.DIFFERENTIAL_PRIVACY, Page.Request.ALL).items();
        assertThat(views).hasSize(1);
        return views.get(0).remainingCounts();
    }

    private static CleanroomException refused(Supplier<?> call) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class, call::get);
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    private static Rational tenth(int n) {
        return Rational.of(n, 10);
    }

    @Test
    void reservationsAreCommittedOrRefundedExactly() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        policy(AutoRefresh.NONE, 1, 10);
        ledger.reserve(collaboration, "q1", tenth(1));
        PrivacyBudgetLedger.Balance held = ledger.reserve(collaboration, "q2", tenth(2));
        assertThat(held.budget().reserved()).isEqualTo(Rational.of(3, 10));
        assertThat(held.available()).isEqualTo(Rational.of(7, 10));
        // what is held counts: 3 of 10 COUNTs are taken while the queries run
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 7L).containsEntry(Aggregation.STDDEV, 2L);

        assertThat(ledger.commit("q1")).isTrue();
        assertThat(ledger.refund("q2")).isTrue();
        PrivacyBudgetLedger.Balance after = ledger.balance(collaboration).orElseThrow();
        assertThat(after.budget().spent()).isEqualTo(tenth(1));
        assertThat(after.budget().reserved()).isEqualTo(Rational.ZERO);
        assertThat(after.budget().charged()).isTrue();
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 9L).containsEntry(Aggregation.AVG, 4L);
        // settling again does nothing; a holder holds one reservation at a time
        assertThat(ledger.commit("q1")).isFalse();
        assertThat(ledger.refund("q2")).isFalse();
        assertThat(ledger.balance(collaboration).orElseThrow().budget().spent()).isEqualTo(tenth(1));
        ledger.reserve(collaboration, "q3", tenth(1));
        assertThat(refused(() -> ledger.reserve(collaboration, "q3", tenth(1))).code())
                .isEqualTo(ErrorCode.ALREADY_EXISTS);
        // costs of different denominators add exactly: 1/10 + 1/10 + 1/30 + 1/7
        ledger.reserve(collaboration, "q4", Rational.of(1, 30));
        ledger.reserve(collaboration, "q5", Rational.of(1, 7));
        assertThat(ledger.balance(collaboration).orElseThrow().budget().committedOrHeld())
                .isEqualTo(Rational.of(1, 10).plus(Rational.of(1, 10)).plus(Rational.of(1, 30))
                        .plus(Rational.of(1, 7)));
    }

    @Test
    void nothingCanBeReservedWithoutAPolicy() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        CleanroomException e = refused(() -> ledger.reserve(collaboration, "q", tenth(1)));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
        assertThat(e.getMessage()).contains("has no differential privacy policy");
        assertThat(ledger.balance(collaboration)).isEmpty();
    }

    @Test
    void aReservationThatWouldPassEpsilonIsRefusedSayingWhenTheBudgetRefreshes() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        policy(AutoRefresh.CALENDAR_MONTH, 1, 10);
        for (int i = 0; i < 9; i++) {
            ledger.reserve(collaboration, "q" + i, tenth(1));
            ledger.commit("q" + i);
        }
        ledger.reserve(collaboration, "held", tenth(1));
        // 9/10 spent and 1/10 held: the budget is used up, by what is held as much as what is spent
        CleanroomException e = refused(() -> ledger.reserve(collaboration, "one more", tenth(1)));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
        assertThat(e.getMessage()).contains("privacy budget is spent", "costs epsilon 1/10", "9/10 is spent",
                "1/10 is held", "refreshes at 2026-12-01T00:00:00Z");
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 0L);
        // a refund makes room again
        ledger.refund("held");
        ledger.reserve(collaboration, "one more", tenth(1));
    }

    @Test
    void theMonthlyRefreshForgetsWhatWasSpentBeforeTheMonthAndKeepsWhatIsHeld() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        policy(AutoRefresh.CALENDAR_MONTH, 1, 10);
        for (int i = 0; i < 8; i++) {
            ledger.reserve(collaboration, "q" + i, tenth(1));
            ledger.commit("q" + i);
        }
        ledger.reserve(collaboration, "across", tenth(2));
        clock.set(Instant.parse("2026-11-30T23:59:59.999Z"));
        assertThat(refused(() -> ledger.reserve(collaboration, "late", tenth(1))).getMessage())
                .contains("refreshes at 2026-12-01T00:00:00Z");
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 0L);

        clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        PrivacyBudgetLedger.Balance december = ledger.balance(collaboration).orElseThrow();
        assertThat(december.budget().spent()).isEqualTo(Rational.ZERO);
        assertThat(december.budget().reserved()).isEqualTo(tenth(2));
        assertThat(december.nextRefresh()).contains(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 8L);
        // the query that held across the month spends in the month its results are released
        ledger.commit("across");
        assertThat(ledger.balance(collaboration).orElseThrow().budget().spent()).isEqualTo(tenth(2));
        for (int i = 0; i < 8; i++) {
            ledger.reserve(collaboration, "d" + i, tenth(1));
        }
        assertThat(refused(() -> ledger.reserve(collaboration, "d8", tenth(1))).getMessage())
                .contains("refreshes at 2027-01-01T00:00:00Z");
        // the months are UTC months, whatever the day: a year's turn refreshes too
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(ledger.balance(collaboration).orElseThrow().budget().spent()).isEqualTo(Rational.ZERO);
    }

    @Test
    void aBudgetWithoutRefreshNeverComesBack() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        policy(AutoRefresh.NONE, 1, 10);
        ledger.reserve(collaboration, "q", Rational.ONE);
        ledger.commit("q");
        clock.set(Instant.parse("2027-06-01T00:00:00Z"));
        CleanroomException e = refused(() -> ledger.reserve(collaboration, "later", tenth(1)));
        assertThat(e.getMessage()).contains("does not refresh (autoRefresh NONE)");
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 0L);
    }

    @Test
    void deletingAndCreatingThePolicyAgainGivesNothingBack() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        PrivacyBudgetTemplate first = policy(AutoRefresh.NONE, 1, 10);
        ledger.reserve(collaboration, "q", tenth(6));
        ledger.commit("q");
        String budgetId = budgets.budgets(advertiser, advertiserMembership, PrivacyBudgetType.DIFFERENTIAL_PRIVACY,
                Page.Request.ALL).items().get(0).budget().id().value();
        budgets.delete(publisher, publisherMembership, first.id());
        assertThat(budgets.budgets(advertiser, advertiserMembership, PrivacyBudgetType.DIFFERENTIAL_PRIVACY,
                Page.Request.ALL).items()).isEmpty();
        // recreated with a lower epsilon: what was spent still counts against it
        policy(AutoRefresh.NONE, 1, 10);
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 4L);
        assertThat(budgets.budgets(advertiser, advertiserMembership, PrivacyBudgetType.DIFFERENTIAL_PRIVACY,
                Page.Request.ALL).items().get(0).budget().id().value()).isEqualTo(budgetId);
        assertThat(budgets.budgets(advertiser, advertiserMembership, PrivacyBudgetType.ACCESS_BUDGET,
                Page.Request.ALL).items()).isEmpty();
    }

    @Test
    void epsilonGrowsAtAnyTimeButShrinksOnlyBeforeAnythingIsSpentOrHeld() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        PrivacyBudgetTemplate template = policy(AutoRefresh.NONE, 10, 30);
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 300L).containsEntry(Aggregation.AVG, 150L)
                .containsEntry(Aggregation.STDDEV, 100L);
        budgets.update(publisher, publisherMembership, template.id(), 5, null);
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 150L);

        ledger.reserve(collaboration, "q", Rational.of(1, 30));
        CleanroomException held = refused(() -> budgets.update(publisher, publisherMembership, template.id(), 4,
                null));
        assertThat(held.code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(held.getMessage()).contains("cannot be lowered from 5 to 4", "reserved");
        ledger.commit("q");
        CleanroomException spent = refused(() -> budgets.update(publisher, publisherMembership, template.id(), 4,
                null));
        assertThat(spent.code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(spent.resourceType()).contains(ResourceType.PRIVACY_BUDGET_TEMPLATE);
        assertThat(spent.getMessage()).contains("already spent");
        // still refused after a refresh: queries have run
        clock.set(Instant.parse("2027-03-01T00:00:00Z"));
        assertThat(refused(() -> budgets.update(publisher, publisherMembership, template.id(), 4, null)).code())
                .isEqualTo(ErrorCode.INVALID_STATE);

        // raising it is fine, and so is the same value; noise moves either way and sets the cost from now on
        assertThat(budgets.update(publisher, publisherMembership, template.id(), 6, null).template().epsilon())
                .isEqualTo(6);
        budgets.update(publisher, publisherMembership, template.id(), 6, 100);
        // 6 - 1/30 left, each COUNT costing 1/100 now: floor(596.666...) = 596
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 596L);
        budgets.update(publisher, publisherMembership, template.id(), null, 10);
        assertThat(remaining()).containsEntry(Aggregation.COUNT, 59L);
        assertThat(refused(() -> budgets.update(publisher, publisherMembership, template.id(), 21, null)).code())
                .isEqualTo(ErrorCode.VALIDATION);
        assertThat(refused(() -> budgets.update(publisher, publisherMembership, template.id(), null, 9)).code())
                .isEqualTo(ErrorCode.VALIDATION);
    }

    @Test
    void onlyAMemberProtectingATableWithDifferentialPrivacyCreatesThePolicyAndOnlyOnce() {
        // the advertiser has no table with differential privacy
        CleanroomException denied = refused(() -> budgets.create(advertiser, advertiserMembership,
                new PrivacyBudgetService.Create(AutoRefresh.NONE, 1, 10, Map.of())));
        assertThat(denied.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(denied.getMessage()).contains("has associated none");
        // a table with another rule does not count
        ConfiguredTableId plain = table(advertiser, "adv");
        tables.createRule(advertiser, plain, AnalysisRuleType.CUSTOM, new AnalysisRulePolicy.Custom(
                List.of(AnalysisRulePolicy.Custom.ANY_QUERY), List.of(advertiser.account()), null, List.of(), null,
                List.of(), null));
        associations.create(advertiser, advertiserMembership, new AssociationService.Create("adv", null, plain, ROLE,
                Map.of()));
        assertThat(refused(() -> budgets.create(advertiser, advertiserMembership,
                new PrivacyBudgetService.Create(AutoRefresh.NONE, 1, 10, Map.of()))).code())
                .isEqualTo(ErrorCode.ACCESS_DENIED);

        dpTable(publisher, publisherMembership, "pub", "user_id");
        PrivacyBudgetTemplate template = policy(AutoRefresh.CALENDAR_MONTH, 3, 20);
        CleanroomException twice = refused(() -> policy(AutoRefresh.NONE, 1, 10));
        assertThat(twice.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
        assertThat(twice.resourceId()).contains(template.id().value());
        assertThat(twice.getMessage()).contains("already has a privacy budget template");
        // the template is its owner's; others read it through the collaboration
        assertThat(refused(() -> budgets.get(advertiser, advertiserMembership, template.id())).code())
                .isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
        assertThat(budgets.getInCollaboration(advertiser, collaboration, template.id()).template()).isEqualTo(template);
        assertThat(refused(() -> budgets.update(advertiser, advertiserMembership, template.id(), 4, null)).code())
                .isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
        assertThat(budgets.preview(advertiser, advertiserMembership, 10, 30)).containsEntry(Aggregation.COUNT, 300L)
                .containsEntry(Aggregation.COUNT_DISTINCT, 300L).containsEntry(Aggregation.SUM, 300L)
                .containsEntry(Aggregation.AVG, 150L).containsEntry(Aggregation.STDDEV, 100L);
    }

    @Test
    void aMembershipHoldingThePolicyLeavesOnlyOnceItIsDeleted() {
        // a collaboration the advertiser created, which the publisher joins and protects
        CollaborationId other = collaborations.create(advertiser, collaboration("other",
                List.of(member(publisher)))).collaboration().id();
        memberships.create(advertiser, join(other));
        MembershipId joined = memberships.create(publisher, join(other)).membership().id();
        ConfiguredTableId table = table(publisher, "pub");
        tables.createRule(publisher, table, AnalysisRuleType.CUSTOM, dp("user_id"));
        String association = associations.create(publisher, joined, new AssociationService.Create("pub", null, table,
                ROLE, Map.of())).association().id().value();
        PrivacyBudgetTemplate template = budgets.create(publisher, joined,
                new PrivacyBudgetService.Create(AutoRefresh.NONE, 1, 10, Map.of())).template();
        associations.delete(publisher, joined, new io.cleanroom.core.model.AssociationId(association));
        CleanroomException leave = refused(() -> {
            memberships.delete(publisher, joined);
            return null;
        });
        assertThat(leave.code()).isEqualTo(ErrorCode.SUBRESOURCES_EXIST);
        assertThat(leave.getMessage()).contains("privacy budget template");
        budgets.delete(publisher, joined, template.id());
        memberships.delete(publisher, joined);
        java.util.Optional<io.cleanroom.core.model.Membership> gone =
                store.inTransaction(tx -> tx.of(Kinds.MEMBERSHIPS).get(joined.value()));
        assertThat(gone).isEmpty();
    }

    @Test
    void tablesWithDifferentialPrivacyInACollaborationShareTheUserIdentifierColumn() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        ConfiguredTableId other = table(advertiser, "adv");
        tables.createRule(advertiser, other, AnalysisRuleType.CUSTOM, dp("uid"));
        CleanroomException e = refused(() -> associations.create(advertiser, advertiserMembership,
                new AssociationService.Create("adv", null, other, ROLE, Map.of())));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("protects user identifier column uid", "table pub", "protects column "
                + "user_id", "must use the same user identifier column");
        // the same column, in another case, is the same column
        tables.updateRule(advertiser, other, AnalysisRuleType.CUSTOM, dp("USER_ID"));
        associations.create(advertiser, advertiserMembership, new AssociationService.Create("adv", null, other, ROLE,
                Map.of()));
        // and an associated table's rule cannot move to another column
        CleanroomException update = refused(() -> tables.updateRule(advertiser, other, AnalysisRuleType.CUSTOM,
                dp("uid")));
        assertThat(update.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(update.getMessage()).contains("is associated with collaboration " + collaboration + " as adv");
        // a table without differential privacy is not concerned
        ConfiguredTableId plain = table(advertiser, "plain");
        tables.createRule(advertiser, plain, AnalysisRuleType.CUSTOM, new AnalysisRulePolicy.Custom(
                List.of(AnalysisRulePolicy.Custom.ANY_QUERY), List.of(advertiser.account()), null, List.of(), null,
                List.of(), null));
        associations.create(advertiser, advertiserMembership, new AssociationService.Create("plain", null, plain,
                ROLE, Map.of()));
    }

    @Test
    void aTableWithDifferentialPrivacyIsReadyOnlyOnceTheCollaborationHasAPolicy() {
        dpTable(publisher, publisherMembership, "pub", "user_id");
        SchemaService.StatusDetail before = schemas.get(advertiser, collaboration, "pub").status();
        assertThat(before.ready()).isFalse();
        assertThat(before.reasons()).extracting(SchemaService.Reason::code)
                .containsExactly("DIFFERENTIAL_PRIVACY_POLICY_NOT_CONFIGURED");
        assertThat(before.configurations()).containsExactly("DIFFERENTIAL_PRIVACY");
        PrivacyBudgetTemplate template = policy(AutoRefresh.NONE, 1, 10);
        SchemaService.StatusDetail after = schemas.get(advertiser, collaboration, "pub").status();
        assertThat(after.ready()).isTrue();
        assertThat(after.reasons()).isEmpty();
        assertThat(after.configurations()).containsExactly("DIFFERENTIAL_PRIVACY");
        budgets.delete(publisher, publisherMembership, template.id());
        assertThat(schemas.get(advertiser, collaboration, "pub").status().ready()).isFalse();
    }
}
