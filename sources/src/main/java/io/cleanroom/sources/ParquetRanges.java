package io.cleanroom.sources;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
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
import org.apache.parquet.format.SchemaElement;
import shaded.parquet.org.apache.thrift.TConfiguration;
import shaded.parquet.org.apache.thrift.TException;
import shaded.parquet.org.apache.thrift.protocol.TCompactProtocol;
import shaded.parquet.org.apache.thrift.protocol.TList;
import shaded.parquet.org.apache.thrift.protocol.TMap;
import shaded.parquet.org.apache.thrift.protocol.TProtocolException;
import shaded.parquet.org.apache.thrift.protocol.TSet;
import shaded.parquet.org.apache.thrift.protocol.TStruct;
import shaded.parquet.org.apache.thrift.transport.TIOStreamTransport;

/**
 * Which bytes of a Parquet object an engine needs to read some of its columns, from the object's
 * footer (the file metadata of the Parquet format: row groups, and in each the offset and size of
 * every column chunk, its page indexes and bloom filter). A reader that writes those ranges at
 * their offsets into a file, leaving the rest a hole, and ends it with the footer (without what it
 * says of the values of the other columns), gives the engine a file it reads exactly as the whole
 * object for those columns: engines read a chunk only for a column they project.
 *
 * <p>Fails safe: whatever it cannot read for certain (an encrypted footer, a chunk in another file,
 * a malformed or hostile footer, offsets outside the object, chunks that are not the schema's
 * leaves in order, two columns of one name) answers empty, and the caller fetches the whole object.
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
     * What to write of an object into a file: the ranges to fetch before the tail (one request each,
     * neighbouring needed ranges merged across small gaps), the ranges of those bytes to write
     * (exactly the needed ones: a gap's bytes, of a column not read, are dropped as they come), those
     * to copy from the tail (what of the needed ranges it holds), and the footer that ends the file,
     * where the object's began: the object's own, without the statistics (minimum and maximum
     * values...), bloom filters, page indexes and key-value metadata of the chunks of columns not
     * read, when it can be written back exactly as it was read (else as it is).
     */
    public record Plan(List<S3Storage.Range> fetch, List<S3Storage.Range> write, List<S3Storage.Range> fromTail,
            long footerAt, byte[] footer) {
        public Plan {
            fetch = List.copyOf(fetch);
            write = List.copyOf(write);
            fromTail = List.copyOf(fromTail);
            footer = footer.clone();
        }

        /** The bytes fetched and copied from the tail. */
        public long bytes() {
            return fetch.stream().mapToLong(S3Storage.Range::length).sum()
                    + fromTail.stream().mapToLong(S3Storage.Range::length).sum() + footer.length;
        }

        /** The footer to write at {@link #footerAt}, with its length and magic: the file ends with it. */
        @Override
        public byte[] footer() {
            return footer.clone();
        }
    }

    /**
     * What an engine reading the columns named (top-level names, compared without case) needs of an
     * object of size bytes whose last bytes are tail (holding its whole footer): the leading magic,
     * of every row group each chunk of those columns with its page indexes and bloom filter, and the
     * footer. Ranges are in offset order, fetched merged where they touch or nearly do but written
     * only where needed; those the tail holds
     * are copied from it, not fetched again. Empty when the footer cannot be read for certain.
     */
    public static Optional<Plan> needed(byte[] tail, long size, Set<String> columns) {
        long footer = footerLength(tail);
        if (footer < 0 || footer + 8 > tail.length || footer + 8 + MAGIC.length > size) {
            return Optional.empty();
        }
        FileMetaData metadata;
        try {
            metadata = readFooter(tail, (int) (tail.length - 8 - footer), (int) footer);
        } catch (TException | RuntimeException e) {
            return Optional.empty();
        }
        Set<String> wanted = columns.stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        long tailStart = size - tail.length;
        List<S3Storage.Range> ranges = new ArrayList<>();
        ranges.add(new S3Storage.Range(0, MAGIC.length));
        if (metadata.getRow_groups() == null) {
            return Optional.empty();
        }
        Optional<List<List<String>>> leaves = leaves(metadata.getSchema());
        if (leaves.isEmpty() || !distinctTopLevel(leaves.get())) {
            return Optional.empty();
        }
        for (RowGroup group : metadata.getRow_groups()) {
            if (group.getColumns() == null || group.getColumns().size() != leaves.get().size()) {
                return Optional.empty();
            }
            for (int i = 0; i < group.getColumns().size(); i++) {
                ColumnChunk chunk = group.getColumns().get(i);
                ColumnMetaData meta = chunk.getMeta_data();
                // an engine takes the i-th chunk of a row group as the i-th leaf of the schema, whatever
                // the chunk says it is: a chunk that says otherwise cannot be placed for certain
                if (chunk.isSetFile_path() || chunk.isSetCrypto_metadata() || meta == null
                        || meta.getPath_in_schema() == null || meta.getPath_in_schema().isEmpty()
                        || !meta.getPath_in_schema().equals(leaves.get().get(i))) {
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
        List<S3Storage.Range> write = new ArrayList<>();
        List<S3Storage.Range> fromTail = new ArrayList<>();
        for (S3Storage.Range r : merge(ranges, 0)) {
            if (r.end() <= tailStart) {
                write.add(r);
            } else if (r.start() >= tailStart) {
                fromTail.add(r);
            } else {
                write.add(new S3Storage.Range(r.start(), tailStart));
                fromTail.add(new S3Storage.Range(tailStart, r.end()));
            }
        }
        int footerStart = (int) (tail.length - 8 - footer);
        byte[] original = java.util.Arrays.copyOfRange(tail, footerStart, tail.length);
        return Optional.of(new Plan(merge(write, MERGE_GAP), write, fromTail, size - footer - 8,
                stripped(metadata, original, wanted).orElse(original)));
    }

    /**
     * The footer (with its length and magic) without what the chunks of columns not wanted say of
     * their values, or empty when the footer, written back as read, would not be the same bytes
     * (fields these classes do not know would be lost).
     */
    private static Optional<byte[]> stripped(FileMetaData metadata, byte[] original, Set<String> wanted) {
        try {
            if (!java.util.Arrays.equals(serialize(metadata), original)) {
                return Optional.empty();
            }
            FileMetaData copy = metadata.deepCopy();
            for (RowGroup group : copy.getRow_groups()) {
                for (ColumnChunk chunk : group.getColumns()) {
                    ColumnMetaData meta = chunk.getMeta_data();
                    if (wanted.contains(meta.getPath_in_schema().get(0).toLowerCase(Locale.ROOT))) {
                        continue;
                    }
                    meta.unsetStatistics();
                    meta.unsetSize_statistics();
                    meta.unsetGeospatial_statistics();
                    meta.unsetBloom_filter_offset();
                    meta.unsetBloom_filter_length();
                    meta.unsetKey_value_metadata();
                    chunk.unsetColumn_index_offset();
                    chunk.unsetColumn_index_length();
                    chunk.unsetOffset_index_offset();
                    chunk.unsetOffset_index_length();
                }
            }
            return Optional.of(serialize(copy));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The footer of this metadata: its bytes, their length (little-endian) and the magic. */
    private static byte[] serialize(FileMetaData metadata) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.apache.parquet.format.Util.writeFileMetaData(metadata, out);
        int length = out.size();
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(length).array());
        out.write(MAGIC);
        return out.toByteArray();
    }

    /**
     * The path of every leaf (primitive column) of a schema, in the order of the chunks of a row
     * group: the schema's elements depth first, each group followed by its children. Empty when the
     * elements do not form exactly one tree under the root.
     */
    static Optional<List<List<String>>> leaves(List<SchemaElement> schema) {
        if (schema == null || schema.isEmpty()) {
            return Optional.empty();
        }
        List<List<String>> out = new ArrayList<>();
        int[] next = {1};
        if (!walk(schema, schema.get(0), new ArrayList<>(), next, out, 0) || next[0] != schema.size()) {
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /**
     * Whether no two top-level columns have the same name without regard to case. An engine renames
     * the second of two ("Email", "email") to "email_1": which chunks such a name reads is the
     * engine's to say, not the footer's, so such a file is fetched whole.
     */
    private static boolean distinctTopLevel(List<List<String>> leaves) {
        Set<String> seen = new java.util.HashSet<>();
        String previous = null;
        for (List<String> leaf : leaves) {
            String top = leaf.get(0);
            // the leaves of one nested column follow one another
            if (top.equals(previous)) {
                continue;
            }
            if (!seen.add(top.toLowerCase(Locale.ROOT))) {
                return false;
            }
            previous = top;
        }
        return true;
    }

    private static boolean walk(List<SchemaElement> schema, SchemaElement group, List<String> path, int[] next,
            List<List<String>> out, int depth) {
        if (depth > MAX_DEPTH || !group.isSetNum_children() || group.getNum_children() < 0) {
            return false;
        }
        for (int c = 0; c < group.getNum_children(); c++) {
            if (next[0] >= schema.size()) {
                return false;
            }
            SchemaElement element = schema.get(next[0]++);
            if (element.getName() == null) {
                return false;
            }
            List<String> child = new ArrayList<>(path);
            child.add(element.getName());
            if (element.isSetNum_children()) {
                if (!walk(schema, element, child, next, out, depth + 1)) {
                    return false;
                }
            } else {
                out.add(child);
            }
        }
        return true;
    }

    /** Deeper than this, structures and containers nested in a footer are refused (the format nests a few levels). */
    static final int MAX_DEPTH = 32;

    /**
     * The file metadata of a footer, read with bounds that its own bytes set: no list, set, map or
     * string may claim more elements or bytes than remain of the footer (each element takes at
     * least one), nor nest deeper than {@link #MAX_DEPTH}. The format's own reader takes a claimed
     * length as it comes: a footer of a few bytes claiming two billion row groups would exhaust the
     * heap, and a few kilobytes of nested structures the stack.
     */
    static FileMetaData readFooter(byte[] bytes, int offset, int length) throws TException {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes, offset, length);
        TConfiguration configuration = new TConfiguration(Math.max(length, 1), Math.max(length, 1), MAX_DEPTH);
        FileMetaData metadata = new FileMetaData();
        metadata.read(new BoundedProtocol(new TIOStreamTransport(configuration, in), in, length));
        return metadata;
    }

    /** A compact protocol that refuses sizes beyond the bytes left, and nesting beyond {@link #MAX_DEPTH}. */
    private static final class BoundedProtocol extends TCompactProtocol {
        private final ByteArrayInputStream in;
        private int depth;

        BoundedProtocol(TIOStreamTransport transport, ByteArrayInputStream in, int length) {
            super(transport, length, length);
            this.in = in;
        }

        private void enter() throws TProtocolException {
            if (++depth > MAX_DEPTH) {
                throw new TProtocolException(TProtocolException.DEPTH_LIMIT, "footer nested too deeply");
            }
        }

        private void fits(int size) throws TProtocolException {
            if (size < 0 || size > in.available()) {
                throw new TProtocolException(TProtocolException.SIZE_LIMIT, "footer claims more than it holds");
            }
        }

        @Override
        public TStruct readStructBegin() throws TException {
            enter();
            return super.readStructBegin();
        }

        @Override
        public void readStructEnd() throws TException {
            depth--;
            super.readStructEnd();
        }

        @Override
        public TList readListBegin() throws TException {
            enter();
            TList list = super.readListBegin();
            fits(list.size);
            return list;
        }

        @Override
        public void readListEnd() throws TException {
            depth--;
            super.readListEnd();
        }

        @Override
        public TSet readSetBegin() throws TException {
            enter();
            TSet set = super.readSetBegin();
            fits(set.size);
            return set;
        }

        @Override
        public void readSetEnd() throws TException {
            depth--;
            super.readSetEnd();
        }

        @Override
        public TMap readMapBegin() throws TException {
            enter();
            TMap map = super.readMapBegin();
            fits(map.size);
            return map;
        }

        @Override
        public void readMapEnd() throws TException {
            depth--;
            super.readMapEnd();
        }
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

    private static List<S3Storage.Range> merge(List<S3Storage.Range> ranges, long gap) {
        List<S3Storage.Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(S3Storage.Range::start));
        List<S3Storage.Range> out = new ArrayList<>();
        S3Storage.Range current = null;
        for (S3Storage.Range r : sorted) {
            if (current == null) {
                current = r;
            } else if (r.start() <= current.end() + gap) {
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
