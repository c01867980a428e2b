package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.CatalogDatabase;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.Connection;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.model.TableFormat;
import io.cleanroom.core.store.Kinds;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionServiceTest extends ServiceTestSupport {
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /** Seals by encoding backwards, so a sealed value never holds the secret's text. */
    private static final SecretSealer SEALER = new SecretSealer() {
        @Override
        public String seal(String secret) {
            return "sealed:" + Base64.getEncoder().encodeToString(new StringBuilder(secret).reverse().toString()
                    .getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String open(String sealed) {
            return new StringBuilder(new String(Base64.getDecoder().decode(sealed.substring("sealed:".length())),
                    StandardCharsets.UTF_8)).reverse().toString();
        }
    };

    private final ConnectionService connections = new ConnectionService(context, SEALER);
    private final Caller operator = new Caller(null, "CROPAAAAAAAAAAAAAAAA", Role.ADMINISTRATOR);

    private static ConnectionService.Spec s3(String secret) {
        return new ConnectionService.Spec(ConnectionType.S3, "pub data", "http://127.0.0.1:9000/", "us-east-1",
                "AKIDPUBLISHER", true, null, null, secret);
    }

    private static ConnectionService.Spec postgres(String url, String password) {
        return new ConnectionService.Spec(ConnectionType.POSTGRESQL, null, null, null, null, null, url, "reader",
                password);
    }

    private CleanroomException refused(Runnable call) {
        return catchThrowableOfType(CleanroomException.class, call::run);
    }

    @Test
    void theSecretIsKeptSealedAndOnlyOpenedForTheServersReaders() {
        Caller pub = account("111111111111");
        Connection created = connections.create(pub, pub.account(), "pub-s3", s3(SECRET));

        assertThat(created.endpoint()).isEqualTo("http://127.0.0.1:9000");
        assertThat(created.pathStyle()).isTrue();
        Connection stored = store.read(tx -> tx.of(Kinds.CONNECTIONS).get("111111111111/pub-s3")).orElseThrow();
        assertThat(stored.sealedSecret()).doesNotContain(SECRET).isNotEqualTo(SECRET);
        assertThat(stored.toString()).doesNotContain(SECRET).doesNotContain(stored.sealedSecret());
        assertThat(connections.open(pub.account(), "PUB-S3").orElseThrow().secret()).isEqualTo(SECRET);
        assertThat(connections.open(pub.account(), "PUB-S3").orElseThrow().toString()).doesNotContain(SECRET);
        assertThat(connections.open(pub.account(), "other")).isEmpty();
        assertThat(connections.open(new AccountId("222222222222"), "pub-s3")).isEmpty();
    }

    @Test
    void namesAreUniqueWithoutRegardToCaseAndHaveRoleNameCharacters() {
        Caller pub = account("111111111111");
        connections.create(pub, pub.account(), "Pub-S3", s3(SECRET));
        assertThat(refused(() -> connections.create(pub, pub.account(), "pub-s3", s3(SECRET))).code())
                .isEqualTo(ErrorCode.ALREADY_EXISTS);
        assertThat(refused(() -> connections.create(pub, pub.account(), "pub/s3", s3(SECRET))).fieldErrors())
                .extracting(CleanroomException.FieldError::name).containsExactly("name");
        assertThat(refused(() -> connections.create(pub, pub.account(), "x".repeat(65), s3(SECRET))).code())
                .isEqualTo(ErrorCode.VALIDATION);
        // dot segments: a link or form to /connections/.. would resolve to another page of the console
        for (String dots : java.util.List.of(".", "..")) {
            assertThat(refused(() -> connections.create(pub, pub.account(), dots, s3(SECRET))).fieldErrors())
                    .extracting(CleanroomException.FieldError::name).containsExactly("name");
        }
        connections.create(pub, pub.account(), "...", s3(SECRET));
        connections.create(pub, pub.account(), "a..b", s3(SECRET));
        assertThat(connections.get(pub, pub.account(), "PUB-s3").name()).isEqualTo("Pub-S3");
    }

    @Test
    void managedByTheOperatorOrTheAccountsOwnAdministrators() {
        Caller pub = account("111111111111");
        Caller adv = account("222222222222");
        connections.create(operator, pub.account(), "pub-s3", s3(SECRET));
        assertThat(connections.list(pub, pub.account(), new Page.Request(10, null)).items())
                .extracting(Connection::name).containsExactly("pub-s3");
        assertThat(refused(() -> connections.get(adv, pub.account(), "pub-s3")).code())
                .isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(refused(() -> connections.create(adv, pub.account(), "x", s3(SECRET))).code())
                .isEqualTo(ErrorCode.ACCESS_DENIED);
        Caller analyst = new Caller(pub.account(), "CRAKANALYST000000000", Role.ANALYST);
        assertThat(refused(() -> connections.list(analyst, pub.account(), new Page.Request(10, null))).code())
                .isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(refused(() -> connections.create(operator, new AccountId("333333333333"), "x", s3(SECRET)))
                .code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
    }

    @Test
    void everyFieldIsCheckedAndNoValueIsRepeated() {
        Caller pub = account("111111111111");
        String badSecret = "abc\u0001" + SECRET;
        CleanroomException e = refused(() -> connections.create(pub, pub.account(), "c",
                new ConnectionService.Spec(ConnectionType.S3, null, "http://user:pw@host:9000", "US East",
                        "has space", null, "jdbc:postgresql://h/db", null, badSecret)));
        assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::name)
                .containsExactly("endpoint", "region", "accessKeyId", "secretAccessKey", "jdbcUrl");
        assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("pw@").doesNotContain("has space");
        for (String endpoint : new String[] {"ftp://host", "http://host/path", "http://host?x=1", "http://host#f",
                "host:9000", "http://", "http://host:0"}) {
            assertThat(refused(() -> connections.create(pub, pub.account(), "c", new ConnectionService.Spec(
                    ConnectionType.S3, null, endpoint, "us-east-1", "AK", null, null, null, SECRET))).fieldErrors())
                    .as(endpoint).extracting(CleanroomException.FieldError::name).containsExactly("endpoint");
        }
        assertThat(refused(() -> connections.create(pub, pub.account(), "c", s3(null))).fieldErrors())
                .extracting(CleanroomException.FieldError::name).containsExactly("secretAccessKey");
    }

    @Test
    void aJdbcUrlKeepsOnlyWhatIsAllowed() {
        Caller pub = account("111111111111");
        String password = "p@ss word";
        CleanroomException e = refused(() -> connections.create(pub, pub.account(), "pg",
                postgres("jdbc:postgresql://db:5432/members?socketFactory=evil.Factory", password)));
        assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::name).containsExactly("jdbcUrl");
        assertThat(e.getMessage()).doesNotContain("evil.Factory");
        assertThat(refused(() -> connections.create(pub, pub.account(), "pg",
                postgres("jdbc:postgresql://db/members?password=" + password, password))).getMessage())
                .doesNotContain(password);
        Connection pg = connections.create(pub, pub.account(), "pg", postgres("jdbc:postgresql://DB/members", password));
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/members");
        assertThat(connections.open(pub.account(), "pg").orElseThrow().secret()).isEqualTo(password);
        assertThat(refused(() -> connections.create(pub, pub.account(), "pg2", new ConnectionService.Spec(
                ConnectionType.POSTGRESQL, null, "http://x", null, null, true, "jdbc:postgresql://db/m", "u", "p")))
                .fieldErrors()).extracting(CleanroomException.FieldError::name).containsExactly("endpoint", "pathStyle");
    }

    @Test
    void anUpdateKeepsTheSecretUnlessGivenAndTheTypeStays() {
        Caller pub = account("111111111111");
        connections.create(pub, pub.account(), "pub-s3", s3(SECRET));
        clock.set(clock.instant().plusSeconds(60));
        Connection updated = connections.update(pub, pub.account(), "pub-s3", new ConnectionService.Spec(
                ConnectionType.S3, null, "https://s3.example.com", "eu-west-1", "AKIDNEW", false, null, null, null));
        assertThat(updated.region()).isEqualTo("eu-west-1");
        assertThat(updated.updateTime()).isAfter(updated.createTime());
        assertThat(connections.open(pub.account(), "pub-s3").orElseThrow().secret()).isEqualTo(SECRET);
        connections.update(pub, pub.account(), "pub-s3", s3("another-secret"));
        assertThat(connections.open(pub.account(), "pub-s3").orElseThrow().secret()).isEqualTo("another-secret");
        assertThat(refused(() -> connections.update(pub, pub.account(), "pub-s3",
                postgres("jdbc:postgresql://db/m", "p"))).fieldErrors())
                .extracting(CleanroomException.FieldError::name).containsExactly("type");
        assertThat(refused(() -> connections.update(pub, pub.account(), "missing", s3(SECRET))).code())
                .isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
    }

    @Test
    void aConnectionATableNamesCannotBeDeleted() {
        Caller pub = account("111111111111");
        connections.create(pub, pub.account(), "pub-s3", s3(SECRET));
        store.inTransaction(tx -> {
            tx.of(Kinds.CATALOG_DATABASES).insert(new CatalogDatabase(pub.account(), "lab", null, null, context.now()));
            tx.of(Kinds.CATALOG_TABLES).insert(new CatalogTable(pub.account(), "lab", "audience", null,
                    "s3://pub-data/audience/", TableFormat.PARQUET, List.of(new Column("a", "string")),
                    Map.of("connectionName", "PUB-S3"), context.now(), context.now(), null));
            return null;
        });
        CleanroomException e = refused(() -> connections.delete(pub, pub.account(), "pub-s3"));
        assertThat(e.code()).isEqualTo(ErrorCode.SUBRESOURCES_EXIST);
        assertThat(e.getMessage()).contains("lab.audience");
        store.inTransaction(tx -> tx.of(Kinds.CATALOG_TABLES).delete("111111111111/lab/audience"));
        connections.delete(pub, pub.account(), "pub-s3");
        assertThat(connections.open(pub.account(), "pub-s3")).isEmpty();
    }

    @Test
    void anAccountHoldsABoundedNumber() {
        Caller pub = account("111111111111");
        for (int i = 0; i < ConnectionService.MAX_PER_ACCOUNT; i++) {
            connections.create(pub, pub.account(), "c" + i, s3(SECRET));
        }
        assertThat(refused(() -> connections.create(pub, pub.account(), "one-more", s3(SECRET))).code())
                .isEqualTo(ErrorCode.QUOTA_EXCEEDED);
    }
}
