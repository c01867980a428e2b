package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native contract: no link is followed, the identity is the opened file's, the fd path pins it. */
class NativeFilesTest {
    @TempDir
    Path tmp;

    private Path dir() throws IOException {
        return tmp.toRealPath();
    }

    @Test
    void theTestMachineCanPin() {
        assertThat(NativeFiles.available()).as(String.valueOf(NativeFiles.unavailableReason())).isTrue();
    }

    @Test
    void opensARealPathAndReportsTheSameIdentityAsStat() throws Exception {
        Path file = Files.writeString(dir().resolve("a.csv"), "x\n1\n");
        int fd = NativeFiles.openNoFollow(file);
        try {
            NativeFiles.Identity identity = NativeFiles.identity(fd);
            Map<String, Object> stat = Files.readAttributes(file, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            assertThat(identity.regularFile()).isTrue();
            assertThat(identity.inode()).isEqualTo(stat.get("ino"));
            assertThat(identity.device()).isEqualTo(stat.get("dev"));
            assertThat(Files.readString(NativeFiles.path(fd))).isEqualTo("x\n1\n");
        } finally {
            NativeFiles.close(fd);
        }
    }

    @Test
    void theDescriptorPathKeepsReadingTheOpenedFileAfterTheNameIsSwapped() throws Exception {
        Path file = Files.writeString(dir().resolve("mine.csv"), "mine\n");
        Path other = Files.writeString(dir().resolve("theirs.csv"), "theirs\n");
        int fd = NativeFiles.openNoFollow(file);
        try {
            Files.move(file, dir().resolve("moved.csv"));
            Files.createSymbolicLink(file, other);
            assertThat(Files.readString(NativeFiles.path(fd))).isEqualTo("mine\n");
        } finally {
            NativeFiles.close(fd);
        }
    }

    @Test
    void refusesASymbolicLinkAsTheFile() throws Exception {
        Path other = Files.writeString(dir().resolve("theirs.csv"), "theirs\n");
        Path link = Files.createSymbolicLink(dir().resolve("link.csv"), other);
        assertThatThrownBy(() -> NativeFiles.openNoFollow(link)).isInstanceOf(IOException.class);
    }

    @Test
    void refusesASymbolicLinkAnywhereOnThePath() throws Exception {
        Path theirs = Files.createDirectories(dir().resolve("theirs"));
        Files.writeString(theirs.resolve("data.csv"), "theirs\n");
        Path mine = Files.createDirectories(dir().resolve("mine"));
        Files.createSymbolicLink(mine.resolve("sub"), theirs);
        assertThat(Files.readString(mine.resolve("sub/data.csv"))).isEqualTo("theirs\n");
        assertThatThrownBy(() -> NativeFiles.openNoFollow(mine.resolve("sub/data.csv")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void refusesMissingFilesAndPathsThatAreNotReal() throws Exception {
        assertThatThrownBy(() -> NativeFiles.openNoFollow(dir().resolve("missing.csv")))
                .isInstanceOf(IOException.class);
        Path file = Files.writeString(dir().resolve("a.csv"), "x\n");
        assertThatThrownBy(() -> NativeFiles.openNoFollow(dir().resolve("x/../a.csv")))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> NativeFiles.openNoFollow(Path.of("relative.csv"))).isInstanceOf(IOException.class);
        assertThat(file).exists();
    }

    @Test
    void aDirectoryOrFifoOpensButIsNotARegularFile() throws Exception {
        Path sub = Files.createDirectories(dir().resolve("sub"));
        int fd = NativeFiles.openNoFollow(sub);
        try {
            assertThat(NativeFiles.identity(fd).regularFile()).isFalse();
        } finally {
            NativeFiles.close(fd);
        }
        Path fifo = dir().resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        // a FIFO with no writer would block a plain open; the walk opens it non-blocking
        int fifoFd = NativeFiles.openNoFollow(fifo);
        try {
            assertThat(NativeFiles.identity(fifoFd).regularFile()).isFalse();
        } finally {
            NativeFiles.close(fifoFd);
        }
    }

    @Test
    void deviceNumbersEncodeAsGlibcDoes() {
        assertThat(NativeFiles.device(8, 1)).isEqualTo(0x801L);
        assertThat(NativeFiles.device(259, 0x12345)).isEqualTo((0x12300L << 12) | (259L << 8) | 0x45L);
    }
}
