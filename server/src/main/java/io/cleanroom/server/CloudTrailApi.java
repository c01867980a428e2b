package io.cleanroom.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.audit.AuditService;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Page;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The CloudTrail LookupEvents operation (awsJson1.1) over the audit trail, so the SDK's CloudTrail
 * client can read it: one lookup attribute, a time range, newest first, paged.
 */
final class CloudTrailApi {
    static final String TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
    private static final Set<String> READ_ONLY_PREFIXES = Set.of("Get", "List", "BatchGet", "Explain", "Verify",
            "Export", "Lookup");

    private final AuditService audit;

    CloudTrailApi(AuditService audit) {
        this.audit = requireNonNull(audit, "audit is null");
    }

    static boolean readOnly(String eventName) {
        return READ_ONLY_PREFIXES.stream().anyMatch(eventName::startsWith);
    }

    HttpResponse lookupEvents(Caller caller, JsonNode json) {
        In body = In.of(json);
        Predicate<AuditEvent> filter = e -> true;
        List<Predicate<AuditEvent>> filters = body.list("LookupAttributes", false, 0, 1, e -> {
            In attribute = e.object();
            if (attribute == null) {
                return null;
            }
            String key = attribute.string("AttributeKey", true, 1, 64, Pattern.compile(
                    "^(EventId|EventName|ReadOnly|Username|ResourceType|ResourceName|EventSource|AccessKeyId)$"));
            String value = attribute.string("AttributeValue", true, 1, 2000, null);
            if (key == null || value == null) {
                return null;
            }
            return switch (key) {
                case "EventId" -> (Predicate<AuditEvent>) ev -> ev.eventId().equals(value);
                case "EventName" -> ev -> ev.eventName().equals(value);
                case "ReadOnly" -> ev -> String.valueOf(readOnly(ev.eventName())).equals(value);
                case "Username" -> ev -> value.equals(ev.accountId());
                case "ResourceName" -> ev -> ev.resources().contains(value) || value.equals(ev.collaborationId());
                case "EventSource" -> ev -> ev.eventSource().equals(value);
                case "AccessKeyId" -> ev -> value.equals(ev.accessKeyId());
                default -> ev -> false;
            };
        });
        if (filters != null && !filters.isEmpty()) {
            filter = filters.get(0);
        }
        Instant start = time(body, "StartTime");
        Instant end = time(body, "EndTime");
        Integer max = body.integer("MaxResults", false, 1, 50);
        String token = body.string("NextToken", false, 1, 10240, null);
        body.done();
        if (start != null && end != null && start.isAfter(end)) {
            throw CleanroomException.validation("StartTime", "StartTime must not be after EndTime");
        }
        Page<AuditEvent> page = audit.lookup(caller, new AuditService.Lookup(filter, start, end),
                new Page.Request(max == null ? 50 : max, token));
        ObjectNode out = Json.object();
        ArrayNode events = out.putArray("Events");
        for (AuditEvent e : page.items()) {
            ObjectNode node = events.addObject();
            node.put("EventId", e.eventId());
            node.put("EventName", e.eventName());
            node.put("ReadOnly", String.valueOf(readOnly(e.eventName())));
            Json.putIfNotNull(node, "AccessKeyId", e.accessKeyId());
            node.put("EventTime", Json.time(e.time()));
            node.put("EventSource", e.eventSource());
            Json.putIfNotNull(node, "Username", e.accountId());
            ArrayNode resources = node.putArray("Resources");
            for (String r : e.resources()) {
                resources.addObject().put("ResourceType", r.startsWith("arn:") ? "ARN" : "Identifier")
                        .put("ResourceName", r);
            }
            try {
                node.put("CloudTrailEvent", Json.MAPPER.writeValueAsString(AuditJson.of(e)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw CleanroomException.internal("cannot render an audit event", ex);
            }
        }
        Json.putIfNotNull(out, "NextToken", page.nextToken());
        return HttpResponse.ok(out);
    }

    private static Instant time(In body, String field) {
        JsonNode node = body.raw(field);
        if (node == null) {
            return null;
        }
        if (!node.isNumber()) {
            throw CleanroomException.validation(field, "Value at '" + field + "' must be a timestamp (epoch seconds)");
        }
        BigDecimal seconds = node.decimalValue();
        return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
    }
}
