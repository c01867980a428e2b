package io.cleanroom.server;

import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.server.wire.Json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests that go wrong below the operations, each found by the fuzzer (FuzzIT): what the HTTP
 * layer cannot parse, a body over the limit, a page token too short to hold its seal, a time that
 * is no time. Each gets an AWS error of the request's protocol (x-amzn-ErrorType, a JSON body
 * with __type and message), never a 5xx, a bare status or a reset connection, and the server
 * serves on.
 */
class MalformedRequestsIT {
    private TestCluster cluster;
    private RawHttp http;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE);
        http = new RawHttp("127.0.0.1", cluster.server.port(), 60_000);
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<String, List<String>> headers(String... pairs) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("Host", List.of("127.0.0.1"));
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], List.of(pairs[i + 1]));
        }
        return out;
    }

    /** The answer is an AWS error of this status and type, saying nothing of the server's insides. */
    private static void assertAwsError(RawHttp.Response r, int status, String type, String what) throws Exception {
        assertThat(r.status()).as(what + ": " + r.text()).isEqualTo(status);
        assertThat(r.header("x-amzn-ErrorType")).as(what).isEqualTo(type);
        assertThat(r.header("x-amzn-RequestId")).as(what).isNotBlank();
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.path("__type").asText()).as(what).isEqualTo(type);
        assertThat(body.path("message").asText()).as(what).isNotBlank();
        assertThat(r.text()).as(what).doesNotContain("org.eclipse").doesNotContain("Exception:")
                .doesNotContain("\tat ");
    }

    @Test
    void whatTheHttpLayerCannotParseGetsAnAwsError() throws Exception {
        // a malformed percent-escape (this answered 500 on the JDK's server), a NUL, a lone '%'
        for (String path : List.of("/collaborations/%zz", "/collaborations/%00", "/collaborations/%",
                "/memberships/%zz/protectedQueries", "/collaborations/%C0%AE%C0%AE")) {
            RawHttp.Response r = http.send("GET", path, null, headers(), new byte[0]);
            assertThat(r.status()).as(path).isBetween(400, 499);
            assertAwsError(r, r.status(), r.status() == 400 ? "ValidationException" : r.header("x-amzn-ErrorType"),
                    path);
        }
        assertAwsError(http.send("GET", "/collaborations/" + "x".repeat(20_000), null, headers(), new byte[0]), 414,
                "ValidationException", "a URI too long");
        assertAwsError(http.send("GET", "/collaborations", null, headers("X-Big", "y".repeat(20_000)), new byte[0]),
                431, "ValidationException", "headers too large");
        // and the server serves on
        RawHttp.Response after = http.send("GET", "/collaborations", null, headers(), new byte[0]);
        assertAwsError(after, 403, "AccessDeniedException", "an unsigned call");
    }

    /**
     * A body over the limit, from a client that sends it whole before reading (as the SDKs do): it
     * gets the 413, not a connection reset the SDKs would retry, and the connection serves on.
     */
    @Test
    void aBodyOverTheLimitIsAnsweredToAClientStillSendingIt() throws Exception {
        byte[] big = new byte[6 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) '[');
        for (int i = 0; i < 3; i++) {
            RawHttp.Response r = http.send("POST", "/collaborations", null,
                    headers("Content-Type", "application/json"), big);
            assertAwsError(r, 413, "ValidationException", "an oversized Clean Rooms body");
            assertThat(r.header("connection")).isNull();
        }
        RawHttp.Response glue = http.send("POST", "/", null, headers("Content-Type", "application/x-amz-json-1.1",
                "X-Amz-Target", "AWSGlue.GetDatabases"), big);
        assertAwsError(glue, 413, "InvalidInputException", "an oversized Glue body");
    }

    @Test
    void aTokenTooShortToHoldItsSealAndATimeThatIsNoTimeAreTheCallersMistakes() throws Exception {
        TestCluster.Keys keys = Fixtures.account(cluster, "owner");
        SignedHttpClient signed = new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(),
                "us-east-1", Clock.systemUTC());
        // version byte, nonce, and fewer bytes than an authentication tag (answered 500)
        byte[] shortToken = new byte[1 + 12 + 6];
        shortToken[0] = 1;
        SignedHttpClient.Response page = signed.send("GET", "/collaborations", Map.of("nextToken",
                List.of(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(shortToken))), Map.of(), null,
                "cleanrooms");
        assertThat(page.status()).as(page.body()).isEqualTo(400);
        assertThat(page.errorType()).isEqualTo("ValidationException");
        assertThat(page.body()).contains("Invalid nextToken");

        List<String> answers = new ArrayList<>();
        for (String time : List.of("1E+400", "-1E+400", "1E+300", "253402300800")) {
            SignedHttpClient.Response r = signed.send("POST", "/", Map.of(), Map.of("X-Amz-Target",
                    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", "Content-Type",
                    "application/x-amz-json-1.1"), "{\"StartTime\":" + time + "}", "cloudtrail");
            assertThat(r.status()).as(time + ": " + r.body()).isEqualTo(400);
            assertThat(r.errorType()).as(time).isEqualTo("InvalidTimeRangeException");
            answers.add(r.body());
        }
        assertThat(answers).allSatisfy(body -> assertThat(body).contains("StartTime"));
    }
}
