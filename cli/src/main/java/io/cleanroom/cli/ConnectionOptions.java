package io.cleanroom.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * A connection's settings as command options. The secret (an S3 secret access key, a PostgreSQL
 * password) is never an option, which would leave it in the shell's history and in the process
 * list: it is read from the environment variable {@value #SECRET_ENV}, or else from the first line
 * of standard input.
 */
final class ConnectionOptions {
    static final String SECRET_ENV = "CLEANROOM_CONNECTION_SECRET";

    @Option(names = "--type", required = true, description = "S3 (S3-compatible storage) or POSTGRESQL")
    String type;

    @Option(names = "--description")
    String description;

    @Option(names = "--s3-endpoint", description = "S3: http(s)://host[:port] of the storage (AWS's regional endpoint "
            + "when omitted)")
    String endpoint;

    @Option(names = "--s3-region", description = "S3: the region requests are signed for (us-east-1)")
    String region;

    @Option(names = "--access-key-id", description = "S3: the access key id (the secret comes from "
            + SECRET_ENV + " or standard input)")
    String accessKeyId;

    @Option(names = "--path-style", description = "S3: address buckets in the path (http://host/bucket/key), as "
            + "MinIO and most S3-compatible servers need")
    boolean pathStyle;

    @Option(names = "--jdbc-url", description = "POSTGRESQL: jdbc:postgresql://host:port/database")
    String jdbcUrl;

    @Option(names = "--user", description = "POSTGRESQL: the database user (the password comes from " + SECRET_ENV
            + " or standard input)")
    String user;

    boolean s3() {
        String t = type.toUpperCase(Locale.ROOT);
        if (!t.equals("S3") && !t.equals("POSTGRESQL")) {
            throw new CliException("error: --type must be S3 or POSTGRESQL", Main.USAGE_ERROR);
        }
        return t.equals("S3");
    }

    /** The secret: from the environment, else the first line of standard input. */
    static String secret() {
        String fromEnv = System.getenv(SECRET_ENV);
        if (fromEnv != null) {
            return fromEnv;
        }
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new CliException("error: the connection's secret is read from " + SECRET_ENV
                        + " or standard input, and neither gave one", Main.USAGE_ERROR);
            }
            return line;
        } catch (IOException e) {
            throw new CliException("error: cannot read the connection's secret from standard input", Main.USAGE_ERROR);
        }
    }

    /** The admin API's body: the settings, and the secret when given. */
    ObjectNode adminBody(String secret) {
        ObjectNode body = Calls.MAPPER.createObjectNode().put("type", s3() ? "S3" : "POSTGRESQL");
        if (description != null) {
            body.put("description", description);
        }
        if (s3()) {
            putIf(body, "endpoint", endpoint);
            putIf(body, "region", region);
            putIf(body, "accessKeyId", accessKeyId);
            body.put("pathStyle", pathStyle);
            putIf(body, "secretAccessKey", secret);
        } else {
            putIf(body, "jdbcUrl", jdbcUrl);
            putIf(body, "user", user);
            putIf(body, "password", secret);
        }
        return body;
    }

    /** Glue's ConnectionInput: JDBC with JDBC_CONNECTION_URL, USERNAME, PASSWORD, or S3 with its properties. */
    ObjectNode glueInput(String name, String secret) {
        ObjectNode input = Calls.MAPPER.createObjectNode().put("Name", name).put("ConnectionType", s3() ? "S3" : "JDBC");
        if (description != null) {
            input.put("Description", description);
        }
        ObjectNode properties = input.putObject("ConnectionProperties");
        if (s3()) {
            putIf(properties, "ENDPOINT", endpoint);
            putIf(properties, "REGION", region);
            putIf(properties, "ACCESS_KEY_ID", accessKeyId);
            properties.put("PATH_STYLE", Boolean.toString(pathStyle));
            putIf(properties, "SECRET_ACCESS_KEY", secret);
        } else {
            putIf(properties, "JDBC_CONNECTION_URL", jdbcUrl);
            putIf(properties, "USERNAME", user);
            putIf(properties, "PASSWORD", secret);
        }
        return input;
    }

    private static void putIf(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }
}
