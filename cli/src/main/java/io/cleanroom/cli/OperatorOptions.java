package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.server.SignedHttpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Where the server is and where the operator's credentials lie; sends admin API calls signed with them. */
final class OperatorOptions {
    @Option(names = {"--endpoint", "--endpoint-url"}, paramLabel = "URL", scope = ScopeType.INHERIT,
            defaultValue = "${env:CLEANROOM_ENDPOINT:-http://127.0.0.1:8080}",
            description = "Server URL (env CLEANROOM_ENDPOINT; default ${DEFAULT-VALUE})")
    String endpoint;

    @Option(names = "--data-dir", scope = ScopeType.INHERIT,
            defaultValue = "${env:CLEANROOM_DATA_DIR:-cleanroom-data}",
            description = "The server's data directory, where operator-credentials.json lies "
                    + "(env CLEANROOM_DATA_DIR; default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--operator-credentials", scope = ScopeType.INHERIT,
            description = "Operator credentials file (default <data-dir>/operator-credentials.json)")
    Path credentials;

    JsonNode send(String operation, String method, String path, ObjectNode body) {
        return send(operation, method, path, Map.of(), body);
    }

    JsonNode send(String operation, String method, String path, Map<String, List<String>> query, ObjectNode body) {
        Path file = credentials != null ? credentials : dataDir.resolve("operator-credentials.json");
        JsonNode creds;
        try {
            creds = Calls.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new CliException("error: cannot read the operator credentials " + file.toAbsolutePath()
                    + "; they are created when the server first starts (use --data-dir or --operator-credentials)",
                    Main.USAGE_ERROR);
        }
        ClientOptions options = new ClientOptions();
        options.endpoint = endpoint;
        SignedHttpClient client = new SignedHttpClient(options.endpoint(), creds.path("accessKeyId").asText(),
                creds.path("secretAccessKey").asText(), "us-east-1", Clock.systemUTC());
        return Calls.call(client, operation, method, path, query, Map.of(),
                body == null ? null : body.toString(), "cleanroom");
    }
}
