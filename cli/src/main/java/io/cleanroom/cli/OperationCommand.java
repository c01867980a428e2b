package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.Operation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * One Clean Rooms operation as a command, like the AWS CLI: path and query parameters and body
 * fields are given as --kebab-case options (--collaboration-identifier, --query-log-status);
 * values that look like JSON objects or lists ({...}, [...]) are sent as JSON, true/false as
 * booleans, anything else as a string. --cli-input-json gives the whole body at once.
 */
@Command(description = "Calls the Clean Rooms operation of the same name; see 'cleanroom operations'.")
final class OperationCommand implements Callable<Integer> {
    private final Operation operation;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--cli-input-json", paramLabel = "JSON", description = "The request body as JSON (fields given as options are merged in)")
    String inputJson;

    @Unmatched
    List<String> fields = new ArrayList<>();

    OperationCommand(Operation operation) {
        this.operation = operation;
    }

    @Override
    public Integer call() {
        Map<String, String> given = parseFields();
        ObjectNode body = Calls.MAPPER.createObjectNode();
        if (inputJson != null) {
            try {
                JsonNode parsed = Calls.MAPPER.readTree(inputJson);
                if (parsed == null || !parsed.isObject()) {
                    throw new IOException();
                }
                body.setAll((ObjectNode) parsed);
            } catch (IOException e) {
                throw new CliException("error: --cli-input-json must be a JSON object", Main.USAGE_ERROR);
            }
        }
        StringBuilder path = new StringBuilder();
        for (String segment : operation.template().split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            path.append('/');
            if (segment.startsWith("{")) {
                String name = segment.substring(1, segment.length() - 1);
                String value = given.remove(name);
                if (value == null && body.has(name)) {
                    value = body.remove(name).asText();
                }
                if (value == null) {
                    throw new CliException("error: " + spec.name() + " needs --" + Main.kebab(name), Main.USAGE_ERROR);
                }
                path.append(Calls.encodeSegment(value));
            } else {
                path.append(segment);
            }
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (String name : operation.queryParameters()) {
            String value = given.remove(name);
            if (value != null) {
                query.put(name, List.of(value.split(",")));
            }
        }
        given.forEach((name, value) -> body.set(name, value(value)));
        boolean hasBody = !operation.method().equals("GET") && !operation.method().equals("DELETE");
        if (!hasBody && !body.isEmpty()) {
            throw new CliException("error: " + spec.name() + " takes no body field " + body.fieldNames().next(),
                    Main.USAGE_ERROR);
        }
        JsonNode response = Calls.call(client.client(), operation.operationName(), operation.method(),
                path.toString(), query, Map.of(), hasBody ? body.toString() : null, "cleanrooms");
        Calls.print(spec.commandLine().getOut(), response);
        return 0;
    }

    private Map<String, String> parseFields() {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            String arg = fields.get(i);
            if (!arg.startsWith("--")) {
                throw new CliException("error: unexpected argument '" + arg + "'", Main.USAGE_ERROR);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < fields.size()) {
                value = fields.get(++i);
            } else {
                throw new CliException("error: option --" + name + " needs a value", Main.USAGE_ERROR);
            }
            out.put(Main.camel(name), value);
        }
        return out;
    }

    private static JsonNode value(String text) {
        String t = text.trim();
        if (t.startsWith("{") || t.startsWith("[")) {
            try {
                return Calls.MAPPER.readTree(t);
            } catch (IOException e) {
                throw new CliException("error: not valid JSON: " + t, Main.USAGE_ERROR);
            }
        }
        if (t.equals("true") || t.equals("false")) {
            return Calls.MAPPER.getNodeFactory().booleanNode(Boolean.parseBoolean(t));
        }
        return Calls.MAPPER.getNodeFactory().textNode(text);
    }
}
