package io.cleanroom.query;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The only native code in Cleanroom: opening a data file by what the kernel finds at a path
 * rather than by what the path says, through JNA. Linux only (x86-64 and aarch64).
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #openNoFollow} opens an absolute path that has no symbolic link in it (a real
 *       path) for reading, walking from "/" one component at a time with openat and O_NOFOLLOW.
 *       If any component is a symbolic link, is missing, or is not a directory where one is
 *       needed, the open fails: the descriptor returned refers to the file found at that path
 *       at that moment, reached without following any link.</li>
 *   <li>{@link #identity} says what a descriptor refers to (statx on the descriptor itself).</li>
 *   <li>{@link #path} names a descriptor as {@code /proc/self/fd/N}. Opening that name in this
 *       process opens the very file the descriptor refers to (a Linux "magic link"), whatever
 *       happens to the original path afterwards.</li>
 *   <li>Descriptors are close-on-exec; whoever opens one closes it with {@link #close}.</li>
 * </ul>
 * Anywhere else {@link #available} is false and the other methods throw
 * {@link UnsupportedOperationException}: callers refuse to read rather than read unpinned.
 */
public final class NativeFiles {
    /**
     * What a descriptor refers to: device and inode as stat reports them, whether it is a regular
     * file, and its size, modification and status change times (seconds and nanoseconds), which
     * change when its content does (the status change time even when the modification time is set
     * back).
     */
    record Identity(long device, long inode, boolean regularFile, long size, long modifiedSeconds, int modifiedNanos,
            long changedSeconds, int changedNanos) {
    }

    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int O_RDONLY = 0;
    private static final int O_NOCTTY = 0400;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_PATH = 010000000;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MTIME = 0x40;
    private static final int STATX_CTIME = 0x80;
    private static final int STATX_INO = 0x100;
    private static final int STATX_SIZE_FIELD = 0x200;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int STATX_SIZE = 256;

    /** The open(2) flags whose values differ between architectures. */
    private record ArchFlags(int directory, int noFollow) {
    }

    private interface LibC extends Library {
        int openat(int dirfd, byte[] path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int statx(int dirfd, byte[] path, int flags, int mask, Pointer buffer) throws LastErrorException;
    }

    private static final ArchFlags FLAGS;
    private static final LibC LIBC;
    private static final String UNAVAILABLE;

    static {
        ArchFlags flags = null;
        LibC libc = null;
        String why = null;
        if (!Platform.isLinux()) {
            why = "the server is not running on Linux";
        } else {
            flags = switch (Platform.ARCH) {
                case "x86-64" -> new ArchFlags(0200000, 0400000);
                case "aarch64" -> new ArchFlags(040000, 0100000);
                default -> null;
            };
            if (flags == null) {
                why = "the processor architecture " + Platform.ARCH + " is not supported";
            } else if (!Files.isDirectory(Path.of("/proc/self/fd"))) {
                why = "/proc is not mounted";
            } else {
                try {
                    NativeLibrary c = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
                    c.getFunction("openat");
                    c.getFunction("statx");
                    libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
                } catch (LinkageError | RuntimeException e) {
                    why = "the C library lacks openat or statx";
                }
            }
        }
        FLAGS = flags;
        LIBC = libc;
        UNAVAILABLE = why;
    }

    private NativeFiles() {
    }

    /** Whether this platform can pin files: Linux on x86-64 or aarch64, with /proc and statx. */
    public static boolean available() {
        return LIBC != null;
    }

    /** Why {@link #available} is false, for messages; null when it is true. */
    public static String unavailableReason() {
        return UNAVAILABLE;
    }

    private static void require() {
        if (LIBC == null) {
            throw new UnsupportedOperationException("Cannot open files without following links: " + UNAVAILABLE);
        }
    }

    /**
     * Opens a real path (absolute, no symbolic link in it, no "." or "..") for reading without
     * following links. Throws IOException naming the errno when the kernel refuses any step.
     */
    static int openNoFollow(Path path) throws IOException {
        require();
        if (!path.isAbsolute() || path.getNameCount() == 0) {
            throw new IOException("not an absolute file path");
        }
        int dir;
        try {
            dir = LIBC.openat(AT_FDCWD, bytes("/"), O_PATH | FLAGS.directory() | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw failure("/", e);
        }
        int names = path.getNameCount();
        for (int i = 0; i < names; i++) {
            String name = path.getName(i).toString();
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
                closeQuietly(dir);
                throw new IOException("not a real path");
            }
            boolean last = i == names - 1;
            int flags = last
                    ? O_RDONLY | FLAGS.noFollow() | O_NONBLOCK | O_NOCTTY | O_CLOEXEC
                    : O_PATH | FLAGS.directory() | FLAGS.noFollow() | O_CLOEXEC;
            int next;
            try {
                next = LIBC.openat(dir, bytes(name), flags);
            } catch (LastErrorException e) {
                closeQuietly(dir);
                throw failure(path.getRoot().resolve(path.subpath(0, i + 1)).toString(), e);
            }
            closeQuietly(dir);
            dir = next;
        }
        return dir;
    }

    /** What the descriptor refers to. */
    static Identity identity(int fd) throws IOException {
        require();
        try (Memory buffer = new Memory(STATX_SIZE)) {
            buffer.clear();
            try {
                LIBC.statx(fd, bytes(""), AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_SIZE_FIELD | STATX_MTIME
                        | STATX_CTIME, buffer);
            } catch (LastErrorException e) {
                throw failure("descriptor " + fd, e);
            }
            int mode = buffer.getShort(28) & 0xffff;
            long inode = buffer.getLong(32);
            long major = buffer.getInt(136) & 0xffffffffL;
            long minor = buffer.getInt(140) & 0xffffffffL;
            // struct statx: stx_size at 40, stx_ctime at 96 and stx_mtime at 112 (tv_sec, then tv_nsec)
            return new Identity(device(major, minor), inode, (mode & S_IFMT) == S_IFREG, buffer.getLong(40),
                    buffer.getLong(112), buffer.getInt(120), buffer.getLong(96), buffer.getInt(104));
        }
    }

    /**
     * A device number as stat reports it (glibc's makedev), so that it compares with the
     * "unix:dev" attribute Java reads.
     */
    static long device(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    /** The name under which this process opens exactly the file the descriptor refers to. */
    static Path path(int fd) {
        require();
        return Path.of("/proc/self/fd/" + fd);
    }

    static void close(int fd) throws IOException {
        require();
        try {
            LIBC.close(fd);
        } catch (LastErrorException e) {
            throw failure("descriptor " + fd, e);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LIBC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing to do: the descriptor is gone either way
        }
    }

    private static IOException failure(String what, LastErrorException e) {
        return new IOException("cannot open " + what + " (errno " + e.getErrorCode() + ")");
    }

    /** A NUL-terminated path in the encoding the JVM uses for file names. */
    private static byte[] bytes(String s) {
        String encoding = System.getProperty("sun.jnu.encoding");
        Charset charset = encoding != null && Charset.isSupported(encoding) ? Charset.forName(encoding)
                : StandardCharsets.UTF_8;
        byte[] raw = s.getBytes(charset);
        return Arrays.copyOf(raw, raw.length + 1);
    }
}
