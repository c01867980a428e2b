package io.cleanroom.query;

import io.cleanroom.core.CleanroomException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A catalog location (a file, a directory of files, or a glob) resolved against the owner's data
 * roots into the data files to read.
 *
 * <ul>
 *   <li>Every file must lie inside a root once symbolic links are resolved; links that stay
 *       inside the roots are followed, so the result is a list of real paths.</li>
 *   <li>No file-existence oracle: a path lexically outside every root is refused before the file
 *       system is touched, and inside a root, a path that is missing, dangles, loops or leads
 *       outside the roots gets the same answer, {@link #UNAVAILABLE}.</li>
 *   <li>Directories and globs are listed only inside a root, through directory descriptors that
 *       never follow a link (SecureDirectoryStream): a glob never walks outside a root.</li>
 * </ul>
 * The check is of paths, so it can be raced; {@link PinnedFiles} opens what it returns without
 * following links and refuses a file that is no longer the one checked.
 */
final class DataLocation {
    static final String FIELD = "TableInput.StorageDescriptor.Location";
    static final String UNAVAILABLE = "The location does not exist or is outside your data roots";
    private static final int MAX_DEPTH = 8;

    /** A data file as checked: its real path (inside a data root) and the file found there. */
    record CheckedFile(Path path, long device, long inode) {
        CheckedFile {
            java.util.Objects.requireNonNull(path, "path is null");
        }
    }

    /**
     * What is wrong with a location, said two ways: to its owner registering it (who may see the
     * location) and to whoever starts a query over it (who may not: no path is named).
     */
    enum Problem {
        /** Missing, dangling, looping or outside the roots: one answer, so no path is learnt to exist. */
        UNAVAILABLE("no data file is where its location points, or the location is outside its owner's data roots "
                + "(the data was moved, deleted or replaced by a link, or the roots were narrowed)"),
        NO_FILES("its location has no data files now"),
        UNSUPPORTED("its location is not on the server's disk (s3:// and JDBC locations are read through a "
                + "connection)"),
        INVALID("its location is not a valid absolute path or glob"),
        PLATFORM("this server's platform cannot read data files safely (a Unix file system is needed)"),
        COMPRESSED("its data files are compressed (.gz, .zst...); Cleanroom reads CSV and JSON files uncompressed "
                + "(or use Parquet, whose compression is inside the file)");

        private final String forQuery;

        Problem(String forQuery) {
            this.forQuery = forQuery;
        }

        /** The problem as a query's starter reads it: no path, no location. */
        String forQuery() {
            return forQuery;
        }
    }

    /** A location that cannot be read; the message is for its owner (it may name the location). */
    static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Problem problem;

        Unreadable(Problem problem, String ownerMessage) {
            super(ownerMessage, null, false, false);
            this.problem = problem;
        }

        Problem problem() {
            return problem;
        }
    }

    private DataLocation() {
    }

    /**
     * The data files of a location, sorted by path; at least one, or a validation error on
     * {@link #FIELD} for the owner registering it. roots are real, absolute directories and must
     * not be empty.
     */
    static List<CheckedFile> resolve(String location, List<Path> roots) {
        try {
            return locate(location, roots);
        } catch (Unreadable e) {
            throw CleanroomException.validation(FIELD, e.getMessage());
        }
    }

    /** Endings of compressed files, which a CSV or JSON reader would read as garbage. */
    static final List<String> COMPRESSED = List.of(".gz", ".gzip", ".bz2", ".zst", ".zstd", ".lz4", ".snappy",
            ".deflate", ".zip", ".xz");

    /**
     * Refuses compressed CSV and JSON files. Engines tell a file's compression by how its name ends,
     * and they read a pinned file as /proc/self/fd/N, whose name has no ending: a t.csv.gz would be
     * read as CSV text, garbage. So such a file is refused, when it is registered and when a query
     * reads it, as an S3 object is; Parquet's compression is inside the file.
     */
    static void requireUncompressed(List<CheckedFile> files, io.cleanroom.core.model.TableFormat format) {
        if (format != io.cleanroom.core.model.TableFormat.CSV && format != io.cleanroom.core.model.TableFormat.JSON) {
            return;
        }
        for (CheckedFile file : files) {
            Path name = file.path().getFileName();
            String lower = name == null ? "" : name.toString().toLowerCase(java.util.Locale.ROOT);
            for (String suffix : COMPRESSED) {
                if (lower.endsWith(suffix)) {
                    throw new Unreadable(Problem.COMPRESSED, "Data file " + name + " is compressed (" + suffix
                            + "); Cleanroom reads CSV and JSON files uncompressed (or use Parquet, whose "
                            + "compression is inside the file)");
                }
            }
        }
    }

    /** As {@link #resolve}, with what is wrong as a {@link Problem}. */
    static List<CheckedFile> locate(String location, List<Path> roots) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("no data roots");
        }
        if (location.startsWith("s3://") || location.startsWith("s3a://")) {
            throw new Unreadable(Problem.UNSUPPORTED,
                    "An s3:// location is read through a connection (Parameters.connectionName), not as a file");
        }
        if (location.startsWith("jdbc:")) {
            throw new Unreadable(Problem.UNSUPPORTED,
                    "A JDBC location is read through a connection (Parameters.connectionName), not as a file");
        }
        String path = location.startsWith("file://") ? location.substring("file://".length()) : location;
        if (!path.startsWith("/")) {
            throw new Unreadable(Problem.INVALID, "The location must be an absolute path (or file:// URI)");
        }
        int glob = indexOfGlob(path);
        String base = glob < 0 ? path : path.substring(0, Math.max(1, path.lastIndexOf('/', glob)));
        String pattern = glob < 0 ? null : path.substring(path.lastIndexOf('/', glob) + 1);
        Path lexical;
        PathMatcher matcher;
        try {
            lexical = Path.of(base).normalize();
            matcher = pattern == null ? null : FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (IllegalArgumentException e) {
            throw new Unreadable(Problem.INVALID, "The location is not a valid path or glob");
        }
        // decided on the text alone: nothing outside the roots is looked at
        if (inside(lexical, roots).isEmpty()) {
            throw unavailable();
        }
        Path real = realInside(lexical, roots);
        Map<Path, CheckedFile> out = new TreeMap<>();
        BasicFileAttributes attributes = attributes(real);
        if (matcher == null && attributes.isRegularFile()) {
            CheckedFile file = checked(real);
            out.put(file.path(), file);
        } else if (attributes.isDirectory()) {
            Path root = inside(real, roots).orElseThrow(DataLocation::unavailable);
            // a directory: its own visible files; a glob: what it matches below its fixed part
            Predicate<Path> wanted = matcher == null
                    ? rel -> !rel.toString().startsWith(".") && !rel.toString().startsWith("_")
                    : matcher::matches;
            try (SecureDirectoryStream<Path> directory = openBeneath(root, real)) {
                list(directory, real, null, matcher == null ? 1 : MAX_DEPTH, wanted, roots, out);
            } catch (IOException e) {
                throw unavailable();
            }
        }
        if (out.isEmpty()) {
            throw new Unreadable(Problem.NO_FILES, "No data files found at " + location);
        }
        return List.copyOf(out.values());
    }

    private static Unreadable unavailable() {
        return new Unreadable(Problem.UNAVAILABLE, UNAVAILABLE);
    }

    /** The root that path is under, compared component by component; paths are taken as they are. */
    static Optional<Path> inside(Path path, List<Path> roots) {
        return roots.stream().filter(path::startsWith).findFirst();
    }

    /** The real path of a path lexically inside a root; it must be inside a root too. */
    private static Path realInside(Path path, List<Path> roots) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException | SecurityException e) {
            throw unavailable();
        }
        if (inside(real, roots).isEmpty()) {
            throw unavailable();
        }
        return real;
    }

    private static BasicFileAttributes attributes(Path real) {
        try {
            return Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw unavailable();
        }
    }

    /** The file's identity as stat reports it now; where there is no such notion, refused. */
    private static CheckedFile checked(Path real) {
        Map<String, Object> stat;
        try {
            stat = Files.readAttributes(real, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw unavailable();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            throw new Unreadable(Problem.PLATFORM,
                    "This server's platform cannot identify files; data files need a Unix file system");
        }
        return new CheckedFile(real, (Long) stat.get("dev"), (Long) stat.get("ino"));
    }

    /**
     * A directory stream on dir, reached from root one component at a time without following
     * links, so that no component can be swapped for a link in between.
     */
    private static SecureDirectoryStream<Path> openBeneath(Path root, Path dir) throws IOException {
        DirectoryStream<Path> first = Files.newDirectoryStream(root);
        if (!(first instanceof SecureDirectoryStream<Path> current)) {
            first.close();
            throw new Unreadable(Problem.PLATFORM, "This server's platform cannot list directories without "
                    + "following links; give the location as a single file");
        }
        try {
            for (Path name : root.relativize(dir)) {
                if (name.toString().isEmpty()) {
                    continue;
                }
                SecureDirectoryStream<Path> next = current.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                current.close();
                current = next;
            }
            return current;
        } catch (IOException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /**
     * Adds the wanted files below an open directory: regular files as they are, symbolic links
     * when they lead to a regular file inside the roots. Sub-directories are entered (without
     * following links) while depth allows.
     */
    private static void list(SecureDirectoryStream<Path> directory, Path dir, Path relative, int depth,
            Predicate<Path> wanted, List<Path> roots, Map<Path, CheckedFile> out) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path entry : directory) {
            names.add(entry.getFileName());
        }
        names.sort(Comparator.naturalOrder());
        for (Path name : names) {
            Path rel = relative == null ? name : relative.resolve(name);
            BasicFileAttributes entry;
            try {
                entry = directory.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .readAttributes();
            } catch (java.nio.file.NoSuchFileException gone) {
                continue;
            }
            if (entry.isDirectory()) {
                if (depth > 1) {
                    try (SecureDirectoryStream<Path> sub = directory.newDirectoryStream(name,
                            LinkOption.NOFOLLOW_LINKS)) {
                        list(sub, dir.resolve(name), rel, depth - 1, wanted, roots, out);
                    }
                }
                continue;
            }
            if (!wanted.test(rel)) {
                continue;
            }
            Path file = dir.resolve(name);
            if (entry.isSymbolicLink()) {
                // followed only to a file inside the roots; every other target, whether or not it exists,
                // gets the one answer
                file = realInside(file, roots);
                if (!attributes(file).isRegularFile()) {
                    continue;
                }
            } else if (!entry.isRegularFile()) {
                continue;
            }
            out.putIfAbsent(file, checked(file));
        }
    }

    private static int indexOfGlob(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return -1;
    }
}
