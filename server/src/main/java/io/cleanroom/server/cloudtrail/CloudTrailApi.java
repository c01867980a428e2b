package io.cleanroom.server.cloudtrail;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.audit.AuditEvent;
import io.cleanroom.core.audit.AuditService;
import io.cleanroom.core.audit.AuditView;
import io.cleanroom.core.service.Caller;
import io.cleanroom.core.service.Page;
import io.cleanroom.server.wire.HttpResponse;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The CloudTrail LookupEvents operation (awsJson1.1) over the audit trail, so the SDKs' CloudTrail
 * clients can read it: one lookup attribute, a time range, newest first, paged. Each event is
 * rendered as the caller may see it ({@link AuditView}): another account's call shows only its
 * metadata, in every field of the answer, CloudTrailEvent included.
 */
public final class CloudTrailApi {
    /** The X-Amz-Target prefix the AWS SDK for Java sends. */
    static final String TARGET_PREFIX = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
    /** The X-Amz-Target prefix the AWS SDK for JavaScript v3 sends (the service's shape name alone). */
    static final String SHORT_TARGET_PREFIX = "CloudTrail_20131101";
    /** The only targets served: LookupEvents under either prefix, spelled exactly. */
    private static final Set<String> LOOKUP_EVENTS_TARGETS = Set.of(TARGET_PREFIX + ".LookupEvents",
            SHORT_TARGET_PREFIX + ".LookupEvents");
    private static final Set<String> READ_ONLY_PREFIXES = Set.of("Get", "List", "BatchGet", "Explain", "Verify",
            "Export", "Lookup");

    private final AuditService audit;

    public CloudTrailApi(AuditService audit) {
        this.audit = requireNonNull(audit, "audit is null");
    }

    /** Whether a target addresses CloudTrail (so that errors are rendered in its protocol). */
    public static boolean isCloudTrailTarget(String target) {
        return target.startsWith(TARGET_PREFIX + ".") || target.startsWith(SHORT_TARGET_PREFIX + ".");
    }

    /** Whether a target is LookupEvents, in one of the two forms the AWS SDKs send. */
    public static boolean isLookupEvents(String target) {
        return LOOKUP_EVENTS_TARGETS.contains(target);
    }

    static boolean readOnly(String eventName) {
        return READ_ONLY_PREFIXES.stream().anyMatch(eventName::startsWith);
    }

    public HttpResponse lookupEvents(Caller caller, JsonNode json) {
        In body = In.of(json);
        Predicate<AuditView> filter = e -> true;
        String[] attributeText = {null};
        AuditService.Column[] column = {null};
        List<Predicate<AuditView>> filters = body.list("LookupAttributes", false, 0, 1, e -> {
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
            attributeText[0] = key + "=" + value;
            // the two attributes that are columns of the trail are read through their index
            column[0] = switch (key) {
                case "EventName" -> new AuditService.Column("event_name", value);
                case "Username" -> new AuditService.Column("account_id", value);
                default -> null;
            };
            // each filter reads only what the caller sees of the event (the access key only of its own)
            return switch (key) {
                case "EventId" -> (Predicate<AuditView>) ev -> ev.eventId().equals(value);
                case "EventName" -> ev -> ev.eventName().equals(value);
                case "ReadOnly" -> ev -> String.valueOf(readOnly(ev.eventName())).equals(value);
                case "Username" -> ev -> value.equals(ev.accountId());
                case "ResourceName" -> ev -> ev.resources().contains(value) || value.equals(ev.collaborationId());
                case "EventSource" -> ev -> ev.eventSource().equals(value);
                case "AccessKeyId" -> ev -> ev instanceof AuditView.Full full
                        && value.equals(full.event().accessKeyId());
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
        Page<AuditView> page = audit.lookup(caller, new AuditService.Lookup(filter, attributeText[0], start, end,
                column[0]),
                new Page.Request(max == null ? 50 : max, token));
        ObjectNode out = Json.object();
        ArrayNode events = out.putArray("Events");
        for (AuditView view : page.items()) {
            ObjectNode node = events.addObject();
            node.put("EventId", view.eventId());
            node.put("EventName", view.eventName());
            node.put("ReadOnly", String.valueOf(readOnly(view.eventName())));
            if (view instanceof AuditView.Full full) {
                Json.putIfNotNull(node, "AccessKeyId", full.event().accessKeyId());
            }
            node.put("EventTime", Json.time(view.time()));
            node.put("EventSource", view.eventSource());
            Json.putIfNotNull(node, "Username", view.accountId());
            ArrayNode resources = node.putArray("Resources");
            for (String r : view.resources()) {
                resources.addObject().put("ResourceType", r.startsWith("arn:") ? "ARN" : "Identifier")
                        .put("ResourceName", r);
            }
            try {
                node.put("CloudTrailEvent", Json.MAPPER.writeValueAsString(cloudTrailEvent(view)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw CleanroomException.internal("cannot render an audit event", ex);
            }
        }
        Json.putIfNotNull(out, "NextToken", page.nextToken());
        return HttpResponse.ok(out);
    }

    /**
     * The CloudTrailEvent JSON: the caller's own call in full (without previousHash, the hash of
     * whichever call came before, which is the operator's to check with `audit verify`); another
     * account's call as its metadata alone.
     */
    static ObjectNode cloudTrailEvent(AuditView view) {
        ObjectNode json = Json.object();
        if (view instanceof AuditView.Full full) {
            AuditEvent e = full.event();
            json.put("sequence", e.sequence());
            json.put("eventId", e.eventId());
            json.put("eventTime", Json.time(e.time()));
            json.put("accountId", e.accountId());
            json.put("accessKeyId", e.accessKeyId());
            json.put("sourceIpAddress", e.sourceAddress());
            json.put("eventSource", e.eventSource());
            json.put("eventName", e.eventName());
            json.set("resources", Json.strings(e.resources()));
            json.put("requestParameters", e.requestParameters());
            json.put("errorCode", e.errorCode());
            json.put("errorMessage", e.errorMessage());
            json.put("requestId", e.requestId());
            json.put("collaborationId", e.collaborationId());
            json.put("hash", e.hash());
            return json;
        }
        AuditView.Metadata m = (AuditView.Metadata) view;
        json.put("eventId", m.eventId());
        json.put("eventTime", Json.time(m.time()));
        json.put("accountId", m.accountId());
        json.put("eventSource", m.eventSource());
        json.put("eventName", m.eventName());
        json.set("resources", Json.strings(m.resources()));
        json.put("collaborationId", m.collaborationId());
        json.put("errorCode", m.errorCode());
        return json;
    }

    private static final BigDecimal EARLIEST = BigDecimal.valueOf(-62_135_596_800L);
    private static final BigDecimal LATEST = BigDecimal.valueOf(253_402_300_799L);

    private static Instant time(In body, String field) {
        JsonNode node = body.raw(field);
        if (node == null) {
            return null;
        }
        if (!node.isNumber() || (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue()))) {
            throw CleanroomException.validation(field, "Value at '" + field + "' must be a timestamp (epoch seconds)");
        }
        BigDecimal seconds = node.decimalValue();
        // years 1 to 9999, what a timestamp can be; beyond, the number is no time at all (1E+400)
        if (seconds.compareTo(EARLIEST) < 0 || seconds.compareTo(LATEST) > 0) {
            throw CleanroomException.validation(field, "Value at '" + field + "' must be a timestamp (epoch seconds) "
                    + "between years 1 and 9999");
        }
        return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
    }
}
