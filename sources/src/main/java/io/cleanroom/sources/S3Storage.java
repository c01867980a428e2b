package io.cleanroom.sources;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.model.Connection;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.model.S3Location;
import io.cleanroom.core.service.ConnectionService;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3-compatible storage reached through one S3 connection: AWS S3, MinIO, Ceph, s3proxy... The
 * client is the AWS SDK for Java v2's, over the JDK's HTTP connection, signing with the
 * connection's access key pair (never the server's own environment or profile files), path-style
 * when the connection says so, computing request checksums only where the API requires them (many
 * S3-compatible servers do not take the SDK's newer default, flexible checksums), with bounded
 * connect and read timeouts and a few retries.
 */
public final class S3Storage implements AutoCloseable {
    private static final Set<String> BAD_CREDENTIALS = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "InvalidSecurity", "AuthorizationHeaderMalformed");

    /** How long to wait: to connect, for each read, and for one whole call (listing a page, fetching an object). */
    public record Timeouts(Duration connect, Duration read, Duration call) {
        public Timeouts {
            requireNonNull(connect, "connect is null");
            requireNonNull(read, "read is null");
            requireNonNull(call, "call is null");
        }

        /** 10 s to connect, 60 s between bytes, 30 min for a call. */
        public static Timeouts defaults() {
            return new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(30));
        }
    }

    /**
     * An object of a listing: its key, size in bytes and entity tag (null when the storage gives
     * none). Ranges fetched with the tag are of that version of the object, or fail.
     */
    public record Listed(String key, long size, String etag) {
        public Listed {
            requireNonNull(key, "key is null");
        }

        public Listed(String key, long size) {
            this(key, size, null);
        }
    }

    /** The bytes from start (inclusive) to end (exclusive) of an object. */
    public record Range(long start, long end) {
        public Range {
            if (start < 0 || end <= start) {
                throw new IllegalArgumentException("not a range: " + start + ".." + end);
            }
        }

        public long length() {
            return end - start;
        }
    }

    private final S3Client client;
    private final Connection connection;
    private final String where;

    private S3Storage(S3Client client, Connection connection) {
        this.client = client;
        this.connection = connection;
        this.where = connection.endpoint() == null ? "AWS S3 in " + connection.region() : connection.endpoint();
    }

    /** A client for an S3 connection, signing with its access key pair. */
    public static S3Storage open(ConnectionService.Opened opened, Timeouts timeouts) {
        Connection c = opened.connection();
        if (c.type() != ConnectionType.S3) {
            throw new IllegalArgumentException("not an S3 connection");
        }
        // no profile file of the server's user takes part: the connection's settings are all there is
        ProfileFile none = ProfileFile.builder().content(new ByteArrayInputStream(new byte[0]))
                .type(ProfileFile.Type.CONFIGURATION).build();
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeouts.connect())
                        .socketTimeout(timeouts.read()))
                .region(Region.of(c.region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKeyId(),
                        opened.secret())))
                .forcePathStyle(c.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.defaultProfileFile(none).defaultProfileName("cleanroom")
                        .retryStrategy(RetryMode.STANDARD).apiCallTimeout(timeouts.call()));
        if (c.endpoint() != null) {
            builder.endpointOverride(URI.create(c.endpoint()));
        }
        return new S3Storage(builder.build(), c);
    }

    /**
     * The objects under a folder, in key order, without "folder" markers (keys ending in "/"): at
     * most max, else {@link SourceException.Category#LIMIT}. Every key returned lies under the
     * folder (a server answering others is refused).
     */
    public List<Listed> list(S3Location folder, int max) {
        List<Listed> out = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(folder.bucket())
                    .prefix(folder.prefix()).maxKeys(1000);
            if (token != null) {
                request.continuationToken(token);
            }
            ListObjectsV2Response page = call("ListObjectsV2", folder.toString(), () -> client.listObjectsV2(
                    request.build()));
            for (S3Object object : page.contents()) {
                if (!folder.holds(object.key())) {
                    throw new SourceException(SourceException.Category.FAILED, "S3 ListObjectsV2 of " + folder
                            + " through connection " + connection.name() + " (" + where + ") answered a key outside "
                            + "the folder");
                }
                if (object.key().endsWith("/")) {
                    continue;
                }
                if (out.size() >= max) {
                    throw new SourceException(SourceException.Category.LIMIT, folder + " holds more than " + max
                            + " objects, the most this server reads for one table");
                }
                out.add(new Listed(object.key(), object.size() == null ? 0 : object.size(), object.eTag()));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    /**
     * Writes an object into a new file; returns the bytes written. A failure to write the file (the
     * server's disk, not the storage) is an {@link java.io.UncheckedIOException}.
     */
    public long fetch(String bucket, String key, Path target) {
        String object = "s3://" + bucket + "/" + key;
        OutputStream out;
        try {
            out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (OutputStream file = out) {
            return call("GetObject", object, () -> {
                try (InputStream in = client.getObject(r -> r.bucket(bucket).key(key))) {
                    byte[] buffer = new byte[1 << 16];
                    long total = 0;
                    while (true) {
                        int n;
                        try {
                            n = in.read(buffer);
                        } catch (IOException e) {
                            throw new Unchecked(e);
                        }
                        if (n < 0) {
                            return total;
                        }
                        try {
                            file.write(buffer, 0, n);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        total += n;
                    }
                } catch (IOException e) {
                    throw new Unchecked(e);
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The last bytes of an object, at most length of them (all of it when it is shorter), of the
     * version the entity tag names when one is given (an object replaced since is a failure). Empty
     * when the storage answers more bytes than asked (it ignores ranges): it is not read on, so an
     * object of any size costs at most length bytes of memory; the caller fetches it whole, to disk.
     */
    public java.util.Optional<byte[]> tail(Listed object, String bucket, int length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive");
        }
        return call("GetObject", "s3://" + bucket + "/" + object.key(), () -> {
            try (software.amazon.awssdk.core.ResponseInputStream<software.amazon.awssdk.services.s3.model
                    .GetObjectResponse> in = client.getObject(r -> {
                        r.bucket(bucket).key(object.key()).range("bytes=-" + length);
                        if (object.etag() != null) {
                            r.ifMatch(object.etag());
                        }
                    })) {
                Long declared = in.response().contentLength();
                if (declared != null && declared > length) {
                    in.abort();
                    return java.util.Optional.<byte[]>empty();
                }
                byte[] bytes = in.readNBytes(length + 1);
                if (bytes.length > length) {
                    in.abort();
                    return java.util.Optional.<byte[]>empty();
                }
                return java.util.Optional.of(bytes);
            } catch (IOException e) {
                throw new Unchecked(e);
            }
        });
    }

    /**
     * Writes ranges of an object into a new file as long as the object, each at its own offset;
     * the rest of the file is a hole that reads as zeros and holds nothing of the object. Returns the
     * bytes fetched. A storage that answers a range with more or fewer bytes than asked is a failure.
     */
    public long fetchRanges(Listed object, String bucket, List<Range> ranges, Path target) {
        return fetchRanges(object, bucket, ranges, ranges, target);
    }

    /**
     * As {@link #fetchRanges(Listed, String, List, Path)}, writing of the bytes fetched only those
     * inside the ranges to keep (in offset order, not overlapping): what else a request brings (a
     * small gap between two needed ranges, fetched with them in one request) is dropped as it comes.
     */
    public long fetchRanges(Listed object, String bucket, List<Range> ranges, List<Range> keep, Path target) {
        for (int i = 1; i < keep.size(); i++) {
            if (keep.get(i).start() < keep.get(i - 1).end()) {
                throw new IllegalArgumentException("the ranges to keep must be in order and apart");
            }
        }
        String what = "s3://" + bucket + "/" + object.key();
        if (object.etag() == null) {
            // without a tag, ranges fetched one after another could be of two versions of the object
            throw new IllegalArgumentException("ranges of an object are fetched only under its entity tag");
        }
        java.nio.channels.FileChannel channel;
        try {
            channel = java.nio.channels.FileChannel.open(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (java.nio.channels.FileChannel file = channel) {
            long total = 0;
            for (Range range : ranges) {
                if (range.end() > object.size()) {
                    throw new IllegalArgumentException("range " + range + " beyond the object's " + object.size()
                            + " bytes");
                }
                total += call("GetObject", what, () -> {
                    try (InputStream in = client.getObject(r -> {
                        r.bucket(bucket).key(object.key()).range("bytes=" + range.start() + "-" + (range.end() - 1));
                        r.ifMatch(object.etag());
                    })) {
                        return copy(in, file, range, keep, what);
                    } catch (IOException e) {
                        throw new Unchecked(e);
                    }
                });
            }
            if (file.size() < object.size()) {
                // the file is as long as the object, whatever its last range
                file.write(java.nio.ByteBuffer.allocate(1), object.size() - 1);
            }
            return total;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private long copy(InputStream in, java.nio.channels.FileChannel file, Range range, List<Range> keep, String what) {
        byte[] buffer = new byte[1 << 16];
        long position = range.start();
        // the first range to keep that ends after the request starts
        int k = 0;
        while (k < keep.size() && keep.get(k).end() <= range.start()) {
            k++;
        }
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw new Unchecked(e);
            }
            if (n < 0) {
                break;
            }
            if (position + n > range.end()) {
                throw new SourceException(SourceException.Category.FAILED, prefix("GetObject", what)
                        + " answered more bytes than the range asked for");
            }
            long end = position + n;
            for (int j = k; j < keep.size() && keep.get(j).start() < end; j++) {
                long from = Math.max(position, keep.get(j).start());
                long to = Math.min(end, keep.get(j).end());
                if (from < to) {
                    writeAt(file, buffer, (int) (from - position), (int) (to - from), from);
                }
            }
            while (k < keep.size() && keep.get(k).end() <= end) {
                k++;
            }
            position = end;
        }
        if (position != range.end()) {
            throw new SourceException(SourceException.Category.FAILED, prefix("GetObject", what)
                    + " answered fewer bytes than the range asked for");
        }
        return range.length();
    }

    /**
     * Writes length bytes of an array, from offset, into a file at a position, all of them (a channel
     * may write fewer at a time). A failure to write (the server's disk) is an
     * {@link java.io.UncheckedIOException}.
     */
    public static void writeAt(java.nio.channels.FileChannel file, byte[] bytes, int offset, int length,
            long position) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes, offset, length);
        long at = position;
        try {
            while (buffer.hasRemaining()) {
                at += file.write(buffer, at);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes a file as an object (a query's result). */
    public void put(String bucket, String key, Path file) {
        call("PutObject", "s3://" + bucket + "/" + key, () -> client.putObject(r -> r.bucket(bucket).key(key),
                RequestBody.fromFile(file)));
    }

    /** Deletes an object; one that is not there is no error. */
    public void delete(String bucket, String key) {
        call("DeleteObject", "s3://" + bucket + "/" + key, () -> client.deleteObject(r -> r.bucket(bucket).key(key)));
    }

    /** An IOException of the bytes' transfer, carried out of the SDK's call. */
    private static final class Unchecked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unchecked(IOException cause) {
            super(cause);
        }
    }

    private <T> T call(String operation, String what, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (S3Exception e) {
            throw failure(operation, what, e);
        } catch (SdkException | Unchecked e) {
            throw failure(operation, what, e);
        }
    }

    private String prefix(String operation, String what) {
        return "S3 " + operation + " of " + what + " through connection " + connection.name() + " (" + where + ")";
    }

    /** A storage's answer as a category and the owner's detail: the status and error code, never its message. */
    SourceException failure(String operation, String what, S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String detail = prefix(operation, what) + " answered " + e.statusCode() + (code == null ? "" : " " + code);
        SourceException.Category category;
        if (e.statusCode() == 403 && code != null && BAD_CREDENTIALS.contains(code)) {
            category = SourceException.Category.CREDENTIALS;
        } else if (e.statusCode() == 401) {
            category = SourceException.Category.CREDENTIALS;
        } else if (e.statusCode() == 403) {
            category = SourceException.Category.DENIED;
        } else if (e.statusCode() == 404) {
            category = SourceException.Category.MISSING;
        } else {
            category = SourceException.Category.FAILED;
        }
        return new SourceException(category, detail);
    }

    /** A failure without an answer: the endpoint unreachable, a time-out, the transfer cut. */
    SourceException failure(String operation, String what, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                    || t instanceof SocketTimeoutException) {
                return new SourceException(SourceException.Category.TIMEOUT, prefix(operation, what)
                        + " did not answer in time");
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return new SourceException(SourceException.Category.UNREACHABLE, prefix(operation, what)
                        + ": the endpoint could not be reached (" + t.getClass().getSimpleName() + ")");
            }
        }
        return new SourceException(SourceException.Category.FAILED, prefix(operation, what) + " failed ("
                + (e.getCause() == null ? e.getClass().getSimpleName() : e.getCause().getClass().getSimpleName()) + ")");
    }

    @Override
    public void close() {
        client.close();
    }
}
