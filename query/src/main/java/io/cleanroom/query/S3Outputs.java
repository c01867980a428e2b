package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.ProtectedQueryId;
import io.cleanroom.core.model.ResultFormat;
import io.cleanroom.core.model.S3Output;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * S3-style result output. Until the S3 reader and writer exist, each bucket name is mapped to a
 * local directory by the server's configuration; the location reported stays s3://bucket/prefix/...
 */
public final class S3Outputs {
    private final Map<String, Path> buckets;
    private final java.util.function.BiConsumer<Path, Path> parquet;

    /** Buckets mapped to directories; parquet converts a CSV result file into a Parquet one (the engine's). */
    public S3Outputs(Map<String, Path> buckets, java.util.function.BiConsumer<Path, Path> parquet) {
        this.buckets = Map.copyOf(requireNonNull(buckets, "buckets is null"));
        this.parquet = requireNonNull(parquet, "parquet is null");
    }

    void check(S3Output output, String field) {
        if (!buckets.containsKey(output.bucket())) {
            throw CleanroomException.validation(field, "Bucket " + output.bucket() + " is not mapped to a directory "
                    + "on this server (start it with --s3-bucket " + output.bucket() + "=/some/dir)");
        }
        if (output.keyPrefix() != null && (output.keyPrefix().contains("..") || output.keyPrefix().startsWith("/"))) {
            throw CleanroomException.validation(field + ".keyPrefix", "The key prefix may not contain '..' or start "
                    + "with '/'");
        }
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

    /** Writes the result into the bucket's directory; returns the reported location. */
    String write(S3Output output, ProtectedQueryId id, JsonNode result) {
        Path base = buckets.get(output.bucket());
        if (base == null) {
            throw CleanroomException.internal("bucket " + output.bucket() + " is no longer mapped", null);
        }
        Path dir = base.resolve(prefix(output) + id.value()).normalize();
        if (!dir.startsWith(base.normalize())) {
            throw CleanroomException.internal("result path escapes its bucket", null);
        }
        try {
            Files.createDirectories(dir);
            Path csv = dir.resolve(output.resultFormat() == ResultFormat.CSV ? "result.csv" : ".result.csv.tmp");
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
            if (output.resultFormat() == ResultFormat.PARQUET) {
                parquet.accept(csv, dir.resolve("result.parquet"));
                Files.delete(csv);
            }
        } catch (IOException e) {
            throw CleanroomException.internal("cannot write the result to bucket " + output.bucket(), e);
        }
        return location(output, id);
    }

    private static String cell(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return "\"" + value.replace("\"", "\"\"") + "\"";
        }
        return value;
    }
}
