package io.cleanroom.server;

import io.cleanroom.server.wire.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;

/**
 * Clients we did not write, over HTTPS with the server's development certificate, trusting its
 * authority as each is told to: the AWS CLI ({@code /usr/bin/aws --ca-bundle}) and boto3
 * ({@code AWS_CA_BUNDLE}, from this machine's python3 where it has boto3 with the Clean Rooms
 * model). Each makes real calls (Clean Rooms and Glue, writes and reads), and each, told to trust
 * another authority, fails the handshake before a request is sent: nothing it asked for happens.
 * The Java SDK's refusal of a wrong authority is here too; its calls over HTTPS are in TlsIT, the
 * JavaScript SDK's in JsSdkIT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsClientsIT {
    private static final Path AWS = Path.of(System.getenv().getOrDefault("CLEANROOM_TEST_AWS_CLI", "/usr/bin/aws"));

    TestCluster cluster;
    TestCluster.Keys keys;
    Path home;
    /** The authority of a certificate that is not the server's. */
    Path wrongCa;

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(out);
        }
    }

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.startTls(TestCluster.StoreKind.SQLITE);
        assertThat(cluster.endpoint().getScheme()).isEqualTo("https");
        keys = Fixtures.account(cluster, "publisher");
        home = Files.createTempDirectory("cleanroom-tls-clients");
        wrongCa = home.resolve("wrong-ca.pem");
        Run openssl = run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", home.resolve("wrong-ca.key").toString(), "-out", wrongCa.toString(), "-days", "2",
                "-subj", "/CN=Not the Cleanroom development authority", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"), Map.of());
        assertThat(openssl.exit()).as(openssl.err()).isZero();
        Files.writeString(home.resolve("config"), "[profile tls]\nregion = us-east-1\noutput = json\ncli_pager =\n"
                + "max_attempts = 1\nretry_mode = standard\n");
        Files.writeString(home.resolve("credentials"), "[tls]\naws_access_key_id = " + keys.accessKeyId()
                + "\naws_secret_access_key = " + keys.secretAccessKey() + "\n");
    }

    @AfterAll
    void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (home != null) {
            try (var paths = Files.walk(home)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private Run run(List<String> command, Map<String, String> extraEnv) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("REQUESTS_CA_BUNDLE") || k.equals("SSL_CERT_FILE"));
        if (home != null) {
            builder.directory(home.toFile());
            env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
            env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("credentials").toString());
        }
        env.put("AWS_PAGER", "");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.putAll(extraEnv);
        Process process = builder.start();
        process.getOutputStream().close();
        // small outputs: read one stream after the other
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    /** The AWS CLI v2 over HTTPS, trusting caBundle. */
    private Run aws(Path caBundle, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(AWS.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--profile", "tls", "--endpoint-url", cluster.endpoint().toString(), "--region",
                "us-east-1", "--output", "json", "--ca-bundle", caBundle.toString()));
        return run(command, Map.of());
    }

    private List<String> collaborationNames() {
        try (CleanRoomsClient sdk = cluster.cleanRooms(keys)) {
            return sdk.listCollaborations(r -> { }).collaborationList().stream().map(c -> c.name()).toList();
        }
    }

    @Test
    void theAwsCliCallsOverHttpsTrustingTheAuthorityItIsGivenAndRefusesAnother() throws Exception {
        assertThat(Files.isExecutable(AWS)).as("the AWS CLI at " + AWS + ": install Debian's awscli "
                + "(apt-get install awscli; .ci/run does) or set CLEANROOM_TEST_AWS_CLI").isTrue();
        Path ca = cluster.caBundle();
        Run created = aws(ca, "cleanrooms", "create-collaboration", "--name", "cli-over-tls", "--description", "d",
                "--creator-display-name", "publisher", "--creator-member-abilities", "[\"CAN_QUERY\"]",
                "--members", "[]", "--query-log-status", "DISABLED");
        assertThat(created.exit()).as(created.err()).isZero();
        String id = created.json().at("/collaboration/id").asText();
        Run got = aws(ca, "cleanrooms", "get-collaboration", "--collaboration-identifier", id);
        assertThat(got.exit()).as(got.err()).isZero();
        assertThat(got.json().at("/collaboration/name").asText()).isEqualTo("cli-over-tls");
        Run database = aws(ca, "glue", "create-database", "--database-input", "{\"Name\":\"cli_tls\"}");
        assertThat(database.exit()).as(database.err()).isZero();
        Run databases = aws(ca, "glue", "get-databases");
        assertThat(databases.exit()).as(databases.err()).isZero();
        List<String> names = new ArrayList<>();
        databases.json().get("DatabaseList").forEach(d -> names.add(d.get("Name").asText()));
        assertThat(names).contains("cli_tls");
        // an AWS error still travels back over TLS as the CLI expects it
        Run missing = aws(ca, "cleanrooms", "get-collaboration", "--collaboration-identifier",
                "00000000-0000-0000-0000-000000000000");
        assertThat(missing.exit()).isEqualTo(254);
        assertThat(missing.err()).contains("(ResourceNotFoundException)");

        // told to trust another authority, the CLI refuses the server's certificate: nothing is created
        Run refused = aws(wrongCa, "cleanrooms", "create-collaboration", "--name", "cli-wrong-ca", "--description",
                "d", "--creator-display-name", "publisher", "--creator-member-abilities", "[\"CAN_QUERY\"]",
                "--members", "[]", "--query-log-status", "DISABLED");
        assertThat(refused.exit()).as(refused.out()).isEqualTo(255);
        assertThat(refused.err()).contains("SSL validation failed").contains("CERTIFICATE_VERIFY_FAILED");
        assertThat(collaborationNames()).contains("cli-over-tls").doesNotContain("cli-wrong-ca");
    }

    /** A call through boto3 with AWS_CA_BUNDLE; prints what it got, or the error's type and message. */
    private static final String BOTO3 = String.join("\n",
            "import json, os, sys",
            "import boto3, botocore.config, botocore.exceptions",
            "args = dict(endpoint_url=os.environ['CLEANROOM_ENDPOINT'], region_name='us-east-1',",
            "            aws_access_key_id=os.environ['KEY_ID'], aws_secret_access_key=os.environ['SECRET'],",
            "            config=botocore.config.Config(retries={'max_attempts': 1}))",
            "name = os.environ['NAME']",
            "try:",
            "    cr = boto3.client('cleanrooms', **args)",
            "    c = cr.create_collaboration(name=name, description='d', creatorDisplayName='p',",
            "        creatorMemberAbilities=['CAN_QUERY'], members=[], queryLogStatus='DISABLED')['collaboration']",
            "    got = cr.get_collaboration(collaborationIdentifier=c['id'])['collaboration']['name']",
            "    listed = [s['id'] for s in cr.list_collaborations()['collaborationList']]",
            "    glue = boto3.client('glue', **args)",
            "    glue.create_database(DatabaseInput={'Name': name})",
            "    databases = [d['Name'] for d in glue.get_databases()['DatabaseList']]",
            "    print(json.dumps({'id': c['id'], 'got': got, 'listed': c['id'] in listed, 'databases': databases}))",
            "except botocore.exceptions.BotoCoreError as e:",
            "    print(json.dumps({'error': type(e).__name__, 'message': str(e)}))",
            "    sys.exit(3)");

    @Test
    void boto3CallsOverHttpsTrustingAwsCaBundleAndRefusesAnotherAuthority() throws Exception {
        Run probe = run(List.of("python3", "-c", "import boto3, botocore.session\n"
                + "print('CreateCollaboration' in botocore.session.get_session().get_service_model('cleanrooms')"
                + ".operation_names)"), Map.of());
        Assumptions.assumeTrue(probe.exit() == 0 && probe.out().trim().equals("True"), "SKIPPED: this machine's "
                + "python3 has no boto3 with the Clean Rooms model (" + (probe.err() + probe.out()).trim()
                + "); boto3 over TLS was not checked");
        Map<String, String> env = new HashMap<>(Map.of("CLEANROOM_ENDPOINT", cluster.endpoint().toString(),
                "KEY_ID", keys.accessKeyId(), "SECRET", keys.secretAccessKey(), "NAME", "boto3_over_tls",
                "AWS_CA_BUNDLE", cluster.caBundle().toString()));
        Run ok = run(List.of("python3", "-c", BOTO3), env);
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        JsonNode result = ok.json();
        assertThat(result.get("got").asText()).isEqualTo("boto3_over_tls");
        assertThat(result.get("listed").asBoolean()).isTrue();
        assertThat(result.get("databases").toString()).contains("boto3_over_tls");

        env.put("AWS_CA_BUNDLE", wrongCa.toString());
        env.put("NAME", "boto3_wrong_ca");
        Run refused = run(List.of("python3", "-c", BOTO3), env);
        assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(3);
        assertThat(refused.json().get("error").asText()).isEqualTo("SSLError");
        assertThat(refused.json().get("message").asText()).contains("CERTIFICATE_VERIFY_FAILED");
        assertThat(collaborationNames()).contains("boto3_over_tls").doesNotContain("boto3_wrong_ca");
    }

    @Test
    void theJavaSdkRefusesACertificateItsTrustDidNotSign() throws Exception {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder();
        try (java.io.InputStream in = Files.newInputStream(wrongCa)) {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("wrong", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            http.tlsTrustManagersProvider(factory::getTrustManagers);
        }
        try (CleanRoomsClient client = CleanRoomsClient.builder().endpointOverride(cluster.endpoint())
                .region(Region.US_EAST_1).httpClient(http.build())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(keys.accessKeyId(),
                                keys.secretAccessKey())))
                .overrideConfiguration(o -> o.retryStrategy(
                        software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                .build()) {
            assertThatThrownBy(() -> client.createCollaboration(r -> r.name("java-wrong-ca").description("d")
                    .creatorDisplayName("p").creatorMemberAbilitiesWithStrings("CAN_QUERY").members(List.of())
                    .queryLogStatus("DISABLED")))
                    .isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("PKIX path building failed")
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
        }
        assertThat(collaborationNames()).doesNotContain("java-wrong-ca");
    }
}
