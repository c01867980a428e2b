package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The transport settings: one certificate source, positive time limits, no password in logs. */
class ServerConfigTransportTest {
    @Test
    void tlsTakesExactlyOneSource() {
        assertThat(ServerConfig.Tls.pem(Path.of("c.pem"), Path.of("k.pem")).certificate()).isEqualTo(Path.of("c.pem"));
        assertThat(ServerConfig.Tls.development().selfSigned()).isTrue();
        assertThatThrownBy(() -> new ServerConfig.Tls(null, null, null, null, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServerConfig.Tls(Path.of("c.pem"), Path.of("k.pem"), null, null, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServerConfig.Tls(Path.of("c.pem"), Path.of("k.pem"), Path.of("s.p12"), "x",
                false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServerConfig.Tls(Path.of("c.pem"), null, null, null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs its private key");
    }

    @Test
    void theKeyStorePasswordIsNeverPrinted() {
        ServerConfig config = ServerConfig.defaults().withTls(ServerConfig.Tls.keyStore(Path.of("s.p12"), "s3cret"));
        assertThat(config.toString()).contains("s.p12").doesNotContain("s3cret");
    }

    @Test
    void timeLimitsArePositiveAndDefaultToPlainHttp() {
        ServerConfig.Transport defaults = ServerConfig.defaults().transport();
        assertThat(defaults.tls()).isNull();
        assertThat(defaults.requireTls()).isFalse();
        assertThat(defaults.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> defaults.withTimeouts(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(-1),
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        // the settings outside the transport keep their values when it changes
        ServerConfig changed = ServerConfig.defaults().withPort(9000).withThreads(3)
                .withTransport(defaults.withRequireTls(true));
        assertThat(changed.port()).isEqualTo(9000);
        assertThat(changed.threads()).isEqualTo(3);
        assertThat(changed.transport().requireTls()).isTrue();
        assertThat(changed.withPort(9001).transport().requireTls()).isTrue();
    }
}
