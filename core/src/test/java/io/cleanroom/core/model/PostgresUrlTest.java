package io.cleanroom.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {
    private static String problem(String text) {
        PostgresUrl.Parsed parsed = PostgresUrl.parse(text);
        assertThat(parsed.url()).as(text).isEmpty();
        if (text != null) {
            assertThat(parsed.problem()).doesNotContain(text);
        }
        return parsed.problem();
    }

    @Test
    void renderedAgainFromItsParts() {
        PostgresUrl url = PostgresUrl.parse("jdbc:postgresql://DB.Example.com/members?sslmode=require").url().orElseThrow();
        assertThat(url.toString()).isEqualTo("jdbc:postgresql://db.example.com:5432/members?sslmode=require");
        assertThat(PostgresUrl.parse("jdbc:postgresql://[::1]:6543/m").url().orElseThrow().toString())
                .isEqualTo("jdbc:postgresql://[::1]:6543/m");
        assertThat(url.sameDatabase(PostgresUrl.parse("jdbc:postgresql://db.example.com:5432/members").url()
                .orElseThrow())).isTrue();
        assertThat(url.sameDatabase(PostgresUrl.parse("jdbc:postgresql://db.example.com:5432/other").url()
                .orElseThrow())).isFalse();
    }

    @Test
    void credentialsNeverInTheUrl() {
        assertThat(problem("jdbc:postgresql://h/db?user=u")).contains("user or password");
        assertThat(problem("jdbc:postgresql://h/db?sslmode=require&PASSWORD=p")).contains("user or password");
        assertThat(problem("jdbc:postgresql://u:p@h/db")).contains("host");
    }

    @Test
    void parametersThatLoadClassesOrReadFilesAreRefused() {
        // the driver instantiates these classes or opens these files: nothing of them may come from a member
        for (String parameter : new String[] {"socketFactory=x.Y", "socketFactoryArg=z", "sslfactory=x.Y",
                "sslhostnameverifier=x.Y", "sslrootcert=/etc/passwd", "sslkey=/x", "loggerFile=/tmp/x",
                "authenticationPluginClassName=x.Y", "options=-c%20x", "sslpasswordcallback=x.Y"}) {
            assertThat(problem("jdbc:postgresql://h/db?" + parameter)).as(parameter).contains("may only have");
        }
        assertThat(problem("jdbc:postgresql://h/db?sslmode=off")).contains("not allowed");
        assertThat(problem("jdbc:postgresql://h/db?sslmode=require&sslmode=disable")).contains("twice");
        assertThat(PostgresUrl.parse("jdbc:postgresql://h/db?connectTimeout=5&sslmode=verify-full").url()).isPresent();
    }

    @Test
    void oneHostAndAPlainDatabaseName() {
        assertThat(problem("jdbc:postgresql://h1,h2/db")).contains("one host");
        assertThat(problem("jdbc:postgresql://h/db/x")).contains("database");
        assertThat(problem("jdbc:postgresql:db")).contains("jdbc:postgresql://");
        assertThat(problem("jdbc:mysql://h/db")).contains("jdbc:postgresql://");
        assertThat(problem("jdbc:postgresql://h:70000/db")).contains("port");
        assertThat(problem(null)).contains("jdbc:postgresql://");
    }
}
