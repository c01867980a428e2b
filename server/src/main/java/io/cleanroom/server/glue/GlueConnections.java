package io.cleanroom.server.glue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Connection;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.ConnectionService;
import io.cleanroom.core.service.Page;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Glue's connection operations, through which an account's administrators manage their own
 * connections with any Glue client: CreateConnection, GetConnection, GetConnections,
 * UpdateConnection, DeleteConnection.
 *
 * <p>A PostgreSQL connection is Glue's {@code JDBC} type with its properties {@code
 * JDBC_CONNECTION_URL}, {@code USERNAME} and {@code PASSWORD}; an S3 connection is Cleanroom's own
 * type {@code S3} with {@code ENDPOINT} and {@code REGION} (Glue's keys) and {@code ACCESS_KEY_ID},
 * {@code SECRET_ACCESS_KEY}, {@code PATH_STYLE} (Cleanroom's). Any other type or property is refused.
 * The secret is never answered, whatever {@code HidePassword} says.
 */
final class GlueConnections {
    /** The operations served, which GlueApi routes here. */
    static final Set<String> OPERATIONS = Set.of("CreateConnection", "GetConnection", "GetConnections",
            "UpdateConnection", "DeleteConnection");
    static final String JDBC = "JDBC";
    static final String S3 = "S3";
    private static final Set<String> JDBC_PROPERTIES = Set.of("JDBC_CONNECTION_URL", "USERNAME", "PASSWORD");
    private static final Set<String> S3_PROPERTIES = Set.of("ENDPOINT", "REGION", "ACCESS_KEY_ID",
            "SECRET_ACCESS_KEY", "PATH_STYLE");
    /** The service's field names as Glue's members name them. */
    private static final Map<String, String> FIELDS = Map.ofEntries(
            Map.entry("type", "ConnectionInput.ConnectionType"),
            Map.entry("description", "ConnectionInput.Description"),
            Map.entry("endpoint", "ConnectionInput.ConnectionProperties.ENDPOINT"),
            Map.entry("region", "ConnectionInput.ConnectionProperties.REGION"),
            Map.entry("accessKeyId", "ConnectionInput.ConnectionProperties.ACCESS_KEY_ID"),
            Map.entry("secretAccessKey", "ConnectionInput.ConnectionProperties.SECRET_ACCESS_KEY"),
            Map.entry("pathStyle", "ConnectionInput.ConnectionProperties.PATH_STYLE"),
            Map.entry("jdbcUrl", "ConnectionInput.ConnectionProperties.JDBC_CONNECTION_URL"),
            Map.entry("user", "ConnectionInput.ConnectionProperties.USERNAME"),
            Map.entry("password", "ConnectionInput.ConnectionProperties.PASSWORD"),
            Map.entry("name", "ConnectionInput.Name"));

    private final ConnectionService connections;

    GlueConnections(ConnectionService connections) {
        this.connections = requireNonNull(connections, "connections is null");
    }

    HttpResponse handle(String operation, Caller caller, In body) {
        AccountId account = caller.requireAccount();
        try {
            return switch (operation) {
                case "CreateConnection" -> {
                    In input = body.object("ConnectionInput", true);
                    String name = input == null ? null : input.string("Name", true, 1, 255, null);
                    ConnectionService.Spec spec = input == null ? null : spec(input);
                    body.done();
                    connections.create(caller, account, ConnectionService.checkName("ConnectionInput.Name", name),
                            spec);
                    yield HttpResponse.ok(created());
                }
                case "GetConnection" -> {
                    String name = body.string("Name", true, 1, 255, null);
                    body.bool("HidePassword", false);
                    body.bool("ApplyOverrideForComputeEnvironment", false);
                    body.done();
                    ObjectNode out = Json.object();
                    out.set("Connection", connection(connections.get(caller, account,
                            ConnectionService.checkName("Name", name))));
                    yield HttpResponse.ok(out);
                }
                case "GetConnections" -> {
                    In filter = body.object("Filter", false);
                    String type = filter == null ? null : filter.string("ConnectionType", false, 1, 64, null);
                    if (filter != null && filter.has("MatchCriteria")) {
                        filter.error("MatchCriteria", "Value at 'Filter.MatchCriteria' is not supported");
                    }
                    body.bool("HidePassword", false);
                    Integer max = body.integer("MaxResults", false, 1, 1000);
                    String token = body.string("NextToken", false, 0, 10240, null);
                    body.done();
                    Page<Connection> page = connections.list(caller, account,
                            new Page.Request(max == null ? 100 : Math.min(max, 100), token));
                    ObjectNode out = Json.object();
                    out.set("ConnectionList", Json.array(page.items().stream()
                            .filter(c -> type == null || wireType(c.type()).equals(type)).toList(),
                            GlueConnections::connection));
                    Json.putIfNotNull(out, "NextToken", page.nextToken());
                    yield HttpResponse.ok(out);
                }
                case "UpdateConnection" -> {
                    String name = body.string("Name", true, 1, 255, null);
                    In input = body.object("ConnectionInput", true);
                    String newName = input == null ? null : input.string("Name", true, 1, 255, null);
                    ConnectionService.Spec spec = input == null ? null : spec(input);
                    body.done();
                    if (!name.equals(newName)) {
                        throw CleanroomException.validation("ConnectionInput.Name", "A connection cannot be renamed: "
                                + "ConnectionInput.Name must be Name");
                    }
                    connections.update(caller, account, ConnectionService.checkName("Name", name), spec);
                    yield HttpResponse.ok(Json.object());
                }
                case "DeleteConnection" -> {
                    String name = body.string("ConnectionName", true, 1, 255, null);
                    body.done();
                    connections.delete(caller, account, ConnectionService.checkName("ConnectionName", name));
                    yield HttpResponse.ok(Json.object());
                }
                default -> throw CleanroomException.of(io.cleanroom.core.ErrorCode.UNKNOWN_OPERATION,
                        "Unknown operation AWSGlue." + operation);
            };
        } catch (CleanroomException e) {
            throw glueFields(e);
        }
    }

    private static ObjectNode created() {
        return Json.object().put("CreateConnectionStatus", "READY");
    }

    /** The settings of a ConnectionInput: its type and properties; nothing else of Glue's model is taken. */
    private static ConnectionService.Spec spec(In input) {
        String type = input.string("ConnectionType", true, 1, 64, null);
        String description = input.string("Description", false, 0, 2048, null);
        Map<String, String> properties = input.stringMap("ConnectionProperties", 100, 1, 64, 2048);
        for (String unsupported : List.of("MatchCriteria", "PhysicalConnectionRequirements", "SparkProperties",
                "AthenaProperties", "PythonProperties", "AuthenticationConfiguration", "ValidateCredentials",
                "ValidateForComputeEnvironments")) {
            if (input.has(unsupported)) {
                input.error(unsupported, "Value at 'ConnectionInput." + unsupported + "' is not supported by "
                        + "Cleanroom; give the connection's settings in ConnectionProperties");
            }
        }
        if (!input.has("ConnectionProperties")) {
            input.error("ConnectionProperties", "Value at 'ConnectionInput.ConnectionProperties' failed to satisfy "
                    + "constraint: Member must not be null");
        }
        input.done();
        Map<String, String> p = properties == null ? Map.of() : properties;
        if (JDBC.equals(type)) {
            unknown(p, JDBC_PROPERTIES, JDBC);
            return new ConnectionService.Spec(ConnectionType.POSTGRESQL, description, null, null, null, null,
                    p.get("JDBC_CONNECTION_URL"), p.get("USERNAME"), p.get("PASSWORD"));
        }
        if (S3.equals(type)) {
            unknown(p, S3_PROPERTIES, S3);
            String pathStyle = p.get("PATH_STYLE");
            if (pathStyle != null && !pathStyle.equals("true") && !pathStyle.equals("false")) {
                throw CleanroomException.validation("ConnectionInput.ConnectionProperties.PATH_STYLE",
                        "Value at 'ConnectionInput.ConnectionProperties.PATH_STYLE' must be true or false");
            }
            return new ConnectionService.Spec(ConnectionType.S3, description, p.get("ENDPOINT"), p.get("REGION"),
                    p.get("ACCESS_KEY_ID"), pathStyle == null ? null : Boolean.valueOf(pathStyle), null, null,
                    p.get("SECRET_ACCESS_KEY"));
        }
        throw CleanroomException.validation("ConnectionInput.ConnectionType", "Cleanroom reads data through "
                + "connections of type JDBC (PostgreSQL) and S3 (S3-compatible storage)");
    }

    private static void unknown(Map<String, String> properties, Set<String> allowed, String type) {
        for (String key : properties.keySet()) {
            if (!allowed.contains(key)) {
                throw CleanroomException.validation("ConnectionInput.ConnectionProperties",
                        "A " + type + " connection's properties are " + String.join(", ", new java.util.TreeSet<>(allowed))
                                + "; " + In.echo(key.replaceAll("[^A-Za-z0-9_]", "?")) + " is not one of them");
            }
        }
    }

    private static String wireType(ConnectionType type) {
        return type == ConnectionType.S3 ? S3 : JDBC;
    }

    /** A connection as Glue answers it, without its secret. */
    static ObjectNode connection(Connection c) {
        ObjectNode node = Json.object();
        node.put("Name", c.name());
        Json.putIfNotNull(node, "Description", c.description());
        node.put("ConnectionType", wireType(c.type()));
        Map<String, String> properties = new LinkedHashMap<>();
        if (c.type() == ConnectionType.S3) {
            if (c.endpoint() != null) {
                properties.put("ENDPOINT", c.endpoint());
            }
            properties.put("REGION", c.region());
            properties.put("ACCESS_KEY_ID", c.accessKeyId());
            properties.put("PATH_STYLE", Boolean.toString(c.pathStyle()));
        } else {
            properties.put("JDBC_CONNECTION_URL", c.jdbcUrl());
            properties.put("USERNAME", c.user());
        }
        ObjectNode props = node.putObject("ConnectionProperties");
        properties.forEach(props::put);
        node.put("CreationTime", Json.time(c.createTime()));
        node.put("LastUpdatedTime", Json.time(c.updateTime()));
        node.put("Status", "READY");
        return node;
    }

    /** A validation error with its fields named as Glue's members, rather than as the service names them. */
    private static CleanroomException glueFields(CleanroomException e) {
        if (e.code() != io.cleanroom.core.ErrorCode.VALIDATION || e.fieldErrors().isEmpty()
                || e.fieldErrors().stream().noneMatch(f -> FIELDS.containsKey(f.name()))) {
            return e;
        }
        List<CleanroomException.FieldError> renamed = e.fieldErrors().stream().map(f -> {
            String glue = FIELDS.get(f.name());
            return glue == null ? f : new CleanroomException.FieldError(glue,
                    f.message().replace("'" + f.name() + "'", "'" + glue + "'"));
        }).toList();
        return CleanroomException.validation(renamed);
    }
}
