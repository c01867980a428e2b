package io.cleanroom.query;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One query's staging area: a directory only the server's user can enter (mode 0700), under the
 * server's staging root, into which the data a query reads from elsewhere (S3 objects, PostgreSQL
 * rows) is written for the engine. Every name in it is the server's own (never an object key),
 * nothing is shared between queries, and closing deletes it all: nothing of a member's data stays
 * on the server's disk after the query. What a crash leaves is deleted when the server starts
 * ({@link #clean}).
 */
final class Staging implements AutoCloseable {
    private final Path directory;
    private int files;

    private Staging(Path directory) {
        this.directory = directory;
    }

    /** A new staging area under root (created, 0700, when missing). */
    static Staging create(Path root) {
        try {
            Files.createDirectories(root);
            restrict(root);
            Path directory = Files.createDirectory(root.resolve("q-" + UUID.randomUUID()));
            restrict(directory);
            return new Staging(directory);
        } catch (IOException e) {
            throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The server cannot stage the query's data (its "
                    + "staging directory cannot be made); the operator's log says why");
        }
    }

    private static void restrict(Path directory) throws IOException {
        try {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    Path directory() {
        return directory;
    }

    /** A new directory of the area, for one table. */
    Path table(int index) {
        try {
            Path table = Files.createDirectory(directory.resolve("t" + index));
            restrict(table);
            return table;
        } catch (IOException e) {
            throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The server cannot stage the query's data");
        }
    }

    /** A name for the next file of a table's directory, with the extension given. */
    synchronized Path file(Path table, String extension) {
        return table.resolve("part-" + files++ + extension);
    }

    @Override
    public void close() {
        delete(directory);
    }

    /** Deletes what queries left under root (after a crash); the root itself stays. */
    static void clean(Path root) {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> left = Files.list(root)) {
            left.filter(p -> p.getFileName().toString().startsWith("q-")).forEach(Staging::delete);
        } catch (IOException e) {
            // the next start tries again
        }
    }

    static void delete(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the next start
                }
            });
        } catch (IOException e) {
            // already gone
        }
    }
}
