package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.client.SignedHttpClient;
import io.cleanroom.core.CleanroomException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;

/**
 * HTTPS: the development certificate (made once, kept, trusted through its authority's PEM file),
 * an operator's PEM certificate and key or PKCS#12 key store, TLS 1.2 and 1.3 with forward-secret
 * AEAD suites only (checked from the outside with openssl s_client, which can offer what the server
 * must refuse), keep-alive connections, and the refusal of plain HTTP off loopback when asked.
 */
class TlsIT {
    @TempDir
    Path dir;

    TestCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theJavaSdkWorksOverHttpsTrustingTheDevelopmentAuthority() throws Exception {
        cluster = TestCluster.startTls(TestCluster.StoreKind.SQLITE);
        assertThat(cluster.endpoint().getScheme()).isEqualTo("https");
        TestCluster.Keys keys = Fixtures.account(cluster, "publisher");
        try (CleanRoomsClient client = cluster.cleanRooms(keys)) {
            String id = Fixtures.createCollaboration(client, "over-tls");
            assertThat(client.getCollaboration(r -> r.collaborationIdentifier(id)).collaboration().name())
                    .isEqualTo("over-tls");
            String arn = client.getCollaboration(r -> r.collaborationIdentifier(id)).collaboration().arn();
            client.tagResource(r -> r.resourceArn(arn).tags(java.util.Map.of("team", "growth")));
            assertThat(client.listTagsForResource(r -> r.resourceArn(arn)).tags()).containsEntry("team", "growth");
        }
        // the certificate on the wire is the one the server announced
        assertThat(TlsMaterial.fingerprint(peerCertificate(cluster))).isEqualTo(
                cluster.server.certificateFingerprint().orElseThrow());
    }

