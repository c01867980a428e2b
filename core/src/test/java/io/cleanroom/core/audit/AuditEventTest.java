package io.cleanroom.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hash binds every field of an event: no edit of a stored event keeps its hash. */
class AuditEventTest {
    private static final Instant TIME = Instant.parse("2026-11-25T10:00:00.123Z");

    /** One call, drafted once, so that variants differ only where a test changes them. */
    private final AuditEvent call = AuditEvent.draft("req-1", TIME, "127.0.0.1").withIdentity("111111111111", "AKID1");

    private static String hash(AuditEvent event) {
        return event.chainedAfter(7, AuditEvent.GENESIS).hash();
    }

    @Test
    void textCannotMoveAcrossALineBreakIntoTheNextField() {
        // a pretty-printed body ends in a line break; in a line-per-field layout its last line could
        // become the error code (turning a success into a failure) without changing the hash
        AuditEvent succeeded = call.withCall("cleanrooms.amazonaws.com", "StartProtectedQuery", List.of("m1"),
                "{\n\"a\": 1\n}", "c1");
        AuditEvent forged = call.withCall("cleanrooms.amazonaws.com", "StartProtectedQuery", List.of("m1"),
                "{\n\"a\": 1", "c1").withError("}", "null\nnull");
        assertThat(hash(forged)).isNotEqualTo(hash(succeeded));
    }

    @Test
    void resourcesCannotBeSplitOrJoined() {
        AuditEvent one = call.withCall("cleanrooms.amazonaws.com", "GetSchema", List.of("c1,owned-table"), "", "c1");
        AuditEvent two = call.withCall("cleanrooms.amazonaws.com", "GetSchema", List.of("c1", "owned-table"), "", "c1");
        assertThat(hash(one)).isNotEqualTo(hash(two));
    }

    @Test
    void aMissingValueIsNotTheWordNull() {
        AuditEvent none = call.withCall("cleanrooms.amazonaws.com", "ListCollaborations", List.of(), null, null);
        AuditEvent word = call.withCall("cleanrooms.amazonaws.com", "ListCollaborations", List.of(), "null", "null");
        assertThat(hash(word)).isNotEqualTo(hash(none));
    }

    @Test
    void theTimeIsBoundToTheNanosecond() {
        AuditEvent exact = AuditEvent.draft("req-1", TIME, "127.0.0.1");
        AuditEvent later = new AuditEvent(exact.sequence(), exact.eventId(), TIME.plusNanos(999), exact.accountId(),
                exact.accessKeyId(), exact.sourceAddress(), exact.eventSource(), exact.eventName(), exact.resources(),
                exact.requestParameters(), exact.errorCode(), exact.errorMessage(), exact.requestId(),
                exact.collaborationId(), exact.previousHash(), null, exact.hashFormat());
        assertThat(hash(later)).isNotEqualTo(hash(exact));
    }

    @Test
    void theFormatIsBoundAndUnknownFormatsNeverVerify() {
        AuditEvent event = call.withCall("cleanrooms.amazonaws.com", "GetCollaboration", List.of("c1"), "", "c1")
                .chainedAfter(7, AuditEvent.GENESIS);
        assertThat(event.hashFormat()).isEqualTo(AuditEvent.HASH_FORMAT);
        assertThat(event.computeHash()).isEqualTo(event.hash());
        for (int format : new int[] {0, 2, -1}) {
            assertThat(withFormat(event, format).computeHash()).as("format %d", format).isNotEqualTo(event.hash());
        }
    }

    @Test
    void eventsRecordedBeforeFormatsExistedStillVerify() throws Exception {
        // format 0 is the layout events were hashed in before: one field per line, time in milliseconds
        AuditEvent old = withFormat(call.withCall("cleanrooms.amazonaws.com", "GetCollaboration", List.of("c1", "c2"),
                "{}", "c1").withError("ValidationException", "bad"), 0);
        String canonical = "7\n" + old.eventId() + "\n" + TIME.toEpochMilli() + "\n111111111111\nAKID1\n127.0.0.1\n"
                + "cleanrooms.amazonaws.com\nGetCollaboration\nc1,c2\n{}\nValidationException\nbad\nreq-1\nc1\n"
                + AuditEvent.GENESIS;
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        AuditEvent chained = old.chainedAfter(7, AuditEvent.GENESIS);
        assertThat(chained.hash()).isEqualTo(expected);
        assertThat(chained.computeHash()).isEqualTo(expected);
    }

    @Test
    void keysAreNineteenDigitsSoThatTheySortAsSequences() {
        AuditEvent draft = AuditEvent.draft("req-1", Instant.parse("2026-11-25T00:00:00Z"), "127.0.0.1");
        assertThat(draft.chainedAfter(1, AuditEvent.GENESIS).key()).isEqualTo("0000000000000000001");
        assertThat(draft.chainedAfter(1234567890123L, AuditEvent.GENESIS).key()).isEqualTo("0000001234567890123");
        assertThat(draft.chainedAfter(Long.MAX_VALUE, AuditEvent.GENESIS).key()).isEqualTo("9223372036854775807");
        assertThat(draft.chainedAfter(9, AuditEvent.GENESIS).key())
                .isLessThan(draft.chainedAfter(10, AuditEvent.GENESIS).key());
    }

    private static AuditEvent withFormat(AuditEvent e, int format) {
        return new AuditEvent(e.sequence(), e.eventId(), e.time(), e.accountId(), e.accessKeyId(), e.sourceAddress(),
                e.eventSource(), e.eventName(), e.resources(), e.requestParameters(), e.errorCode(), e.errorMessage(),
                e.requestId(), e.collaborationId(), e.previousHash(), e.hash(), format);
    }
}
