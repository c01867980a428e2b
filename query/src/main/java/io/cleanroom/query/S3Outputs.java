package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.model.ProtectedQueryId;
import io.cleanroom.core.model.ResultFormat;
import io.cleanroom.core.model.S3Location;
import io.cleanroom.core.model.S3Output;
import io.cleanroom.core.service.ConnectionService;
import io.cleanroom.sources.S3Storage;
import io.cleanroom.sources.SourceException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * S3 result output: a query's result written as CSV or Parquet to {@code s3://bucket/keyPrefix/<query
 * id>/result.csv} (or {@code result.parquet}), through one of two ways.
 *
 * <ul>
 *   <li><b>A real bucket</b>, written through the role that AWS Clean Rooms uses for it: the
 *       {@code roleArn} of the membership's default result configuration,
 *       {@code arn:aws:iam::<the receiving account>:role/<connection>}, naming an S3 connection of
 *       that account. The location must lie inside the account's S3 roots (a shared key could
 *       otherwise write into another member's folders).</li>
 *   <li><b>A local directory</b> the operator mapped the bucket name to ({@code --s3-bucket
 *       NAME=DIR}): the no-setup default, used when the membership's role names no connection of
 *       the account.</li>
 * </ul>
 * When both could apply (the role names an S3 connection and the bucket is mapped), the role's
 * connection wins: it is the member's own, explicit choice. The location reported is
 * {@code s3://bucket/prefix/...} either way.
 */
public final class S3Outputs {
    private static final Logger LOG = LoggerFactory.getLogger(S3Outputs.class);

    private final Map<String, Path> buckets;
    private final java.util.function.BiConsumer<Path, Path> parquet;
    private final Sources sources;

    /**
     * Buckets mapped to directories; parquet converts a CSV result file into a Parquet one (the
     * engine's); sources opens connections and holds the staging root the files are made in.
     */
    public S3Outputs(Map<String, Path> buckets, java.util.function.BiConsumer<Path, Path> parquet, Sources sources) {
        this.buckets = Map.copyOf(requireNonNull(buckets, "buckets is null"));
        this.parquet = requireNonNull(parquet, "parquet is null");
        this.sources = requireNonNull(sources, "sources is null");
    }

    /** Where a result goes: a real bucket through a connection, or a mapped directory (connection null). */
    record Target(S3Output output, ConnectionService.Opened connection) {
        Target {
            requireNonNull(output, "output is null");
        }

        boolean remote() {
            return connection != null;
        }

        @Override
        public String toString() {
            return "Target[" + output.bucket() + (remote() ? " through " + connection.connection().name() : "") + "]";
        }
    }

    /**
     * Where the result of the receiver's query goes, given the roleArn of its membership's default
     * result configuration (null when none): refused, on field, when it can go nowhere.
     */
    Target resolve(AccountId receiver, String roleArn, List<S3Location> roots, S3Output output, String field) {
        if (output.keyPrefix() != null && (output.keyPrefix().contains("..") || output.keyPrefix().startsWith("/"))) {
            throw CleanroomException.validation(field + ".keyPrefix", "The key prefix may not contain '..' or start "
                    + "with '/'");
        }
        Optional<ConnectionService.Opened> connection = RoleArns.parse(roleArn)
                .filter(p -> p[0].equals(receiver.value()))
                .flatMap(p -> sources.open(receiver, p[1]));
        if (connection.isPresent()) {
            if (connection.get().connection().type() != ConnectionType.S3) {
                throw CleanroomException.validation(field, "The role of the membership's default result configuration "
                        + "names connection " + connection.get().connection().name() + ", which is not an S3 "
                        + "connection");
            }
            S3Location.Parsed folder = S3Location.parse("s3://" + output.bucket() + "/" + prefix(output));
            if (folder.location().isEmpty()) {
                throw CleanroomException.validation(field, "The result's location " + folder.problem());
            }
            if (roots.stream().noneMatch(folder.location().get()::within)) {
                throw CleanroomException.validation(field, "The result's location s3://" + output.bucket() + "/"
                        + prefix(output) + " is outside your account's S3 roots; the operator grants them "
                        + "(cleanroom admin set-data-roots)");
            }
            return new Target(output, connection.get());
        }
        if (!buckets.containsKey(output.bucket())) {
            throw CleanroomException.validation(field, "Bucket " + output.bucket() + " is not mapped to a directory "
                    + "on this server (start it with --s3-bucket " + output.bucket() + "=/some/dir), and the "
                    + "membership's default result configuration has no roleArn naming an S3 connection of your "
                    + "account (arn:aws:iam::" + receiver + ":role/<connection>)");
        }
        return new Target(output, null);
    }

    private static String prefix(S3Output output) {
        String prefix = output.keyPrefix() == null ? "" : output.keyPrefix();
        return prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    static String fileName(S3Output output) {
        return output.resultFormat() == ResultFormat.PARQUET ? "result.parquet" : "result.csv";
    }

    /** Where the result of a query is reported to be. */
    public static String location(S3Output output, ProtectedQueryId id) {
        return "s3://" + output.bucket() + "/" + prefix(output) + id.value() + "/" + fileName(output);
    }

    private static String key(S3Output output, ProtectedQueryId id) {
        return prefix(output) + id.value() + "/" + fileName(output);
    }

    /** The directory a query's output goes to in its bucket, or null when the bucket is not mapped. */
    private Path directory(S3Output output, ProtectedQueryId id) {
        Path base = buckets.get(output.bucket());
        if (base == null) {
            return null;
        }
        Path dir = base.resolve(prefix(output) + id.value()).normalize();
        if (!dir.startsWith(base.normalize())) {
            throw CleanroomException.internal("result path escapes its bucket", null);
        }
        return dir;
    }

    /**
     * Writes the result where the target says; returns the reported location. A file is written
     * aside and takes its final name (a mapped directory) or is put as the object (a bucket) only
     * when whole; a failure leaves nothing behind.
     */
    String write(Target target, ProtectedQueryId id, JsonNode result) {
        return target.remote() ? writeToBucket(target, id, result) : writeToDirectory(target.output(), id, result);
    }

    private String writeToBucket(Target target, ProtectedQueryId id, JsonNode result) {
        S3Output output = target.output();
        try (Staging staging = Staging.create(sources.settings().stagingRoot())) {
            Path dir = staging.table(0);
            Path csv = dir.resolve("result.csv");
            writeCsv(csv, result);
            Path file = csv;
            if (output.resultFormat() == ResultFormat.PARQUET) {
                file = dir.resolve("result.parquet");
                parquet.accept(csv, file);
            }
            try (S3Storage storage = S3Storage.open(target.connection(), sources.settings().s3())) {
                storage.put(output.bucket(), key(output, id), file);
            }
        } catch (IOException e) {
            throw Sources.stagingFailed(new java.io.UncheckedIOException(e));
        } catch (SourceException e) {
            // the receiver is the bucket's owner: it may read the cause
            throw CleanroomException.of(ErrorCode.QUERY_FAILED, "The result could not be written to bucket "
                    + output.bucket() + " (" + e.category() + "): " + e.ownerDetail());
        }
        return location(output, id);
    }

    private String writeToDirectory(S3Output output, ProtectedQueryId id, JsonNode result) {
        Path dir = directory(output, id);
        if (dir == null) {
            throw CleanroomException.internal("bucket " + output.bucket() + " is no longer mapped", null);
        }
        try {
            Files.createDirectories(dir);
            Path csv = dir.resolve(".result.csv.tmp");
            writeCsv(csv, result);
            if (output.resultFormat() == ResultFormat.PARQUET) {
                Path parquetFile = dir.resolve(".result.parquet.tmp");
                parquet.accept(csv, parquetFile);
                Files.delete(csv);
                Files.move(parquetFile, dir.resolve("result.parquet"), StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.move(csv, dir.resolve("result.csv"), StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            try {
                deleteFromDirectory(output, id);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof IOException failure && ResultStore.outOfSpace(failure)) {
                throw CleanroomException.of(io.cleanroom.core.ErrorCode.QUERY_FAILED, "The server has no space left "
                        + "to write the result to bucket " + output.bucket() + "; the operator must free disk space, "
                        + "then run the query again");
            }
            throw e instanceof IOException ? CleanroomException.internal("cannot write the result to bucket "
                    + output.bucket(), e) : (RuntimeException) e;
        }
        return location(output, id);
    }

    private static void writeCsv(Path csv, JsonNode result) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            boolean first = true;
            for (JsonNode column : result.get("columns")) {
                w.write((first ? "" : ",") + cell(column.get("name").asText()));
                first = false;
            }
            w.write("\n");
            for (JsonNode row : result.get("rows")) {
                first = true;
                for (JsonNode value : row) {
                    w.write((first ? "" : ",") + (value.isNull() ? "" : cell(value.asText())));
                    first = false;
                }
                w.write("\n");
            }
        }
    }

    /**
     * Removes whatever a query wrote as its output (a whole output, or one cut short), for a query
     * that did not succeed. In a bucket, a failure to delete is logged: the query has ended anyway.
     */
    void delete(Target target, ProtectedQueryId id) {
        if (!target.remote()) {
            deleteFromDirectory(target.output(), id);
            return;
        }
        try (S3Storage storage = S3Storage.open(target.connection(), sources.settings().s3())) {
            storage.delete(target.output().bucket(), key(target.output(), id));
        } catch (SourceException e) {
            LOG.warn("the output of query {} could not be removed from its bucket: {}", id, e.ownerDetail());
        }
    }

    /**
     * After a restart, the output of a query that did not end well: where its receiver's membership
     * sends results now (its role, else the mapping), if anywhere.
     */
    void deleteAfterRestart(AccountId receiver, String roleArn, List<S3Location> roots, S3Output output,
            ProtectedQueryId id) {
        Target target;
        try {
            target = resolve(receiver, roleArn, roots, output, "output");
        } catch (CleanroomException e) {
            return;
        }
        delete(target, id);
    }

    private void deleteFromDirectory(S3Output output, ProtectedQueryId id) {
        Path dir = directory(output, id);
        if (dir == null || !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            for (String name : java.util.List.of("result.csv", "result.parquet", ".result.csv.tmp",
                    ".result.parquet.tmp")) {
                Files.deleteIfExists(dir.resolve(name));
            }
            try (java.util.stream.Stream<Path> left = Files.list(dir)) {
                if (left.findAny().isEmpty()) {
                    Files.delete(dir);
                }
            }
        } catch (IOException e) {
            throw CleanroomException.internal("cannot remove the output of query " + id + " from bucket "
                    + output.bucket(), e);
        }
    }

    private static String cell(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return "\"" + value.replace("\"", "\"\"") + "\"";
        }
        return value;
    }
}
