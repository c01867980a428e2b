package io.cleanroom.bench;

import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.Column;
import io.cleanroom.core.model.JoinRequired;
import io.cleanroom.core.model.ScalarFunction;
import io.cleanroom.sql.QueryChecker;
import io.cleanroom.sql.QueryRequest;
import io.cleanroom.sql.TableSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Latency of query control (parse, validate, check, rewrite, render) for a typical two-table
 * aggregation query, a 15-table one, and custom-rule queries under an aggregation threshold and
 * comparison controls (plan lineage, rewrite, and the re-check of the rewritten query). Prints median, p99 and mean after warm-up.
 * Run: see the README ("Benchmarks").
 */
public final class CheckBench {
    private static final AccountId RUNNER = new AccountId("222222222222");

    private CheckBench() {
    }

    static TableSpec table(String name, AccountId owner) {
        Aggregation rule = new Aggregation(
                List.of(new AggregateColumn(List.of("user_id"), AggregateFunction.COUNT_DISTINCT),
                        new AggregateColumn(List.of("spend"), AggregateFunction.SUM)),
                List.of("user_id"), JoinRequired.QUERY_RUNNER, List.of(), List.of("segment", "region"),
                List.of(ScalarFunction.LOWER), List.of(new OutputConstraint("user_id", 100)), null);
        return new TableSpec(name, owner, List.of(new Column("user_id", "string"), new Column("segment", "string"),
                new Column("region", "string"), new Column("spend", "double")), Optional.of(rule), true);
    }

    static List<TableSpec> tables(int n) {
        List<TableSpec> tables = new ArrayList<>();
        tables.add(table("t0", RUNNER));
        for (int i = 1; i < n; i++) {
            tables.add(table("t" + i, new AccountId(String.format("%012d", 100000000000L + i))));
        }
        return tables;
    }

    static String query(int n) {
        StringBuilder sql = new StringBuilder("SELECT t1.segment, LOWER(t0.region), COUNT(DISTINCT t0.user_id), "
                + "SUM(t1.spend) FROM t0");
        for (int i = 1; i < n; i++) {
            sql.append(" JOIN t").append(i).append(" ON t").append(i - 1).append(".user_id = t").append(i)
                    .append(".user_id");
        }
        sql.append(" WHERE t1.segment <> 'x' GROUP BY t1.segment, LOWER(t0.region)");
        return sql.toString();
    }

    /** Wall-clock microseconds per check, sorted, and the CPU microseconds of all of them (last element). */
    static double[] measure(QueryRequest request, int warmup, int runs) {
        QueryChecker checker = new QueryChecker();
        for (int i = 0; i < warmup; i++) {
            checker.check(request).sql();
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] micros = new double[runs + 1];
        long cpu = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            checker.check(request).sql();
            micros[i] = (System.nanoTime() - start) / 1000.0;
        }
        micros[runs] = (threads.getCurrentThreadCpuTime() - cpu) / 1000.0;
        Arrays.sort(micros, 0, runs);
        return micros;
    }

    /**
     * Prints wall-clock median, p99 and mean, and the CPU time per check, which a machine busy with
     * other work disturbs much less than wall-clock time.
     */
    static void report(String name, double[] measured) {
        int runs = measured.length - 1;
        double[] micros = Arrays.copyOf(measured, runs);
        double mean = Arrays.stream(micros).average().orElse(0);
        System.out.printf("%-34s runs=%d  median=%8.1f us  p99=%8.1f us  mean=%8.1f us  cpu=%8.1f us/check%n", name,
                runs, micros[runs / 2], micros[(int) Math.floor(runs * 0.99)], mean, measured[runs] / runs);
    }

    /**
     * Two tables with custom rules: the publisher's with an aggregation threshold of 100 on
     * user_id, comparison controls and a disallowed column; the runner's with ANY_QUERY.
     */
    static List<TableSpec> customTables() {
        io.cleanroom.core.model.AnalysisRulePolicy.Custom publisher = new io.cleanroom.core.model.AnalysisRulePolicy
                .Custom(List.of(io.cleanroom.core.model.AnalysisRulePolicy.Custom.ANY_QUERY), List.of(RUNNER), null,
                List.of("region"), null, List.of(new io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold(
                        List.of("user_id"), 100, "ANY_EXPRESSION", List.of())),
                new io.cleanroom.core.model.AnalysisRulePolicy.ComparisonControls(List.of("segment"),
                        List.of("user_id")));
        io.cleanroom.core.model.AnalysisRulePolicy.Custom runner = new io.cleanroom.core.model.AnalysisRulePolicy
                .Custom(List.of(io.cleanroom.core.model.AnalysisRulePolicy.Custom.ANY_QUERY), List.of(RUNNER), null,
                List.of(), null, List.of(), null);
        List<Column> columns = List.of(new Column("user_id", "string"), new Column("segment", "string"),
                new Column("region", "string"), new Column("spend", "double"));
        return List.of(new TableSpec("pub", new AccountId("111111111111"), columns, Optional.of(publisher), true),
                new TableSpec("adv", RUNNER, columns, Optional.of(runner), true));
    }

    static final String CUSTOM_JOIN = "SELECT a.segment, COUNT(DISTINCT p.user_id), SUM(a.spend) FROM adv a "
            + "JOIN pub p ON a.user_id = p.user_id WHERE p.segment = 'news' GROUP BY a.segment";
    static final String CUSTOM_NESTED = "WITH r AS (SELECT p.user_id AS u, p.segment FROM pub p WHERE p.segment <> "
            + "'x') SELECT t.segment, COUNT(*), SUM(t.spend) FROM (SELECT a.segment, a.spend, r.u FROM adv a JOIN r "
            + "ON a.user_id = r.u WHERE a.spend > (SELECT AVG(a2.spend) FROM adv a2)) t GROUP BY t.segment";

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        for (int n : new int[] {2, 15}) {
            QueryRequest request = QueryRequest.adHoc(query(n), RUNNER, tables(n));
            report("aggregation, " + n + " tables", measure(request, warmup, runs));
        }
        report("custom, threshold, join", measure(QueryRequest.adHoc(CUSTOM_JOIN, RUNNER, customTables()), warmup,
                runs));
        report("custom, threshold, cte+subqueries", measure(QueryRequest.adHoc(CUSTOM_NESTED, RUNNER,
                customTables()), warmup, runs));
    }
}
