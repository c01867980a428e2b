package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The time between the check and the read: whatever is swapped in after {@link DataLocation}
 * checked a file, {@link PinnedFiles} either refuses or hands out the file that was checked.
 */
class PinnedFilesTest {
    @TempDir
    Path tmp;

    private Path mine;
    private Path theirs;
    private List<Path> roots;

    @BeforeEach
    void layout() throws Exception {
        Path dir = tmp.toRealPath();
        mine = Files.createDirectories(dir.resolve("mine"));
        theirs = Files.createDirectories(dir.resolve("theirs"));
        Files.createDirectories(mine.resolve("sub"));
        Files.writeString(mine.resolve("sub/data.csv"), "x\nmine\n");
        Files.createDirectories(theirs.resolve("sub"));
        Files.writeString(theirs.resolve("sub/data.csv"), "x\nSECRET\n");
        roots = List.of(mine);
    }

    private List<DataLocation.CheckedFile> check() {
        return DataLocation.resolve(mine.resolve("sub/data.csv").toString(), roots);
    }

    private static String read(PinnedFiles pinned) throws Exception {
        return Files.readString(pinned.paths().get(0));
    }

    @Test
    void theUnracedFileIsPinnedAndRead() throws Exception {
        try (PinnedFiles pinned = PinnedFiles.open(check())) {
            assertThat(pinned.paths()).singleElement().asString().startsWith("/proc/self/fd/");
            assertThat(read(pinned)).isEqualTo("x\nmine\n");
        }
    }

    @Test
    void aFileSwappedForALinkAfterTheCheckIsRefused() throws Exception {
        List<DataLocation.CheckedFile> checked = check();
        Files.delete(mine.resolve("sub/data.csv"));
        Files.createSymbolicLink(mine.resolve("sub/data.csv"), theirs.resolve("sub/data.csv"));
        assertThatThrownBy(() -> PinnedFiles.open(checked)).isInstanceOf(PinnedFiles.ChangedException.class)
                .hasMessageContaining("symbolic link");
    }

    @Test
    void aDirectoryOnThePathSwappedForALinkAfterTheCheckIsRefused() throws Exception {
        List<DataLocation.CheckedFile> checked = check();
        Files.move(mine.resolve("sub"), mine.resolve("old"));
        Files.createSymbolicLink(mine.resolve("sub"), theirs.resolve("sub"));
        assertThat(Files.readString(mine.resolve("sub/data.csv"))).contains("SECRET");
        assertThatThrownBy(() -> PinnedFiles.open(checked)).isInstanceOf(PinnedFiles.ChangedException.class);
    }

    @Test
    void aDirectoryLinkThatStaysInsideTheRootIsRefusedTooOnceChecked() throws Exception {
        // the check resolves links to real paths; a link swapped in later is never followed, wherever it leads
        List<DataLocation.CheckedFile> checked = check();
        Files.move(mine.resolve("sub"), mine.resolve("old"));
        Files.createSymbolicLink(mine.resolve("sub"), mine.resolve("old"));
        assertThatThrownBy(() -> PinnedFiles.open(checked)).isInstanceOf(PinnedFiles.ChangedException.class);
    }

    @Test
    void aFileReplacedByAnotherFileAfterTheCheckIsRefused() throws Exception {
        List<DataLocation.CheckedFile> checked = check();
        // kept, so that the new file cannot reuse its inode number
        Files.move(mine.resolve("sub/data.csv"), mine.resolve("sub/kept.csv"));
        Files.writeString(mine.resolve("sub/data.csv"), "x\nother\n");
        assertThatThrownBy(() -> PinnedFiles.open(checked)).isInstanceOf(PinnedFiles.ChangedException.class)
                .hasMessageContaining("replaced");
    }

    @Test
    void aLinkInsideTheRootIsReadAsTheFileItLedToWhenChecked() throws Exception {
        Files.createSymbolicLink(mine.resolve("alias.csv"), mine.resolve("sub/data.csv"));
        List<DataLocation.CheckedFile> checked = DataLocation.resolve(mine.resolve("alias.csv").toString(), roots);
        assertThat(checked).extracting(DataLocation.CheckedFile::path).containsExactly(mine.resolve("sub/data.csv"));
        try (PinnedFiles pinned = PinnedFiles.open(checked)) {
            assertThat(read(pinned)).isEqualTo("x\nmine\n");
        }
    }

    @Test
    void oncePinnedTheFileReadIsTheOneCheckedWhateverHappensToItsPath() throws Exception {
        try (PinnedFiles pinned = PinnedFiles.open(check())) {
            Files.move(mine.resolve("sub"), mine.resolve("old"));
            Files.createSymbolicLink(mine.resolve("sub"), theirs.resolve("sub"));
            assertThat(read(pinned)).isEqualTo("x\nmine\n");
            Files.delete(mine.resolve("old/data.csv"));
            assertThat(read(pinned)).isEqualTo("x\nmine\n");
        }
    }

    @Test
    void aFailedPinLeavesNoDescriptorOpenAndCloseIsIdempotent() throws Exception {
        Files.writeString(mine.resolve("sub/more.csv"), "x\nmore\n");
        List<DataLocation.CheckedFile> checked = DataLocation.resolve(mine + "/sub/*.csv", roots);
        assertThat(checked).hasSize(2);
        Files.delete(mine.resolve("sub/more.csv"));
        assertThatThrownBy(() -> PinnedFiles.open(checked)).isInstanceOf(PinnedFiles.ChangedException.class);
        assertThat(descriptorsOnto(mine)).isZero();
        PinnedFiles pinned = PinnedFiles.open(check());
        assertThat(descriptorsOnto(mine)).isEqualTo(1);
        pinned.close();
        pinned.close();
        assertThat(descriptorsOnto(mine)).isZero();
    }

    /** How many of this process's descriptors refer to files under dir. */
    private static long descriptorsOnto(Path dir) throws Exception {
        long count = 0;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).startsWith(dir)) {
                        count++;
                    }
                } catch (java.io.IOException gone) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return count;
    }
}
