package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The operator's view of the audit trail: verify the hash chain, export the events. */
@Command(name = "audit", description = "Verify, export, sign, prune and look up the audit trail.",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class, AuditCommand.Lookup.class,
                AuditCommand.Digest.class, AuditCommand.Prune.class})
final class AuditCommand {
    @picocli.CommandLine.Mixin
    OperatorOptions operator;

    /** A subcommand: its parent's options and its own output. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        AuditCommand audit;

        @Spec
        CommandSpec spec;
    }

    private JsonNode get(String operation, String path) {
        return send(operation, "GET", path, null);
    }

    private JsonNode send(String operation, String method, String path,
            com.fasterxml.jackson.databind.node.ObjectNode body) {
        return operator.send(operation, method, path, body);
    }

    @Command(name = "digest", description = "Sign a digest of the newest event now (the server also does so "
            + "every --audit-digest-minutes). Keep the printed digest outside the server to prove later that "
            + "the trail was not cut short.")
    static final class Digest extends Sub {
        @Override
        public Integer call() {
            Calls.print(spec.commandLine().getOut(), audit.send("CreateAuditDigest", "POST", "/admin/audit/digests",
                    Calls.MAPPER.createObjectNode()));
            return 0;
        }
    }

    @Command(name = "prune", description = "Remove events older than the given number of days, behind a signed "
            + "checkpoint so that the rest still verifies.")
    static final class Prune extends Sub {
        @Option(names = "--older-than-days", required = true, description = "Age in days (0 removes every event "
                + "before this call)")
        int days;

        @Override
        public Integer call() {
            Calls.print(spec.commandLine().getOut(), audit.send("PruneAuditTrail", "POST", "/admin/audit/prune",
                    Calls.MAPPER.createObjectNode().put("olderThanDays", days)));
            return 0;
        }
    }

    @Command(name = "verify", description = "Walk the hash chain and report the first altered, removed or "
            + "reordered event. Exit code 1 when the chain is broken.")
    static final class Verify extends Sub {
        @Override
        public Integer call() {
            JsonNode result = audit.get("VerifyAuditTrail", "/admin/audit/verify");
            Calls.print(spec.commandLine().getOut(), result);
            return result.get("verified").asBoolean() ? 0 : 1;
        }
    }

    @Command(name = "lookup", description = "Look up events your account may see (CloudTrail LookupEvents), "
            + "newest first, with your account's credentials (environment or --profile): your own calls in full, "
            + "other members' calls as metadata only (operation, time, account, resources, outcome).")
    static final class Lookup extends Sub {
        @Option(names = "--profile", description = "Profile in ~/.aws/credentials")
        String profile;

        @Option(names = "--attribute", paramLabel = "KEY=VALUE",
                description = "One of EventName, Username, ResourceName, EventId, EventSource, AccessKeyId, ReadOnly")
        String attribute;

        @Option(names = "--start-time", description = "ISO-8601 instant, e.g. 2026-11-25T00:00:00Z")
        java.time.Instant start;

        @Option(names = "--end-time", description = "ISO-8601 instant")
        java.time.Instant end;

        @Option(names = "--max-results", defaultValue = "50", description = "1-50 per page (default ${DEFAULT-VALUE})")
        int max;

        @Override
        public Integer call() {
            ClientOptions options = new ClientOptions();
            options.endpoint = audit.operator.endpoint;
            options.profile = profile;
            com.fasterxml.jackson.databind.node.ObjectNode body = Calls.MAPPER.createObjectNode();
            if (attribute != null) {
                int eq = attribute.indexOf('=');
                if (eq <= 0) {
                    throw new CliException("error: --attribute must be KEY=VALUE", Main.USAGE_ERROR);
                }
                body.putArray("LookupAttributes").addObject().put("AttributeKey", attribute.substring(0, eq))
                        .put("AttributeValue", attribute.substring(eq + 1));
            }
            if (start != null) {
                body.put("StartTime", start.getEpochSecond());
            }
            if (end != null) {
                body.put("EndTime", end.getEpochSecond());
            }
            body.put("MaxResults", max);
            PrintWriter out = spec.commandLine().getOut();
            String token = null;
            do {
                if (token != null) {
                    body.put("NextToken", token);
                }
                JsonNode page = Calls.call(options.client(), "LookupEvents", "POST", "/", java.util.Map.of(),
                        java.util.Map.of("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
                                + "LookupEvents", "Content-Type", "application/x-amz-json-1.1"), body.toString(),
                        "cloudtrail");
                for (JsonNode event : page.get("Events")) {
                    out.println(event.get("CloudTrailEvent").asText());
                }
                token = page.hasNonNull("NextToken") ? page.get("NextToken").asText() : null;
            } while (token != null);
            out.flush();
            return 0;
        }
    }

    @Command(name = "export", description = "Print every event as JSON lines, oldest first.")
    static final class Export extends Sub {
        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String token = null;
            do {
                // a page at a time (the server bounds each page), printed as it comes
                JsonNode page = audit.operator.send("ExportAuditTrail", "GET", "/admin/audit/events",
                        token == null ? java.util.Map.of() : java.util.Map.of("nextToken", java.util.List.of(token)),
                        null);
                for (JsonNode event : page.get("events")) {
                    out.println(event.toString());
                }
                out.flush();
                token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
            } while (token != null);
            return 0;
        }
    }
}
