package io.cleanroom.sources;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;

/**
 * Which bytes of a Parquet object an engine needs to read some of its columns, from the object's
 * footer (the file metadata of the Parquet format: row groups, and in each the offset and size of
 * every column chunk, its page indexes and bloom filter). A reader that fetches those ranges into a
 * file as long as the object, leaving the rest a hole, gives the engine a file it reads exactly as
 * the whole object for those columns: engines read a chunk only for a column they project.
 *
 * <p>Fails safe: whatever it cannot read for certain (an encrypted footer, a chunk in another file,
 * a malformed footer, offsets outside the object) answers empty, and the caller fetches the whole
 * object.
 */
public final class ParquetRanges {
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    /** Ranges closer than this are fetched as one (a request costs more than a few kilobytes). */
    static final long MERGE_GAP = 8 * 1024;

    private ParquetRanges() {
    }

    /**
     * The length of the footer that ends at the end of tail (the object's last bytes), or -1 when
     * the tail does not end as a plain Parquet file does (with an encrypted footer, "PARE", or not
     * Parquet at all).
     */
    public static long footerLength(byte[] tail) {
        requireNonNull(tail, "tail is null");
        if (tail.length < 8) {
            return -1;
        }
        for (int i = 0; i < 4; i++) {
            if (tail[tail.length - 4 + i] != MAGIC[i]) {
                return -1;
            }
        }
        return Integer.toUnsignedLong(ByteBuffer.wrap(tail, tail.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN)
                .getInt());
    }

    /**
     * What to write of an object into a file as long as it: the ranges to fetch, before the tail,
     * and those to copy from the tail (the footer, and what of the needed ranges the tail holds).
     */
    public record Plan(List<S3Storage.Range> fetch, List<S3Storage.Range> fromTail) {
        public Plan {
            fetch = List.copyOf(fetch);
            fromTail = List.copyOf(fromTail);
        }

        /** The bytes written to the file. */
        public long bytes() {
            return fetch.stream().mapToLong(S3Storage.Range::length).sum()
                    + fromTail.stream().mapToLong(S3Storage.Range::length).sum();
        }
    }

    /**
     * What an engine reading the columns named (top-level names, compared without case) needs of an
     * object of size bytes whose last bytes are tail (holding its whole footer): the leading magic,
     * of every row group each chunk of those columns with its page indexes and bloom filter, and the
     * footer. Ranges are in offset order, merged where they touch or nearly do; those the tail holds
     * are copied from it, not fetched again. Empty when the footer cannot be read for certain.
     */
    public static Optional<Plan> needed(byte[] tail, long size, Set<String> columns) {
        long footer = footerLength(tail);
        if (footer < 0 || footer + 8 > tail.length || footer + 8 + MAGIC.length > size) {
            return Optional.empty();
        }
        FileMetaData metadata;
        try {
            metadata = Util.readFileMetaData(new ByteArrayInputStream(tail, (int) (tail.length - 8 - footer),
                    (int) footer));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        Set<String> wanted = columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        long tailStart = size - tail.length;
        List<S3Storage.Range> ranges = new ArrayList<>();
        ranges.add(new S3Storage.Range(0, MAGIC.length));
        if (metadata.getRow_groups() == null) {
            return Optional.empty();
        }
        for (RowGroup group : metadata.getRow_groups()) {
            if (group.getColumns() == null) {
                return Optional.empty();
            }
            for (ColumnChunk chunk : group.getColumns()) {
                ColumnMetaData meta = chunk.getMeta_data();
                if (chunk.isSetFile_path() || chunk.isSetCrypto_metadata() || meta == null
                        || meta.getPath_in_schema() == null || meta.getPath_in_schema().isEmpty()) {
                    return Optional.empty();
                }
                if (!wanted.contains(meta.getPath_in_schema().get(0).toLowerCase(Locale.ROOT))) {
                    continue;
                }
                long start = meta.getData_page_offset();
                if (meta.isSetDictionary_page_offset() && meta.getDictionary_page_offset() > 0
                        && meta.getDictionary_page_offset() < start) {
                    start = meta.getDictionary_page_offset();
                }
                if (!add(ranges, start, meta.getTotal_compressed_size(), size)) {
                    return Optional.empty();
                }
                if (chunk.isSetColumn_index_offset() && !add(ranges, chunk.getColumn_index_offset(),
                        chunk.getColumn_index_length(), size)) {
                    return Optional.empty();
                }
                if (chunk.isSetOffset_index_offset() && !add(ranges, chunk.getOffset_index_offset(),
                        chunk.getOffset_index_length(), size)) {
                    return Optional.empty();
                }
                if (meta.isSetBloom_filter_offset()) {
                    // without a length the filter runs to somewhere before the next structure: a reader
                    // that finds it cut short would fail, so the whole object is fetched instead
                    if (!meta.isSetBloom_filter_length() || !add(ranges, meta.getBloom_filter_offset(),
                            meta.getBloom_filter_length(), size)) {
                        return Optional.empty();
                    }
                }
            }
        }
        List<S3Storage.Range> fetch = new ArrayList<>();
        List<S3Storage.Range> fromTail = new ArrayList<>();
        for (S3Storage.Range r : merge(ranges)) {
            if (r.end() <= tailStart) {
                fetch.add(r);
            } else if (r.start() >= tailStart) {
                fromTail.add(r);
            } else {
                fetch.add(new S3Storage.Range(r.start(), tailStart));
                fromTail.add(new S3Storage.Range(tailStart, r.end()));
            }
        }
        fromTail.add(new S3Storage.Range(size - footer - 8, size));
        return Optional.of(new Plan(fetch, fromTail));
    }

    private static boolean add(List<S3Storage.Range> ranges, long start, long length, long size) {
        if (length == 0) {
            return true;
        }
        if (start < 0 || length <= 0 || start + length > size || start + length < start) {
            return false;
        }
        ranges.add(new S3Storage.Range(start, start + length));
        return true;
    }

    private static List<S3Storage.Range> merge(List<S3Storage.Range> ranges) {
        List<S3Storage.Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(S3Storage.Range::start));
        List<S3Storage.Range> out = new ArrayList<>();
        S3Storage.Range current = null;
        for (S3Storage.Range r : sorted) {
            if (current == null) {
                current = r;
            } else if (r.start() <= current.end() + MERGE_GAP) {
                current = new S3Storage.Range(current.start(), Math.max(current.end(), r.end()));
            } else {
                out.add(current);
                current = r;
            }
        }
        if (current != null) {
            out.add(current);
        }
        return out;
    }
}
