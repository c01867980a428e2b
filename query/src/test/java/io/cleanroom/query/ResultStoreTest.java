package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.ProtectedQueryId;
import io.cleanroom.core.service.SecretSealer;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results at rest when the disk fills up: the writer reports it as such, and nothing of the result
 * (not even its partial file) is left behind. The disk is a stand-in that runs out of space after a
 * number of bytes, as a full file system does (FullDiskIT does it on a real one where it can mount).
 */
class ResultStoreTest {
    /** Marks rather than encrypts the result's key: what is under test is how the result is written. */
    private static final SecretSealer SEALER = new SecretSealer() {
        @Override
        public String seal(String secret) {
            return "sealed:" + secret;
        }

        @Override
        public String open(String sealed) {
            return sealed.substring("sealed:".length());
        }
    };

    @TempDir
    Path dir;

    private static ObjectNode result(int rows) {
        ResultStore.Collector collector = new ResultStore.Collector(rows);
        collector.columns(java.util.List.of(new io.cleanroom.engine.spi.ResultSink.Column("n", "BIGINT")));
        for (int i = 0; i < rows; i++) {
            collector.row(java.util.List.of((long) i));
        }
        return collector.toJson();
    }

    /** A disk with room for this many bytes, then ENOSPC as the JDK reports it. */
    private static ResultStore.Output diskWithRoomFor(long bytes) {
        return file -> new FilterOutputStream(Files.newOutputStream(file)) {
            private long written;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written + len > bytes) {
                    throw new FileSystemException(file.toString(), null, "No space left on device");
                }
                written += len;
                out.write(b, off, len);
            }
        };
    }

    private ResultStore store(ResultStore.Output output) {
        return new ResultStore(dir.resolve("results"), SEALER, output);
    }

    @Test
    void aFullDiskFailsTheWriteClearlyAndLeavesNothing() throws IOException {
        ResultStore results = store(diskWithRoomFor(100));
        ProtectedQueryId id = ProtectedQueryId.random();
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> results.write(id, result(5000)));
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.QUERY_FAILED);
        assertThat(e.getMessage()).contains("no space left").doesNotContain("/");
        try (Stream<Path> files = Files.list(dir.resolve("results"))) {
            assertThat(files).isEmpty();
        }
        assertThat(results.stored()).isEmpty();
    }

    @Test
    void otherWriteFailuresAreInternalAndLeaveNothingEither() throws IOException {
        ResultStore results = store(file -> new FilterOutputStream(Files.newOutputStream(file)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("Input/output error");
            }
        });
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> results.write(ProtectedQueryId.random(), result(10)));
        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
        try (Stream<Path> files = Files.list(dir.resolve("results"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aResultThatFitsIsStoredWholeAndCanBeRemoved() {
        ResultStore results = store(diskWithRoomFor(1 << 20));
        ProtectedQueryId id = ProtectedQueryId.random();
        results.write(id, result(100));
        assertThat(results.read(id).get("rows")).hasSize(100);
        assertThat(results.stored()).containsExactly(id);
        results.delete(id);
        assertThat(results.stored()).isEmpty();
    }

    @Test
    void onlyFullDisksAndQuotasAreOutOfSpace() {
        assertThat(ResultStore.outOfSpace(new FileSystemException("/x", null, "No space left on device"))).isTrue();
        assertThat(ResultStore.outOfSpace(new IOException("Disk quota exceeded"))).isTrue();
        assertThat(ResultStore.outOfSpace(new IOException("wrapped", new IOException("No space left on device"))))
                .isTrue();
        assertThat(ResultStore.outOfSpace(new IOException("Input/output error"))).isFalse();
        assertThat(ResultStore.outOfSpace(new IOException((String) null))).isFalse();
    }
}
