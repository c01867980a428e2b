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
}
