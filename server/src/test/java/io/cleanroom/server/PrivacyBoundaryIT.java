package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.SignedHttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicyV1;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQuery;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryStatus;
import software.amazon.awssdk.services.cleanrooms.model.ProtectedQueryType;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;

/**
 * The red team's attacks on query control, through the AWS SDK against a running server: lineage
 * bypasses (also inside a template the data owner approved), probes of identity columns, reads a
 * threshold must count, and error oracles. Each must be refused, or run with the hidden rows
 * suppressed and the same outcome whatever they hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivacyBoundaryIT {
    TestCluster cluster;
    TestCluster.Keys publisher;
    TestCluster.Keys advertiser;
    CleanRoomsClient pub;
    CleanRoomsClient adv;
    String publisherMembership;
    String advertiserMembership;

    @BeforeAll
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE, c -> c.withEngine(
                new ServerConfig.Engine("512MB", 2, 2, Duration.ofSeconds(20), 100_000)));
        publisher = Fixtures.account(cluster, "publisher");
        advertiser = Fixtures.account(cluster, "advertiser");
        pub = cluster.cleanRooms(publisher);
        adv = cluster.cleanRooms(advertiser);
        // 30 ordinary users, and one alone in segment solo whose birth year breaks naive arithmetic
        List<String> rows = new ArrayList<>(List.of("user_id_hash,segment,region,age,birth_year"));
        for (int i = 0; i < 30; i++) {
            rows.add("u" + i + ",news,north," + (20 + i) + "," + (1950 + i));
        }
        rows.add("solo1,solo,solo,99,3000000000");
        Fixtures.catalogTable(cluster, publisher, "lab", "people", rows, false);
        List<String> mine = new ArrayList<>(List.of("user_id_hash,campaign"));
        for (int i = 0; i < 30; i += 2) {
            mine.add("u" + i + ",spring");
        }
        mine.add("solo1,spring");
        Fixtures.catalogTable(cluster, advertiser, "lab", "mine", mine, false);
        String collaboration = Fixtures.createCollaboration(pub, "privacy", advertiser);
        publisherMembership = Fixtures.join(pub, collaboration);
        advertiserMembership = Fixtures.join(adv, collaboration);
        String people = Fixtures.configuredTable(pub, "people", "lab", "people", "user_id_hash", "segment", "region",
                "age", "birth_year");
        pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(people)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1
                        .fromCustom(AnalysisRuleCustom.builder().allowedAnalyses("ANY_QUERY")
                                .allowedAnalysisProviders(advertiser.accountId())
                                .disallowedOutputColumns("user_id_hash", "age").build()))));
        Fixtures.associate(pub, publisherMembership, people, "pub");
        // the same table again, with an aggregation threshold of 3 (wire only: the SDK predates it)
        String counted = Fixtures.configuredTable(pub, "counted", "lab", "people", "user_id_hash", "segment",
                "region", "birth_year");
        SignedHttpClient.Response rule = http(publisher).send("POST", "/configuredTables/" + counted
                + "/analysisRule", Map.of(), Map.of("content-type", "application/json"), """
                {"analysisRuleType":"CUSTOM","analysisRulePolicy":{"v1":{"custom":{
                  "allowedAnalyses":["ANY_QUERY"],"allowedAnalysisProviders":["%s"],
                  "aggregationThresholds":[{"identityColumns":["user_id_hash"],"minimumIdentityCount":3,
                    "type":"COUNT_DISTINCT","allowedAggregateExpressionType":"ANY_EXPRESSION"}]}}}}"""
                .formatted(advertiser.accountId()), "cleanrooms");
        assertThat(rule.status()).as(rule.body()).isEqualTo(200);
        Fixtures.associate(pub, publisherMembership, counted, "counted");
        String mineTable = Fixtures.configuredTable(adv, "mine", "lab", "mine", "user_id_hash", "campaign");
        adv.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(mineTable)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1
                        .fromCustom(AnalysisRuleCustom.builder().allowedAnalyses("ANY_QUERY")
                                .allowedAnalysisProviders(advertiser.accountId()).build()))));
        Fixtures.associate(adv, advertiserMembership, mineTable, "mine");
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private SignedHttpClient http(TestCluster.Keys keys) {
        return new SignedHttpClient(cluster.endpoint(), keys.accessKeyId(), keys.secretAccessKey(), "us-east-1",
                Clock.systemUTC());
    }

    private ProtectedQuery start(String sql) {
        return adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership).type(ProtectedQueryType.SQL)
                .sqlParameters(s -> s.queryString(sql))).protectedQuery();
    }

    private ProtectedQuery await(String id) throws InterruptedException {
        return Fixtures.await(adv, advertiserMembership, id);
    }

    private List<JsonNode> rows(ProtectedQuery q) throws Exception {
        return Fixtures.resultRows(cluster, advertiser, advertiserMembership, q);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " @@ ", quoteCharacter = '"', value = {
        "lateral @@ SELECT t.h || 'x' FROM pub p, LATERAL (SELECT p.user_id_hash AS h) t @@ pub.user_id_hash",
        "unnest @@ SELECT x || 'x' FROM pub p CROSS JOIN UNNEST(ARRAY[p.user_id_hash]) AS u(x) @@ pub.user_id_hash",
        "correlated scalar subquery @@ SELECT CAST((SELECT p.age FROM mine m WHERE m.user_id_hash = p.user_id_hash) "
                + "AS VARCHAR) FROM pub p @@ pub.age",
        "recursive cte @@ WITH RECURSIVE r(n) AS (SELECT user_id_hash FROM pub UNION ALL SELECT n FROM r WHERE FALSE) "
                + "SELECT n FROM r @@ Recursive queries",
        "case on a disallowed column @@ SELECT CASE WHEN p.age > 40 THEN 'old' END AS band FROM pub p @@ pub.age",
        "ends_with probe of an identity @@ SELECT c1.segment, COUNT(*) FROM counted c1 JOIN counted c2 "
                + "ON ENDS_WITH(c2.user_id_hash, 'o1') GROUP BY c1.segment @@ counted.user_id_hash",
        "in-list probe of an identity @@ SELECT c.segment, COUNT(*) FROM counted c WHERE c.user_id_hash IN ('solo1') "
                + "GROUP BY c.segment @@ identity column",
        "scalar subquery broadcast @@ SELECT x.b, COUNT(*) FROM (SELECT (SELECT c2.birth_year FROM counted c2 "
                + "WHERE c2.region = 'solo') AS b, c.user_id_hash FROM counted c) x GROUP BY x.b @@ cannot be counted",
        "membership test not counted @@ SELECT m.campaign, COUNT(*) FROM mine m WHERE m.user_id_hash IN "
                + "(SELECT c.user_id_hash FROM counted c WHERE c.region = 'solo') GROUP BY m.campaign @@ cannot be counted",
    })
    void attacksAreRefusedAtSubmission(String name, String sql, String message) {
        assertThatThrownBy(() -> start(sql)).isInstanceOf(ValidationException.class).hasMessageContaining(message);
    }

    @Test
    void aTemplateTheOwnerApprovedStillCannotBypassLineage() {
        String sql = "SELECT t.h || 'x' AS h FROM reviewed p, LATERAL (SELECT p.user_id_hash AS h) t";
        var template = adv.createAnalysisTemplate(r -> r.membershipIdentifier(advertiserMembership).name("bypass")
                .format("SQL").source(s -> s.text(sql))).analysisTemplate();
        String table = Fixtures.configuredTable(pub, "reviewed", "lab", "people", "user_id_hash", "segment");
        pub.createConfiguredTableAnalysisRule(r -> r.configuredTableIdentifier(table)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(ConfiguredTableAnalysisRulePolicy.fromV1(ConfiguredTableAnalysisRulePolicyV1
                        .fromCustom(AnalysisRuleCustom.builder().allowedAnalyses(template.arn())
                                .disallowedOutputColumns("user_id_hash").build()))));
        Fixtures.associate(pub, publisherMembership, table, "reviewed");
        assertThatThrownBy(() -> adv.startProtectedQuery(r -> r.membershipIdentifier(advertiserMembership)
                .type(ProtectedQueryType.SQL).sqlParameters(p -> p.analysisTemplateArn(template.arn()))))
                .isInstanceOf(ValidationException.class).hasMessageContaining("reviewed.user_id_hash");
    }

    @Test
    void aSelfJoinCountsTheIdentitiesOfBothReads() throws Exception {
        ProtectedQuery q = await(start("SELECT c2.birth_year, COUNT(*) AS n FROM counted c1 JOIN counted c2 "
                + "ON c2.region = 'solo' GROUP BY c2.birth_year").id());
        // the lone user's birth year would be the only row: suppressed, as its group has one identity of c2
        assertThat(rows(q)).isEmpty();
    }

    @Test
    void anOverflowInASuppressedRowIsNoOracle() throws Exception {
        // 3000000000 * 1000000000 overflows BIGINT only in the lone user's row, which the threshold suppresses
        ProtectedQuery q = await(start("SELECT c.segment, COUNT(*) AS n FROM counted c "
                + "WHERE c.birth_year * 1000000000 > 0 GROUP BY c.segment").id());
        List<JsonNode> rows = rows(q);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get(0).asText()).isEqualTo("news");
        assertThat(rows.get(0).get(1).asLong()).isEqualTo(30);
        ProtectedQuery cast = await(start("SELECT c.segment, COUNT(*) AS n FROM counted c "
                + "WHERE CAST(c.region AS INTEGER) IS NULL GROUP BY c.segment").id());
        assertThat(cast.status()).as(String.valueOf(cast.error())).isEqualTo(ProtectedQueryStatus.SUCCESS);
    }
}
