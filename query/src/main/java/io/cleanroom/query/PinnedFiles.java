package io.cleanroom.query;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checked data files, opened by the server and held open: the readers (the engine, column
 * inference) read them only through {@link #paths()}, names of the form {@code /proc/self/fd/N}
 * under which the kernel opens exactly the file the server opened, whatever happens to the
 * original paths afterwards. So the file read is the file checked, and swapping a file or a
 * directory on its path for a symbolic link, before or after, changes nothing but the outcome of
 * {@link #open}: a refusal.
 *
 * <p>Each file is opened by walking its real path from "/" without following any link, then must
 * still be the regular file that was checked (same device and inode). Close after the reader has
 * finished; the names mean nothing afterwards. Linux only: elsewhere {@link #open} refuses.
 */
final class PinnedFiles implements AutoCloseable {
    /** Why a checked file cannot be pinned; the message is safe to show (no path). */
    static final class ChangedException extends Exception {
        private static final long serialVersionUID = 1L;

        ChangedException(String message) {
            super(message);
        }
    }

    private final List<Integer> descriptors;
    private final List<Path> paths;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private PinnedFiles(List<Integer> descriptors, List<Path> paths) {
        this.descriptors = descriptors;
        this.paths = paths;
    }

    /**
     * Opens every file, in order. Throws {@link ChangedException} when a file is no longer there
     * as checked (a link on its path, a different or non-regular file), and a QUERY_FAILED
     * {@link CleanroomException} when this platform cannot pin files at all; nothing stays open then.
     */
    static PinnedFiles open(List<DataLocation.CheckedFile> files) throws ChangedException {
        if (!NativeFiles.available()) {
            throw CleanroomException.of(ErrorCode.QUERY_FAILED, "This server cannot read data files safely: "
                    + NativeFiles.unavailableReason() + ". Cleanroom reads table data only on Linux, where it can "
                    + "pin each file it checked (/proc/self/fd)");
        }
        List<Integer> descriptors = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        try {
            for (DataLocation.CheckedFile file : files) {
                int fd;
                try {
                    fd = NativeFiles.openNoFollow(file.path());
                } catch (IOException e) {
                    throw new ChangedException("is no longer where it was checked, or a symbolic link replaced it "
                            + "or a directory on its path");
                }
                descriptors.add(fd);
                NativeFiles.Identity identity;
                try {
                    identity = NativeFiles.identity(fd);
                } catch (IOException e) {
                    throw new ChangedException("cannot be identified");
                }
                if (!identity.regularFile() || identity.device() != file.device()
                        || identity.inode() != file.inode()) {
                    throw new ChangedException("was replaced after it was checked");
                }
                paths.add(NativeFiles.path(fd));
            }
            return new PinnedFiles(List.copyOf(descriptors), List.copyOf(paths));
        } catch (ChangedException | RuntimeException e) {
            closeAll(descriptors);
            throw e;
        }
    }

    /**
     * What each pinned file is now, in order: device, inode, size, modification and change times,
     * read from the descriptor itself (so of the file the readers read).
     */
    List<NativeFiles.Identity> identities() {
        List<NativeFiles.Identity> out = new ArrayList<>();
        for (int fd : descriptors) {
            try {
                out.add(NativeFiles.identity(fd));
            } catch (IOException e) {
                throw CleanroomException.of(ErrorCode.QUERY_FAILED, "A data file cannot be identified");
            }
        }
        return out;
    }

    /** The names to read the files by, in the order they were given. */
    List<Path> paths() {
        return paths;
    }

    /** Closes the descriptors, once: a second close must not close numbers the process has reused. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeAll(descriptors);
        }
    }

    private static void closeAll(List<Integer> descriptors) {
        for (int fd : descriptors) {
            try {
                NativeFiles.close(fd);
            } catch (IOException ignored) {
                // closed or invalid either way
            }
        }
    }
}
