package io.cleanroom.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class S3LocationTest {
    private static S3Location parse(String text) {
        return S3Location.parse(text).location().orElseThrow(() -> new AssertionError(S3Location.parse(text).problem()));
    }

    private static String problem(String text) {
        S3Location.Parsed parsed = S3Location.parse(text);
        assertThat(parsed.location()).as(text).isEmpty();
        return parsed.problem();
    }

    @Test
    void foldersAreNormalisedWithATrailingSlash() {
        assertThat(parse("s3://pub-data/audience").toString()).isEqualTo("s3://pub-data/audience/");
        assertThat(parse("s3://pub-data/audience/dt=2026-11-01/").prefix()).isEqualTo("audience/dt=2026-11-01/");
        assertThat(parse("s3://pub-data").prefix()).isEmpty();
        assertThat(parse("s3://pub-data/").prefix()).isEmpty();
    }

    @Test
    void aRootHoldsItsOwnFoldersOnly() {
        S3Location root = parse("s3://shared/pub/");
        assertThat(parse("s3://shared/pub/audience/").within(root)).isTrue();
        assertThat(parse("s3://shared/pub").within(root)).isTrue();
        assertThat(parse("s3://shared/public/").within(root)).isFalse();
        assertThat(parse("s3://shared/adv/").within(root)).isFalse();
        assertThat(parse("s3://other/pub/").within(root)).isFalse();
        assertThat(parse("s3://shared/pub/x/").within(parse("s3://shared"))).isTrue();
    }

    @Test
    void dotFoldersThatAServerMightResolveAreRefused() {
        // a file-system-backed server could read pub/../adv/ as adv/, outside the root the text lies in
        assertThat(problem("s3://shared/pub/../adv/")).contains("'..'");
        assertThat(problem("s3://shared/pub/./x/")).contains("'.'");
        assertThat(problem("s3://shared/pub//x/")).contains("empty");
        assertThat(problem("s3://shared//")).contains("empty");
    }

    @Test
    void onlyAllowedCharactersAndBucketNames() {
        assertThat(problem("s3://Upper/x/")).contains("bucket");
        assertThat(problem("s3://ab/x/")).contains("bucket");
        assertThat(problem("s3://a..b/x/")).contains("bucket");
        assertThat(problem("s3://192.168.1.1/x/")).contains("bucket");
        assertThat(problem("s3://-bucket/x/")).contains("bucket");
        assertThat(problem("s3a://bucket/x/")).contains("s3://");
        assertThat(problem("/local/path")).contains("s3://");
        for (String bad : new String[] {"s3://b1b/x\\y/", "s3://b1b/x%2F/", "s3://b1b/x?y/", "s3://b1b/x#y/",
                "s3://b1b/x*{a,b}/", "s3://b1b/x\ny/", "s3://b1b/x\u0000/", "s3://b1b/\u00e9/"}) {
            assertThat(problem(bad)).as(bad).contains("folder names");
        }
        assertThat(problem("s3://b1b/" + "a/".repeat(500))).contains("at most");
        assertThat(parse("s3://b1b/sales (eu)/dt=2026-11-01/").prefix()).isEqualTo("sales (eu)/dt=2026-11-01/");
    }
}
