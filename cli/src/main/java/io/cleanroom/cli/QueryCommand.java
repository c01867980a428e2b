package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.SignedHttpClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs a protected query and prints its result, in one command: StartProtectedQuery, then
 * GetProtectedQuery until the query ends, then GetProtectedQueryResult. On a terminal it shows the
 * status and elapsed time on a line redrawn in place, and Ctrl-C asks whether to cancel the query
 * (UpdateProtectedQuery CANCELLED). A query the rules refuse prints why (ExplainProtectedQuery).
 */
@Command(name = "query", sortOptions = false,
        description = {"Run a protected query and print its result: as a table (default), CSV or JSON.",
                "",
                "Give the SQL (--sql) or an analysis template's ARN (--template, with --param NAME=VALUE for each "
                        + "parameter). The result goes where --output says, else to the membership's default result "
                        + "configuration, else to you. On a terminal the status and elapsed time show while the query "
                        + "runs, and Ctrl-C offers to cancel it. A query the analysis rules refuse prints how query "
                        + "control decided, part by part, and exits with 254.",
                ""},
        footer = {"", "Exit codes: 0 the result was printed (or went to another member); 252 wrong usage; 254 refused, "
                + "failed, timed out or cancelled elsewhere; 130 cancelled at the Ctrl-C prompt."})
final class QueryCommand implements Callable<Integer> {
    /** Exit code for a query cancelled at the Ctrl-C prompt (128 + SIGINT, as shells report it). */
    static final int CANCELLED = 130;

    private static final Pattern PARAMETER_NAME = Pattern.compile("^[0-9a-zA-Z_]{1,100}$");
    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");
    private static final Set<String> ENDED = Set.of("SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT");

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Option(names = "--membership-identifier", required = true, paramLabel = "ID",
            description = "Your membership in the collaboration (its id)")
    String membership;

    @Option(names = "--sql", paramLabel = "SQL", description = "The query")
    String sql;

    @Option(names = "--template", paramLabel = "ARN", description = "An analysis template of the collaboration")
    String template;

    @Option(names = "--param", paramLabel = "NAME=VALUE",
            description = "A value for a parameter of the template (repeat for each)")
    List<String> params = new ArrayList<>();

    @Option(names = "--output", paramLabel = "WHERE",
            description = "Where the result goes: member:ACCOUNT_ID (a member who can receive results) or "
                    + "s3://BUCKET[/PREFIX]. Default: the membership's default result configuration, else you")
    String output;

