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

/** Turns stored records into the JSON kept in each table's body column, and back. */
final class JsonCodec {
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
            return mapper.writeValueAsString(value);
        } catch (IOException e) {
            throw CleanroomException.internal("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    <V> V read(String json, Class<V> type) {
        try {
            return mapper.readValue(json, type);
        } catch (IOException e) {
            throw CleanroomException.internal("cannot decode stored " + type.getSimpleName(), e);
        }
    }
}
