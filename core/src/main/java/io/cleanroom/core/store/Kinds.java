package io.cleanroom.core.store;

import io.cleanroom.core.model.AccessKey;
import io.cleanroom.core.model.Account;
import io.cleanroom.core.model.AnalysisTemplate;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.AssociationAnalysisRule;
import io.cleanroom.core.model.CatalogDatabase;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.ConfiguredTable;
import io.cleanroom.core.model.ConfiguredTableAnalysisRule;
import io.cleanroom.core.model.Member;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.TagSet;
import java.util.List;

/**
 * Every kind of record Cleanroom stores. The migrations create one table for each. Kinds with a
 * list order are listed by it, then by key; the others by key (see {@link Position}).
 */
public final class Kinds {
    private Kinds() {
    }

    public static final Kind<Account> ACCOUNTS = Kind.of("accounts", Account.class, a -> a.id().value()).build();

    public static final Kind<AccessKey> ACCESS_KEYS = Kind.of("access_keys", AccessKey.class, AccessKey::accessKeyId)
            .index("account_id", k -> k.accountId() == null ? "operator" : k.accountId().value())
            .listOrder(k -> Position.oldestFirst(k.createTime()))
            .build();

    public static final Kind<Collaboration> COLLABORATIONS =
            Kind.of("collaborations", Collaboration.class, c -> c.id().value())
                    .index("creator_account_id", c -> c.creatorAccountId().value())
                    .build();

    /** Listed newest first, as ListCollaborations (through the caller's members) and ListMembers show them. */
    public static final Kind<Member> MEMBERS = Kind.of("members", Member.class, Member::key)
            .index("collaboration_id", m -> m.collaborationId().value())
            .index("account_id", m -> m.accountId().value())
            .listOrder(m -> Position.newestFirst(m.createTime()))
            .build();

    public static final Kind<Membership> MEMBERSHIPS = Kind.of("memberships", Membership.class, m -> m.id().value())
            .index("collaboration_id", m -> m.collaborationId().value())
            .index("account_id", m -> m.accountId().value())
            .index("collaboration_account", m -> m.collaborationId().value() + "/" + m.accountId().value())
            .listOrder(m -> Position.newestFirst(m.createTime()))
            .build();

    public static final Kind<ConfiguredTable> CONFIGURED_TABLES =
            Kind.of("configured_tables", ConfiguredTable.class, t -> t.id().value())
                    .index("owner_account_id", t -> t.ownerAccountId().value())
                    .listOrder(t -> Position.newestFirst(t.createTime()))
                    .build();

    public static final Kind<ConfiguredTableAnalysisRule> TABLE_RULES =
            Kind.of("table_rules", ConfiguredTableAnalysisRule.class, r -> r.configuredTableId().value()).build();

    /**
     * Names are unique in a collaboration without regard to case (migration V6 indexes the lower-cased
     * collaboration_name, leaving out rows that already clashed when it ran).
     */
    public static final Kind<Association> ASSOCIATIONS = Kind.of("associations", Association.class, a -> a.id().value())
            .index("membership_id", a -> a.membershipId().value())
            .index("collaboration_id", a -> a.collaborationId().value())
            .index("configured_table_id", a -> a.configuredTableId().value())
            .index("membership_name", a -> a.membershipId().value() + "/" + a.name())
            .index("collaboration_name", a -> a.collaborationId().value() + "/" + a.name())
            .listOrder(a -> Position.newestFirst(a.createTime()))
            .build();

    public static final Kind<AssociationAnalysisRule> ASSOCIATION_RULES =
            Kind.of("association_rules", AssociationAnalysisRule.class, AssociationAnalysisRule::key)
                    .index("association_id", r -> r.associationId().value())
                    .build();

    public static final Kind<AnalysisTemplate> TEMPLATES =
            Kind.of("analysis_templates", AnalysisTemplate.class, t -> t.id().value())
                    .index("membership_id", t -> t.membershipId().value())
                    .index("collaboration_id", t -> t.collaborationId().value())
                    .listOrder(t -> Position.newestFirst(t.createTime()))
                    .build();

    public static final Kind<TagSet> TAGS = Kind.of("tags", TagSet.class, TagSet::resourceArn).build();

    public static final Kind<CatalogDatabase> CATALOG_DATABASES =
            Kind.of("catalog_databases", CatalogDatabase.class, CatalogDatabase::key)
                    .index("account_id", d -> d.accountId().value())
                    .build();

    public static final Kind<CatalogTable> CATALOG_TABLES =
            Kind.of("catalog_tables", CatalogTable.class, CatalogTable::key)
                    .index("database_key", t -> t.accountId().value() + "/" + t.databaseName())
                    .build();

    /** Listed by key (account, then name in lower case); migration V11 creates the table. */
    public static final Kind<io.cleanroom.core.model.Connection> CONNECTIONS =
            Kind.of("connections", io.cleanroom.core.model.Connection.class, io.cleanroom.core.model.Connection::key)
                    .index("account_id", c -> c.accountId().value())
                    .build();

