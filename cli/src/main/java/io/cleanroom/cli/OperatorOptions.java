package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.SignedHttpClient;
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

    @Option(names = "--ca-bundle", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "PEM certificates to trust for an https endpoint (env AWS_CA_BUNDLE; default "
                    + "<data-dir>/tls/ca.pem when the server made its development certificate there, else the JDK's "
                    + "trust store)")
    Path caBundle;

    /**
     * --ca-bundle alone when given; otherwise, when the server made its development certificate in
     * the data directory, its authority besides AWS_CA_BUNDLE (or the JDK's trust store).
     */
    private javax.net.ssl.SSLContext tls(ClientOptions options) {
        Path development = dataDir.resolve("tls").resolve("ca.pem");
        if (caBundle != null || !Files.isRegularFile(development)) {
            return options.tls();
        }
        String bundle = System.getenv("AWS_CA_BUNDLE");
        try {
            return bundle == null || bundle.isBlank() ? SignedHttpClient.trusting(List.of(development), true)
                    : SignedHttpClient.trusting(List.of(development, Path.of(bundle)), false);
        } catch (IOException e) {
            throw new CliException("error: cannot trust " + development + ": " + e.getMessage(), Main.USAGE_ERROR);
        }
    }

    JsonNode send(String operation, String method, String path, ObjectNode body) {
        return send(operation, method, path, Map.of(), body);
    }

    /**
     * A listing's every page, following nextToken, as one answer: the items of each page under
     * field, in order.
     */
    JsonNode sendAll(String operation, String path, String field) {
        com.fasterxml.jackson.databind.node.ArrayNode all = Calls.MAPPER.createArrayNode();
        String token = null;
        do {
            Map<String, List<String>> query = token == null ? Map.of() : Map.of("nextToken", List.of(token));
            JsonNode page = send(operation, "GET", path, query, null);
            page.path(field).forEach(all::add);
            token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        ObjectNode out = Calls.MAPPER.createObjectNode();
        out.set(field, all);
        return out;
    }

    private JsonNode send(String operation, String method, String path, Map<String, List<String>> query,
            ObjectNode body) {
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
        options.caBundle = caBundle;
        SignedHttpClient client = new SignedHttpClient(options.endpoint(), creds.path("accessKeyId").asText(),
                creds.path("secretAccessKey").asText(), "us-east-1", Clock.systemUTC(), tls(options));
        return Calls.call(client, operation, method, path, query, Map.of(),
                body == null ? null : body.toString(), "cleanroom");
    }
}
