package io.cleanroom.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The lab of {@link QueryBench} for a benchmark client in another language (bench/js/query-bench.mjs):
 * sets up collaborations on a running server and runs the raw DuckDB side, on request. Reads one
 * command a line on its input and answers each with one line of JSON on its output:
 *
 * <pre>
 * tutorial      the tutorial-sized collaboration: {"accessKeyId", "secretAccessKey", "membership", "accountId"}
 * data ROWS     generated Parquet audiences of ROWS rows per party, and their collaboration (the same fields)
 * raw ROWS      the query once on a plain DuckDB connection over those files: {"millis"}
 * </pre>
 *
 * <p>Arguments: the server's endpoint, its operator-credentials.json, and a directory for the data.
 */
public final class QueryLab {
    private QueryLab() {
    }

    public static void main(String[] args) throws Exception {
        Lab lab = new Lab(URI.create(args[0]), Lab.MAPPER.readTree(Path.of(args[1]).toFile()));
        Path dir = Path.of(args[2]);
        Path publisherDir = Files.createDirectories(dir.resolve("publisher"));
        Path advertiserDir = Files.createDirectories(dir.resolve("advertiser"));
        Map<Long, Lab.Party> data = new HashMap<>();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int tag = 1;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] command = line.trim().split("\\s+");
            ObjectNode answer = Lab.MAPPER.createObjectNode();
            try {
                switch (command[0]) {
                    case "tutorial" -> {
                        Path[] files = Lab.tutorialFiles(publisherDir, advertiserDir);
                        party(answer, lab.collaboration("00000000000", files[0], files[1], "csv"));
                    }
                    case "data" -> {
                        long rows = Long.parseLong(command[1]);
                        Path p = publisherDir.resolve("publisher_" + rows + ".parquet");
                        Path a = advertiserDir.resolve("advertiser_" + rows + ".parquet");
                        Lab.generate(p, a, rows);
                        Lab.Party party = lab.collaboration(String.format("%011d", tag++), p, a, "parquet");
                        data.put(rows, party);
                        party(answer, party);
                    }
                    case "raw" -> {
                        Lab.Party party = data.get(Long.parseLong(command[1]));
                        answer.put("millis", Lab.raw(party.publisherFile(), party.advertiserFile(), Lab.OVERLAP));
                    }
                    default -> answer.put("error", "unknown command " + command[0]);
                }
            } catch (Exception e) {
                answer.put("error", String.valueOf(e));
            }
            out.println(Lab.MAPPER.writeValueAsString(answer));
        }
    }

    private static void party(ObjectNode answer, Lab.Party party) {
        answer.put("accessKeyId", party.accessKeyId());
        answer.put("secretAccessKey", party.secretAccessKey());
        answer.put("membership", party.membership());
        answer.put("accountId", party.accountId());
        answer.put("query", Lab.OVERLAP);
    }
}