    public static final Kind<io.cleanroom.core.model.ProtectedQuery> PROTECTED_QUERIES =
            Kind.of("protected_queries", io.cleanroom.core.model.ProtectedQuery.class, q -> q.id().value())
                    .index("membership_id", q -> q.membershipId().value())
                    .index("runner", q -> q.runner().value())
                    .index("collaboration_id", q -> q.collaborationId().value())
                    // the queries that have not ended, for the concurrency quotas ('' once ended)
                    .index("open_membership_id", q -> q.status().terminal() ? "" : q.membershipId().value())
                    .index("open_runner", q -> q.status().terminal() ? "" : q.runner().value())
                    .listOrder(q -> Position.newestFirst(q.createTime()))
                    .build();

    public static final Kind<io.cleanroom.core.audit.AuditEvent> AUDIT_EVENTS =
            Kind.of("audit_events", io.cleanroom.core.audit.AuditEvent.class, io.cleanroom.core.audit.AuditEvent::key)
                    .index("account_id", e -> e.accountId() == null ? "" : e.accountId())
                    .index("collaboration_id", e -> e.collaborationId() == null ? "" : e.collaborationId())
                    // LookupEvents by EventName reads only the events of that name (migration V12)
                    .index("event_name", io.cleanroom.core.audit.AuditEvent::eventName)
                    .build();

    public static final Kind<io.cleanroom.core.model.QueryLogEntry> QUERY_LOGS =
            Kind.of("query_logs", io.cleanroom.core.model.QueryLogEntry.class,
                    io.cleanroom.core.model.QueryLogEntry::key)
                    .index("membership_id", e -> e.membershipId().value())
                    .index("query_id", e -> e.queryId().value())
                    .listOrder(e -> Position.newestFirst(e.startTime()))
                    .build();

    public static final Kind<io.cleanroom.core.audit.AuditDigest> AUDIT_DIGESTS =
            Kind.of("audit_digests", io.cleanroom.core.audit.AuditDigest.class,
                    io.cleanroom.core.audit.AuditDigest::key).build();

    /**
     * Differential privacy policies: at most one per collaboration (migration V9 indexes
     * collaboration_id uniquely), so their listings are read whole and need no list order.
     */
    public static final Kind<io.cleanroom.core.model.PrivacyBudgetTemplate> PRIVACY_BUDGET_TEMPLATES =
            Kind.of("privacy_budget_templates", io.cleanroom.core.model.PrivacyBudgetTemplate.class,
                    t -> t.id().value())
                    .index("membership_id", t -> t.membershipId().value())
                    .index("collaboration_id", t -> t.collaborationId().value())
                    .build();

    /**
     * The budget of each collaboration, keyed by the collaboration: what was spent and what is held,
     * each an exact rational whose numerator and denominator are also columns (decimal text of any
     * length), so the database shows the balance as the service computes it.
     */
    public static final Kind<io.cleanroom.core.model.PrivacyBudget> PRIVACY_BUDGETS =
            Kind.of("privacy_budgets", io.cleanroom.core.model.PrivacyBudget.class,
                    b -> b.collaborationId().value())
                    .index("spent_numerator", b -> b.spentNumerator().toString())
                    .index("spent_denominator", b -> b.spentDenominator().toString())
                    .index("reserved_numerator", b -> b.reservedNumerator().toString())
                    .index("reserved_denominator", b -> b.reservedDenominator().toString())
                    .build();

    /** Epsilon held by running queries, by holder (the query's id). */
    public static final Kind<io.cleanroom.core.model.PrivacyBudgetReservation> PRIVACY_BUDGET_RESERVATIONS =
            Kind.of("privacy_budget_reservations", io.cleanroom.core.model.PrivacyBudgetReservation.class,
                    io.cleanroom.core.model.PrivacyBudgetReservation::holder)
                    .index("collaboration_id", r -> r.collaborationId().value())
                    .build();

    /**
     * Protected queries that read a table with differential privacy, by query id: cost, noise,
     * sensitivity parameters, and the keys of the answer cache (answer_key '' until an answer is
     * released; the cache looks answers up by it, and queries about to be submitted by query_key).
     */
    public static final Kind<io.cleanroom.core.model.DifferentialPrivacyQuery> DIFFERENTIAL_PRIVACY_QUERIES =
            Kind.of("differential_privacy_queries", io.cleanroom.core.model.DifferentialPrivacyQuery.class,
                    q -> q.queryId().value())
                    .index("collaboration_id", q -> q.collaborationId().value())
                    .index("query_key", io.cleanroom.core.model.DifferentialPrivacyQuery::queryKey)
                    .index("answer_key", q -> q.answerKey() == null ? "" : q.answerKey())
                    .build();

    public static final List<Kind<?>> ALL = List.of(ACCOUNTS, ACCESS_KEYS, COLLABORATIONS, MEMBERS, MEMBERSHIPS,
            CONFIGURED_TABLES, TABLE_RULES, ASSOCIATIONS, ASSOCIATION_RULES, TEMPLATES, TAGS, CATALOG_DATABASES,
            CATALOG_TABLES, PROTECTED_QUERIES, AUDIT_EVENTS, QUERY_LOGS, AUDIT_DIGESTS, PRIVACY_BUDGET_TEMPLATES,
            PRIVACY_BUDGETS, PRIVACY_BUDGET_RESERVATIONS, DIFFERENTIAL_PRIVACY_QUERIES, CONNECTIONS);
}
