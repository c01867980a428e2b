package io.cleanroom.server;

import io.cleanroom.client.Operation;
import io.cleanroom.server.admin.AdminApi;
import io.cleanroom.server.wire.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.server.sigv4.RequestSigner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives every operation the server serves (the Clean Rooms {@link Operation} table, Glue,
 * CloudTrail LookupEvents and the admin API) with random and malformed input: wrong types, huge
 * and deeply nested JSON, invalid UTF-8, NUL bytes, path traversal in identifiers and ARNs, absurd
 * maxResults, forged tokens, wrong content types, duplicate keys, huge headers and bodies over the
 * limit. Every request is correctly SigV4-signed (unless the input is about signing), so it reaches
 * the handlers. A finding is a 5xx, a stack trace or internals in a response, an error without the
 * AWS error shape, a body over the limit that is not refused, an error in the server's log, or the
 * server going away.
 *
 * <p>Input i of a run is generated from (seed, i) alone, so a finding names the seed and index that
 * reproduce it (on a server in the same state). {@link #main} runs a long fuzz against a server in
 * its own bounded JVM; {@code FuzzIT} runs a short one.
 */
final class Fuzzer {
    static final String A = "111111111111";
    static final String B = "222222222222";
    static final String C = "333333333333";
    /** The X-Amz-Target prefix of CloudTrail's operations, as the Java SDK sends it. */
    static final String CLOUDTRAIL_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";

    /** One operation: how it is addressed and a valid body to start mutating from. */
    record Target(String api, String name, String method, String template, List<String> queryParameters,
            String service, String amzTarget, String validBody) {
        boolean hasBody() {
            return validBody != null;
        }
    }

    /** A key to sign with. */
    record Key(String accessKeyId, String secret) {
    }

    /** One generated request. */
    record Input(long index, Target target, String method, String rawPath, String rawQuery,
            Map<String, List<String>> headers, byte[] body, String service, Key key, Signing signing,
            boolean transport, boolean oversized, String note) {
        String describe() {
            String text = new String(body, 0, Math.min(body.length, 600), StandardCharsets.UTF_8);
            StringBuilder headerText = new StringBuilder();
            headers.forEach((k, v) -> headerText.append(k).append('=').append(v.size() == 1
                    ? abbreviate(v.get(0), 120) : v.size() + " values").append(' '));
            return "#" + index + " " + target.name() + " [" + note + "] " + method + " " + abbreviate(rawPath, 300)
                    + (rawQuery == null ? "" : "?" + abbreviate(rawQuery, 300)) + " headers{" + headerText
                    + "} body(" + body.length + " bytes)=" + abbreviate(text, 600);
        }
    }

    enum Signing { VALID, WRONG_SECRET, UNSIGNED, WRONG_SERVICE }

    private static String abbreviate(String s, int max) {
        String visible = s.replace("\u0000", "\\0");
        return visible.length() <= max ? visible : visible.substring(0, max) + "...(" + s.length() + ")";
    }

    /** What a run found. */
    static final class Report {
        final AtomicLong inputs = new AtomicLong();
        final Map<String, Map<Integer, Integer>> statuses = new ConcurrentHashMap<>();
        final Set<String> reached = ConcurrentHashMap.newKeySet();
        final List<String> findings = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong oversizedRefused = new AtomicLong();

        void finding(String problem) {
            if (findings.size() < 500) {
                findings.add(problem);
            }
        }

        String summary() {
            StringBuilder out = new StringBuilder();
            out.append(inputs.get()).append(" inputs, ").append(findings.size()).append(" findings, ")
                    .append(oversizedRefused.get()).append(" oversized bodies refused\n");
            new TreeMap<>(statuses).forEach((target, counts) -> out.append("  ").append(target).append(' ')
                    .append(new TreeMap<>(counts)).append('\n'));
            return out.toString();
        }
    }

    // ---------------------------------------------------------------- the operations

    private static final Map<String, String> VALID = new LinkedHashMap<>();

    static {
        // Clean Rooms
        VALID.put("CreateCollaboration", "{\"name\":\"fuzz\",\"description\":\"d\",\"creatorDisplayName\":\"a\","
                + "\"creatorMemberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"],\"members\":[{\"accountId\":"
                + "\"${bacct}\",\"displayName\":\"b\",\"memberAbilities\":[]}],\"queryLogStatus\":\"ENABLED\","
                + "\"tags\":{\"k\":\"v\"}}");
        VALID.put("UpdateCollaboration", "{\"name\":\"n2\",\"description\":\"d2\"}");
        VALID.put("CreateMembership", "{\"collaborationIdentifier\":\"${cid}\",\"queryLogStatus\":\"ENABLED\","
                + "\"defaultResultConfiguration\":{\"outputConfiguration\":{\"s3\":{\"resultFormat\":\"CSV\","
                + "\"bucket\":\"b\",\"keyPrefix\":\"p\"}}}}");
        VALID.put("UpdateMembership", "{\"queryLogStatus\":\"DISABLED\"}");
        VALID.put("CreateConfiguredTable", "{\"name\":\"t2\",\"tableReference\":{\"glue\":{\"databaseName\":"
                + "\"${db}\",\"tableName\":\"${tbl}\"}},\"allowedColumns\":[\"a\",\"b\"],\"analysisMethod\":"
                + "\"DIRECT_QUERY\",\"description\":\"x\",\"tags\":{\"k\":\"v\"}}");
        VALID.put("UpdateConfiguredTable", "{\"name\":\"t3\",\"description\":\"y\"}");
        VALID.put("CreateConfiguredTableAnalysisRule", "{\"analysisRuleType\":\"AGGREGATION\",\"analysisRulePolicy\":"
                + "{\"v1\":{\"aggregation\":{\"aggregateColumns\":[{\"columnNames\":[\"a\"],\"function\":"
                + "\"COUNT_DISTINCT\"}],\"joinColumns\":[\"b\"],\"joinRequired\":\"QUERY_RUNNER\","
                + "\"dimensionColumns\":[],\"scalarFunctions\":[\"ABS\"],\"outputConstraints\":[{\"columnName\":"
                + "\"a\",\"minimum\":2,\"type\":\"COUNT_DISTINCT\"}]}}}}");
        VALID.put("UpdateConfiguredTableAnalysisRule", "{\"analysisRulePolicy\":{\"v1\":{\"custom\":"
                + "{\"allowedAnalyses\":[\"ANY_QUERY\"],\"allowedAnalysisProviders\":[\"${acct}\"]}}}}");
        VALID.put("CreateConfiguredTableAssociation", "{\"name\":\"assoc2\",\"configuredTableIdentifier\":"
                + "\"${ctid}\",\"roleArn\":\"arn:aws:iam::${acct}:role/r\",\"description\":\"d\"}");
        VALID.put("UpdateConfiguredTableAssociation", "{\"description\":\"d2\",\"roleArn\":"
                + "\"arn:aws:iam::${acct}:role/r2\"}");
        VALID.put("CreateConfiguredTableAssociationAnalysisRule", "{\"analysisRuleType\":\"CUSTOM\","
                + "\"analysisRulePolicy\":{\"v1\":{\"custom\":{\"allowedResultReceivers\":[\"${acct}\"]}}}}");
        VALID.put("UpdateConfiguredTableAssociationAnalysisRule", "{\"analysisRulePolicy\":{\"v1\":{\"custom\":"
                + "{\"allowedResultReceivers\":[\"${acct}\"]}}}}");
        VALID.put("BatchGetSchema", "{\"names\":[\"${assoc}\",\"x\"]}");
        VALID.put("BatchGetSchemaAnalysisRule", "{\"schemaAnalysisRuleRequests\":[{\"name\":\"${assoc}\","
                + "\"type\":\"CUSTOM\"}]}");
        VALID.put("CreateAnalysisTemplate", "{\"name\":\"tpl2\",\"format\":\"SQL\",\"source\":{\"text\":"
                + "\"SELECT COUNT(*) FROM ${assoc} WHERE a = :p\"},\"analysisParameters\":[{\"name\":\"p\","
                + "\"type\":\"VARCHAR\",\"defaultValue\":\"x\"}],\"description\":\"d\",\"tags\":{\"k\":\"v\"}}");
        VALID.put("UpdateAnalysisTemplate", "{\"description\":\"d\"}");
        VALID.put("BatchGetCollaborationAnalysisTemplate", "{\"analysisTemplateArns\":[\"${atarn}\"]}");
        VALID.put("TagResource", "{\"tags\":{\"k\":\"v\",\"k2\":\"v2\"}}");
        VALID.put("StartProtectedQuery", "{\"type\":\"SQL\",\"sqlParameters\":{\"queryString\":"
                + "\"SELECT COUNT(*) AS n FROM ${assoc}\"},\"resultConfiguration\":{\"outputConfiguration\":"
                + "{\"member\":{\"accountId\":\"${acct}\"}}}}");
        VALID.put("UpdateProtectedQuery", "{\"targetStatus\":\"CANCELLED\"}");
        VALID.put("CreatePrivacyBudgetTemplate", "{\"privacyBudgetType\":\"DIFFERENTIAL_PRIVACY\",\"autoRefresh\":"
                + "\"CALENDAR_MONTH\",\"parameters\":{\"differentialPrivacy\":{\"epsilon\":10,\"usersNoisePerQuery\":30}},"
                + "\"tags\":{\"k\":\"v\"}}");
        VALID.put("UpdatePrivacyBudgetTemplate", "{\"privacyBudgetType\":\"DIFFERENTIAL_PRIVACY\",\"parameters\":"
                + "{\"differentialPrivacy\":{\"epsilon\":11,\"usersNoisePerQuery\":20}}}");
        VALID.put("PreviewPrivacyImpact", "{\"parameters\":{\"differentialPrivacy\":{\"epsilon\":10,"
                + "\"usersNoisePerQuery\":30}}}");
        VALID.put("ExplainProtectedQuery", "{\"type\":\"SQL\",\"sqlParameters\":{\"queryString\":"
                + "\"SELECT COUNT(*) FROM ${assoc}\"}}");
        // admin
        VALID.put("CreateAccount", "{\"accountId\":\"${randacct}\",\"name\":\"n\",\"dataRoots\":[\"${root}\"]}");
        VALID.put("UpdateAccount", "{\"enabled\":true}");
        VALID.put("SetDataRoots", "{\"dataRoots\":[\"${root}\"]}");
        VALID.put("CreateAuditDigest", "{}");
        VALID.put("PruneAuditTrail", "{\"olderThanDays\":3650}");
        VALID.put("CreateAccessKey", "{\"role\":\"ANALYST\"}");
        VALID.put("UpdateAccessKey", "{\"active\":true}");
        VALID.put("RotateAccessKey", "{}");
        VALID.put("CreateConnection", "{\"name\":\"fuzzconn\",\"type\":\"S3\",\"endpoint\":\"http://127.0.0.1:9\","
                + "\"region\":\"us-east-1\",\"accessKeyId\":\"AK\",\"secretAccessKey\":\"sk\",\"pathStyle\":true}");
        VALID.put("UpdateConnection", "{\"type\":\"POSTGRESQL\",\"jdbcUrl\":\"jdbc:postgresql://127.0.0.1:9/db\","
                + "\"user\":\"u\",\"password\":\"p\"}");
        // Glue
        VALID.put("CreateDatabase", "{\"DatabaseInput\":{\"Name\":\"db2\",\"Description\":\"d\"}}");
        VALID.put("GetDatabase", "{\"Name\":\"${db}\"}");
        VALID.put("GetDatabases", "{\"MaxResults\":10}");
        VALID.put("DeleteDatabase", "{\"Name\":\"db2\"}");
        VALID.put("CreateTable", "{\"DatabaseName\":\"${db}\",\"TableInput\":{\"Name\":\"t2\",\"Parameters\":"
                + "{\"classification\":\"csv\"},\"StorageDescriptor\":{\"Location\":\"${loc}\",\"Columns\":"
                + "[{\"Name\":\"a\",\"Type\":\"string\"},{\"Name\":\"b\",\"Type\":\"string\"}]}}}");
        VALID.put("GetTable", "{\"DatabaseName\":\"${db}\",\"Name\":\"${tbl}\"}");
        VALID.put("GetTableSchema", "{\"DatabaseName\":\"${db}\",\"Name\":\"${tbl}\"}");
        VALID.put("GetTables", "{\"DatabaseName\":\"${db}\",\"MaxResults\":5,\"Expression\":\"t*\"}");
        VALID.put("UpdateTable", "{\"DatabaseName\":\"${db}\",\"TableInput\":{\"Name\":\"${tbl}\",\"Parameters\":"
                + "{\"classification\":\"csv\"},\"StorageDescriptor\":{\"Location\":\"${loc}\",\"Columns\":"
                + "[{\"Name\":\"a\",\"Type\":\"string\"},{\"Name\":\"b\",\"Type\":\"string\"}]}}}");
        VALID.put("DeleteTable", "{\"DatabaseName\":\"${db}\",\"Name\":\"t2\"}");
        VALID.put("CreateConnection.glue", "{\"ConnectionInput\":{\"Name\":\"gconn\",\"ConnectionType\":\"JDBC\","
                + "\"ConnectionProperties\":{\"JDBC_CONNECTION_URL\":\"jdbc:postgresql://127.0.0.1:9/db\","
                + "\"USERNAME\":\"u\",\"PASSWORD\":\"p\"}}}");
        VALID.put("GetConnection", "{\"Name\":\"gconn\",\"HidePassword\":true}");
        VALID.put("GetConnections", "{\"MaxResults\":10,\"Filter\":{\"ConnectionType\":\"JDBC\"}}");
        VALID.put("UpdateConnection.glue", "{\"Name\":\"gconn\",\"ConnectionInput\":{\"Name\":\"gconn\","
                + "\"ConnectionType\":\"S3\",\"ConnectionProperties\":{\"REGION\":\"us-east-1\","
                + "\"ACCESS_KEY_ID\":\"AK\",\"SECRET_ACCESS_KEY\":\"sk\"}}}");
        VALID.put("DeleteConnection", "{\"ConnectionName\":\"gconn\"}");
        // CloudTrail
        VALID.put("LookupEvents", "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\",\"AttributeValue\":"
                + "\"GetCollaboration\"}],\"MaxResults\":10,\"StartTime\":1.5,\"EndTime\":9999999999}");
    }

    /** Glue operations the server serves. */
    static final List<String> GLUE = List.of("CreateDatabase", "GetDatabase", "GetDatabases", "DeleteDatabase",
            "CreateTable", "GetTable", "GetTables", "UpdateTable", "DeleteTable", "GetTableSchema", "CreateConnection",
            "GetConnection", "GetConnections", "UpdateConnection", "DeleteConnection");

    /** The admin API: name, method, path template. */
    static final List<String[]> ADMIN = List.of(
            new String[] {"CreateAccount", "POST", "/admin/accounts"},
            new String[] {"ListAccounts", "GET", "/admin/accounts"},
            new String[] {"UpdateAccount", "PATCH", "/admin/accounts/{accountId}"},
            new String[] {"SetDataRoots", "PUT", "/admin/accounts/{accountId}/dataRoots"},
            new String[] {"VerifyAuditTrail", "GET", "/admin/audit/verify"},
            new String[] {"CreateAuditDigest", "POST", "/admin/audit/digests"},
            new String[] {"PruneAuditTrail", "POST", "/admin/audit/prune"},
            new String[] {"ExportAuditTrail", "GET", "/admin/audit/events"},
            new String[] {"CreateAccessKey", "POST", "/admin/accounts/{accountId}/keys"},
            new String[] {"ListAccessKeys", "GET", "/admin/accounts/{accountId}/keys"},
            new String[] {"UpdateAccessKey", "PATCH", "/admin/keys/{accessKeyId}"},
            new String[] {"RotateAccessKey", "POST", "/admin/keys/{accessKeyId}/rotate"},
            new String[] {"DeleteAccessKey", "DELETE", "/admin/keys/{accessKeyId}"},
            new String[] {"CreateConnection", "POST", "/admin/accounts/{accountId}/connections"},
            new String[] {"ListConnections", "GET", "/admin/accounts/{accountId}/connections"},
            new String[] {"GetConnection", "GET", "/admin/accounts/{accountId}/connections/{name}"},
            new String[] {"UpdateConnection", "PUT", "/admin/accounts/{accountId}/connections/{name}"},
            new String[] {"DeleteConnection", "DELETE", "/admin/accounts/{accountId}/connections/{name}"});

    /** Every operation the server serves. */
    static List<Target> targets() {
        List<Target> out = new ArrayList<>();
        for (Operation op : Operation.values()) {
            String body = VALID.get(op.operationName());
            if (body == null && (op.method().equals("POST") || op.method().equals("PATCH"))) {
                throw new IllegalStateException("no valid body for " + op.operationName());
            }
            out.add(new Target("cleanrooms", op.operationName(), op.method(), op.template(), op.queryParameters(),
                    "cleanrooms", null, body));
        }
        for (String[] admin : ADMIN) {
            List<String> query = admin[0].equals("ExportAuditTrail") ? List.of("nextToken", "maxResults") : List.of();
            out.add(new Target("admin", admin[0], admin[1], admin[2], query, AdminApi.SIGNING_NAME, null,
                    VALID.get(admin[0])));
        }
        for (String glue : GLUE) {
            String body = VALID.getOrDefault(glue + ".glue", VALID.get(glue));
            out.add(new Target("glue", glue, "POST", "/", List.of(), "glue", "AWSGlue." + glue, body));
        }
        out.add(new Target("cloudtrail", "LookupEvents", "POST", "/", List.of(), "cloudtrail",
                CLOUDTRAIL_PREFIX + ".LookupEvents", VALID.get("LookupEvents")));
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- state

    private final String host;
    private final int port;
    private final int maxBodyBytes;
    private final long seed;
    private final List<Target> targets = targets();
    /** Known valid values (ids, ARNs, names) by placeholder name. */
    final Map<String, String> known = new ConcurrentHashMap<>();
    private Key operator;
    private Key accountA;
    private Key analystA;
    private Key accountB;
    private final Path dataDir;

    Fuzzer(String host, int port, Path dataDir, int maxBodyBytes, long seed) {
        this.host = host;
        this.port = port;
        this.dataDir = dataDir;
        this.maxBodyBytes = maxBodyBytes;
        this.seed = seed;
    }

    // ---------------------------------------------------------------- set-up with valid calls

    private RawHttp.Response call(RawHttp http, Key key, String service, String method, String path, String query,
            String amzTarget, String body) throws IOException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of(host + ":" + port));
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (amzTarget != null) {
            headers.put("X-Amz-Target", List.of(amzTarget));
            headers.put("Content-Type", List.of("application/x-amz-json-1.1"));
        } else if (body != null) {
            headers.put("Content-Type", List.of("application/json"));
        }
        Map<String, List<String>> signed = RequestSigner.sign(method, path, query, headers, bytes, key.accessKeyId(),
                key.secret(), "us-east-1", service, Instant.now());
        return http.send(method, path, query, signed, bytes);
    }

    private JsonNode ok(RawHttp http, Key key, String service, String method, String path, String amzTarget,
            String body) throws IOException {
        RawHttp.Response r = call(http, key, service, method, path, null, amzTarget, body);
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("set-up call " + method + " " + path + " " + amzTarget + " failed: "
                    + r.status() + " " + r.text());
        }
        return r.body().length == 0 ? Json.object() : Json.MAPPER.readTree(r.body());
    }

    private Key account(RawHttp http, String id, Path root) throws IOException {
        JsonNode created = ok(http, operator, AdminApi.SIGNING_NAME, "POST", "/admin/accounts", null,
                "{\"accountId\":\"" + id + "\",\"name\":\"fuzz" + id + "\",\"dataRoots\":["
                        + Json.MAPPER.writeValueAsString(root.toString()) + "]}");
        return new Key(created.get("accessKeyId").asText(), created.get("secretAccessKey").asText());
    }

    /** Creates the accounts and a collaboration with every kind of resource, so inputs can reach deep. */
    void setUp() throws IOException {
        JsonNode creds = Json.MAPPER.readTree(dataDir.resolve("operator-credentials.json").toFile());
        operator = new Key(creds.get("accessKeyId").asText(), creds.get("secretAccessKey").asText());
        Path rootA = Files.createDirectories(dataDir.resolve("fuzz-roots").resolve(A)).toRealPath();
        Path rootB = Files.createDirectories(dataDir.resolve("fuzz-roots").resolve(B)).toRealPath();
        Path rootC = Files.createDirectories(dataDir.resolve("fuzz-roots").resolve(C)).toRealPath();
        Path csv = Files.writeString(rootA.resolve("t.csv"), "a,b\nx,1\ny,2\nz,3\n");
        known.put("acct", A);
        known.put("bacct", B);
        known.put("cacct", C);
        known.put("loc", csv.toString());
        known.put("root", rootC.toString());
        known.put("db", "fuzzdb");
        known.put("tbl", "fuzztable");
        known.put("assoc", "fuzzassoc");
        try (RawHttp http = new RawHttp(host, port, 120_000)) {
            accountA = account(http, A, rootA);
            accountB = account(http, B, rootB);
            Key victim = account(http, C, rootC);
            known.put("ckey", victim.accessKeyId());
            JsonNode analyst = ok(http, operator, AdminApi.SIGNING_NAME, "POST", "/admin/accounts/" + A + "/keys",
                    null, "{\"role\":\"ANALYST\"}");
            analystA = new Key(analyst.get("accessKeyId").asText(), analyst.get("secretAccessKey").asText());
            ok(http, accountA, "glue", "POST", "/", "AWSGlue.CreateDatabase", "{\"DatabaseInput\":{\"Name\":\"fuzzdb\"}}");
            ok(http, accountA, "glue", "POST", "/", "AWSGlue.CreateTable", fill(
                    "{\"DatabaseName\":\"fuzzdb\",\"TableInput\":{\"Name\":\"fuzztable\",\"Parameters\":"
                            + "{\"classification\":\"csv\"},\"StorageDescriptor\":{\"Location\":\"${loc}\"}}}",
                    new SplittableRandom(0)));
            refresh(http);
        }
    }

    /** Recreates whichever of the known resources the fuzz deleted (quotas permitting). */
    void refresh(RawHttp http) throws IOException {
        try {
            if (!exists(http, accountA, "/collaborations/" + known.get("cid"))) {
                JsonNode c = ok(http, accountA, "cleanrooms", "POST", "/collaborations", null,
                        "{\"name\":\"fuzzc\",\"description\":\"d\",\"creatorDisplayName\":\"a\","
                                + "\"creatorMemberAbilities\":[\"CAN_QUERY\",\"CAN_RECEIVE_RESULTS\"],\"members\":"
                                + "[{\"accountId\":\"" + B + "\",\"displayName\":\"b\",\"memberAbilities\":[]}],"
                                + "\"queryLogStatus\":\"ENABLED\"}");
                known.put("cid", c.at("/collaboration/id").asText());
                known.put("carn", c.at("/collaboration/arn").asText());
                known.remove("mid");
            }
            if (!exists(http, accountA, "/memberships/" + known.get("mid"))) {
                JsonNode m = ok(http, accountA, "cleanrooms", "POST", "/memberships", null,
                        "{\"collaborationIdentifier\":\"" + known.get("cid") + "\",\"queryLogStatus\":\"ENABLED\"}");
                known.put("mid", m.at("/membership/id").asText());
                known.put("marn", m.at("/membership/arn").asText());
                known.remove("ctaid");
                known.remove("atid");
            }
            if (!exists(http, accountB, "/memberships/" + known.get("bmid"))) {
                RawHttp.Response m = call(http, accountB, "cleanrooms", "POST", "/memberships", null, null,
                        "{\"collaborationIdentifier\":\"" + known.get("cid") + "\",\"queryLogStatus\":\"ENABLED\"}");
                if (m.status() == 200) {
                    known.put("bmid", Json.MAPPER.readTree(m.body()).at("/membership/id").asText());
                }
            }
            if (!exists(http, accountA, "/configuredTables/" + known.get("ctid"))) {
                JsonNode t = ok(http, accountA, "cleanrooms", "POST", "/configuredTables", null,
                        "{\"name\":\"fuzzt\",\"tableReference\":{\"glue\":{\"databaseName\":\"fuzzdb\","
                                + "\"tableName\":\"fuzztable\"}},\"allowedColumns\":[\"a\",\"b\"],"
                                + "\"analysisMethod\":\"DIRECT_QUERY\"}");
                known.put("ctid", t.at("/configuredTable/id").asText());
                known.put("ctarn", t.at("/configuredTable/arn").asText());
                call(http, accountA, "cleanrooms", "POST", "/configuredTables/" + known.get("ctid") + "/analysisRule",
                        null, null, "{\"analysisRuleType\":\"CUSTOM\",\"analysisRulePolicy\":{\"v1\":{\"custom\":"
                                + "{\"allowedAnalyses\":[\"ANY_QUERY\"],\"allowedAnalysisProviders\":[\"" + A
                                + "\"]}}}}");
                known.remove("ctaid");
            }
            String mid = known.get("mid");
            if (!exists(http, accountA, "/memberships/" + mid + "/configuredTableAssociations/"
                    + known.get("ctaid"))) {
                call(http, accountA, "cleanrooms", "DELETE", "/memberships/" + mid + "/configuredTableAssociations/"
                        + known.get("ctaid"), null, null, null);
                RawHttp.Response a = call(http, accountA, "cleanrooms", "POST", "/memberships/" + mid
                        + "/configuredTableAssociations", null, null, "{\"name\":\"fuzzassoc\","
                        + "\"configuredTableIdentifier\":\"" + known.get("ctid") + "\",\"roleArn\":"
                        + "\"arn:aws:iam::" + A + ":role/r\"}");
                if (a.status() == 200) {
                    JsonNode json = Json.MAPPER.readTree(a.body());
                    known.put("ctaid", json.at("/configuredTableAssociation/id").asText());
                    known.put("ctaarn", json.at("/configuredTableAssociation/arn").asText());
                }
            }
            if (!exists(http, accountA, "/memberships/" + mid + "/analysistemplates/" + known.get("atid"))) {
                RawHttp.Response t = call(http, accountA, "cleanrooms", "POST", "/memberships/" + mid
                        + "/analysistemplates", null, null, "{\"name\":\"fuzztpl" + UUID.randomUUID().toString()
                        .substring(0, 8) + "\",\"format\":\"SQL\",\"source\":{\"text\":\"SELECT COUNT(*) AS n "
                        + "FROM fuzzassoc\"}}");
                if (t.status() == 200) {
                    JsonNode json = Json.MAPPER.readTree(t.body());
                    known.put("atid", json.at("/analysisTemplate/id").asText());
                    known.put("atarn", json.at("/analysisTemplate/arn").asText());
                }
            }
            if (!known.containsKey("pqid")) {
                RawHttp.Response q = call(http, accountA, "cleanrooms", "POST", "/memberships/" + mid
                        + "/protectedQueries", null, null, "{\"type\":\"SQL\",\"sqlParameters\":{\"queryString\":"
                        + "\"SELECT COUNT(*) AS n FROM fuzzassoc\"}}");
                if (q.status() == 200) {
                    known.put("pqid", Json.MAPPER.readTree(q.body()).at("/protectedQuery/id").asText());
                }
            }
        } catch (IllegalStateException e) {
            // a quota the fuzz used up, or a resource it broke: the inputs go on with what there is
        }
    }

    private boolean exists(RawHttp http, Key key, String path) throws IOException {
        if (path.contains("null")) {
            return false;
        }
        return call(http, key, "cleanrooms", "GET", path, null, null, null).status() == 200;
    }

    // ---------------------------------------------------------------- generating values

    private static final String[] NASTY_SEGMENTS = {
        "..", ".", "%2e%2e", "%2E%2E%2F%2E%2E", "..%2F..%2Fetc%2Fpasswd", "%2F", "%2Fetc%2Fpasswd", "a%00b", "%00",
        "%zz", "%", "%4", "%C3%28", "%FF%FE%FD", "%ED%A0%80", "%E2%80%AE", "%F0%9F%98%80", "%C0%AE%C0%AE",
        "null", "-1", "0", "%20", "+", "*", "%27%20OR%201%3D1--", "%22", "%3Cscript%3E", "%5C..%5C..",
        "arn%3Aaws%3Acleanrooms%3Aus-east-1%3A111111111111%3Acollaboration%2F..%2F..%2Fx",
        "arn%3Aaws%3Acleanrooms%3Aus-east-1%3A222222222222%3Amembership%2F%00",
        "arn:aws:cleanrooms:us-east-1:111111111111:configuredtable/..", "arn%3Aaws%3A", "%252e%252e",
        "00000000-0000-0000-0000-000000000000", "AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA",
        "111111111111", "11111111111", "1111111111111", "AKIAIOSFODNN7EXAMPLE", "ANALYST", "AGGREGATION",
        "LIST", "CUSTOM", "aggregation", "%EF%BB%BF", "%0D%0AX-Injected%3A%201", "~", "%7E"};

    private static final String[] NASTY_STRINGS = {
        "", " ", "\t", "\u0000", "a\u0000b", "\ud800", "\udfff\ud800", "\u202e", "\ufeff", "😀", "..", "../../etc/passwd",
        "/etc/passwd", "/proc/self/environ", "C:\\Windows", "\\\\server\\share", "%00", "%2e%2e", "${jndi:ldap://x}",
        "' OR 1=1 --", "\"; DROP TABLE accounts; --", "<script>", "null", "true", "-1", "0", "1e309", "NaN",
        "arn:aws:cleanrooms:us-east-1:111111111111:collaboration/../../x", "arn:aws:iam::111111111111:role/../..",
        "arn:aws:cleanrooms:us-east-1:222222222222:membership/00000000-0000-0000-0000-000000000000/analysistemplate/x",
        "s3://bucket/../../x", "file:///etc/passwd", "jdbc:postgresql://x/y", "/", "*", "?", "[", "{", "\\",
        "SELECT * FROM accounts", "SELECT 1; SELECT 2", "CAN_QUERY", "ENABLED", "SQL", "AGGREGATION", "CSV",
        "COUNT_DISTINCT", "DIRECT_QUERY", "ANALYST", "ADMINISTRATOR", "111111111111", "222222222222",
        "00000000-0000-0000-0000-000000000000", "\r\nX-Injected: 1", "\u00e9\u00e8", "ñ", "İ", "ß"};

    private static final String[] FIELD_NAMES = {
        "name", "description", "members", "accountId", "memberAbilities", "displayName", "queryLogStatus",
        "creatorMemberAbilities", "creatorDisplayName", "dataEncryptionMetadata", "analysisRulePolicy", "v1",
        "aggregation", "list", "custom", "tableReference", "glue", "databaseName", "tableName", "allowedColumns",
        "analysisMethod", "configuredTableIdentifier", "collaborationIdentifier", "roleArn", "tags", "type",
        "sqlParameters", "queryString", "analysisTemplateArn", "parameters", "resultConfiguration",
        "outputConfiguration", "s3", "member", "resultFormat", "bucket", "keyPrefix", "targetStatus", "names",
        "analysisTemplateArns", "schemaAnalysisRuleRequests", "source", "text", "format", "analysisParameters",
        "defaultValue", "analysisRuleType", "allowedResultReceivers", "allowedAnalyses", "allowedAnalysisProviders",
        "aggregateColumns", "columnNames", "function", "joinColumns", "joinRequired", "dimensionColumns",
        "scalarFunctions", "outputConstraints", "columnName", "minimum", "listColumns", "allowedJoinOperators",
        "additionalAnalyses", "differentialPrivacy", "paymentConfiguration", "defaultResultConfiguration",
        "Name", "DatabaseInput", "TableInput", "StorageDescriptor", "Columns", "Type", "Location", "Parameters",
        "classification", "SerdeInfo", "InputFormat", "OutputFormat", "CatalogId", "DatabaseName", "Expression",
        "MaxResults", "NextToken", "LookupAttributes", "AttributeKey", "AttributeValue", "StartTime", "EndTime",
        "dataRoots", "enabled", "role", "active", "olderThanDays", "__proto__", "constructor", "", "\u0000"};

    private String nastyString(SplittableRandom r) {
        return switch (r.nextInt(12)) {
            case 0 -> "x".repeat(r.nextInt(1, 20_000));
            case 1 -> randomUnicode(r, r.nextInt(1, 64));
            case 2 -> pick(r, known.values().toArray(String[]::new));
            case 3 -> UUID.randomUUID().toString();
            case 4 -> "a".repeat(r.nextInt(250, 260));
            default -> pick(r, NASTY_STRINGS);
        };
    }

    private static String randomUnicode(SplittableRandom r, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = r.nextInt(5);
            s.appendCodePoint(switch (kind) {
                case 0 -> r.nextInt(0, 32);
                case 1 -> r.nextInt(32, 127);
                case 2 -> r.nextInt(0x80, 0x800);
                case 3 -> r.nextInt(0xd800, 0xe000);
                default -> r.nextInt(0x10000, 0x10ffff);
            });
        }
        return s.toString();
    }

    private JsonNode randomValue(SplittableRandom r, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = depth > 4 ? r.nextInt(7) : r.nextInt(10);
        return switch (kind) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(r.nextBoolean());
            case 2 -> f.numberNode(pick(r, new long[] {0, -1, 1, Integer.MAX_VALUE + 1L, Long.MAX_VALUE,
                Long.MIN_VALUE, 101, 10_000, -2_147_483_648L}));
            case 3 -> f.numberNode(pick(r, new double[] {0.5, -0.0, 1e308, -1e308, 1e-320, 3.14}));
            case 4 -> f.numberNode(new java.math.BigDecimal(pick(r, new String[] {"1e400", "-1e400",
                "123456789012345678901234567890", "1e-400", "9223372036854775808"})));
            case 5, 6 -> f.textNode(nastyString(r));
            case 7 -> {
                ArrayNode a = f.arrayNode();
                int n = r.nextInt(10) == 0 ? r.nextInt(100, 2000) : r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.add(n > 50 ? f.textNode("c" + i) : randomValue(r, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = f.objectNode();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    o.set(pick(r, FIELD_NAMES), randomValue(r, depth + 1));
                }
                yield o;
            }
        };
    }

    /** Replaces, removes or adds one node somewhere in a tree. */
    private void mutate(JsonNode root, SplittableRandom r) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode container = containers.get(r.nextInt(containers.size()));
        if (container instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            int action = names.isEmpty() ? 2 : r.nextInt(4);
            switch (action) {
                case 0 -> o.remove(pick(r, names.toArray(String[]::new)));
                case 1, 3 -> o.set(pick(r, names.toArray(String[]::new)), randomValue(r, 0));
                default -> o.set(pick(r, FIELD_NAMES), randomValue(r, 0));
            }
        } else if (container instanceof ArrayNode a) {
            if (a.isEmpty() || r.nextBoolean()) {
                a.add(randomValue(r, 0));
            } else {
                a.set(r.nextInt(a.size()), randomValue(r, 0));
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.elements().forEachRemaining(child -> collect(child, out));
        }
    }

    private String fill(String template, SplittableRandom r) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)}").matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = switch (name) {
                case "randacct" -> "9" + String.format("%011d", r.nextLong(100_000_000_000L));
                default -> known.getOrDefault(name, "00000000-0000-0000-0000-000000000000");
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A body: valid, a mutated valid one, random JSON, or bytes no JSON parser should accept. */
    private byte[] body(Target t, SplittableRandom r, List<String> notes) throws IOException {
        String valid = t.hasBody() ? fill(t.validBody(), r) : null;
        int kind = r.nextInt(100);
        if (valid == null && kind < 70) {
            notes.add("no body");
            return new byte[0];
        }
        if (valid != null && kind < 15) {
            notes.add("valid body");
            return valid.getBytes(StandardCharsets.UTF_8);
        }
        if (valid != null && kind < 60) {
            JsonNode tree = Json.MAPPER.readTree(valid);
            int n = 1 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                mutate(tree, r);
            }
            notes.add("mutated");
            return Json.MAPPER.writeValueAsBytes(tree);
        }
        if (kind < 72) {
            notes.add("random json");
            return Json.MAPPER.writeValueAsBytes(randomValue(r, 0));
        }
        String base = valid != null ? valid : "{\"name\":\"x\"}";
        byte[] bytes = base.getBytes(StandardCharsets.UTF_8);
        int attack = r.nextInt(16);
        notes.add("raw attack " + attack);
        return switch (attack) {
            case 0 -> insert(bytes, r, new byte[] {(byte) 0xff, (byte) 0xfe}); // invalid UTF-8
            case 1 -> insert(bytes, r, new byte[] {(byte) 0xc3, (byte) 0x28});
            case 2 -> insert(bytes, r, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}); // encoded surrogate
            case 3 -> insert(bytes, r, new byte[] {0}); // raw NUL
            case 4 -> java.util.Arrays.copyOf(bytes, r.nextInt(Math.max(1, bytes.length))); // truncated
            case 5 -> duplicateKey(base).getBytes(StandardCharsets.UTF_8);
            case 6 -> nested(r.nextBoolean() ? 63 : 65 + r.nextInt(200_000), r.nextBoolean());
            case 7 -> ("\ufeff" + base).getBytes(StandardCharsets.UTF_8);
            case 8 -> (base + pick(r, new String[] {"x", "}", " {}", "\u0000", "//c", ",", "]"}))
                    .getBytes(StandardCharsets.UTF_8);
            case 9 -> pick(r, new String[] {"null", "[]", "\"s\"", "1", "true", "{", "", " ", "NaN", "1e999999",
                "-", "{\"a\":}", "{'a':1}", "{a:1}", "[1,]", "{\"a\":1,}", "/* c */{}"}).getBytes(StandardCharsets.UTF_8);
            case 10 -> wideArray(maxBodyBytes - 64 - r.nextInt(1024), r.nextBoolean());
            case 11 -> ("{\"name\":\"" + "x".repeat(Math.max(0, maxBodyBytes - 64 - r.nextInt(1024))) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            case 12 -> ("{\"n\":" + "9".repeat(r.nextInt(100, 200_000)) + "}").getBytes(StandardCharsets.UTF_8);
            case 13 -> manyKeys(maxBodyBytes - 64 - r.nextInt(1024));
            case 14 -> base.replace("\"", "\"\\u0000").getBytes(StandardCharsets.UTF_8); // escaped NULs everywhere
            default -> base.replace(":\"", ":\"\\ud800").getBytes(StandardCharsets.UTF_8); // lone surrogates
        };
    }

    private static byte[] insert(byte[] bytes, SplittableRandom r, byte[] what) {
        int at = r.nextInt(bytes.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.writeBytes(what);
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }

    private static String duplicateKey(String json) {
        int brace = json.indexOf('{');
        int colon = json.indexOf(':');
        if (brace < 0 || colon < 0 || colon < brace) {
            return "{\"a\":1,\"a\":2}";
        }
        String key = json.substring(brace + 1, colon);
        return "{" + key + ":null," + json.substring(brace + 1);
    }

    private static byte[] nested(int depth, boolean arrays) {
        StringBuilder s = new StringBuilder(depth * 6);
        for (int i = 0; i < depth; i++) {
            s.append(arrays ? "[" : "{\"a\":");
        }
        s.append('1');
        for (int i = 0; i < depth; i++) {
            s.append(arrays ? ']' : '}');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] wideArray(int bytes, boolean strings) {
        StringBuilder s = new StringBuilder(bytes + 16).append("{\"names\":[");
        String element = strings ? "\"a\"," : "0,";
        while (s.length() + element.length() + 3 < bytes) {
            s.append(element);
        }
        s.append(strings ? "\"a\"]}" : "0]}");
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] manyKeys(int bytes) {
        StringBuilder s = new StringBuilder(bytes + 16).append("{\"tags\":{");
        int i = 0;
        while (s.length() + 20 < bytes) {
            s.append("\"k").append(i++).append("\":\"v\",");
        }
        s.append("\"z\":\"v\"}}");
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String segment(String name, SplittableRandom r) {
        String value = switch (name) {
            case "collaborationIdentifier" -> known.get("cid");
            case "membershipIdentifier" -> r.nextInt(5) == 0 ? known.get("bmid") : known.get("mid");
            case "configuredTableIdentifier" -> known.get("ctid");
            case "configuredTableAssociationIdentifier" -> known.get("ctaid");
            case "analysisTemplateIdentifier" -> known.get("atid");
            case "analysisTemplateArn" -> known.get("atarn");
            case "protectedQueryIdentifier" -> known.get("pqid");
            case "analysisRuleType", "type" -> pick(r, new String[] {"AGGREGATION", "LIST", "CUSTOM"});
            case "name" -> known.get("assoc");
            case "accountId" -> r.nextBoolean() ? C : B;
            case "resourceArn" -> pick(r, new String[] {known.get("ctarn"), known.get("carn"), known.get("marn"),
                known.get("atarn"), known.get("ctaarn")});
            case "accessKeyId" -> known.get("ckey");
            default -> null;
        };
        int kind = r.nextInt(100);
        if (value != null && kind < 55) {
            return encode(value);
        }
        if (kind < 65) {
            // a valid identifier of another kind, or another account's
            return encode(pick(r, known.values().toArray(String[]::new)));
        }
        if (kind < 70) {
            return UUID.randomUUID().toString();
        }
        if (kind < 75) {
            return "x".repeat(r.nextInt(300, 6000));
        }
        if (kind < 80) {
            return encode(randomUnicode(r, r.nextInt(1, 30)));
        }
        return pick(r, NASTY_SEGMENTS);
    }

    /** Percent-encodes every byte but the unreserved characters, as the SDKs do for path labels. */
    static String encode(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return out.toString();
    }

    /**
     * A token shaped like a sealed page token (version byte, 12-byte nonce, ciphertext and tag) whose
     * bytes are random: it must fail to open like any other forgery.
     */
    private static String forgedToken(SplittableRandom r, byte version) {
        byte[] token = new byte[1 + 12 + r.nextInt(0, 80)];
        for (int i = 1; i < token.length; i++) {
            token[i] = (byte) r.nextInt(256);
        }
        token[0] = version;
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    private String queryValue(String name, SplittableRandom r) {
        return switch (name) {
            case "maxResults" -> pick(r, new String[] {"1", "100", "0", "-1", "101", "1000", "1001", "2147483648",
                "99999999999999999999", "1e2", "0x10", "", "%20" + "5", "NaN", "1.5", "%00", "%zz", "+5", "05"});
            case "nextToken" -> pick(r, new String[] {String.format("%019d", r.nextLong(0, 100_000)),
                String.format("%019d", Long.MAX_VALUE), "-000000000000000001",
                encode(forgedToken(r, (byte) 1)), encode(forgedToken(r, (byte) 0)),
                encode(forgedToken(r, (byte) 1).replace('-', '+').replace('_', '/') + "=="),
                encode(java.util.Base64.getEncoder().encodeToString(randomUnicode(r, 20)
                        .getBytes(StandardCharsets.UTF_8))),
                "x".repeat(r.nextInt(10_000, 12_000)), "", "%00", "%zz", "AAAA", "====", encode("../../x"),
                encode(UUID.randomUUID().toString())});
            case "tagKeys" -> encode(nastyString(r));
            default -> r.nextInt(3) == 0 ? encode(nastyString(r))
                    : pick(r, new String[] {"ACTIVE", "INVITED", "SUCCESS", "SUBMITTED", "TABLE", "active", "",
                        "DIFFERENTIAL_PRIVACY",
                        "%00", "REMOVED", "COLLABORATION_DELETED"});
        };
    }

    private String rawQuery(Target t, SplittableRandom r) {
        List<String> pairs = new ArrayList<>();
        for (String name : t.queryParameters()) {
            if (r.nextInt(100) < 45) {
                pairs.add(name + "=" + queryValue(name, r));
                if (r.nextInt(10) == 0) {
                    pairs.add(name + "=" + queryValue(name, r));
                }
            }
        }
        if (r.nextInt(10) == 0) {
            pairs.add(pick(r, new String[] {"unknown=1", "=x", "a=%", "%zz=1", "&&", "a", "x-amz-date=1",
                "X-Amz-Signature=00", "maxResults", "a=%00", "a=" + "y".repeat(5000)}));
        }
        Collections.shuffle(pairs, new java.util.Random(r.nextLong()));
        return pairs.isEmpty() ? null : String.join("&", pairs);
    }

    /** A '%' not followed by two hex digits: a request target no URI parser accepts. */
    private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");

    /** Input number index of this run. */
    Input input(long index) throws IOException {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        Target t = targets.get(r.nextInt(targets.size()));
        List<String> notes = new ArrayList<>();
        String method = t.method();
        String rawPath;
        if (t.amzTarget() == null) {
            StringBuilder path = new StringBuilder();
            for (String s : t.template().split("/")) {
                if (s.isEmpty()) {
                    continue;
                }
                path.append('/');
                path.append(s.startsWith("{") ? segment(s.substring(1, s.length() - 1), r) : s);
            }
            rawPath = path.toString();
        } else {
            rawPath = "/";
        }
        int twist = r.nextInt(100);
        if (twist < 2) {
            rawPath = rawPath + "/";
            notes.add("trailing slash");
        } else if (twist < 4) {
            rawPath = rawPath + "/" + pick(r, NASTY_SEGMENTS);
            notes.add("extra segment");
        } else if (twist < 5) {
            rawPath = rawPath.replaceFirst("/", "//");
            notes.add("double slash");
        } else if (twist < 7) {
            method = pick(r, new String[] {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"});
            notes.add("method " + method);
        }
        String rawQuery = rawQuery(t, r);
        byte[] body = body(t, r, notes);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Host", List.of(host + ":" + port));
        String contentType = t.amzTarget() != null ? "application/x-amz-json-1.1" : "application/json";
        if (r.nextInt(100) < 12) {
            contentType = pick(r, new String[] {"text/plain", "application/xml", "multipart/form-data; boundary=x",
                "", "application/json; charset=ISO-8859-1", "application/x-www-form-urlencoded",
                "application/json; charset=utf-16", "*/*", "application/x-amz-json-1.0", "\u00e9"});
            notes.add("content-type");
        }
        if (body.length > 0 || t.amzTarget() != null) {
            headers.put("Content-Type", List.of(contentType));
        }
        if (t.amzTarget() != null) {
            String target = t.amzTarget();
            if (r.nextInt(100) < 5) {
                target = pick(r, new String[] {"AWSGlue." + pick(r, GLUE.toArray(String[]::new)),
                    "AWSGlue.GetPartitions", "AWSGlue.", "AWSGlue", "awsglue.GetTable", "AWSGlue.GetTable.x",
                    CLOUDTRAIL_PREFIX + ".DeleteTrail", "CloudTrail_20131101" + ".LookupEvents",
                    "", "x".repeat(5000), "AWSGlue.%00"});
                notes.add("target");
            }
            headers.put("X-Amz-Target", List.of(target));
        }
        boolean transport = false;
        int extra = r.nextInt(100);
        if (extra < 2) {
            headers.put("X-Fuzz-Huge", List.of("h".repeat(r.nextInt(8_000, 2_000_000))));
            transport = true;
            notes.add("huge header");
        } else if (extra < 3) {
            for (int i = 0; i < r.nextInt(100, 400); i++) {
                headers.put("X-Fuzz-" + i, List.of("v"));
            }
            transport = true;
            notes.add("many headers");
        } else if (extra < 5) {
            headers.put("X-Amz-Date", List.of("20200101T000000Z", "20200101T000000Z"));
            notes.add("repeated header");
        } else if (extra < 6) {
            headers.put("X-Fuzz-Bytes", List.of(new String(new byte[] {(byte) 0xc3, (byte) 0xa9, 0x7f},
                    StandardCharsets.ISO_8859_1)));
            transport = true;
            notes.add("odd header bytes");
        }
        if (BAD_ESCAPE.matcher(rawPath + "?" + (rawQuery == null ? "" : rawQuery)).find() || rawPath.startsWith("//")) {
            // the HTTP server refuses a request target it cannot parse before any handler runs, in its own way
            transport = true;
            notes.add("unparsable target");
        }
        boolean oversized = false;
        if (r.nextInt(100) < 2) {
            body = new byte[maxBodyBytes + 1 + r.nextInt(2 * maxBodyBytes)];
            java.util.Arrays.fill(body, (byte) '[');
            oversized = true;
            notes.add("oversized body");
        }
        String service = t.service();
        Key key = switch (t.api()) {
            case "admin" -> r.nextInt(20) == 0 ? accountA : operator;
            default -> r.nextInt(10) == 0 ? analystA : r.nextInt(12) == 0 ? accountB : accountA;
        };
        Signing signing = Signing.VALID;
        int s = r.nextInt(100);
        if (s < 2) {
            signing = Signing.WRONG_SECRET;
        } else if (s < 3) {
            signing = Signing.UNSIGNED;
        } else if (s < 4) {
            signing = Signing.WRONG_SERVICE;
            service = pick(r, new String[] {"s3", "glue", "cleanrooms", "cloudtrail", "cleanroom"});
        }
        return new Input(index, t, method, rawPath, rawQuery, headers, body, service, key, signing, transport,
                oversized, String.join(", ", notes));
    }

    // ---------------------------------------------------------------- sending and checking

    private static final Pattern INTERNALS = Pattern.compile(
            "(\\tat |\\bat [a-z][\\w$]*(\\.[\\w$]+)+\\(|\\.java:\\d+|\\bjava\\.(lang|io|util|sql|nio)\\.|io\\.cleanroom\\."
                    + "|com\\.fasterxml|org\\.(postgresql|sqlite|xerial|duckdb|apache\\.calcite|flywaydb|slf4j)"
                    + "|SQLException|SQLITE_|PSQLException|NullPointerException|IllegalStateException"
                    + "|IllegalArgumentException|ClassCastException|NumberFormatException|IndexOutOfBounds"
                    + "|StackOverflow|OutOfMemory|Caused by)");

    /** Sends one input and records what is wrong with its answer, if anything. */
    void run(RawHttp http, Input in, Report report) {
        report.inputs.incrementAndGet();
        Map<String, List<String>> headers = in.headers();
        if (in.signing() != Signing.UNSIGNED) {
            Key key = in.signing() == Signing.WRONG_SECRET ? new Key(in.key().accessKeyId(), "wrong" + in.key().secret())
                    : in.key();
            try {
                headers = RequestSigner.sign(in.method(), in.rawPath(), in.rawQuery(), in.headers(), in.body(),
                        key.accessKeyId(), key.secret(), "us-east-1", in.service(), Instant.now());
            } catch (RuntimeException e) {
                // the signer refuses what it cannot canonicalise (e.g. a repeated X-Amz-Date): send unsigned
                headers = in.headers();
            }
        }
        RawHttp.Response response;
        try {
            response = http.send(in.method(), in.rawPath(), in.rawQuery(), headers, in.body());
        } catch (IOException | RuntimeException e) {
            if (!in.transport()) {
                report.finding("no answer (" + e + "): " + in.describe());
            }
            return;
        }
        int status = response.status();
        report.statuses.computeIfAbsent(in.target().name(), k -> new ConcurrentHashMap<>()).merge(status, 1,
                Integer::sum);
        String type = response.header("x-amzn-ErrorType");
        if (status / 100 == 2 || (status / 100 == 4 && type != null && !type.equals("UnknownOperationException")
                && !type.equals("AccessDeniedException") && !type.equals("UnrecognizedClientException"))) {
            report.reached.add(in.target().name());
        }
        if (status >= 500) {
            report.finding(status + " " + response.text() + ": " + in.describe());
            return;
        }
        String text = response.text();
        String requestText = new String(in.body(), StandardCharsets.UTF_8) + in.rawPath() + in.rawQuery();
        Matcher leak = INTERNALS.matcher(text);
        if (leak.find() && !requestText.contains(leak.group())) {
            report.finding("internals in the answer (" + leak.group() + "): " + abbreviate(text, 400) + ": "
                    + in.describe());
        }
        if (in.oversized()) {
            if (status == 413 || status == 400) {
                report.oversizedRefused.incrementAndGet();
            } else if (in.signing() == Signing.VALID && !in.transport()) {
                report.finding("oversized body answered " + status + ": " + in.describe());
            }
        }
        if (in.method().equals("HEAD")) {
            return; // no body to check
        }
        if (status >= 400 && !in.transport()) {
            if (type == null) {
                report.finding(status + " without x-amzn-ErrorType: " + abbreviate(text, 300) + ": " + in.describe());
                return;
            }
            try {
                JsonNode error = Json.MAPPER.readTree(response.body());
                if (error == null || !error.path("message").isTextual() || !error.path("__type").isTextual()) {
                    report.finding(status + " error body without __type and message: " + abbreviate(text, 300)
                            + ": " + in.describe());
                }
            } catch (IOException e) {
                report.finding(status + " error body is not JSON: " + abbreviate(text, 300) + ": " + in.describe());
            }
        } else if (status / 100 == 2 && response.body().length > 0) {
            try {
                Json.MAPPER.readTree(response.body());
            } catch (IOException e) {
                report.finding(status + " answer is not JSON: " + abbreviate(text, 300) + ": " + in.describe());
            }
        }
    }

    /**
     * Runs inputs first..first+count-1 on the given number of concurrent connections, refreshing the
     * known resources now and then, and checks at the end that the server still serves, that the
     * audit trail still verifies, and that every operation was reached.
     */
    Report fuzz(long first, long count, int connections) throws Exception {
        return fuzz(first, count, connections, null);
    }

    Report fuzz(long first, long count, int connections, java.io.PrintStream progress) throws Exception {
        Report report = new Report();
        AtomicLong next = new AtomicLong(first);
        long end = first + count;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            boolean refresher = c == 0;
            Thread thread = new Thread(() -> {
                try (RawHttp http = new RawHttp(host, port, 120_000)) {
                    long i;
                    while ((i = next.getAndIncrement()) < end) {
                        if (refresher && (i - first) % 200 == 0) {
                            try (RawHttp fresh = new RawHttp(host, port, 120_000)) {
                                refresh(fresh);
                            }
                        }
                        run(http, input(i), report);
                        if (progress != null && (i - first + 1) % 10_000 == 0) {
                            progress.printf(Locale.ROOT, "  %d inputs, %d findings%n", i - first + 1,
                                    report.findings.size());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    report.finding("the fuzzer itself failed: " + e);
                }
            }, "fuzz-" + c);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        try (RawHttp http = new RawHttp(host, port, 120_000)) {
            RawHttp.Response alive = call(http, accountA, "cleanrooms", "GET", "/collaborations", null, null, null);
            if (alive.status() != 200) {
                report.finding("after the run, ListCollaborations answers " + alive.status() + " " + alive.text());
            }
            RawHttp.Response verify = call(http, operator, AdminApi.SIGNING_NAME, "GET", "/admin/audit/verify", null,
                    null, null);
            if (verify.status() != 200 || !Json.MAPPER.readTree(verify.body()).path("verified").asBoolean()) {
                report.finding("after the run, the audit trail does not verify: " + verify.status() + " "
                        + verify.text());
            }
        } catch (IOException e) {
            report.finding("after the run, the server does not answer: " + e);
        }
        return report;
    }

    /** Targets that no input reached (every answer was UnknownOperation or AccessDenied). */
    List<String> unreached(Report report) {
        List<String> out = new ArrayList<>();
        for (Target t : targets) {
            if (!report.reached.contains(t.name())) {
                out.add(t.name());
            }
        }
        return out;
    }

    /** Lines of a server log that say something went wrong inside. */
    static List<String> serverErrors(String log) {
        List<String> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (line.contains(" ERROR ") || line.contains("OutOfMemoryError") || line.contains("Exception in thread")) {
                out.add(line);
            }
        }
        return out;
    }

    private static <T> T pick(SplittableRandom r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    private static long pick(SplittableRandom r, long[] values) {
        return values[r.nextInt(values.length)];
    }

    private static double pick(SplittableRandom r, double[] values) {
        return values[r.nextInt(values.length)];
    }

    /**
     * A long fuzz run: arguments seed, number of inputs, connections, heap of the server's JVM in
     * megabytes, and optionally a PostgreSQL store URL (whose public schema is wiped).
     */
    public static void main(String[] args) throws Exception {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        long count = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int heap = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        String storeUrl = args.length > 4 && !args[4].isBlank() ? args[4] : null;
        Report report = run(seed, count, connections, heap, storeUrl, System.out);
        System.exit(report.findings.isEmpty() ? 0 : 1);
    }

    /** Starts a server in its own JVM, fuzzes it and prints what was found. */
    static Report run(long seed, long count, int connections, int heap, String storeUrl, java.io.PrintStream out)
            throws Exception {
        Path dir = Files.createTempDirectory("cleanroom-fuzz");
        if (storeUrl != null) {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(storeUrl);
                    java.sql.Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS public CASCADE");
                s.execute("CREATE SCHEMA public");
            }
        }
        Path dataDir = dir.resolve("data");
        long started = System.nanoTime();
        try (ServerProcess server = ServerProcess.start(dataDir, storeUrl, heap)) {
            Fuzzer fuzzer = new Fuzzer("127.0.0.1", server.port, dataDir, ServerConfig.defaults().maxBodyBytes(),
                    seed);
            fuzzer.setUp();
            Report report = fuzzer.fuzz(0, count, connections, out);
            if (!server.process.isAlive()) {
                report.finding("the server process died (exit " + server.process.exitValue() + ")");
            }
            for (String line : serverErrors(server.logText())) {
                report.finding("server log: " + abbreviate(line, 600));
            }
            for (String target : fuzzer.unreached(report)) {
                report.finding("no input reached " + target);
            }
            out.printf(Locale.ROOT, "Fuzzed %s with seed %d: %d inputs in %.1f s on %d connections, server heap %d MB%n",
                    storeUrl == null ? "SQLite" : "PostgreSQL", seed, report.inputs.get(),
                    (System.nanoTime() - started) / 1e9, connections, heap);
            out.print(report.summary());
            report.findings.forEach(f -> out.println("FINDING " + f));
            return report;
        } finally {
            deleteTree(dir);
        }
    }

    /** Removes the run's directory (data, results, the server's log) once the run is reported. */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
