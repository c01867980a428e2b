package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.Operation;
import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.core.model.Arns;
import io.cleanroom.core.service.AccountService;
import io.cleanroom.core.service.PageTokens;
import io.cleanroom.core.service.Quota;
import io.cleanroom.core.service.Quotas;
import io.cleanroom.core.service.SecretSealer;
import io.cleanroom.core.service.ServiceContext;
import io.cleanroom.server.admin.AdminApi;
import io.cleanroom.server.admin.AuditKeeper;
import io.cleanroom.server.glue.GlueApi;
import io.cleanroom.server.wire.Json;
import io.cleanroom.server.wire.Route;
import io.cleanroom.server.wire.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisFormat;
import software.amazon.awssdk.services.cleanrooms.model.MemberAbility;
import software.amazon.awssdk.services.cleanrooms.model.MemberSpecification;
import software.amazon.awssdk.services.cleanrooms.model.MembershipQueryLogStatus;
import software.amazon.awssdk.services.cleanrooms.model.MembershipStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryMemberOutputConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryOutputConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryResultConfiguration;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.InvalidNextTokenException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.InvalidInputException;

/**
 * Pagination that cannot repeat or skip, for every listing the server has: Clean Rooms operations
 * that take a nextToken (from {@link Operation}), Glue's plural Gets, CloudTrail's LookupEvents and
 * the admin API's lists. Each listing is walked two items a page while items are created (sorting
 * before the walk's position, where an offset would repeat an item) and deleted (one already
 * returned, where an offset would skip one, and one not yet returned) between pages: no item comes
 * twice, and every item present throughout comes once. Tokens are refused on another listing, by
 * another account, or altered. Each store runs it (SqlitePaginationIT, PostgresPaginationIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PaginationSuite {
    /** Listings named List... that AWS does not page (ListTagsForResource answers one map). */
    private static final Set<String> NOT_PAGED = Set.of("ListTagsForResource");

    /**
     * Paged listings that hold at most one item, so there is nothing to walk: a collaboration has one
     * differential privacy policy and one budget. PrivacyBudgetSuite checks their pages of one and
     * that a foreign token is refused.
     */
    private static final Set<String> AT_MOST_ONE = Set.of("ListPrivacyBudgetTemplates",
            "ListCollaborationPrivacyBudgetTemplates", "ListPrivacyBudgets", "ListCollaborationPrivacyBudgets");

    TestCluster cluster;

    abstract TestCluster.StoreKind kind();

    @BeforeAll
    void startCluster() throws Exception {
        Quotas quotas = Quotas.DEFAULTS.with(Quota.COLLABORATIONS_CREATED_PER_ACCOUNT, 200)
                .with(Quota.MEMBERS_INVITED_PER_COLLABORATION, 10)
                .with(Quota.ANALYSIS_TEMPLATES_PER_MEMBERSHIP, 200)
                .with(Quota.CONCURRENT_QUERIES_PER_ACCOUNT, 200)
                .with(Quota.CONCURRENT_QUERIES_PER_MEMBERSHIP, 200);
        cluster = TestCluster.start(kind(), c -> c.withQuotas(quotas)
                .withEngine(new ServerConfig.Engine("512MB", 1, 2, Duration.ofSeconds(60), 100_000)));
    }

    @AfterAll
    void stopCluster() {
        cluster.close();
    }

    /** One page of a listing: the ids of its items, in order, and the token for the next. */
    record Listed(List<String> ids, String next) {
    }

    /** What a removal did: took the item out of the listing, changed it in place, or nothing. */
    enum Removal { GONE, STAYS, IMPOSSIBLE }

    /** A listing under test and the writes the API allows on it. */
    interface Subject {
        Listed list(int maxResults, String token) throws Exception;

        /**
         * Creates an item that sorts before every item listed so far where the order allows it (so that
         * an offset would shift), or makes a write that adds none; false when the API cannot write.
         */
        boolean create() throws Exception;

        /** Deletes (or otherwise takes out of the listing) the item. */
        Removal remove(String id) throws Exception;

        interface Factory {
            Subject make() throws Exception;
        }
    }

    // ---- coverage ----

    /** Every paged listing the server serves, by operation name. */
    private Set<String> pagedOperations() throws Exception {
        Set<String> out = new TreeSet<>();
        for (Operation op : Operation.values()) {
            if (AT_MOST_ONE.contains(op.operationName())) {
                assertThat(op.queryParameters()).as(op.operationName()).contains("nextToken", "maxResults");
            } else if (op.queryParameters().contains("nextToken")) {
                out.add(op.operationName());
            } else {
                assertThat(op.operationName().startsWith("List") && !NOT_PAGED.contains(op.operationName()))
                        .as(op.operationName() + " is a List operation without nextToken").isFalse();
            }
        }
        for (String glue : GlueApi.OPERATIONS) {
            if (glue.startsWith("Get") && glue.endsWith("s") || glue.startsWith("List")) {
                out.add("Glue." + glue);
            }
        }
        out.add("CloudTrail.LookupEvents");
        for (Route route : adminRoutes()) {
            if (route.operation().startsWith("List")) {
                out.add("Admin." + route.operation());
            }
        }
        return out;
    }

    /** The admin API's routes, as the server registers them. */
    private List<Route> adminRoutes() throws Exception {
        io.cleanroom.core.store.Store store = cluster.server.store();
        ServiceContext context = new ServiceContext(store, Clock.systemUTC(), new Arns("us-east-1"),
                Quotas.DEFAULTS, PageTokens.random());
        SecretSealer none = new SecretSealer() {
            @Override
            public String seal(String secret) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String open(String sealed) {
                throw new UnsupportedOperationException();
            }
        };
        Path keys = Files.createTempDirectory("cleanroom-admin-routes");
        Router router = new Router();
        new AdminApi(new AccountService(context, none), store, AuditKeeper.open(store, Clock.systemUTC(), keys),
                new io.cleanroom.core.service.ConnectionService(context, none)).register(router);
        return router.routes();
    }

    @TestFactory
    Stream<DynamicTest> everyListingResumesWithoutRepeatsOrSkips() throws Exception {
        Map<String, Subject.Factory> subjects = subjects();
        assertThat(subjects.keySet()).as("every paged listing has a subject here")
                .containsExactlyInAnyOrderElementsOf(pagedOperations());
        return subjects.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
                () -> walk(e.getKey(), e.getValue().make())));
    }

    /** Walks a listing two at a time with writes between pages; no repeat, no skip. */
    private static void walk(String operation, Subject subject) throws Exception {
        for (int size = all(subject).size(); size < 7; ) {
            if (!subject.create() || all(subject).size() == size) {
                break;
            }
            size = all(subject).size();
        }
        List<String> before = all(subject);
        assertThat(before).as(operation + " has items to walk").hasSizeGreaterThanOrEqualTo(4);
        Set<String> throughout = new HashSet<>(before);
        List<String> returned = new ArrayList<>();
        int creates = 0;
        int writes = 0;
        String token = null;
        int step = 0;
        do {
            Listed page = subject.list(2, token);
            assertThat(page.ids().size()).as(operation).isLessThanOrEqualTo(2);
            returned.addAll(page.ids());
            token = page.next();
            if (token != null) {
                if (step % 2 == 0) {
                    for (int i = 0; i < 2; i++) {
                        creates += subject.create() ? 1 : 0;
                    }
                } else {
                    String seen = returned.get(returned.size() - 1);
                    writes += removed(subject.remove(seen), seen, throughout);
                    for (int i = before.size() - 1; i >= 0; i--) {
                        String unseen = before.get(i);
                        if (throughout.contains(unseen) && !returned.contains(unseen)) {
                            writes += removed(subject.remove(unseen), unseen, throughout);
                            break;
                        }
                    }
                }
            }
            step++;
            assertThat(step).as(operation + " ends").isLessThan(100);
        } while (token != null);
        assertThat(returned).as(operation + ": no item twice (after " + creates + " creates and " + writes
                + " removals)").doesNotHaveDuplicates();
        assertThat(returned).as(operation + ": every item present throughout, once").containsAll(throughout);
        assertThat(creates + writes).as(operation + " was written to between pages").isPositive();
    }

    private static int removed(Removal removal, String id, Set<String> throughout) {
        if (removal == Removal.GONE) {
            throughout.remove(id);
        }
        return removal == Removal.IMPOSSIBLE ? 0 : 1;
    }

    private static List<String> all(Subject subject) throws Exception {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            Listed page = subject.list(100, token);
            out.addAll(page.ids());
            token = page.next();
        } while (token != null);
        return out;
    }

    // ---- the subjects ----

    private final Map<String, Object> shared = new HashMap<>();

    /** The protected-query setup most Clean Rooms listings share, made once. */
    private QuerySetup queries() throws Exception {
        QuerySetup s = (QuerySetup) shared.get("queries");
        if (s == null) {
            s = new QuerySetup();
            shared.put("queries", s);
        }
        return s;
    }

    /** A name that sorts before every name made before it: "a" then a count down. */
    private int countdown = 999_999;

    private String earlier(String prefix) {
        return prefix + String.format("%06d", countdown--);
    }

    private Map<String, Subject.Factory> subjects() {
        Map<String, Subject.Factory> out = new LinkedHashMap<>();
        out.put("ListCollaborations", this::collaborations);
        out.put("ListMembers", this::members);
        out.put("ListMemberships", this::memberships);
        out.put("ListConfiguredTables", this::configuredTables);
        out.put("ListConfiguredTableAssociations", this::associations);
        out.put("ListSchemas", this::schemas);
        out.put("ListAnalysisTemplates", () -> templates(false));
        out.put("ListCollaborationAnalysisTemplates", () -> templates(true));
        out.put("ListProtectedQueries", this::protectedQueries);
        out.put("GetProtectedQueryResult", this::queryResult);
        out.put("ListQueryLogs", this::queryLogs);
        out.put("Glue.GetDatabases", this::glueDatabases);
        out.put("Glue.GetTables", this::glueTables);
        out.put("CloudTrail.LookupEvents", this::lookupEvents);
        out.put("Admin.ListAccounts", this::accounts);
        out.put("Admin.ListAccessKeys", this::accessKeys);
        out.put("Glue.GetConnections", this::glueConnections);
        out.put("Admin.ListConnections", this::adminConnections);
        return out;
    }

    private Subject collaborations() throws Exception {
        CleanRoomsClient c = cluster.cleanRooms(Fixtures.account(cluster, "creator"));
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = c.listCollaborations(q -> q.maxResults(max).nextToken(token));
                return new Listed(r.collaborationList().stream().map(x -> x.id()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                Fixtures.createCollaboration(c, "c");
                return true;
            }

            @Override
            public Removal remove(String id) {
                c.deleteCollaboration(r -> r.collaborationIdentifier(id));
                return Removal.GONE;
            }
        };
    }

    private Subject members() throws Exception {
        TestCluster.Keys creator = Fixtures.account(cluster, "creator");
        CleanRoomsClient c = cluster.cleanRooms(creator);
        List<MemberSpecification> specs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            specs.add(MemberSpecification.builder().accountId(Fixtures.account(cluster, "m" + i).accountId())
                    .displayName("m" + i).memberAbilities(List.<MemberAbility>of()).build());
        }
        String collaboration = c.createCollaboration(r -> r.name("members").description("d").members(specs)
                .creatorMemberAbilities(MemberAbility.CAN_QUERY, MemberAbility.CAN_RECEIVE_RESULTS)
                .creatorDisplayName("creator").queryLogStatus("DISABLED")).collaboration().id();
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = c.listMembers(q -> q.collaborationIdentifier(collaboration).maxResults(max).nextToken(token));
                return new Listed(r.memberSummaries().stream().map(x -> x.accountId()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                return false; // members are named when the collaboration is created
            }

            @Override
            public Removal remove(String accountId) {
                if (accountId.equals(creator.accountId())) {
                    return Removal.IMPOSSIBLE;
                }
                c.deleteMember(r -> r.collaborationIdentifier(collaboration).accountId(accountId));
                return Removal.STAYS; // listed on, as REMOVED
            }
        };
    }

    private Subject memberships() throws Exception {
        TestCluster.Keys member = Fixtures.account(cluster, "member");
        CleanRoomsClient creator = cluster.cleanRooms(Fixtures.account(cluster, "creator"));
        CleanRoomsClient c = cluster.cleanRooms(member);
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = c.listMemberships(q -> q.status(MembershipStatus.ACTIVE).maxResults(max).nextToken(token));
                return new Listed(r.membershipSummaries().stream().map(x -> x.id()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                Fixtures.join(c, Fixtures.createCollaboration(creator, "c", member));
                return true;
            }

            @Override
            public Removal remove(String id) {
                c.deleteMembership(r -> r.membershipIdentifier(id)); // no longer ACTIVE
                return Removal.GONE;
            }
        };
    }

    private Subject configuredTables() throws Exception {
        TestCluster.Keys owner = Fixtures.account(cluster, "owner");
        Fixtures.catalogTable(cluster, owner, "db", "t", Fixtures.PUBLISHER, false);
        CleanRoomsClient c = cluster.cleanRooms(owner);
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = c.listConfiguredTables(q -> q.maxResults(max).nextToken(token));
                return new Listed(r.configuredTableSummaries().stream().map(x -> x.id()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                Fixtures.configuredTable(c, "t", "db", "t", "user_id_hash", "segment");
                return true;
            }

            @Override
            public Removal remove(String id) {
                c.deleteConfiguredTable(r -> r.configuredTableIdentifier(id));
                return Removal.GONE;
            }
        };
    }

    /** Associations of the advertiser's membership; each new one of a new configured table. */
    private Subject associations() throws Exception {
        QuerySetup s = queries();
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = s.adv.listConfiguredTableAssociations(q -> q.membershipIdentifier(s.advertiserMembership)
                        .maxResults(max).nextToken(token));
                return new Listed(r.configuredTableAssociationSummaries().stream().map(x -> x.id()).toList(),
                        r.nextToken());
            }

            @Override
            public boolean create() {
                s.associate(earlier("a"));
                return true;
            }

            @Override
            public Removal remove(String id) {
                if (id.equals(s.advertiserAssociation)) {
                    return Removal.IMPOSSIBLE; // the queries of the other subjects read it
                }
                s.adv.deleteConfiguredTableAssociation(r -> r.membershipIdentifier(s.advertiserMembership)
                        .configuredTableAssociationIdentifier(id));
                return Removal.GONE;
            }
        };
    }

    /** Schemas, by name: new associations named to sort first. */
    private Subject schemas() throws Exception {
        QuerySetup s = queries();
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = s.pub.listSchemas(q -> q.collaborationIdentifier(s.collaborationId).maxResults(max)
                        .nextToken(token));
                return new Listed(r.schemaSummaries().stream().map(x -> x.name()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                s.associate(earlier("a"));
                return true;
            }

            @Override
            public Removal remove(String name) {
                String association = s.associationsByName.get(name);
                if (association == null) {
                    return Removal.IMPOSSIBLE; // the tables the queries read
                }
                s.adv.deleteConfiguredTableAssociation(r -> r.membershipIdentifier(s.advertiserMembership)
                        .configuredTableAssociationIdentifier(association));
                s.associationsByName.remove(name);
                return Removal.GONE;
            }
        };
    }

    private Subject templates(boolean collaborationView) throws Exception {
        QuerySetup s = queries();
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                if (collaborationView) {
                    var r = s.pub.listCollaborationAnalysisTemplates(q -> q.collaborationIdentifier(s.collaborationId)
                            .maxResults(max).nextToken(token));
                    return new Listed(r.collaborationAnalysisTemplateSummaries().stream().map(x -> x.id()).toList(),
                            r.nextToken());
                }
                var r = s.adv.listAnalysisTemplates(q -> q.membershipIdentifier(s.advertiserMembership)
                        .maxResults(max).nextToken(token));
                return new Listed(r.analysisTemplateSummaries().stream().map(x -> x.id()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                s.adv.createAnalysisTemplate(r -> r.membershipIdentifier(s.advertiserMembership).name(earlier("t"))
                        .format(AnalysisFormat.SQL).source(x -> x.text(QuerySetup.OVERLAP)));
                return true;
            }

            @Override
            public Removal remove(String id) {
                s.adv.deleteAnalysisTemplate(r -> r.membershipIdentifier(s.advertiserMembership)
                        .analysisTemplateIdentifier(id));
                return Removal.GONE;
            }
        };
    }

    private Subject protectedQueries() throws Exception {
        QuerySetup s = queries();
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = s.adv.listProtectedQueries(q -> q.membershipIdentifier(s.advertiserMembership)
                        .maxResults(max).nextToken(token));
                return new Listed(r.protectedQueries().stream().map(x -> x.id()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                s.start();
                return true;
            }

            @Override
            public Removal remove(String id) {
                return Removal.IMPOSSIBLE; // queries are never deleted
            }
        };
    }

    /** A result's rows: they never change, while other queries start between pages. */
    private Subject queryResult() throws Exception {
        QuerySetup s = queries();
        String query = s.awaitSuccess(s.start());
        return new Subject() {
            @Override
            public Listed list(int max, String token) throws Exception {
                JsonNode page = s.get(s.advertiser, "/memberships/" + s.advertiserMembership + "/protectedQueries/"
                        + query + "/result", max, token);
                List<String> rows = new ArrayList<>();
                page.get("rows").forEach(r -> rows.add(r.toString()));
                return new Listed(rows, page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null);
            }

            @Override
            public boolean create() {
                s.start();
                return true;
            }

            @Override
            public Removal remove(String id) {
                return Removal.IMPOSSIBLE;
            }
        };
    }

    /** The publisher's query log: each advertiser query that reads its table adds an entry. */
    private Subject queryLogs() throws Exception {
        QuerySetup s = queries();
        return new Subject() {
            @Override
            public Listed list(int max, String token) throws Exception {
                JsonNode page = s.get(s.publisher, "/memberships/" + s.publisherMembership + "/queryLogs", max, token);
                List<String> ids = new ArrayList<>();
                page.get("queryLogs").forEach(e -> ids.add(e.get("protectedQueryId").asText()));
                return new Listed(ids, page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null);
            }

            @Override
            public boolean create() {
                s.start();
                return true;
            }

            @Override
            public Removal remove(String id) {
                return Removal.IMPOSSIBLE;
            }
        };
    }

    private Subject glueDatabases() throws Exception {
        GlueClient glue = cluster.glue(Fixtures.account(cluster, "catalog"));
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = glue.getDatabases(q -> q.maxResults(max).nextToken(token));
                return new Listed(r.databaseList().stream().map(x -> x.name()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                String name = earlier("a");
                glue.createDatabase(r -> r.databaseInput(d -> d.name(name)));
                return true;
            }

            @Override
            public Removal remove(String name) {
                glue.deleteDatabase(r -> r.name(name));
                return Removal.GONE;
            }
        };
    }

    private Subject glueTables() throws Exception {
        TestCluster.Keys owner = Fixtures.account(cluster, "catalog");
        Path file = cluster.csv(owner, "t.csv", Fixtures.PUBLISHER);
        GlueClient glue = cluster.glue(owner);
        glue.createDatabase(r -> r.databaseInput(d -> d.name("db")));
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = glue.getTables(q -> q.databaseName("db").maxResults(max).nextToken(token));
                return new Listed(r.tableList().stream().map(x -> x.name()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                String name = earlier("a");
                glue.createTable(r -> r.databaseName("db").tableInput(t -> t.name(name)
                        .parameters(Map.of("classification", "csv"))
                        .storageDescriptor(sd -> sd.location(file.toString()))));
                return true;
            }

            @Override
            public Removal remove(String name) {
                glue.deleteTable(r -> r.databaseName("db").name(name));
                return Removal.GONE;
            }
        };
    }

    /** An account's trail: every call it makes adds an event, newest first. */
    private Subject lookupEvents() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "audited");
        CleanRoomsClient c = cluster.cleanRooms(keys);
        CloudTrailClient trail = cluster.cloudTrail(keys);
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = trail.lookupEvents(q -> q.maxResults(Math.min(max, 50)).nextToken(token));
                return new Listed(r.events().stream().map(e -> e.eventId()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                c.listCollaborations(r -> { });
                return true;
            }

            @Override
            public Removal remove(String id) {
                return Removal.IMPOSSIBLE; // events leave only by retention, behind a checkpoint
            }
        };
    }

    private JsonNode admin(String path, int max, String token) throws Exception {
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("maxResults", List.of(String.valueOf(max)));
        if (token != null) {
            query.put("nextToken", List.of(token));
        }
        SignedHttpClient.Response r = cluster.operator().send("GET", path, query, Map.of(), null,
                AdminApi.SIGNING_NAME);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    /** Accounts, by id: new ones with ids below every other. */
    private Subject accounts() {
        return new Subject() {
            @Override
            public Listed list(int max, String token) throws Exception {
                JsonNode page = admin("/admin/accounts", max, token);
                List<String> ids = new ArrayList<>();
                page.get("accounts").forEach(a -> ids.add(a.get("accountId").asText()));
                return new Listed(ids, page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null);
            }

            @Override
            public boolean create() throws Exception {
                cluster.createAccount(earlier("000000"), "early");
                return true;
            }

            @Override
            public Removal remove(String id) {
                return Removal.IMPOSSIBLE; // accounts are disabled, never deleted
            }
        };
    }

    /** An account's keys, oldest first. */
    private Subject accessKeys() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "keys");
        return new Subject() {
            @Override
            public Listed list(int max, String token) throws Exception {
                JsonNode page = admin("/admin/accounts/" + keys.accountId() + "/keys", max, token);
                List<String> ids = new ArrayList<>();
                page.get("accessKeys").forEach(k -> ids.add(k.get("accessKeyId").asText()));
                return new Listed(ids, page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null);
            }

            @Override
            public boolean create() throws Exception {
                cluster.createKey(keys.accountId(), "ANALYST");
                return true;
            }

            @Override
            public Removal remove(String id) throws Exception {
                SignedHttpClient.Response r = cluster.admin("DELETE", "/admin/keys/" + id, null);
                assertThat(r.status()).as(r.body()).isEqualTo(204);
                return Removal.GONE;
            }
        };
    }

    /** An account's connections through Glue, by name: new ones named before every other. */
    private Subject glueConnections() throws Exception {
        GlueClient glue = cluster.glue(Fixtures.account(cluster, "connections"));
        return new Subject() {
            @Override
            public Listed list(int max, String token) {
                var r = glue.getConnections(q -> q.maxResults(max).nextToken(token));
                return new Listed(r.connectionList().stream().map(x -> x.name()).toList(), r.nextToken());
            }

            @Override
            public boolean create() {
                String name = earlier("a");
                glue.createConnection(r -> r.connectionInput(c -> c.name(name).connectionType("JDBC")
                        .connectionPropertiesWithStrings(Map.of("JDBC_CONNECTION_URL",
                                "jdbc:postgresql://127.0.0.1:5432/members", "USERNAME", "reader", "PASSWORD", "pw"))));
                return true;
            }

            @Override
            public Removal remove(String name) {
                glue.deleteConnection(r -> r.connectionName(name));
                return Removal.GONE;
            }
        };
    }

    /** An account's connections through the admin API. */
    private Subject adminConnections() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "admin-connections");
        String path = "/admin/accounts/" + keys.accountId() + "/connections";
        return new Subject() {
            @Override
            public Listed list(int max, String token) throws Exception {
                JsonNode page = admin(path, max, token);
                List<String> names = new ArrayList<>();
                page.get("connections").forEach(k -> names.add(k.get("name").asText()));
                return new Listed(names, page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null);
            }

            @Override
            public boolean create() throws Exception {
                SignedHttpClient.Response r = cluster.admin("POST", path, "{\"name\":\"" + earlier("a")
                        + "\",\"type\":\"S3\",\"region\":\"us-east-1\",\"accessKeyId\":\"AK\","
                        + "\"secretAccessKey\":\"sk\"}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                return true;
            }

            @Override
            public Removal remove(String name) throws Exception {
                SignedHttpClient.Response r = cluster.admin("DELETE", path + "/" + name, null);
                assertThat(r.status()).as(r.body()).isEqualTo(204);
                return Removal.GONE;
            }
        };
    }

    // ---- tokens belong to one listing ----

    @Test
    void aTokenWorksOnlyForItsListingItsCallerAndUnaltered() throws Exception {
        TestCluster.Keys owner = Fixtures.account(cluster, "owner");
        TestCluster.Keys other = Fixtures.account(cluster, "other");
        Fixtures.catalogTable(cluster, owner, "db", "t", Fixtures.PUBLISHER, false);
        Fixtures.catalogTable(cluster, other, "db", "t", Fixtures.PUBLISHER, false);
        CleanRoomsClient mine = cluster.cleanRooms(owner);
        CleanRoomsClient theirs = cluster.cleanRooms(other);
        for (int i = 0; i < 3; i++) {
            Fixtures.configuredTable(mine, "t", "db", "t", "user_id_hash");
            Fixtures.configuredTable(theirs, "t", "db", "t", "user_id_hash");
            Fixtures.createCollaboration(mine, "c");
        }
        String token = mine.listConfiguredTables(r -> r.maxResults(1)).nextToken();
        assertThat(mine.listConfiguredTables(r -> r.maxResults(1).nextToken(token)).configuredTableSummaries())
                .hasSize(1);
        String altered = token.substring(0, 10) + (token.charAt(10) == 'A' ? 'B' : 'A') + token.substring(11);
        List<Runnable> refused = List.of(
                () -> theirs.listConfiguredTables(r -> r.nextToken(token)),
                () -> mine.listCollaborations(r -> r.nextToken(token)),
                () -> mine.listMemberships(r -> r.nextToken(token)),
                () -> mine.listConfiguredTables(r -> r.nextToken(altered)),
                () -> mine.listConfiguredTables(r -> r.nextToken("garbage")));
        for (Runnable call : refused) {
            ValidationException e = catchThrowableOfType(ValidationException.class, call::run);
            assertThat(e).isNotNull();
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.awsErrorDetails().errorMessage()).contains("Invalid nextToken");
        }
        // a filter is part of the listing
        String collaborations = mine.listCollaborations(r -> r.maxResults(1)).nextToken();
        assertThat(catchThrowableOfType(ValidationException.class, () -> mine.listCollaborations(
                r -> r.memberStatus("ACTIVE").nextToken(collaborations)))).isNotNull();
        // Glue: another Expression is another listing
        try (GlueClient glue = cluster.glue(owner)) {
            Path file = cluster.csv(owner, "u.csv", Fixtures.PUBLISHER);
            for (String name : List.of("u1", "u2", "u3")) {
                glue.createTable(r -> r.databaseName("db").tableInput(t -> t.name(name)
                        .parameters(Map.of("classification", "csv"))
                        .storageDescriptor(sd -> sd.location(file.toString()))));
            }
            String tables = glue.getTables(r -> r.databaseName("db").expression("u.*").maxResults(1)).nextToken();
            assertThat(glue.getTables(r -> r.databaseName("db").expression("u.*").maxResults(1).nextToken(tables))
                    .tableList()).extracting(t -> t.name()).containsExactly("u2");
            assertThat(catchThrowableOfType(InvalidInputException.class, () -> glue.getTables(
                    r -> r.databaseName("db").expression("u1|u3").nextToken(tables)))).isNotNull();
        }
        // CloudTrail: another account's token
        try (CloudTrailClient trail = cluster.cloudTrail(owner); CloudTrailClient otherTrail = cluster.cloudTrail(other)) {
            String events = trail.lookupEvents(r -> r.maxResults(1)).nextToken();
            assertThat(catchThrowableOfType(InvalidNextTokenException.class,
                    () -> otherTrail.lookupEvents(r -> r.nextToken(events)))).isNotNull();
        }
    }

    /**
     * The tutorial on generated data with query logging: the advertiser queries; the publisher's
     * membership logs the queries that read its table.
     */
    final class QuerySetup {
        static final String OVERLAP = "SELECT a.campaign, p.segment, COUNT(*) AS overlap_count "
                + "FROM advertiser_audience a JOIN publisher_audience p ON a.user_id_hash = p.user_id_hash "
                + "GROUP BY 1, 2";

        final TestCluster.Keys publisher = Fixtures.account(cluster, "publisher");
        final TestCluster.Keys advertiser = Fixtures.account(cluster, "advertiser");
        final CleanRoomsClient pub = cluster.cleanRooms(publisher);
        final CleanRoomsClient adv = cluster.cleanRooms(advertiser);
        final String collaborationId;
        final String publisherMembership;
        final String advertiserMembership;
        final String advertiserAssociation;
        /** Associations named to sort first, by name, for the schemas subject. */
        final Map<String, String> associationsByName = new HashMap<>();

        QuerySetup() throws Exception {
            List<String> p = new ArrayList<>(List.of("user_id_hash,segment"));
            List<String> a = new ArrayList<>(List.of("user_id_hash,campaign"));
            for (int i = 0; i < 120; i++) {
                p.add("u" + i + "," + (i % 2 == 0 ? "news" : "sports"));
                if (i % 3 == 0) {
                    a.add("u" + i + "," + (i % 4 < 2 ? "spring" : "brand"));
                }
            }
            Fixtures.catalogTable(cluster, publisher, "lab", "publisher_audience", p, false);
            Fixtures.catalogTable(cluster, advertiser, "lab", "advertiser_audience", a, false);
            collaborationId = pub.createCollaboration(r -> r.name("logged").description("d")
                    .creatorDisplayName("p").creatorMemberAbilities(List.of())
                    .members(MemberSpecification.builder().accountId(advertiser.accountId()).displayName("a")
                            .memberAbilitiesWithStrings("CAN_QUERY", "CAN_RECEIVE_RESULTS").build())
                    .queryLogStatus("ENABLED")).collaboration().id();
            publisherMembership = pub.createMembership(r -> r.collaborationIdentifier(collaborationId)
                    .queryLogStatus(MembershipQueryLogStatus.ENABLED)).membership().id();
            advertiserMembership = Fixtures.join(adv, collaborationId);
            String publisherTable = Fixtures.configuredTable(pub, "publisher_audience", "lab", "publisher_audience",
                    "user_id_hash", "segment");
            String advertiserTable = Fixtures.configuredTable(adv, "advertiser_audience", "lab",
                    "advertiser_audience", "user_id_hash", "campaign");
            Fixtures.aggregationRule(pub, publisherTable, "user_id_hash", "segment");
            Fixtures.aggregationRule(adv, advertiserTable, "user_id_hash", "campaign");
            Fixtures.associate(pub, publisherMembership, publisherTable, "publisher_audience");
            advertiserAssociation = Fixtures.associate(adv, advertiserMembership, advertiserTable,
                    "advertiser_audience");
        }

        /** A new configured table of the advertiser's, associated under this name. */
        void associate(String name) {
            String table = Fixtures.configuredTable(adv, name, "lab", "advertiser_audience", "user_id_hash");
            associationsByName.put(name, Fixtures.associate(adv, advertiserMembership, table, name));
        }

        String start() {
            return adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                    .type(ProtectedQueryType.SQL).sqlParameters(q -> q.queryString(OVERLAP))
                    .resultConfiguration(ProtectedQueryResultConfiguration.builder()
                            .outputConfiguration(ProtectedQueryOutputConfiguration.fromMember(
                                    ProtectedQueryMemberOutputConfiguration.builder()
                                            .accountId(advertiser.accountId()).build())).build()))
                    .protectedQuery().id();
        }

        String awaitSuccess(String id) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline) {
                var q = adv.getProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                        .protectedQueryIdentifier(id)).protectedQuery();
                if (q.status() == ProtectedQueryStatus.SUCCESS) {
                    return id;
                }
                assertThat(q.status()).as(String.valueOf(q.error())).isIn(ProtectedQueryStatus.SUBMITTED,
                        ProtectedQueryStatus.STARTED);
                Thread.sleep(20);
            }
            throw new AssertionError("query " + id + " did not end");
        }

        JsonNode get(TestCluster.Keys keys, String path, int max, String token) throws Exception {
            Map<String, List<String>> query = new LinkedHashMap<>();
            query.put("maxResults", List.of(String.valueOf(max)));
            if (token != null) {
                query.put("nextToken", List.of(token));
            }
            SignedHttpClient.Response r = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(),
                    keys.secretAccessKey(), "us-east-1", Clock.systemUTC())
                    .send("GET", path, query, Map.of(), null, "cleanrooms");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            return Json.MAPPER.readTree(r.body());
        }
    }
}
