package io.cleanroom.store;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AnalysisRulePolicy;
import java.io.IOException;

/**
 * Turns stored records into the JSON kept in each table's body column, and back. Decoding is a
 * pure function of the text, so the records read on every call (keys, accounts, collaborations,
 * members, memberships, tags, audit events: immutable records all the way down) are kept by their
 * text and shared, bounded per type.
 */
final class JsonCodec {
    static final java.util.Set<Class<?>> SHAREABLE = java.util.Set.of(
            io.cleanroom.core.model.AccessKey.class,
            io.cleanroom.core.model.Account.class,
            io.cleanroom.core.model.Collaboration.class,
            io.cleanroom.core.model.Member.class,
            io.cleanroom.core.model.Membership.class,
            io.cleanroom.core.model.TagSet.class,
            io.cleanroom.core.audit.AuditEvent.class);
    private static final int DECODED_PER_TYPE = 2048;

    private final java.util.Map<Class<?>, java.util.Map<String, Object>> decoded =
            new java.util.concurrent.ConcurrentHashMap<>();

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = AnalysisRulePolicy.Aggregation.class, name = "aggregation"),
        @JsonSubTypes.Type(value = AnalysisRulePolicy.ListRule.class, name = "list"),
        @JsonSubTypes.Type(value = AnalysisRulePolicy.Custom.class, name = "custom")
    })
    private interface PolicyMixin {
    }

    private final ObjectMapper mapper = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .addMixIn(AnalysisRulePolicy.class, PolicyMixin.class)
            .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    String write(Object value) {
        try {
            String json = mapper.writeValueAsString(value);
            if (value instanceof io.cleanroom.core.audit.AuditEvent) {
                // the chain's next append reads it back: an event decodes to what was written
                // (JsonCodecTest), so it is kept as written
                remember(io.cleanroom.core.audit.AuditEvent.class, json, value);
            }
            return json;
        } catch (IOException e) {
            throw CleanroomException.internal("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    private void remember(Class<?> type, String json, Object value) {
        java.util.Map<String, Object> cache = decoded.computeIfAbsent(type,
                t -> new java.util.concurrent.ConcurrentHashMap<>());
        if (cache.size() >= DECODED_PER_TYPE) {
            cache.clear();
        }
        cache.put(json, value);
    }

    <V> V read(String json, Class<V> type) {
        java.util.Map<String, Object> cache = SHAREABLE.contains(type)
                ? decoded.computeIfAbsent(type, t -> new java.util.concurrent.ConcurrentHashMap<>()) : null;
        if (cache != null) {
            Object known = cache.get(json);
            if (known != null) {
                return type.cast(known);
            }
        }
        try {
            V value = mapper.readValue(json, type);
            if (cache != null) {
                remember(type, json, value);
            }
            return value;
        } catch (IOException e) {
            throw CleanroomException.internal("cannot decode stored " + type.getSimpleName(), e);
        }
    }
}
