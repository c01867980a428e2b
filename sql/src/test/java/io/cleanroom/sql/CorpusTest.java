package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The query-control corpus: each case in src/test/resources/corpus/*.cases names a fixture (a
 * set of tables with rules), the account running the query, the SQL, and the expected outcome:
 * ALLOW (optionally with fragments the rewritten SQL must contain) or REJECT with a fragment of
 * the message.
 *
 * <pre>
 * == name
 * tables: aggregation       (a set in Fixtures)
 * runner: advertiser
 * template: yes             (optional: run as the fixture's analysis template)
 * sql:
 * SELECT ...
 * expect: ALLOW | REJECT &lt;message fragment&gt;
 * contains: &lt;fragment of the rewritten SQL&gt;   (repeatable, with ALLOW)
 * adversarial: yes          (optional, counts the case as an attempted bypass)
 * </pre>
 */
class CorpusTest {
    static final List<String> FILES = List.of("aggregation.cases", "list.cases", "custom.cases", "controls.cases",
            "lab.cases", "cross.cases", "redteam.cases", "probes.cases");

    record Case(String file, String name, String tables, String runner, boolean template, String sql,
            boolean allow, String message, List<String> contains, boolean adversarial) {
        @Override
        public String toString() {
            return file + ": " + name;
        }
    }

    static List<Case> load() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String file : FILES) {
            try (InputStream in = CorpusTest.class.getResourceAsStream("/corpus/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("missing corpus file " + file);
                }
                parse(file, new String(in.readAllBytes(), StandardCharsets.UTF_8), cases);
            }
        }
        return cases;
    }

    private static void parse(String file, String text, List<Case> out) {
        String[] blocks = text.split("(?m)^== ");
        for (String block : blocks) {
            if (block.isBlank() || block.startsWith("#")) {
                continue;
            }
            String[] lines = block.split("\n");
            String name = lines[0].trim();
            String tables = null;
            String runner = "advertiser";
            boolean template = false;
            boolean adversarial = false;
            StringBuilder sql = new StringBuilder();
            String expect = null;
            List<String> contains = new ArrayList<>();
            boolean inSql = false;
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                if (inSql && !line.startsWith("expect:")) {
                    sql.append(line).append('\n');
                    continue;
                }
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (line.startsWith("tables:")) {
                    tables = line.substring(7).trim();
                } else if (line.startsWith("runner:")) {
                    runner = line.substring(7).trim();
                } else if (line.startsWith("template:")) {
                    template = line.substring(9).trim().equals("yes");
                } else if (line.startsWith("adversarial:")) {
                    adversarial = line.substring(12).trim().equals("yes");
                } else if (line.startsWith("sql:")) {
                    String rest = line.substring(4).trim();
                    if (!rest.isEmpty()) {
                        sql.append(rest).append('\n');
                    }
                    inSql = true;
                } else if (line.startsWith("expect:")) {
                    expect = line.substring(7).trim();
                    inSql = false;
                } else if (line.startsWith("contains:")) {
                    contains.add(line.substring(9).trim());
                } else {
                    throw new IllegalStateException(file + ": case " + name + ": unexpected line " + line);
                }
            }
            if (tables == null || expect == null || sql.length() == 0) {
                throw new IllegalStateException(file + ": case " + name + " lacks tables, sql or expect");
            }
            boolean allow = expect.equals("ALLOW");
            if (!allow && !expect.startsWith("REJECT")) {
                throw new IllegalStateException(file + ": case " + name + ": expect ALLOW or REJECT");
            }
            out.add(new Case(file, name, tables, runner, template, sql.toString().strip(), allow,
                    allow ? null : expect.substring(6).trim(), contains, adversarial || !allow));
        }
    }

    static Stream<Case> cases() throws IOException {
        return load().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void corpusCase(Case c) {
        QueryRequest request = new QueryRequest(c.sql(), Fixtures.account(c.runner()), Fixtures.SETS.get(c.tables()).get(),
                c.template() ? Optional.of(new QueryRequest.Template(Fixtures.TEMPLATE, List.of(), java.util.Map.of()))
                        : Optional.empty());
        CheckedQuery checked;
        try {
            checked = new QueryChecker().check(request);
        } catch (CleanroomException e) {
            if (c.allow()) {
                fail("expected ALLOW but was rejected: " + e.getMessage());
            }
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
            assertThat(e.getMessage()).containsIgnoringCase(c.message());
            return;
        }
        if (!c.allow()) {
            fail("expected REJECT (" + c.message() + ") but was allowed as: " + checked.sql());
        }
        String sql = checked.sql();
        for (String fragment : c.contains()) {
            assertThat(sql).containsIgnoringWhitespaces(fragment);
        }
    }

    @Test
    void corpusIsLargeAndMostlyAdversarial() throws IOException {
        List<Case> cases = load();
        assertThat(cases.stream().map(Case::toString).distinct().count()).as("unique names").isEqualTo(cases.size());
        System.out.println("corpus: " + cases.size() + " cases, "
                + cases.stream().filter(Case::adversarial).count() + " adversarial");
    }
}