    @Test
    void theDevelopmentCertificateIsMadeOnceWithAPrivateKeyAndKeptAcrossRestarts() throws Exception {
        cluster = TestCluster.startTls(TestCluster.StoreKind.SQLITE);
        Path tls = cluster.dataDir.resolve("tls");
        assertThat(cluster.caBundle()).isEqualTo(tls.resolve("ca.pem"));
        assertThat(Files.getPosixFilePermissions(tls.resolve("server.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(tls.resolve("ca.pem"))).doesNotContain("PRIVATE KEY");
        String fingerprint = cluster.server.certificateFingerprint().orElseThrow();
        String ca = cluster.server.caFingerprint().orElseThrow();
        assertThat(fingerprint).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}").isNotEqualTo(ca);

        cluster.stop();
        cluster.restart();
        assertThat(cluster.server.certificateFingerprint()).contains(fingerprint);
        assertThat(cluster.server.caFingerprint()).contains(ca);
        assertThat(TlsMaterial.fingerprint(peerCertificate(cluster))).isEqualTo(fingerprint);
    }

    @Test
    void opensslVerifiesTheDevelopmentCertificateStrictlyForLocalhostAndLoopbackAddresses() throws Exception {
        cluster = TestCluster.startTls(TestCluster.StoreKind.SQLITE);
        String ca = cluster.caBundle().toString();
        for (List<String> check : List.of(List.of("-verify_hostname", "localhost"),
                List.of("-verify_ip", "127.0.0.1"))) {
            List<String> command = new ArrayList<>(List.of("-CAfile", ca, "-verify_return_error", "-x509_strict"));
            command.addAll(check);
            SClient result = sClient(command);
            assertThat(result.output()).as(String.join(" ", check)).contains("Verify return code: 0 (ok)");
            assertThat(result.exit()).isZero();
        }
        assertThat(sClient(List.of("-CAfile", ca, "-verify_return_error", "-verify_hostname", "example.com")).exit())
                .as("a name the certificate does not carry").isNotZero();
    }

    @Test
    void onlyTls12And13WithForwardSecretAeadSuitesAreSpoken() throws Exception {
        cluster = TestCluster.startTls(TestCluster.StoreKind.SQLITE);
        SClient tls13 = sClient(List.of("-tls1_3"));
        assertThat(tls13.output()).containsPattern("New, TLSv1.3, Cipher is TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384"
                + "|CHACHA20_POLY1305_SHA256)");
        SClient tls12 = sClient(List.of("-tls1_2"));
        assertThat(tls12.output()).containsPattern("New, TLSv1.2, Cipher is ECDHE-ECDSA-"
                + "(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)");
        // what the server must refuse; SECLEVEL=0 lets openssl offer it at all
        for (List<String> refused : List.of(
                List.of("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"),
                List.of("-tls1", "-cipher", "DEFAULT@SECLEVEL=0"),
                List.of("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA@SECLEVEL=0"),
                List.of("-tls1_2", "-cipher", "AES128-GCM-SHA256:AES256-SHA256@SECLEVEL=0"))) {
            SClient result = sClient(refused);
            assertThat(result.exit()).as(String.join(" ", refused) + ": " + result.output()).isNotZero();
            assertThat(result.output()).as(String.join(" ", refused)).doesNotContain("BEGIN CERTIFICATE");
        }
    }

    @Test
    void aConnectionServesRequestAfterRequest() throws Exception {
        cluster = TestCluster.startTls(TestCluster.StoreKind.SQLITE);
        try (SSLSocket socket = (SSLSocket) cluster.tls().getSocketFactory().createSocket("127.0.0.1",
                cluster.server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < 3; i++) {
                out.write(("GET /collaborations HTTP/1.1\r\nHost: 127.0.0.1:" + cluster.server.port() + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readHead(in);
                assertThat(head).startsWith("HTTP/1.1 403").doesNotContainIgnoringCase("connection: close");
                skipBody(in, head);
            }
        }
    }

    @Test
    void anOperatorsPemCertificateAndKeyOrPkcs12KeyStoreIsServed() throws Exception {
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        assertThat(run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1")).exit()).isZero();
        String expected = fingerprintOfPem(cert);

        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withTls(ServerConfig.Tls.pem(cert, key)));
        assertThat(cluster.server.certificateFingerprint()).contains(expected);
        assertThat(cluster.server.caBundle()).isEmpty();
        assertThat(TlsMaterial.fingerprint(peerCertificate(cluster, cert))).isEqualTo(expected);
        assertThat(Files.exists(cluster.dataDir.resolve("tls"))).isFalse();
        cluster.close();

        Path store = dir.resolve("server.p12");
        assertThat(run(List.of("openssl", "pkcs12", "-export", "-inkey", key.toString(), "-in", cert.toString(),
                "-out", store.toString(), "-passout", "pass:s3cret")).exit()).isZero();
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE,
                c -> c.withTls(ServerConfig.Tls.keyStore(store, "s3cret")));
        assertThat(TlsMaterial.fingerprint(peerCertificate(cluster, cert))).isEqualTo(expected);
        cluster.close();

        assertThatThrownBy(() -> TestCluster.start(TestCluster.StoreKind.SQLITE,
                c -> c.withTls(ServerConfig.Tls.keyStore(store, "wrong")))).isInstanceOf(CleanroomException.class);
        Path otherKey = dir.resolve("other.pem");
        assertThat(run(List.of("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", otherKey.toString())).exit()).isZero();
        assertThatThrownBy(() -> TestCluster.start(TestCluster.StoreKind.SQLITE,
                c -> c.withTls(ServerConfig.Tls.pem(cert, otherKey))))
                .isInstanceOf(CleanroomException.class).hasMessageContaining("does not belong to the certificate");
        cluster = null;
    }

    @Test
    void plainHttpOffLoopbackIsRefusedWhenTlsIsRequired() {
        assertThatThrownBy(() -> TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withHost("0.0.0.0")
                .withTransport(c.transport().withRequireTls(true))))
                .isInstanceOf(CleanroomException.class).hasMessageContaining("refusing to serve plain HTTP");
    }

    @Test
    void requiringTlsStillServesPlainHttpOnLoopbackAndHttpsAnywhere() throws Exception {
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE,
                c -> c.withTransport(c.transport().withRequireTls(true)));
        assertThat(cluster.endpoint().getScheme()).isEqualTo("http");
        cluster.close();
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withHost("0.0.0.0")
                .withTransport(c.transport().withRequireTls(true).withTls(ServerConfig.Tls.development())));
        assertThat(cluster.endpoint().getScheme()).isEqualTo("https");
    }

    // --- helpers ---

    record SClient(int exit, String output) {
    }

    private static SClient run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new SClient(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** openssl s_client against the server with the given options; prints the handshake's outcome. */
    private SClient sClient(List<String> options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + cluster.server.port(), "-no_ign_eof"));
        command.addAll(options);
        return run(command);
    }

    private static String fingerprintOfPem(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return TlsMaterial.fingerprint(java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
    }

    private static Certificate peerCertificate(TestCluster cluster) throws Exception {
        return peerCertificate(cluster, cluster.caBundle());
    }

    private static Certificate peerCertificate(TestCluster cluster, Path trusted) throws Exception {
        try (SSLSocket socket = (SSLSocket) SignedHttpClient.trusting(trusted).getSocketFactory()
                .createSocket("127.0.0.1", cluster.server.port())) {
            socket.startHandshake();
            assertThat(Set.of("TLSv1.2", "TLSv1.3")).contains(socket.getSession().getProtocol());
            return socket.getSession().getPeerCertificates()[0];
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        throw new IOException("connection closed after " + head);
    }

    private static void skipBody(InputStream in, String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                int n = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                assertThat(in.readNBytes(n)).hasSize(n);
            }
        }
    }
}
