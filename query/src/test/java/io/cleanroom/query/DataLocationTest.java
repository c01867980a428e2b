package io.cleanroom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locations against data roots: confinement, globs inside roots, and one answer for missing and forbidden. */
class DataLocationTest {
    @TempDir
    Path tmp;

    /** The account's root. */
    private Path mine;
    /** Another member's root, next to it. */
    private Path theirs;
    private List<Path> roots;

    @BeforeEach
    void layout() throws Exception {
        Path dir = tmp.toRealPath();
        mine = Files.createDirectories(dir.resolve("mine"));
        theirs = Files.createDirectories(dir.resolve("theirs"));
        Files.writeString(mine.resolve("a.csv"), "x\n1\n");
        Files.writeString(theirs.resolve("secret.csv"), "x\n2\n");
        Files.createDirectories(theirs.resolve("parts"));
        Files.writeString(theirs.resolve("parts/part-1.csv"), "x\n3\n");
        roots = List.of(mine);
    }

    private String refusal(String location) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class,
                () -> DataLocation.resolve(location, roots));
        assertThat(e).as(location).isNotNull();
        assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::name)
                .containsExactly(DataLocation.FIELD);
        return e.getMessage();
    }

    @Test
    void missingAndForbiddenPathsGetTheSameAnswer() throws Exception {
        Files.createSymbolicLink(mine.resolve("to-secret.csv"), theirs.resolve("secret.csv"));
        Files.createSymbolicLink(mine.resolve("to-nothing.csv"), theirs.resolve("nothing.csv"));
        Files.createSymbolicLink(mine.resolve("dangling.csv"), mine.resolve("nothing.csv"));
        Files.createSymbolicLink(mine.resolve("their-dir"), theirs);
        Files.createSymbolicLink(mine.resolve("loop"), mine.resolve("loop"));
        List<String> locations = List.of(
                theirs.resolve("secret.csv").toString(),          // exists, outside
                theirs.resolve("nothing.csv").toString(),         // missing, outside
                "/etc/passwd",                                     // the server's own file
                "/no/such/file.csv",
                theirs + "/parts/*.csv",                           // a glob outside that matches
                theirs + "/parts/*.json",                          // a glob outside that matches nothing
                theirs + "/none/*.csv",                            // a glob under a missing directory outside
                mine + "/../theirs/secret.csv",                    // climbing out lexically
                mine.resolve("nothing.csv").toString(),            // missing inside
                mine.resolve("to-secret.csv").toString(),          // link inside to a file outside
                mine.resolve("to-nothing.csv").toString(),         // link inside to nothing outside
                mine.resolve("dangling.csv").toString(),           // dangling link inside
                mine.resolve("loop").toString(),                   // a link to itself
                mine + "/their-dir/secret.csv",                    // through a linked directory leading outside
                mine + "/their-dir/nothing.csv",
                mine + "/their-dir/parts/*.csv",                   // a glob through it
                mine + "/their-dir");
        List<String> messages = new ArrayList<>();
        for (String location : locations) {
            messages.add(refusal(location));
        }
        assertThat(messages).allMatch(m -> m.equals(DataLocation.FIELD + ": " + DataLocation.UNAVAILABLE));
        // what a query's starter is told: one problem for all of them too, and never a path
        for (String location : locations) {
            DataLocation.Unreadable e = catchThrowableOfType(DataLocation.Unreadable.class,
                    () -> DataLocation.locate(location, roots));
            assertThat(e).as(location).isNotNull();
            assertThat(e.problem()).as(location).isEqualTo(DataLocation.Problem.UNAVAILABLE);
        }
    }

    @Test
    void whatIsWrongWithALocationIsTypedForWhoeverStartsAQuery() throws Exception {
        Files.createDirectories(mine.resolve("empty"));
        assertThat(catchThrowableOfType(DataLocation.Unreadable.class,
                () -> DataLocation.locate(mine.resolve("empty").toString(), roots)).problem())
                .isEqualTo(DataLocation.Problem.NO_FILES);
        assertThat(catchThrowableOfType(DataLocation.Unreadable.class,
                () -> DataLocation.locate("s3://bucket/key.csv", roots)).problem())
                .isEqualTo(DataLocation.Problem.UNSUPPORTED);
        assertThat(catchThrowableOfType(DataLocation.Unreadable.class,
                () -> DataLocation.locate("relative/a.csv", roots)).problem())
                .isEqualTo(DataLocation.Problem.INVALID);
        // the owner registering it is told where
        assertThat(refusal(mine.resolve("empty").toString())).contains(mine.resolve("empty").toString());
    }

    @Test
    void aLinkInsideADirectoryOrGlobLeadingOutsideRefusesTheLocationWhetherOrNotItsTargetExists() throws Exception {
        Path dir = Files.createDirectories(mine.resolve("data"));
        Files.writeString(dir.resolve("part-1.csv"), "x\n1\n");
        Path probe = dir.resolve("part-2.csv");
        Files.createSymbolicLink(probe, theirs.resolve("secret.csv"));
        String existing = refusal(dir.toString());
        String existingGlob = refusal(dir + "/part-*.csv");
        Files.delete(probe);
        Files.createSymbolicLink(probe, theirs.resolve("nothing.csv"));
        assertThat(refusal(dir.toString())).isEqualTo(existing);
        assertThat(refusal(dir + "/part-*.csv")).isEqualTo(existingGlob).isEqualTo(existing);
    }

    @Test
    void globsAreExpandedOnlyInsideTheRootAndNeverThroughLinkedDirectories() throws Exception {
        Files.createDirectories(mine.resolve("x/y"));
        Files.writeString(mine.resolve("x/y/part-1.csv"), "x\n1\n");
        Files.writeString(mine.resolve("x/part-2.csv"), "x\n1\n");
        Files.createSymbolicLink(mine.resolve("x/theirs"), theirs.resolve("parts"));
        List<DataLocation.CheckedFile> files = DataLocation.resolve(mine + "/**part-*.csv", roots);
        assertThat(files).extracting(f -> mine.relativize(f.path()).toString())
                .containsExactly("x/part-2.csv", "x/y/part-1.csv");
        assertThat(DataLocation.resolve(mine + "/x/*/part-*.csv", roots)).extracting(f -> f.path().getFileName()
                .toString()).containsExactly("part-1.csv");
    }

    @Test
    void linksThatStayInsideTheRootsAreFollowedToTheirRealPath() throws Exception {
        Path versions = Files.createDirectories(mine.resolve("v2"));
        Files.writeString(versions.resolve("data.csv"), "x\n1\n");
        Files.createSymbolicLink(mine.resolve("current"), versions);
        Files.createSymbolicLink(mine.resolve("b.csv"), mine.resolve("a.csv"));
        assertThat(DataLocation.resolve(mine + "/current/data.csv", roots)).extracting(DataLocation.CheckedFile::path)
                .containsExactly(versions.resolve("data.csv"));
        assertThat(DataLocation.resolve(mine + "/current", roots)).extracting(DataLocation.CheckedFile::path)
                .containsExactly(versions.resolve("data.csv"));
        assertThat(DataLocation.resolve(mine.resolve("b.csv").toString(), roots))
                .extracting(DataLocation.CheckedFile::path).containsExactly(mine.resolve("a.csv"));
        // a directory listing names each file once, however many links lead to it
        assertThat(DataLocation.resolve(mine.toString(), roots)).extracting(DataLocation.CheckedFile::path)
                .containsExactly(mine.resolve("a.csv"));
        // another of the account's roots counts as inside
        List<Path> both = List.of(mine, theirs);
        assertThat(DataLocation.resolve(mine.resolve("b.csv").toString(), both)).hasSize(1);
        Files.createSymbolicLink(mine.resolve("shared.csv"), theirs.resolve("secret.csv"));
        assertThat(DataLocation.resolve(mine.resolve("shared.csv").toString(), both))
                .extracting(DataLocation.CheckedFile::path).containsExactly(theirs.resolve("secret.csv"));
    }

    @Test
    void aCheckedFileCarriesTheIdentityStatReports() throws Exception {
        DataLocation.CheckedFile file = DataLocation.resolve(mine.resolve("a.csv").toString(), roots).get(0);
        Map<String, Object> stat = Files.readAttributes(mine.resolve("a.csv"), "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        assertThat(file.device()).isEqualTo(stat.get("dev"));
        assertThat(file.inode()).isEqualTo(stat.get("ino"));
    }

    @Test
    void aRootIsComparedByWholeComponents() throws Exception {
        Path sibling = Files.createDirectories(mine.resolveSibling("mine2"));
        Files.writeString(sibling.resolve("a.csv"), "x\n1\n");
        assertThat(refusal(sibling.resolve("a.csv").toString())).contains(DataLocation.UNAVAILABLE);
    }

    @Test
    void emptyPlacesInsideTheRootSaySoAndOtherLocationsAreRefusedAsBefore() throws Exception {
        Files.createDirectories(mine.resolve("empty"));
        assertThat(refusal(mine.resolve("empty").toString())).contains("No data files found");
        assertThat(refusal(mine + "/*.parquet")).contains("No data files found");
        assertThat(refusal("relative/a.csv")).contains("absolute");
        assertThat(refusal("s3://bucket/key")).contains("s3://");
        assertThat(refusal("jdbc:postgresql://h/db")).contains("JDBC");
    }
}
