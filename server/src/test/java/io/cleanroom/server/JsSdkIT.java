package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.server.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The official AWS SDK for JavaScript v3 against the server: sdk-tests/js/check.mjs creates, reads,
 * lists, tags and deletes a collaboration, looks its creation up in the audit trail with the
 * CloudTrail client, and checks the SDK's error types for bad input, unknown ids, a forged page
 * token and a wrong secret. Needs Node.js and npm (installs the pinned SDK with npm ci).
 */
class JsSdkIT {
    private static final Path DIR = Path.of("..", "sdk-tests", "js").toAbsolutePath().normalize();

    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String run(List<String> command, java.util.Map<String, String> env, int expectedExit)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(false);
        builder.environment().putAll(env);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s said %s", command, text).isEqualTo(expectedExit);
        return text;
    }

    @Test
    void theJavaScriptSdkWorksUnchanged() throws Exception {
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE);
        check(java.util.Map.of());
    }

    /** Over HTTPS, trusting the server's development authority as Node is told to: NODE_EXTRA_CA_CERTS. */
    @Test
    void theJavaScriptSdkWorksOverHttps() throws Exception {
        cluster = TestCluster.startTls(TestCluster.StoreKind.SQLITE);
        assertThat(cluster.endpoint().getScheme()).isEqualTo("https");
        check(java.util.Map.of("NODE_EXTRA_CA_CERTS", cluster.caBundle().toString()));
    }

    private void check(java.util.Map<String, String> extraEnv) throws Exception {
        Path sdk = DIR.resolve("node_modules").resolve("@aws-sdk");
        if (!Files.isDirectory(sdk.resolve("client-cleanrooms"))
                || !Files.isDirectory(sdk.resolve("client-cloudtrail"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund"), java.util.Map.of(), 0);
        }
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        java.util.Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.putAll(java.util.Map.of("CLEANROOM_ENDPOINT", cluster.endpoint().toString(),
                "AWS_ACCESS_KEY_ID", keys.accessKeyId(), "AWS_SECRET_ACCESS_KEY", keys.secretAccessKey()));
        String out = run(List.of("node", "check.mjs"), env, 0);
        JsonNode checks = Json.MAPPER.readTree(out.lines().filter(l -> l.startsWith("[")).reduce((a, b) -> b)
                .orElseThrow());
        List<String> passed = new ArrayList<>();
        checks.forEach(c -> {
            assertThat(c.get("ok").asBoolean()).as(c.toString()).isTrue();
            passed.add(c.get("name").asText());
        });
        assertThat(passed).containsExactly("create", "get", "list", "tags", "validation", "not found", "lookup",
                "lookup paging", "lookup bad token", "deleted", "bad signature");
    }
}
