package io.cleanroom.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * Plain Spark SQL for QueryBench to compare protected queries with, in a JVM of its own (Spark's
 * jars only): a session tuned like the Spark engine's (same master, shuffle partitions and locality
 * wait, no UI), Spark's defaults otherwise (ANSI mode, whole-stage code generation). Reads commands on standard input, one a line:
 * {@code VIEW name path} binds a Parquet file for the next run, {@code RUN sql} runs the SQL in a
 * fresh session over those files, reads every row, and answers {@code MS elapsed rows}.
 *
 * <p>Arguments: the master (local[2]) and the shuffle partitions (4).
 */
public final class RawSpark {
    private RawSpark() {
    }

    public static void main(String[] args) throws Exception {
        SparkSession base = SparkSession.builder().master(args[0]).appName("raw-spark")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", args[1])
                .config("spark.locality.wait", "0s").getOrCreate();
        base.sparkContext().setLogLevel("WARN");
        List<String[]> views = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("VIEW ")) {
                String[] parts = line.split(" ", 3);
                views.add(new String[] {parts[1], parts[2]});
            } else if (line.startsWith("RUN ")) {
                long start = System.nanoTime();
                SparkSession session = base.newSession();
                for (String[] view : views) {
                    session.read().parquet(view[1]).createOrReplaceTempView(view[0]);
                }
                long rows = session.sql(line.substring(4)).collectAsList().size();
                System.out.println("MS " + (System.nanoTime() - start) / 1e6 + " " + rows);
                System.out.flush();
                views.clear();
            }
        }
        base.stop();
    }
}
