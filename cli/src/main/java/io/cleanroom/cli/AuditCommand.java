package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The operator's view of the audit trail: verify the hash chain, export the events. */
@Command(name = "audit", description = "Verify and export the audit trail (operator credentials).",
        subcommands = {AuditCommand.Verify.class, AuditCommand.Export.class})
final class AuditCommand {
    @Option(names = {"--endpoint", "--endpoint-url"}, paramLabel = "URL", scope = picocli.CommandLine.ScopeType.INHERIT,
            defaultValue = "${env:CLEANROOM_ENDPOINT:-http://127.0.0.1:8080}",
            description = "Server URL (env CLEANROOM_ENDPOINT; default ${DEFAULT-VALUE})")
    String endpoint;

    @Option(names = "--data-dir", scope = picocli.CommandLine.ScopeType.INHERIT,
            defaultValue = "${env:CLEANROOM_DATA_DIR:-cleanroom-data}",
            description = "The server's data directory, where operator-credentials.json lies (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--operator-credentials", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Operator credentials file (default <data-dir>/operator-credentials.json)")
    Path credentials;

    private JsonNode get(String operation, String path) {
        AdminCommand admin = new AdminCommand();
        admin.endpoint = endpoint;
        admin.dataDir = dataDir;
        admin.credentials = credentials;
        return admin.send(operation, "GET", path, null);
    }

    @Command(name = "verify", description = "Walk the hash chain and report the first altered, removed or "
            + "reordered event. Exit code 1 when the chain is broken.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        AuditCommand audit;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode result = audit.get("VerifyAuditTrail", "/admin/audit/verify");
            Calls.print(spec.commandLine().getOut(), result);
            return result.get("verified").asBoolean() ? 0 : 1;
        }
    }

    @Command(name = "export", description = "Print every event as JSON lines, oldest first.")
    static final class Export implements Callable<Integer> {
        @ParentCommand
        AuditCommand audit;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (JsonNode event : audit.get("ExportAuditTrail", "/admin/audit/events").get("events")) {
                out.println(event.toString());
            }
            out.flush();
            return 0;
        }
    }
}
