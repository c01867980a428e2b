package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.Stage;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.Collaboration;
import io.cleanroom.core.model.Member;
import io.cleanroom.core.model.MemberAbility;
import io.cleanroom.core.model.MemberStatus;
import io.cleanroom.core.model.Membership;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.model.ProtectedQuery;
import io.cleanroom.core.model.ProtectedQueryId;
import io.cleanroom.core.model.ProtectedQueryStatus;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.DifferentialPrivacyQuery;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.PrivacyBudgetLedger;
import io.cleanroom.core.service.Page;
import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.SchemaService;
import io.cleanroom.core.service.ServiceContext;
import io.cleanroom.core.service.TemplateService;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.sql.CheckedQuery;
import io.cleanroom.engine.spi.Cancellation;
import io.cleanroom.engine.spi.Limits;
import io.cleanroom.engine.spi.QueryEngine;
import io.cleanroom.privacy.Calibration;
import io.cleanroom.privacy.ExactSampler;
import io.cleanroom.privacy.RandomBits;
import io.cleanroom.privacy.Rational;
import io.cleanroom.sql.DifferentialPrivacyPlan;
import io.cleanroom.sql.QueryRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protected queries: StartProtectedQuery checks the query at once (a rejection is an
 * INVALID_QUERY ValidationException) and answers SUBMITTED; a worker then runs the checked query
 * on the engine (STARTED), and it ends SUCCESS, FAILED, CANCELLED or TIMED_OUT. Results are kept
 * encrypted and readable only by the accounts that were to receive them.
 */