    @Option(names = "--output-format", paramLabel = "CSV|PARQUET",
            description = "The file format of an s3:// output (default CSV)")
    String outputFormat;

    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
            description = "How to print the result: table, csv or json (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--progress", negatable = true,
            description = "Show the live status line and offer to cancel on Ctrl-C (default: when run on a terminal)")
    Boolean progress;

    /** The signing client of this run. */
    private SignedHttpClient http;

    @Override
    public Integer call() {
        ResultView.Format printAs = ResultView.Format.of(format);
        ObjectNode body = body(sql, template, params, output, outputFormat);
        boolean live = progress != null ? progress : Terminal.interactive();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        http = client.client();
        String account = ownAccount();

        long startedAt = System.nanoTime();
        Calls.Reply started = Calls.send(http, "POST", "/memberships/" + Calls.encodeSegment(membership)
                + "/protectedQueries", Map.of(), Map.of(), body.toString(), "cleanrooms");
        if (!started.ok()) {
            if (refusal(started)) {
                err.println("Query refused: " + ResultView.visible(started.message()));
                explain(err, started.message());
                err.flush();
                return Main.SERVICE_ERROR;
            }
            throw new CliException(started.errorLine("StartProtectedQuery"), Main.SERVICE_ERROR);
        }
        JsonNode query = started.json().get("protectedQuery");
        String id = query.get("id").asText();
        Progress line = new Progress(err, live);
        if (live) {
            err.println("Query " + id + " submitted");
            err.flush();
        }
        Watch watch = new Watch(id, line, err, startedAt);
        Thread leftRunning = new Thread(() -> {
            if (!watch.ended) {
                // below what is on the line: the progress, or the question, with the ^C the terminal echoed
                err.println();
                err.println("The query continues on the server. To cancel it: cleanroom update-protected-query "
                        + "--membership-identifier " + membership + " --protected-query-identifier " + id
                        + " --target-status CANCELLED");
                err.flush();
            }
        });
        Runtime.getRuntime().addShutdownHook(leftRunning);
        try (Interrupts interrupts = live ? Interrupts.catching(() -> System.exit(CANCELLED)) : Interrupts.none()) {
            query = watch.run(query, interrupts);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(leftRunning);
            } catch (IllegalStateException e) {
                // shutting down already: the hook says what it must
            }
        }
        return ended(query, account, printAs, out, err, live, watch.cancelledHere);
    }

    /** The request body of StartProtectedQuery for the options given; wrong usage is a CliException. */
    static ObjectNode body(String sql, String template, List<String> params, String output, String outputFormat) {
        if (sql != null && template != null) {
            throw usage("give either --sql or --template, not both");
        }
        if (sql == null && template == null) {
            throw usage("give the query with --sql 'SELECT ...' or an analysis template with --template ARN");
        }
        if (sql != null && sql.isBlank()) {
            throw usage("--sql is empty");
        }
        if (sql != null && !params.isEmpty()) {
            throw usage("--param gives a value to a parameter of an analysis template; use it with --template");
        }
        ObjectNode body = Calls.MAPPER.createObjectNode();
        body.put("type", "SQL");
        ObjectNode sqlParameters = body.putObject("sqlParameters");
        if (sql != null) {
            sqlParameters.put("queryString", sql);
        } else {
            sqlParameters.put("analysisTemplateArn", template);
            Map<String, String> values = parameters(params);
            if (!values.isEmpty()) {
                ObjectNode node = sqlParameters.putObject("parameters");
                values.forEach(node::put);
            }
        }
        JsonNode where = output(output, outputFormat);
        if (where != null) {
            body.putObject("resultConfiguration").set("outputConfiguration", where);
        }
        return body;
    }

    /** NAME=VALUE pairs; the value is everything after the first '=' and may be empty. */
    static Map<String, String> parameters(List<String> params) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String param : params) {
            int eq = param.indexOf('=');
            if (eq < 0) {
                throw usage("--param must be NAME=VALUE, got '" + param + "'");
            }
            String name = param.substring(0, eq);
            if (!PARAMETER_NAME.matcher(name).matches()) {
                throw usage("--param name '" + name + "' must be 1 to 100 letters, digits or _");
            }
            if (values.put(name, param.substring(eq + 1)) != null) {
                throw usage("--param " + name + " is given twice");
            }
        }
        return values;
    }

    /** The outputConfiguration for --output, or null to leave the choice to the server. */
    static JsonNode output(String output, String outputFormat) {
        if (output == null) {
            if (outputFormat != null) {
                throw usage("--output-format is for an s3:// --output");
            }
            return null;
        }
        ObjectNode where = Calls.MAPPER.createObjectNode();
        if (output.startsWith("member:")) {
            String account = output.substring("member:".length());
            if (!ACCOUNT.matcher(account).matches()) {
                throw usage("--output member: needs a 12-digit account id, e.g. member:111111111111");
            }
            if (outputFormat != null) {
                throw usage("--output-format is for an s3:// --output");
            }
            where.putObject("member").put("accountId", account);
            return where;
        }
        if (output.startsWith("s3://")) {
            String rest = output.substring("s3://".length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            if (bucket.isEmpty()) {
                throw usage("--output s3:// needs a bucket, e.g. s3://results/overlap/");
            }
            String fileFormat = outputFormat == null ? "CSV" : outputFormat.toUpperCase(Locale.ROOT);
            if (!fileFormat.equals("CSV") && !fileFormat.equals("PARQUET")) {
                throw usage("--output-format must be CSV or PARQUET");
            }
            ObjectNode s3 = where.putObject("s3");
            s3.put("resultFormat", fileFormat);
            s3.put("bucket", bucket);
            if (!prefix.isEmpty()) {
                s3.put("keyPrefix", prefix);
            }
            return where;
        }
        throw usage("--output must be member:ACCOUNT_ID or s3://BUCKET[/PREFIX], got '" + output + "'");
    }

    private static CliException usage(String message) {
        return new CliException("error: " + message, Main.USAGE_ERROR);
    }

    /**
     * The caller's account, from the ARN of its membership (arn:aws:cleanrooms:REGION:ACCOUNT:membership/ID);
     * a membership that is not the caller's is refused here, before anything starts.
     */
    private String ownAccount() {
        Calls.Reply reply = Calls.send(http, "GET", "/memberships/" + Calls.encodeSegment(membership), Map.of(),
                Map.of(), null, "cleanrooms");
        if ("ResourceNotFoundException".equals(reply.errorType())) {
            throw new CliException("error: membership " + membership + " is not one of your memberships ("
                    + reply.message() + "); 'cleanroom list-memberships' lists them", Main.SERVICE_ERROR);
        }
        if ("ValidationException".equals(reply.errorType()) && reply.json() != null
                && "membershipIdentifier".equals(reply.json().at("/fieldList/0/name").asText())) {
            throw new CliException("error: --membership-identifier must be the id of one of your memberships (such as "
                    + "4a3c9d8e-5f7b-4c21-9e0d-6b1a2f3c4d5e), got '" + membership + "'; 'cleanroom list-memberships' "
                    + "lists them", Main.USAGE_ERROR);
        }
        if (!reply.ok()) {
            throw new CliException(reply.errorLine("GetMembership"), Main.SERVICE_ERROR);
        }
        String[] arn = reply.json().at("/membership/arn").asText().split(":");
        return arn.length > 4 ? arn[4] : "";
    }

    /** Whether StartProtectedQuery refused the query under the analysis rules (not for a malformed request). */
    private static boolean refusal(Calls.Reply reply) {
        return "ValidationException".equals(reply.errorType()) && reply.json() != null
                && "INVALID_QUERY".equals(reply.json().path("reason").asText());
    }

    /**
     * For SQL, how query control decides on each part of the query now (ExplainProtectedQuery),
     * printed after a refusal; nothing when the explanation cannot be had (a template, no right to
     * explain): the refusal's own message has been printed.
     */
    private void explain(PrintWriter err, String refusal) {
        if (sql == null) {
            return;
        }
        ObjectNode request = Calls.MAPPER.createObjectNode();
        request.put("type", "SQL");
        request.putObject("sqlParameters").put("queryString", sql);
        Calls.Reply explained = Calls.send(http, "POST", "/memberships/" + Calls.encodeSegment(membership)
                + "/protectedQueries/explain", Map.of(), Map.of(), request.toString(), "cleanrooms");
        if (explained.ok() && explained.json() != null && explained.json().has("explanation")) {
            err.print(explanation(explained.json().get("explanation"), refusal));
        }
    }

    /**
     * An explanation (ExplainProtectedQuery's answer) as lines: each decision made, in order, then
     * the rejection unless it is the refusal already printed. Every text is shown, never obeyed.
     */
    static String explanation(JsonNode explanation, String refusal) {
        StringBuilder text = new StringBuilder();
        JsonNode decisions = explanation.path("decisions");
        String rejection = explanation.path("rejection").asText(null);
        boolean newRejection = rejection != null && !rejection.equals(refusal);
        if (decisions.isEmpty() && !newRejection) {
            return "";
        }
        text.append("How query control decided, part by part");
        if (explanation.hasNonNull("analysisRuleType")) {
            text.append(" (").append(ResultView.visible(explanation.get("analysisRuleType").asText())).append(" rules)");
        }
        text.append(":\n");
        for (JsonNode d : decisions) {
            text.append("  ").append(ResultView.visible(d.path("verdict").asText())).append("  ")
                    .append(ResultView.visible(d.path("clause").asText())).append(' ')
                    .append(ResultView.visible(d.path("part").asText())).append(": ")
                    .append(ResultView.visible(d.path("reason").asText())).append('\n');
        }
        text.append("  REFUSED  ").append(ResultView.visible(rejection == null ? refusal : rejection)).append('\n');
        return text.toString();
    }

    /** What an ended query prints, and the exit code. */
    private int ended(JsonNode query, String account, ResultView.Format printAs, PrintWriter out, PrintWriter err,
            boolean live, boolean cancelledHere) {
        String id = query.get("id").asText();
        String status = query.get("status").asText();
        String took = query.has("statistics")
                ? " in " + Progress.elapsed(Duration.ofMillis(query.at("/statistics/totalDurationInMillis").asLong()))
                : "";
        switch (status) {
            case "SUCCESS" -> {
                JsonNode output = query.at("/result/output");
                if (live) {
                    err.println("Query " + id + " SUCCESS" + took);
                }
                if (output.has("s3")) {
                    if (live) {
                        err.println("Result written to " + output.at("/s3/location").asText());
                    }
                } else {
                    List<String> receivers = new ArrayList<>();
                    output.path("memberList").forEach(m -> receivers.add(m.path("accountId").asText()));
                    if (!receivers.contains(account)) {
                        err.println("The result goes to account " + String.join(", ", receivers)
                                + "; only a receiver can read it");
                        err.flush();
                        return 0;
                    }
                }
                err.flush();
                ResultView.fetch(http, membership, id, 1000).print(out, printAs);
                return 0;
            }
            case "CANCELLED" -> {
                err.println("Query " + id + " CANCELLED" + took);
                err.flush();
                return cancelledHere ? CANCELLED : Main.SERVICE_ERROR;
            }
            default -> {
                String code = query.at("/error/code").asText("");
                err.println("Query " + id + " " + status + (code.isEmpty() ? "" : " (" + code + ")") + took
                        + (query.has("error") ? ": " + ResultView.visible(query.at("/error/message").asText()) : ""));
                if (code.equals("INVALID_QUERY")) {
                    // refused when its worker checked it again: how query control decides now
                    explain(err, query.at("/error/message").asText());
                }
                err.flush();
                return Main.SERVICE_ERROR;
            }
        }
    }

    /**
     * Follows a query until it ends: GetProtectedQuery with a growing pause (0.1 s to 1 s), the
     * progress line redrawn every 0.1 s, and the question on a Ctrl-C.
     */
    private final class Watch {
        private final String id;
        private final Progress line;
        private final PrintWriter err;
        private final long startedAt;
        volatile boolean ended;
        boolean cancelledHere;
        private BufferedReader stdin;

        Watch(String id, Progress line, PrintWriter err, long startedAt) {
            this.id = id;
            this.line = line;
            this.err = err;
            this.startedAt = startedAt;
        }

        private String path() {
            return "/memberships/" + Calls.encodeSegment(membership) + "/protectedQueries/" + Calls.encodeSegment(id);
        }

        JsonNode run(JsonNode submitted, Interrupts interrupts) {
            JsonNode query = submitted;
            long pause = 100;
            long nextPoll = System.nanoTime() + pause * 1_000_000;
            while (!ENDED.contains(query.get("status").asText())) {
                if (interrupts.take()) {
                    try {
                        ask();
                    } finally {
                        interrupts.answered();
                    }
                    nextPoll = System.nanoTime();
                }
                if (System.nanoTime() - nextPoll >= 0) {
                    Calls.Reply reply = Calls.send(http, "GET", path(), Map.of(), Map.of(), null, "cleanrooms");
                    if (reply.ok()) {
                        query = reply.json().get("protectedQuery");
                    } else if (reply.status() != 429 && reply.status() < 500) {
                        line.clear();
                        throw new CliException(reply.errorLine("GetProtectedQuery"), Main.SERVICE_ERROR);
                    }
                    pause = Math.min(pause * 2, 1000);
                    nextPoll = System.nanoTime() + pause * 1_000_000;
                    if (ENDED.contains(query.get("status").asText())) {
                        break;
                    }
                }
                line.draw(query.get("status").asText(), Duration.ofNanos(System.nanoTime() - startedAt));
                interrupts.await(100);
            }
            ended = true;
            line.clear();
            return query;
        }

        /** Asks whether to cancel; on yes, UpdateProtectedQuery CANCELLED. */
        private void ask() {
            // the terminal echoed ^C after the line: leave that line as it is and ask below it
            line.leave();
            err.print("Cancel query " + id + "? [y/N] ");
            err.flush();
            String answer = readLine();
            if (answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
                ObjectNode body = Calls.MAPPER.createObjectNode().put("targetStatus", "CANCELLED");
                Calls.Reply reply = Calls.send(http, "PATCH", path(), Map.of(), Map.of(), body.toString(),
                        "cleanrooms");
                if (reply.ok()) {
                    cancelledHere = true;
                    err.println("Cancelling query " + id);
                } else if ("ConflictException".equals(reply.errorType())) {
                    err.println("The query has ended already");
                } else {
                    err.println(reply.errorLine("UpdateProtectedQuery"));
                }
            } else {
                if (answer == null) {
                    err.println();
                }
                err.println("The query continues");
            }
            err.flush();
        }

        private String readLine() {
            java.io.Console console = System.console();
            if (console != null) {
                return console.readLine();
            }
            try {
                if (stdin == null) {
                    stdin = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
                }
                return stdin.readLine();
            } catch (IOException e) {
                return null;
            }
        }
    }
}
