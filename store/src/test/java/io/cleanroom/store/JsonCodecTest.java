package io.cleanroom.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cleanroom.core.audit.AuditEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stored audit events decode to what was hashed, including rows written before hash formats existed. */
class JsonCodecTest {
    private final JsonCodec codec = new JsonCodec();

    private static AuditEvent event(int format) {
        AuditEvent e = AuditEvent.draft("req-1", Instant.parse("2026-11-25T00:00:00.123Z"), "127.0.0.1")
                .withIdentity("111111111111", "AKID1")
                .withCall("cleanrooms.amazonaws.com", "GetCollaboration", List.of("c1"), "{\n}", "c1");
        return new AuditEvent(e.sequence(), e.eventId(), e.time(), e.accountId(), e.accessKeyId(), e.sourceAddress(),
                e.eventSource(), e.eventName(), e.resources(), e.requestParameters(), e.errorCode(), e.errorMessage(),
                e.requestId(), e.collaborationId(), e.previousHash(), e.hash(), format)
                .chainedAfter(1, AuditEvent.GENESIS);
    }

    @Test
    void aNewEventRoundTripsWithItsFormat() {
        AuditEvent e = event(AuditEvent.HASH_FORMAT);
        String json = codec.write(e);
        assertThat(json).contains("\"hashFormat\":" + AuditEvent.HASH_FORMAT);
        AuditEvent read = codec.read(json, AuditEvent.class);
        assertThat(read).isEqualTo(e);
        assertThat(read.computeHash()).isEqualTo(read.hash());
    }

    @Test
    void aRowWrittenBeforeFormatsExistedReadsAsFormatZeroAndVerifies() {
        String json = codec.write(event(0)).replace(",\"hashFormat\":0", "");
        assertThat(json).doesNotContain("hashFormat");
        AuditEvent read = codec.read(json, AuditEvent.class);
        assertThat(read.hashFormat()).isZero();
        assertThat(read.computeHash()).isEqualTo(read.hash());
    }

    @Test
    void sameTextDecodesToOneSharedValueAndOtherTextToItsOwn() {
        AuditEvent e = event(AuditEvent.HASH_FORMAT);
        String json = codec.write(e);
        AuditEvent first = codec.read(json, AuditEvent.class);
        AuditEvent again = codec.read(new String(json.toCharArray()), AuditEvent.class);
        assertThat(again).isSameAs(first).isEqualTo(e);
        String other = json.replace("GetCollaboration", "ListCollaborations");
        AuditEvent different = codec.read(other, AuditEvent.class);
        assertThat(different.eventName()).isEqualTo("ListCollaborations");
        assertThat(codec.read(json, AuditEvent.class).eventName()).isEqualTo("GetCollaboration");
    }

    /** Shared values must be immutable: records of strings, times, enums, numbers and such records. */
    @Test
    void onlyImmutableTypesAreShared() {
        for (Class<?> type : JsonCodec.SHAREABLE) {
            assertImmutable(type, type.getSimpleName());
        }
    }

    private static void assertImmutable(java.lang.reflect.Type type, String where) {
        if (type instanceof java.lang.reflect.ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            // collections are copied into unmodifiable ones by every record's constructor (List.copyOf, Map.copyOf)
            assertThat(raw).as(where).isIn(List.class, java.util.Map.class, java.util.Set.class);
            for (java.lang.reflect.Type argument : p.getActualTypeArguments()) {
                assertImmutable(argument, where + "<>");
            }
            return;
        }
        Class<?> c = (Class<?>) type;
        if (c.isPrimitive() || c.isEnum() || c == String.class || c == Instant.class || c == Boolean.class
                || c == Integer.class || c == Long.class || c == Double.class) {
            return;
        }
        assertThat(c.isRecord()).as(where + " is " + c.getName() + ", not a record").isTrue();
        for (java.lang.reflect.RecordComponent component : c.getRecordComponents()) {
            assertImmutable(component.getGenericType(), where + "." + component.getName());
        }
    }
}