public final class ProtectedQueries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProtectedQueries.class);

    /**
     * Engine settings (the quotas are the context's); allowAnyPath lets tables of accounts without
     * data roots be read from anywhere (development only).
     */
    public record Settings(int workers, Duration timeout, long maxResultRows, boolean allowAnyPath, long memoryBytes,
            int threads) {
        /** What each query may use in the engine. */
        Limits limits() {
            return new Limits(memoryBytes, threads, timeout, maxResultRows);
        }
    }

    /**
     * What to run: SQL text, or an analysis template with parameter values; where the results go:
     * memberOutput (an account), s3Output (a mapped bucket, received by the caller), or neither
     * (the membership's default result configuration if any, else the caller).
     */
    public record Start(String queryString, String analysisTemplateArn, Map<String, String> parameters,
            AccountId memberOutput, io.cleanroom.core.model.S3Output s3Output) {
    }

    private final ServiceContext context;
    private final SchemaService schemas;
    private final TemplateService templates;
    private final QueryControl control;
    private final Engines engines;
    private final ResultStore results;
    private final S3Outputs s3;
    private final Sources sources;
    private final Settings settings;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Map<ProtectedQueryId, Running> running = new ConcurrentHashMap<>();
    private final PrivacyBudgetLedger ledger;
    private final RandomBits randomness;

    /** A query in flight: how to stop it, and why it was stopped. */
    private static final class Running implements Cancellation {
        final AtomicReference<Runnable> stop = new AtomicReference<>();
        final AtomicReference<ProtectedQueryStatus> stoppedAs = new AtomicReference<>();
        /** Counted down once the query's end is recorded (or its worker gave it up): polls wait on it. */
        final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

        @Override
        public void onCancel(Runnable s) {
            stop.set(s);
            if (stoppedAs.get() != null) {
                s.run();
            }
        }

        @Override
        public boolean cancelled() {
            return stoppedAs.get() != null;
        }

        void stop(ProtectedQueryStatus as) {
            if (stoppedAs.compareAndSet(null, as)) {
                Runnable s = stop.get();
                if (s != null) {
                    s.run();
                }
            }
        }
    }

    public ProtectedQueries(ServiceContext context, SchemaService schemas, TemplateService templates, QueryControl control,
            Engines engines, ResultStore results, S3Outputs s3, Sources sources, Settings settings) {
        this.context = requireNonNull(context, "context is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
        this.templates = requireNonNull(templates, "templates is null");
        this.control = requireNonNull(control, "control is null");
        this.engines = requireNonNull(engines, "engines is null");
        this.results = requireNonNull(results, "results is null");
        this.s3 = requireNonNull(s3, "s3 is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.ledger = new PrivacyBudgetLedger(context);
        this.randomness = RandomBits.secure();
        this.workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "cleanroom-query");
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cleanroom-query-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * After a restart: nothing may stay SUBMITTED or STARTED, and no partial or orphan result may
     * remain: a query the server stopped in may have written its result (and its S3 output) without
     * committing SUCCESS, and ends FAILED without them.
     */
    public void recover() {
        results.removePartials();
        sources.cleanStaging();
        List<ProtectedQuery> stopped = context.store().inTransaction(tx -> {
            Instant now = context.now();
            List<ProtectedQuery> failed = new ArrayList<>();
            for (ProtectedQuery q : tx.of(Kinds.PROTECTED_QUERIES).all()) {
                if (!q.status().terminal()) {
                    ProtectedQuery ended = q.failed(ProtectedQueryStatus.FAILED, "INTERNAL_ERROR",
                            "The server stopped while the query was running; start it again", now);
                    tx.of(Kinds.PROTECTED_QUERIES).update(ended);
                    logEnd(tx, ended);
                    failed.add(ended);
                }
            }
            return failed;
        });
        for (ProtectedQuery q : stopped) {
            if (q.s3Output() != null) {
                s3.deleteAfterRestart(q.runner(), resultRole(q.membershipId()), s3Roots(q.runner()), q.s3Output(),
                        q.id());
            }
        }
        settleLeftReservations();
        // every stored result must belong to a query that succeeded
        java.util.Set<ProtectedQueryId> succeeded = new java.util.HashSet<>();
        context.store().inTransaction(tx -> {
            for (ProtectedQuery q : tx.of(Kinds.PROTECTED_QUERIES).all()) {
                if (q.status() == ProtectedQueryStatus.SUCCESS) {
                    succeeded.add(q.id());
                }
            }
            return null;
        });
        for (ProtectedQueryId id : results.stored()) {
            if (!succeeded.contains(id)) {
                results.delete(id);
            }
        }
    }

    /**
     * Reservations of the privacy budget that no running query holds any more (this runs at start,
     * when none runs): a query that released its answer (SUCCESS) spends what it held, every other
     * holder gets it back, since nothing it computed was released.
     */
    private void settleLeftReservations() {
        for (String holder : ledger.holders()) {
            context.store().inTransaction(tx -> {
                boolean released = tx.of(Kinds.PROTECTED_QUERIES).get(holder)
                        .filter(q -> q.status() == ProtectedQueryStatus.SUCCESS).isPresent();
                return released ? ledger.commit(holder) : ledger.refund(holder);
            });
        }
    }

    /**
     * A differentially private query as it stands under the collaboration's policy: its plan, the
     * policy's calibration, its cost (1/usersNoisePerQuery for each statistic it releases) and the key
     * naming the checked, normalised query for the answer cache.
     */
    private record Private(DifferentialPrivacyPlan plan, Calibration calibration, Rational cost, String queryKey) {
    }

    private Private privately(CollaborationId collaboration, AccountId runner, Map<String, String> parameters,
            CheckedQuery checked) {
        DifferentialPrivacyPlan plan = checked.differentialPrivacy().orElseThrow();
        PrivacyBudgetLedger.Balance balance = ledger.balance(collaboration).orElseThrow(() -> CleanroomException.of(
                ErrorCode.INVALID_QUERY, "Collaboration " + collaboration + " has no differential privacy policy "
                        + "(privacy budget template), so its tables with differential privacy cannot be queried"));
        Calibration calibration = new Calibration(balance.template().epsilon(),
                balance.template().usersNoisePerQuery());
        Rational cost = Rational.of(plan.statistics(), calibration.usersNoisePerQuery());
        StringBuilder key = new StringBuilder("collaboration ").append(collaboration).append("\nrunner ")
                .append(runner).append("\nusersNoisePerQuery ").append(calibration.usersNoisePerQuery())
                .append("\nparameters ").append(new java.util.TreeMap<>(parameters)).append('\n')
                .append(plan.canonical());
        return new Private(plan, calibration, cost, sha256(key.toString()));
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether some query released an answer to this query (on whatever data): it may be given again. */
    private boolean answered(String queryKey) {
        return context.store().read(tx -> tx.of(Kinds.DIFFERENTIAL_PRIVACY_QUERIES).find("query_key", queryKey)
                .stream().anyMatch(q -> q.answerKey() != null));
    }

    /** A released answer to the same query on the same data, if one is still stored. */
    private record Cached(ProtectedQueryId source, JsonNode result) {
    }

    private Optional<Cached> cached(String answerKey, ProtectedQueryId self) {
        List<DifferentialPrivacyQuery> candidates = context.store().read(tx -> {
            List<DifferentialPrivacyQuery> out = new ArrayList<>();
            for (DifferentialPrivacyQuery q : tx.of(Kinds.DIFFERENTIAL_PRIVACY_QUERIES).find("answer_key", answerKey)) {
                if (!q.queryId().equals(self) && tx.of(Kinds.PROTECTED_QUERIES).get(q.queryId().value())
                        .filter(p -> p.status() == ProtectedQueryStatus.SUCCESS).isPresent()) {
                    out.add(q);
                }
            }
            return out;
        });
        for (DifferentialPrivacyQuery q : candidates) {
            try {
                return Optional.of(new Cached(q.queryId(), results.read(q.queryId())));
            } catch (CleanroomException gone) {
                // its result is no longer stored: not an answer to give again
            }
        }
        return Optional.empty();
    }

    /** The differential privacy record of a query (cost, sensitivity parameters), if it read a table with it. */
    public Optional<DifferentialPrivacyQuery> differentialPrivacy(ProtectedQueryId id) {
        return context.store().read(tx -> tx.of(Kinds.DIFFERENTIAL_PRIVACY_QUERIES).get(id.value()));
    }

    private static List<DifferentialPrivacyQuery.SensitivityParameter> sensitivity(DifferentialPrivacyPlan plan) {
        return plan.sensitivityParameters().stream().map(p -> new DifferentialPrivacyQuery.SensitivityParameter(
                p.aggregationType().name(), p.aggregationExpression(), p.userContributionLimit(),
                p.minColumnValue().orElse(null), p.maxColumnValue().orElse(null))).toList();
    }

    public ProtectedQuery start(Caller caller, MembershipId membershipId, Start start) {
        AccountId account = caller.requireAccount();
        Stage contextStage = Stage.begin("submit.context");
        SchemaService.QueryContext queryContext = schemas.forQuery(caller, membershipId);
        Membership membership = queryContext.membership();
        io.cleanroom.core.model.S3Output s3Output = start.s3Output();
        if (start.memberOutput() == null && s3Output == null && membership.defaultResultConfiguration() != null) {
            s3Output = membership.defaultResultConfiguration().s3();
        }
        if (s3Output != null) {
            s3.resolve(account, resultRole(membership), s3Roots(account), s3Output,
                    "resultConfiguration.outputConfiguration.s3");
        }
        List<AccountId> receivers = List.of(start.memberOutput() != null ? start.memberOutput() : account);
        checkReceivers(queryContext.collaboration(), receivers);
        contextStage.close();
        QueryControl.Checked submitted;
        try (Stage stage = Stage.begin("submit.check")) {
            submitted = check(caller, queryContext, start, receivers, null,
                    engines.of(context, queryContext.collaboration()));
        }
        CheckedQuery checked = submitted.query();
        // the locations are checked now, so that a bad one is refused at once; they are resolved again
        // and pinned when the query starts
        try (Stage stage = Stage.begin("submit.locate")) {
            tableData(queryContext, checked, this::dataRoots, null);
        }
        // a differentially private query reserves its cost as it is recorded, unless an answer to it
        // may be given again (then it reserves when it starts, if the data changed meanwhile)
        Optional<Private> dp = checked.differentialPrivacy().isPresent()
                ? Optional.of(privately(queryContext.collaboration().id(), account, start.parameters(), checked))
                : Optional.empty();
        boolean reserveNow = dp.isPresent() && !answered(dp.get().queryKey());
        Instant now = context.now();
        io.cleanroom.core.model.S3Output finalS3 = s3Output;
        Stage record = Stage.begin("submit.record");
        ProtectedQuery query = context.store().inTransaction(tx -> {
            // only the queries that have not ended, through their own index: not every query ever run
            context.quotas().require(Quota.CONCURRENT_QUERIES_PER_MEMBERSHIP,
                    tx.of(Kinds.PROTECTED_QUERIES).find("open_membership_id", membershipId.value()).size() + 1);
            context.quotas().require(Quota.CONCURRENT_QUERIES_PER_ACCOUNT,
                    tx.of(Kinds.PROTECTED_QUERIES).find("open_runner", account.value()).size() + 1);
            ProtectedQuery q = new ProtectedQuery(ProtectedQueryId.random(), membershipId,
                    membership.collaborationId(), account, start.queryString(), start.analysisTemplateArn(),
                    start.parameters(), receivers, finalS3, ProtectedQueryStatus.SUBMITTED, null, null, null, now, now,
                    null);
            tx.of(Kinds.PROTECTED_QUERIES).insert(q);
            for (io.cleanroom.core.model.QueryLogEntry entry : logEntries(tx, q, queryContext, checked)) {
                tx.of(Kinds.QUERY_LOGS).insert(entry);
            }
            if (dp.isPresent()) {
                Private p = dp.get();
                tx.of(Kinds.DIFFERENTIAL_PRIVACY_QUERIES).insert(new DifferentialPrivacyQuery(q.id(),
                        q.collaborationId(), p.calibration().usersNoisePerQuery(), p.cost().numerator(),
                        p.cost().denominator(), p.queryKey(), null, null, sensitivity(p.plan()), now));
                if (reserveNow) {
                    // in this transaction: refused, the query is not recorded either
                    ledger.reserve(q.collaborationId(), q.id().value(), p.cost());
                }
            }
            return q;
        });
        record.close();
        Running handle = new Running();
        running.put(query.id(), handle);
        Stage queued = Stage.begin("queue");
        workers.submit(() -> {
            queued.close();
            run(caller, query, start, submitted, handle);
        });
        return query;
    }

    /**
     * Checks the query's SQL, or its analysis template with the parameter values, against the
     * context, rendered for the engine that runs it; again, when earlier is the check at submission.
     */
    private QueryControl.Checked check(Caller caller, SchemaService.QueryContext queryContext, Start start,
            List<AccountId> receivers, QueryControl.Checked earlier, QueryEngine engine) {
        String sql = start.queryString();
        Optional<QueryRequest.Template> template = Optional.empty();
        if (start.analysisTemplateArn() != null) {
            TemplateService.View view = templates.getInCollaboration(caller,
                    queryContext.membership().collaborationId(), start.analysisTemplateArn());
            sql = view.template().sourceText();
            template = Optional.of(new QueryRequest.Template(start.analysisTemplateArn(),
                    view.template().parameters(), start.parameters()));
        } else if (!start.parameters().isEmpty()) {
            throw CleanroomException.validation("sqlParameters.parameters",
                    "Parameters are given only with an analysisTemplateArn");
        }
        context.quotas().require(Quota.QUERY_TEXT_LENGTH, sql.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        QueryControl.Checked checked = earlier == null
                ? control.check(queryContext, caller, sql, template, receivers, engine.dialect())
                : control.recheck(earlier, queryContext, caller, sql, template, receivers, engine.dialect());
        context.quotas().require(Quota.CONFIGURED_TABLES_PER_QUERY, checked.query().tables().size());
        return checked;
    }

    /**
     * What runs: the query checked again when it starts, rendered for the engine that runs the
     * collaboration's queries at that moment, and where its tables' data lies then.
     */
    private record Admitted(CheckedQuery checked, QueryEngine engine, Map<String, PinnedTables.Table> data,
            S3Outputs.Target output) {
    }

    /**
     * Checks a submitted query again as it starts, against the rules, schemas, associations,
     * memberships, abilities and templates of this moment, exactly as StartProtectedQuery checked it;
     * a refusal is the same exception. The results still go where the submission said.
     */
    private Admitted recheck(Caller caller, ProtectedQuery query, Start start, QueryControl.Checked submitted) {
        SchemaService.QueryContext queryContext = schemas.forQuery(caller, query.membershipId());
        S3Outputs.Target output = query.s3Output() == null ? null : s3.resolve(query.runner(),
                resultRole(queryContext.membership()), s3Roots(query.runner()), query.s3Output(),
                "resultConfiguration.outputConfiguration.s3");
        checkReceivers(queryContext.collaboration(), query.receivers());
        QueryEngine engine = engines.of(context, queryContext.collaboration());
        CheckedQuery checked = check(caller, queryContext, start, query.receivers(), submitted, engine).query();
        return new Admitted(checked, engine, tableData(queryContext, checked, this::dataRoots, query.id()), output);
    }

    /**
     * One log entry for each member that contributed a table to the query, when query logging is
     * enabled for the collaboration and for that member's membership.
     */
    private static List<io.cleanroom.core.model.QueryLogEntry> logEntries(io.cleanroom.core.store.Tx tx,
            ProtectedQuery q, SchemaService.QueryContext queryContext, CheckedQuery checked) {
        List<io.cleanroom.core.model.QueryLogEntry> entries = new ArrayList<>();
        if (queryContext.collaboration().queryLogStatus() != io.cleanroom.core.model.LogStatus.ENABLED) {
            return entries;
        }
        Map<MembershipId, List<String>> contributed = new LinkedHashMap<>();
        for (SchemaService.Schema schema : queryContext.schemas()) {
            if (checked.tables().contains(schema.name())) {
                contributed.computeIfAbsent(schema.association().membershipId(), m -> new ArrayList<>())
                        .add(schema.name());
            }
        }
        contributed.forEach((membership, tables) -> tx.of(Kinds.MEMBERSHIPS).get(membership.value())
                .filter(m -> m.queryLogStatus() == io.cleanroom.core.model.LogStatus.ENABLED)
                .ifPresent(m -> entries.add(new io.cleanroom.core.model.QueryLogEntry(q.id(), membership,
                        q.collaborationId(), q.runner(), q.queryString(), q.analysisTemplateArn(), tables, q.status(),
                        q.createTime(), null))));
        return entries;
    }

    /** Brings the query's log entries to its final status. */
    private static void logEnd(io.cleanroom.core.store.Tx tx, ProtectedQuery q) {
        for (io.cleanroom.core.model.QueryLogEntry e : tx.of(Kinds.QUERY_LOGS).find("query_id", q.id().value())) {
            tx.of(Kinds.QUERY_LOGS).update(new io.cleanroom.core.model.QueryLogEntry(e.queryId(), e.membershipId(),
                    e.collaborationId(), e.runner(), e.queryString(), e.analysisTemplateArn(), e.tables(), q.status(),
                    e.startTime(), q.endTime()));
        }
    }

    /** The query log of one of the caller's memberships, newest first. */
    public Page<io.cleanroom.core.model.QueryLogEntry> queryLog(Caller caller, MembershipId membershipId,
            Page.Request page) {
        AccountId account = caller.requireAccount();
        io.cleanroom.core.service.Listing listing = context.pages().listing("ListQueryLogs", caller,
                membershipId.value());
        return context.store().inTransaction(tx -> {
            tx.of(Kinds.MEMBERSHIPS).get(membershipId.value()).filter(m -> m.accountId().equals(account))
                    .orElseThrow(() -> CleanroomException.notFound(ResourceType.MEMBERSHIP, membershipId.value()));
            return listing.read(page,
                    (after, n) -> tx.of(Kinds.QUERY_LOGS).findAfter("membership_id", membershipId.value(), after, n),
                    Kinds.QUERY_LOGS::positionOf, e -> true);
        });
    }

    /**
     * Who receives the results (the member output given, or else the caller) must be an invited or
     * active member who can receive them.
     */
    private void checkReceivers(Collaboration collaboration, List<AccountId> receivers) {
        for (AccountId receiver : receivers) {
            Optional<Member> member = context.store().read(tx -> tx.of(Kinds.MEMBERS)
                    .get(collaboration.id().value() + "/" + receiver.value()));
            if (member.isEmpty() || !member.get().can(MemberAbility.CAN_RECEIVE_RESULTS)
                    || !(member.get().status() == MemberStatus.ACTIVE
                            || member.get().status() == MemberStatus.INVITED)) {
                throw CleanroomException.validation("resultConfiguration.outputConfiguration.member.accountId",
                        "Account " + receiver + " is not a member of this collaboration who can receive results");
            }
        }
    }

    /** The role through which the membership's results are written: its default result configuration's. */
    private static String resultRole(Membership membership) {
        return membership.defaultResultConfiguration() == null ? null
                : membership.defaultResultConfiguration().roleArn();
    }

    private String resultRole(MembershipId membershipId) {
        return context.store().read(tx -> tx.of(Kinds.MEMBERSHIPS).get(membershipId.value())
                .map(ProtectedQueries::resultRole).orElse(null));
    }

    /** The account's S3 roots of this moment. */
    private List<io.cleanroom.core.model.S3Location> s3Roots(AccountId account) {
        return context.store().read(tx -> tx.of(Kinds.ACCOUNTS).get(account.value())
                .map(io.cleanroom.core.model.Account::s3Roots).orElse(List.of()));
    }

    /** The owner's roots on the server's disk. */
    private List<String> dataRoots(AccountId owner) {
        return context.store().read(tx -> tx.of(Kinds.ACCOUNTS).get(owner.value())
                .map(io.cleanroom.core.model.Account::localRoots).orElse(List.of()));
    }

    /**
     * Where each referenced table's data lies now: the location is resolved again against its
     * owner's current data roots (symbolic links followed, every file inside a root). The engine
     * reads these files only once run has pinned them ({@link PinnedTables}).
     *
     * <p>A table whose data cannot be read is a configuration that no longer holds, not a wrong
     * field of the request: INVALID_CONFIGURATION, naming the table as the query does and the
     * configured table it comes from, and saying what is wrong, without a path.
     */
    private Map<String, PinnedTables.Table> tableData(SchemaService.QueryContext queryContext,
            CheckedQuery checked, java.util.function.Function<AccountId, List<String>> roots, ProtectedQueryId id) {
        Map<String, PinnedTables.Table> data = new LinkedHashMap<>();
        for (SchemaService.Schema schema : queryContext.schemas()) {
            if (!checked.tables().contains(schema.name())) {
                continue;
            }
            String table = "Table " + schema.name() + " (configured table " + schema.table().name() + " of account "
                    + schema.association().ownerAccountId() + ")";
            CatalogTable catalog = schema.catalogTable().orElseThrow(() -> CleanroomException.of(
                    ErrorCode.INVALID_STATE, table + " has no catalog entry"));
            if (io.cleanroom.core.service.CatalogService.remote(catalog.location())) {
                data.put(schema.name(), remote(table, schema, catalog, checked, id));
                continue;
            }
            List<java.nio.file.Path> ownerRoots = LocalTableInspector.roots(
                    roots.apply(schema.association().ownerAccountId()), settings.allowAnyPath());
            if (ownerRoots.isEmpty()) {
                throw CleanroomException.invalidConfiguration(table + " cannot be read: its owner has no data "
                        + "roots; the operator must grant one");
            }
            List<DataLocation.CheckedFile> files;
            try {
                files = DataLocation.locate(catalog.location(), ownerRoots);
                DataLocation.requireUncompressed(files, catalog.format());
            } catch (DataLocation.Unreadable e) {
                throw CleanroomException.invalidConfiguration(table + " cannot be read: " + e.problem().forQuery()
                        + ". Its owner must put the data back or register the table where the data is now");
            }
            data.put(schema.name(), new PinnedTables.Local(schema.name(), files, catalog.format(),
                    schema.columns()));
        }
        return data;
    }

    /**
     * A table whose data lies behind a connection, as it can be read now: the association's role
     * names the catalog table's connection, which still exists and is of the location's kind, and
     * the location lies inside the owner's S3 roots of this moment (or names the connection's
     * database). Refusals name the table, never a bucket, host or connection.
     */
    private PinnedTables.Table remote(String table, SchemaService.Schema schema, CatalogTable catalog,
            CheckedQuery checked, ProtectedQueryId id) {
        AccountId owner = schema.association().ownerAccountId();
        RoleArns.requireConnection(table, schema.association(), catalog);
        io.cleanroom.core.service.ConnectionService.Opened connection = sources.open(owner,
                catalog.connectionName().orElseThrow()).orElseThrow(() -> CleanroomException.invalidConfiguration(
                        table + " cannot be read: the connection its catalog table names no longer exists; its owner "
                                + "must create it again"));
        boolean s3 = catalog.location().startsWith("s3://");
        if ((connection.connection().type() == io.cleanroom.core.model.ConnectionType.S3) != s3) {
            throw CleanroomException.invalidConfiguration(table + " cannot be read: the connection its catalog table "
                    + "names is of another kind than its location; its owner must register the table again");
        }
        List<io.cleanroom.core.model.ColumnFilter> filters = checked.filters(schema.name());
        PinnedTables.Failure failure = e -> readFailed(id, table, schema, catalog, e);
        if (s3) {
            List<io.cleanroom.core.model.S3Location> roots = context.store().read(tx -> tx.of(Kinds.ACCOUNTS)
                    .get(owner.value()).map(io.cleanroom.core.model.Account::s3Roots).orElse(List.of()));
            io.cleanroom.core.model.S3Location folder;
            try {
                folder = RemoteLocations.s3(catalog.location(), roots);
            } catch (RemoteLocations.Refused e) {
                throw CleanroomException.invalidConfiguration(table + " cannot be read: its location is outside its "
                        + "owner's S3 roots (the roots were narrowed) or not a valid S3 folder");
            }
            List<io.cleanroom.core.model.Column> partitions = new ArrayList<>();
            for (String key : catalog.partitionKeys()) {
                catalog.columns().stream().filter(c -> c.name().equalsIgnoreCase(key)).findFirst()
                        .ifPresent(partitions::add);
            }
            return new PinnedTables.InS3(new Sources.S3Table(schema.name(), connection, folder, catalog.format(),
                    partitions, filters), schema.columns(), failure);
        }
        RemoteLocations.PostgresTable where;
        try {
            where = RemoteLocations.postgres(catalog.location(), catalog.parameters(), connection.connection());
        } catch (RemoteLocations.Refused e) {
            throw CleanroomException.invalidConfiguration(table + " cannot be read: its location no longer names "
                    + "the database of its connection; its owner must register the table again");
        }
        return new PinnedTables.InPostgres(new Sources.PostgresTable(schema.name(), connection, where, filters),
                schema.columns(), failure);
    }

    /**
     * A table behind a connection could not be read: its owner's audit trail gets the exact cause
     * (the bucket, object, host or grant, and the storage's or database's error code), the operator's
     * log too, and the query fails with the table's name and the category only.
     */
    private CleanroomException readFailed(ProtectedQueryId id, String table, SchemaService.Schema schema,
            CatalogTable catalog, io.cleanroom.sources.SourceException e) {
        AccountId owner = schema.association().ownerAccountId();
        LOG.warn("query {}: table {} of account {} could not be read: {}", id, schema.name(), owner, e.ownerDetail());
        try {
            com.fasterxml.jackson.databind.node.ObjectNode parameters =
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            parameters.put("protectedQueryId", id == null ? null : id.value());
            parameters.put("table", schema.name());
            parameters.put("catalogTable", catalog.databaseName() + "." + catalog.name());
            parameters.put("location", catalog.location());
            parameters.put("connectionName", catalog.connectionName().orElse(null));
            io.cleanroom.core.audit.AuditEvent event = io.cleanroom.core.audit.AuditEvent.draft(
                    id == null ? "query" : id.value(), context.now(), null)
                    .withCall("cleanroom-sources", "ReadTableData", List.of(schema.association().id().value()),
                            parameters.toString(), null)
                    .withIdentity(owner.value(), null)
                    .withError(e.category().name(), e.ownerDetail());
            durably(() -> context.store().inTransaction(tx -> io.cleanroom.core.audit.AuditChain.append(tx, event)));
        } catch (RuntimeException recording) {
            LOG.error("query {}: the read failure of table {} could not be recorded in the audit trail", id,
                    schema.name(), recording);
        }
        return CleanroomException.of(ErrorCode.QUERY_FAILED, table + " cannot be read: " + e.category().forQuery()
                + ". Its owner finds the cause in its audit trail (event ReadTableData)");
    }

    private volatile java.util.function.Consumer<Sources.Read> sourceReads = read -> {
    };

    /** Test seam: told what each query read of each table behind a connection. */
    public void sourceReads(java.util.function.Consumer<Sources.Read> listener) {
        this.sourceReads = requireNonNull(listener, "listener is null");
    }

    private volatile java.util.function.Consumer<ProtectedQueryId> beforeStart = id -> {
    };

    /**
     * Test seam: runs on the worker as it takes a query up, before the query leaves SUBMITTED, so a
     * test can change the collaboration while the query waits.
     */
    public void beforeStart(java.util.function.Consumer<ProtectedQueryId> hook) {
        this.beforeStart = requireNonNull(hook, "hook is null");
    }

    private volatile java.util.function.Consumer<ProtectedQueryId> beforeEngine = id -> {
    };

    /**
     * Test seam: runs on the worker just before the engine runs a differentially private query on
     * its data (its budget reserved), so a test can cancel it while it runs.
     */
    public void beforeEngine(java.util.function.Consumer<ProtectedQueryId> hook) {
        this.beforeEngine = requireNonNull(hook, "hook is null");
    }

    /**
     * How the privacy budget a differentially private query holds is settled when it ends: spent
     * when its answer is released, and whatever the end once the engine ran on the protected rows
     * (spend: a failure, a timeout or a cancellation then may depend on them, as too many released
     * rows depend on the noisy answer); given back when it ended before (refused, cancelled while
     * waiting, its data gone), and given back too when its answer is one given again from the cache.
     */
    private static final class Settlement {
        /** The query reads a table with differential privacy. */
        volatile boolean dp;
        /** A reservation is being made: its refusal is a refusal of the query. */
        volatile boolean refusing;
        /**
         * The query ends in a way that may depend on its data or its noisy answer (the engine ran on
         * the protected rows): its cost is spent whatever the end.
         */
        volatile boolean spend;
        /** The answer was given again from the cache: nothing is spent. */
        volatile boolean cached;
    }

    /**
     * Starts a submitted query: STARTED, checked again (a refusal now ends it FAILED with the code and
     * message a refusal at submission gives, see refusalCode), its tables' data located,
     * then run on the engine; a differentially private query is released by its noisy stage
     * ({@link #runPrivately}).
     */
    private void run(Caller caller, ProtectedQuery query, Start start, QueryControl.Checked submitted,
            Running handle) {
        ProtectedQueryId id = query.id();
        ScheduledFuture<?> timeout = null;
        boolean admitted = false;
        Settlement settlement = new Settlement();
        try {
            beforeStart.accept(id);
            timeout = timer.schedule(() -> handle.stop(ProtectedQueryStatus.TIMED_OUT),
                    settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            try (Stage stage = Stage.begin("start.record")) {
                if (!transition(id, ProtectedQueryStatus.STARTED)) {
                    return;
                }
            }
            Optional<DifferentialPrivacyQuery> recorded = differentialPrivacy(id);
            settlement.dp = recorded.isPresent();
            Admitted ready;
            Private dp = null;
            try (Stage stage = Stage.begin("recheck")) {
                ready = recheck(caller, query, start, submitted);
                if (recorded.isPresent() || ready.checked().differentialPrivacy().isPresent()) {
                    dp = privatelyAgain(query, recorded, ready.checked());
                }
            }
            admitted = true;
            ResultStore.Collector collector = new ResultStore.Collector(settings.maxResultRows());
            // the engine reads the files checked just now, pinned open until it returns
            Stage pinning = Stage.begin("pin");
            try (PinnedTables pinned = PinnedTables.open(ready.data(), sources, handle, read -> {
                Sources.log(read);
                sourceReads.accept(read);
            })) {
                pinning.close();
                if (dp != null) {
                    runPrivately(query, dp, ready, pinned, handle, settlement);
                    return;
                }
                ready.engine().execute(ready.checked().executable(pinned.data(), settings.limits()), collector,
                        handle);
            }
            if (handle.cancelled()) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, "stopped");
            }
            store(query, ready.output(), collector.toJson());
            boolean finished;
            try (Stage stage = Stage.begin("finish.record")) {
                finished = finish(id, q -> q.succeeded(collector.rows.size(), context.now()));
            }
            if (!finished) {
                discard(query, ready.output());
            }
        } catch (CleanroomException e) {
            ProtectedQueryStatus stopped = handle.stoppedAs.get();
            if (stopped == ProtectedQueryStatus.TIMED_OUT) {
                finish(id, q -> q.failed(ProtectedQueryStatus.TIMED_OUT, "TIMED_OUT", "The query ran longer than "
                        + settings.timeout().toSeconds() + " seconds", context.now()), settlement, null);
            } else if (stopped == ProtectedQueryStatus.CANCELLED) {
                finish(id, q -> q.failed(ProtectedQueryStatus.CANCELLED, null, null, context.now()), settlement, null);
            } else if ((!admitted || settlement.refusing) && e.code() != ErrorCode.INTERNAL) {
                finish(id, q -> q.failed(ProtectedQueryStatus.FAILED, refusalCode(e), e.getMessage(),
                        context.now()), settlement, null);
            } else {
                String code = e.code() == ErrorCode.QUERY_FAILED ? "EXECUTION_ERROR" : "INTERNAL_ERROR";
                if (e.code() == ErrorCode.INTERNAL) {
                    LOG.error("query {} failed", id, e);
                }
                finish(id, q -> q.failed(ProtectedQueryStatus.FAILED, code, e.code() == ErrorCode.INTERNAL
                        ? "The query failed inside the server" : e.getMessage(), context.now()), settlement, null);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("query {} failed", id, e);
            finish(id, q -> q.failed(ProtectedQueryStatus.FAILED, "INTERNAL_ERROR",
                    "The query failed inside the server", context.now()), settlement, null);
        } finally {
            if (timeout != null) {
                timeout.cancel(false);
            }
            running.remove(id);
            handle.ended.countDown();
        }
    }

    /** Stores a result, and its S3 output if the query has one (neither stays if the output fails). */
    private void store(ProtectedQuery query, S3Outputs.Target output,
            com.fasterxml.jackson.databind.node.ObjectNode result) {
        try (Stage stage = Stage.begin("result.store")) {
            results.write(query.id(), result);
            try {
                if (output != null) {
                    s3.write(output, query.id(), result);
                }
            } catch (RuntimeException e) {
                results.delete(query.id());
                throw e;
            }
        }
    }

    /** Removes what a query stored when it ended otherwise at the last moment (cancelled, timed out). */
    private void discard(ProtectedQuery query, S3Outputs.Target output) {
        results.delete(query.id());
        if (output != null) {
            s3.delete(output, query.id());
        }
    }

    /**
     * The differentially private query as it starts, under the policy of this moment: it must be the
     * query that was submitted, with the cost that was recorded (a change of the policy's noise, of
     * the declared bounds or of the tables in between refuses it: it is to be started again).
     */
    private Private privatelyAgain(ProtectedQuery query, Optional<DifferentialPrivacyQuery> recorded,
            CheckedQuery checked) {
        String changed = "The differential privacy of this query changed since it was submitted (the collaboration's "
                + "policy, the declared bounds, or the rules or tables it reads); start it again";
        if (recorded.isEmpty() || checked.differentialPrivacy().isEmpty()) {
            throw CleanroomException.of(ErrorCode.INVALID_QUERY, changed);
        }
        Private now = privately(query.collaborationId(), query.runner(), query.parameters(), checked);
        if (!now.queryKey().equals(recorded.get().queryKey()) || now.cost().compareTo(recorded.get().cost()) != 0) {
            throw CleanroomException.of(ErrorCode.INVALID_QUERY, changed);
        }
        return now;
    }

    /**
     * The noisy stage of a differentially private query, its files pinned. The same query on the
     * same data (every file read has the identity it had: device, inode, size, modification and
     * change times) released an answer already: that answer is given again, and nothing is spent.
     * Otherwise its cost is reserved if it was not at submission (a refusal ends it FAILED, saying the
     * budget is spent and when it refreshes), the engine computes the bounded statistics, the noise is
     * added ({@link NoisyRelease}), and the result is stored; the cost is spent in the transaction
     * that records SUCCESS. The answer is kept for the cache only if the files did not change while
     * the engine read them.
     */
    private void runPrivately(ProtectedQuery query, Private dp, Admitted ready, PinnedTables pinned, Running handle,
            Settlement settlement) {
        ProtectedQueryId id = query.id();
        Optional<String> data = pinned.identities();
        String answerKey = data.map(files -> sha256(dp.queryKey() + "\ndata\n" + files)).orElse(null);
        Optional<Cached> cached = answerKey == null ? Optional.empty() : cached(answerKey, id);
        if (cached.isPresent()) {
            com.fasterxml.jackson.databind.node.ObjectNode result =
                    (com.fasterxml.jackson.databind.node.ObjectNode) cached.get().result();
            store(query, ready.output(), result);
            settlement.cached = true;
            if (!finish(id, q -> q.succeeded(result.path("rows").size(), context.now()), settlement,
                    tx -> record(tx, id, r -> r.released(answerKey, cached.get().source())))) {
                discard(query, ready.output());
            }
            return;
        }
        if (!ledger.holds(id.value())) {
            settlement.refusing = true;
            ledger.reserve(query.collaborationId(), id.value(), dp.cost());
            settlement.refusing = false;
        }
        NoisyRelease release = new NoisyRelease(dp.plan(), dp.calibration(), new ExactSampler(randomness),
                settings.maxResultRows());
        // the limit counts released rows, not the groups the engine returns before they are chosen
        io.cleanroom.engine.spi.Limits limits = new io.cleanroom.engine.spi.Limits(settings.memoryBytes(),
                settings.threads(), settings.timeout(), Long.MAX_VALUE);
        List<List<Object>> rows;
        // from here the engine reads the protected rows: how the query ends (an error, its time running
        // out, a cancellation the querier times) can depend on them, so any end but a released answer
        // spends too; given back, a query made slow or failing by one user's rows would be a free oracle
        settlement.spend = true;
        beforeEngine.accept(id);
        try {
            ready.engine().execute(ready.checked().executable(pinned.data(), limits), release, handle);
            if (handle.cancelled()) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, "stopped");
            }
            try (Stage stage = Stage.begin("dp.release")) {
                rows = release.resultRows();
            }
        } catch (NoisyRelease.TooManyRows e) {
            // how many groups were released is itself part of the noisy answer
            settlement.spend = true;
            throw CleanroomException.of(ErrorCode.QUERY_FAILED, e.getMessage());
        }
        boolean unchanged = data.isPresent() && pinned.identities().equals(data);
        ResultStore.Collector collector = new ResultStore.Collector(settings.maxResultRows());
        collector.columns(release.resultColumns());
        rows.forEach(collector::row);
        store(query, ready.output(), collector.toJson());
        boolean finished;
        try (Stage stage = Stage.begin("finish.record")) {
            finished = finish(id, q -> q.succeeded(rows.size(), context.now()), settlement,
                    tx -> record(tx, id, r -> r.released(unchanged ? answerKey : null, null)));
        }
        if (!finished) {
            discard(query, ready.output());
        }
    }

    private static void record(io.cleanroom.core.store.Tx tx, ProtectedQueryId id,
            java.util.function.UnaryOperator<DifferentialPrivacyQuery> change) {
        tx.of(Kinds.DIFFERENTIAL_PRIVACY_QUERIES).get(id.value())
                .ifPresent(r -> tx.of(Kinds.DIFFERENTIAL_PRIVACY_QUERIES).update(change.apply(r)));
    }

    /**
     * Runs a change of a query's state, again and again while the store cannot be reached (a
     * database restarting, a full disk), so that a query never stays SUBMITTED or STARTED while the
     * server runs. Gives up only when the server closes; then the next start ends the query.
     */
    private <T> T durably(java.util.function.Supplier<T> change) {
        long pause = 50;
        while (true) {
            try {
                return change.get();
            } catch (CleanroomException e) {
                if (e.code() != ErrorCode.INTERNAL || closed) {
                    throw e;
                }
                LOG.warn("Cannot record a protected query's state now ({}); retrying", e.getMessage());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = Math.min(pause * 2, 5_000);
            }
        }
    }

    private volatile boolean closed;

    /**
     * The error code of a protected query that StartProtectedQuery's checks refuse when the query
     * starts running rather than when it is submitted: the reason that StartProtectedQuery would have
     * answered with (INVALID_QUERY, FIELD_VALIDATION_FAILED, INVALID_CONFIGURATION,
     * INSUFFICIENT_PERMISSIONS, INVALID_STATE...), or RESOURCE_NOT_FOUND for a
     * ResourceNotFoundException, which has no reason. The message stays the exception's.
     */
    static String refusalCode(CleanroomException e) {
        return switch (e.code()) {
            case INVALID_CONFIGURATION -> "INVALID_CONFIGURATION";
            case INVALID_QUERY -> "INVALID_QUERY";
            case VALIDATION, PAYLOAD_TOO_LARGE -> "FIELD_VALIDATION_FAILED";
            case ACCESS_DENIED -> "INSUFFICIENT_PERMISSIONS";
            case RESOURCE_NOT_FOUND, ALREADY_EXISTS, SUBRESOURCES_EXIST, INVALID_STATE, QUOTA_EXCEEDED, THROTTLING,
                    UNKNOWN_OPERATION, QUERY_FAILED, INTERNAL -> e.code().name();
        };
    }

    private boolean transition(ProtectedQueryId id, ProtectedQueryStatus to) {
        return durably(() -> transitionOnce(id, to));
    }

    private boolean transitionOnce(ProtectedQueryId id, ProtectedQueryStatus to) {
        return context.store().inTransaction(tx -> {
            ProtectedQuery q = tx.of(Kinds.PROTECTED_QUERIES).get(id.value()).orElseThrow();
            if (q.status().terminal() || q.status() == ProtectedQueryStatus.CANCELLING) {
                if (q.status() == ProtectedQueryStatus.CANCELLING) {
                    ProtectedQuery cancelled = q.withStatus(ProtectedQueryStatus.CANCELLED, context.now());
                    tx.of(Kinds.PROTECTED_QUERIES).update(cancelled);
                    logEnd(tx, cancelled);
                    // cancelled before it started: what it reserved is given back
                    if (tx.of(Kinds.DIFFERENTIAL_PRIVACY_QUERIES).get(id.value()).isPresent()) {
                        ledger.refund(id.value());
                    }
                }
                return false;
            }
            tx.of(Kinds.PROTECTED_QUERIES).update(q.withStatus(to, context.now()));
            return true;
        });
    }

    /** Ends a query unless it has ended already; returns whether this change ended it. */
    private boolean finish(ProtectedQueryId id, java.util.function.UnaryOperator<ProtectedQuery> change) {
        return finish(id, change, null, null);
    }

    /**
     * Ends a query unless it has ended already, and in the same transaction settles the privacy
     * budget it holds (settlement, for a differentially private query: spent when it succeeded with
     * an answer of its own or when the engine ran on its data, else given back) and does the
     * rest of the change (also, when this change ended it). Returns whether this change ended it.
     */
    private boolean finish(ProtectedQueryId id, java.util.function.UnaryOperator<ProtectedQuery> change,
            Settlement settlement, java.util.function.Consumer<io.cleanroom.core.store.Tx> also) {
        return durably(() -> context.store().inTransaction(tx -> {
            ProtectedQuery q = tx.of(Kinds.PROTECTED_QUERIES).get(id.value()).orElseThrow();
            boolean ends = !q.status().terminal();
            ProtectedQuery ended = q;
            if (ends) {
                ended = change.apply(q);
                tx.of(Kinds.PROTECTED_QUERIES).update(ended);
                logEnd(tx, ended);
                if (also != null) {
                    also.accept(tx);
                }
            }
            if (settlement != null && settlement.dp) {
                boolean released = ended.status() == ProtectedQueryStatus.SUCCESS && !settlement.cached;
                if (released || settlement.spend && ended.status() != ProtectedQueryStatus.SUCCESS) {
                    ledger.commit(id.value());
                } else {
                    ledger.refund(id.value());
                }
            }
            return ends;
        }));
    }

    /** The query, if the caller's membership is the one that ran it (a read: it waits for no commit). */
    public ProtectedQuery get(Caller caller, MembershipId membershipId, ProtectedQueryId id) {
        AccountId account = caller.requireAccount();
        return context.store().read(tx -> {
            Optional<ProtectedQuery> q = tx.of(Kinds.PROTECTED_QUERIES).get(id.value())
                    .filter(p -> p.membershipId().equals(membershipId) && p.runner().equals(account));
            return q.orElseThrow(() -> CleanroomException.notFound(ResourceType.RESOURCE, id.value(),
                    "Protected query " + id + " does not exist in membership " + membershipId));
        });
    }

    /**
     * How long GetProtectedQuery waits, at most, for a query that is running on this server to end
     * before it answers. A client polls until the query has ended; each poll is a signed call with
     * its own audit record. A query of a few rows ends within a few milliseconds of the first poll,
     * so instead of answering STARTED and being asked again after the client's pause, the poll answers
     * the moment the query ends. The answer is the same GetProtectedQuery answer as ever (the
     * query as it is when the poll answers), only later by at most this much.
     */
    public static final java.time.Duration POLL_WAIT = java.time.Duration.ofMillis(50);

    private volatile java.time.Duration pollWait = POLL_WAIT;

    /** Test seam: how long {@link #poll} waits at most for a running query to end (zero: not at all). */
    public void pollWait(java.time.Duration wait) {
        this.pollWait = requireNonNull(wait, "wait is null");
    }

    private volatile java.util.function.Consumer<ProtectedQueryId> polling = id -> {
    };

    /** Test seam: told when a poll starts waiting for a running query to end. */
    public void polling(java.util.function.Consumer<ProtectedQueryId> listener) {
        this.polling = requireNonNull(listener, "listener is null");
    }

    /**
     * GetProtectedQuery: the query, as {@link #get}, but when it has not ended and runs on this
     * server, first waiting up to {@link #POLL_WAIT} for it to end. Only a caller that may see the
     * query waits (the access check comes first), and it learns nothing it would not learn by
     * polling again: the answer is read after the wait, under the same check.
     */
    public ProtectedQuery poll(Caller caller, MembershipId membershipId, ProtectedQueryId id) {
        ProtectedQuery q = get(caller, membershipId, id);
        Running handle = running.get(id);
        java.time.Duration wait = pollWait;
        if (q.status().terminal() || handle == null || wait.isZero() || wait.isNegative()) {
            return q;
        }
        polling.accept(id);
        try {
            if (!handle.ended.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return q;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return q;
        }
        return get(caller, membershipId, id);
    }

    public Page<ProtectedQuery> list(Caller caller, MembershipId membershipId, ProtectedQueryStatus status,
            Page.Request page) {
        AccountId account = caller.requireAccount();
        io.cleanroom.core.service.Listing listing = context.pages().listing("ListProtectedQueries", caller,
                membershipId.value(), status == null ? null : status.name());
        return context.store().inTransaction(tx -> {
            Membership membership = tx.of(Kinds.MEMBERSHIPS).get(membershipId.value())
                    .filter(m -> m.accountId().equals(account))
                    .orElseThrow(() -> CleanroomException.notFound(ResourceType.MEMBERSHIP, membershipId.value()));
            return listing.read(page,
                    (after, n) -> tx.of(Kinds.PROTECTED_QUERIES).findAfter("membership_id", membership.id().value(),
                            after, n),
                    Kinds.PROTECTED_QUERIES::positionOf, q -> status == null || q.status() == status);
        });
    }

    /** Cancels a query that has not ended; only CANCELLED is accepted as a target. */
    public ProtectedQuery cancel(Caller caller, MembershipId membershipId, ProtectedQueryId id) {
        ProtectedQuery q = get(caller, membershipId, id);
        if (q.status().terminal()) {
            throw CleanroomException.conflict(ErrorCode.INVALID_STATE, ResourceType.RESOURCE, id.value(),
                    "Protected query " + id + " has already ended (" + q.status() + ")");
        }
        ProtectedQuery updated = context.store().inTransaction(tx -> {
            ProtectedQuery current = tx.of(Kinds.PROTECTED_QUERIES).get(id.value()).orElseThrow();
            if (current.status().terminal()) {
                return current;
            }
            ProtectedQuery cancelling = current.withStatus(ProtectedQueryStatus.CANCELLING, context.now());
            tx.of(Kinds.PROTECTED_QUERIES).update(cancelling);
            return cancelling;
        });
        Running handle = running.get(id);
        if (handle != null) {
            handle.stop(ProtectedQueryStatus.CANCELLED);
        }
        return updated;
    }

    /**
     * The result, for an account that was to receive it, through its own membership in the same
     * collaboration. Others learn nothing: non-members get not found, members who may not receive it
     * get access denied.
     */
    public JsonNode result(Caller caller, MembershipId membershipId, ProtectedQueryId id) {
        AccountId account = caller.requireAccount();
        ProtectedQuery q = context.store().read(tx -> {
            Membership membership = tx.of(Kinds.MEMBERSHIPS).get(membershipId.value())
                    .filter(m -> m.accountId().equals(account))
                    .orElseThrow(() -> CleanroomException.notFound(ResourceType.MEMBERSHIP, membershipId.value()));
            return tx.of(Kinds.PROTECTED_QUERIES).get(id.value())
                    .filter(p -> p.collaborationId().equals(membership.collaborationId()))
                    .orElseThrow(() -> CleanroomException.notFound(ResourceType.RESOURCE, id.value(),
                            "Protected query " + id + " does not exist in this collaboration"));
        });
        if (!q.receivers().contains(account)) {
            throw CleanroomException.accessDenied("Account " + account + " does not receive the results of query "
                    + id);
        }
        if (q.status() != ProtectedQueryStatus.SUCCESS) {
            throw CleanroomException.conflict(ErrorCode.INVALID_STATE, ResourceType.RESOURCE, id.value(),
                    "Protected query " + id + " has no result (" + q.status() + ")");
        }
        return results.read(id);
    }

    @Override
    public void close() {
        closed = true;
        running.values().forEach(r -> r.stop(ProtectedQueryStatus.CANCELLED));
        workers.shutdownNow();
        timer.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
