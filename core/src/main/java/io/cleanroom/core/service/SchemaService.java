package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AdditionalAnalyses;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRuleType;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.AssociationAnalysisRule;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.ConfiguredTable;
import io.cleanroom.core.model.ConfiguredTableAnalysisRule;
import io.cleanroom.core.model.Member;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.MembershipStatus;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Position;
import io.cleanroom.core.store.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Schemas: the read model of the tables associated with a collaboration, as every member sees
 * them: allowed columns with their types, the analysis rule, and whether the table can be queried.
 */
public final class SchemaService {
    private final ServiceContext context;

    public SchemaService(ServiceContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    public record Reason(String code, String message) {
    }

    /**
     * Whether a schema can be queried, why not, and the configurations its rule turns on
     * (DIFFERENTIAL_PRIVACY when its custom rule names a user identifier column).
     */
    public record StatusDetail(boolean ready, List<Reason> reasons, AnalysisRuleType ruleType,
            List<String> configurations) {
        public static final String DIFFERENTIAL_PRIVACY = "DIFFERENTIAL_PRIVACY";

        public StatusDetail {
            reasons = List.copyOf(reasons);
            configurations = List.copyOf(configurations);
        }

        public boolean differentialPrivacy() {
            return configurations.contains(DIFFERENTIAL_PRIVACY);
        }
    }

    /**
     * One schema. rule is the configured table's rule, collaborationRule the association's;
     * resultReceivers is the consolidated list of accounts that may receive results; catalogTable
     * says where the data lies (only the query runner's engine reads it, never a caller).
     */
    public record Schema(
            Collaboration collaboration,
            Association association,
            ConfiguredTable table,
            List<Column> columns,
            Optional<ConfiguredTableAnalysisRule> rule,
            Optional<AssociationAnalysisRule> collaborationRule,
            List<AccountId> resultReceivers,
            StatusDetail status,
            Optional<CatalogTable> catalogTable) {
        public Schema {
            columns = List.copyOf(columns);
            resultReceivers = List.copyOf(resultReceivers);
        }

        public String name() {
            return association.name();
        }
    }

    /** What a query in a membership may see: its membership, collaboration and every schema. */
    public record QueryContext(Membership membership, Collaboration collaboration, List<Schema> schemas) {
        public QueryContext {
            schemas = List.copyOf(schemas);
        }
    }

    /**
     * The tables a protected query of this membership may use. Only an active member with the
     * CAN_QUERY ability may run queries.
     */
    public QueryContext forQuery(Caller caller, io.cleanroom.core.model.MembershipId membershipId) {
        AccountId account = caller.requireAccount();
        // only reads: beside the writer, without waiting for a commit
        return context.store().read(tx -> {
            Membership membership = Lookups.activeMembership(tx, account, membershipId);
            if (!membership.abilities().contains(MemberAbility.CAN_QUERY)) {
                throw CleanroomException.accessDenied("Only the member who can query (CAN_QUERY) can run queries in "
                        + "collaboration " + membership.collaborationId());
            }
            Collaboration collaboration = Lookups.visibleCollaboration(tx, account, membership.collaborationId());
            return new QueryContext(membership, collaboration, schemas(tx, collaboration));
        });
    }

    public Page<Schema> list(Caller caller, CollaborationId id, Page.Request page) {
        AccountId account = caller.requireAccount();
        Listing listing = context.pages().listing("ListSchemas", caller, id.value());
        return context.store().inTransaction(tx -> {
            Collaboration collaboration = Lookups.visibleCollaboration(tx, account, id);
            // schemas are derived from the associations, so the listing is cut in memory, by name
            return listing.page(schemas(tx, collaboration), s -> Position.of(s.name()), page);
        });
    }

    public Schema get(Caller caller, CollaborationId id, String name) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> {
            Collaboration collaboration = Lookups.visibleCollaboration(tx, account, id);
            return find(tx, collaboration, name).orElseThrow(() -> notFound(id, name));
        });
    }

    private static CleanroomException notFound(CollaborationId id, String name) {
        return CleanroomException.notFound(ResourceType.SCHEMA, name,
                "Schema " + name + " does not exist in collaboration " + id);
    }

    /** A name a batch read did not find, with the error code and message to report for it. */
    public record Missing(String name, String code, String message) {
    }

    /** Result of a batch read: the schemas found, and the names not found. */
    public record Batch(List<Schema> schemas, List<Missing> missing) {
    }

    public Batch batchGet(Caller caller, CollaborationId id, List<String> names) {
        AccountId account = caller.requireAccount();
        return context.store().inTransaction(tx -> {
            Collaboration collaboration = Lookups.visibleCollaboration(tx, account, id);
            List<Schema> found = new ArrayList<>();
            List<Missing> missing = new ArrayList<>();
            for (String name : names) {
                Optional<Schema> schema = find(tx, collaboration, name);
                if (schema.isPresent()) {
                    found.add(schema.get());
                } else {
                    missing.add(new Missing(name, "ResourceNotFoundException", notFound(id, name).getMessage()));
                }
            }
            return new Batch(found, missing);
        });
    }

    /** The schema's analysis rule of the given type, or not found. */
    public Schema getRule(Caller caller, CollaborationId id, String name, AnalysisRuleType type) {
        Schema schema = get(caller, id, name);
        if (schema.rule().isEmpty() || schema.rule().get().type() != type) {
            throw CleanroomException.notFound(ResourceType.ANALYSIS_RULE, name,
                    "Schema " + name + " has no " + type + " analysis rule");
        }
        return schema;
    }

    /** Schemas of every table associated by an active membership of the collaboration. */
    List<Schema> schemas(Tx tx, Collaboration collaboration) {
        List<Schema> out = new ArrayList<>();
        for (Association association : tx.of(Kinds.ASSOCIATIONS).find("collaboration_id",
                collaboration.id().value())) {
            schema(tx, collaboration, association).ifPresent(out::add);
        }
        return out;
    }

    private Optional<Schema> find(Tx tx, Collaboration collaboration, String name) {
        return tx.of(Kinds.ASSOCIATIONS).find("collaboration_name", collaboration.id().value() + "/" + name)
                .stream().findFirst().flatMap(a -> schema(tx, collaboration, a));
    }

    private Optional<Schema> schema(Tx tx, Collaboration collaboration, Association association) {
        Optional<Membership> membership = tx.of(Kinds.MEMBERSHIPS).get(association.membershipId().value());
        if (membership.isEmpty() || membership.get().status() != MembershipStatus.ACTIVE) {
            return Optional.empty();
        }
        Optional<ConfiguredTable> table = tx.of(Kinds.CONFIGURED_TABLES).get(association.configuredTableId().value());
        if (table.isEmpty()) {
            return Optional.empty();
        }
        ConfiguredTable t = table.get();
        Optional<CatalogTable> catalog = tx.of(Kinds.CATALOG_TABLES).get(t.ownerAccountId().value() + "/"
                + t.tableReference().databaseName() + "/" + t.tableReference().tableName());
        List<Column> columns = new ArrayList<>();
        for (String name : t.allowedColumns()) {
            String type = catalog.flatMap(c -> c.columns().stream()
                    .filter(col -> col.name().equalsIgnoreCase(name)).findFirst())
                    .map(Column::type).orElse("string");
            columns.add(new Column(name, type));
        }
        Optional<ConfiguredTableAnalysisRule> rule = tx.of(Kinds.TABLE_RULES).get(t.id().value());
        Optional<AssociationAnalysisRule> collaborationRule = rule.flatMap(r -> tx.of(Kinds.ASSOCIATION_RULES)
                .get(association.id().value() + "/" + r.type().name()));
        List<Member> receivers = Lookups.members(tx, collaboration.id()).stream()
                .filter(Lookups::visible)
                .filter(m -> m.can(MemberAbility.CAN_RECEIVE_RESULTS))
                .toList();
        List<AccountId> allowedReceivers = collaborationRule
                .map(AssociationAnalysisRule::allowedResultReceivers)
                .orElseGet(() -> receivers.stream().map(Member::accountId).toList());
        StatusDetail status = status(rule, collaborationRule, receivers,
                PrivacyBudgetLedger.template(tx, collaboration.id()).isPresent());
        return Optional.of(new Schema(collaboration, association, t, columns, rule, collaborationRule,
                allowedReceivers, status, catalog));
    }

    /**
     * dpPolicy says whether the collaboration has a differential privacy policy (a privacy budget
     * template), without which a table with differential privacy is NOT_READY.
     */
    private static StatusDetail status(Optional<ConfiguredTableAnalysisRule> rule,
            Optional<AssociationAnalysisRule> collaborationRule, List<Member> receivers, boolean dpPolicy) {
        List<Reason> reasons = new ArrayList<>();
        if (rule.isEmpty()) {
            reasons.add(new Reason("ANALYSIS_RULE_MISSING",
                    "The configured table has no analysis rule, so it cannot be queried"));
            return new StatusDetail(false, reasons, null, List.of());
        }
        AnalysisRulePolicy policy = rule.get().policy();
        List<String> configurations = new ArrayList<>();
        if (policy instanceof AnalysisRulePolicy.Custom custom) {
            if (custom.allowedAnalyses().isEmpty()) {
                reasons.add(new Reason("ANALYSIS_TEMPLATES_NOT_CONFIGURED",
                        "The custom analysis rule allows no analyses"));
            }
            if (custom.differentialPrivacyColumn() != null) {
                configurations.add(StatusDetail.DIFFERENTIAL_PRIVACY);
                if (!dpPolicy) {
                    reasons.add(new Reason("DIFFERENTIAL_PRIVACY_POLICY_NOT_CONFIGURED",
                            "The table uses differential privacy, and the collaboration has no differential privacy "
                                    + "policy (privacy budget template) yet"));
                }
            }
        }
        AdditionalAnalyses additional = switch (policy.type()) {
            case AGGREGATION -> ((AnalysisRulePolicy.Aggregation) policy).additionalAnalyses();
            case LIST -> ((AnalysisRulePolicy.ListRule) policy).additionalAnalyses();
            case CUSTOM -> ((AnalysisRulePolicy.Custom) policy).additionalAnalyses();
        };
        if (additional == AdditionalAnalyses.REQUIRED) {
            reasons.add(new Reason("ADDITIONAL_ANALYSES_NOT_CONFIGURED",
                    "The analysis rule requires additional analyses, which this collaboration does not configure"));
        }
        if (collaborationRule.isPresent()) {
            List<AccountId> canReceive = receivers.stream().map(Member::accountId).toList();
            if (collaborationRule.get().allowedResultReceivers().stream().noneMatch(canReceive::contains)) {
                reasons.add(new Reason("RESULT_RECEIVERS_NOT_ALLOWED",
                        "None of the collaboration analysis rule's result receivers can receive results"));
            }
        }
        return new StatusDetail(reasons.isEmpty(), reasons, rule.get().type(), configurations);
    }
}
