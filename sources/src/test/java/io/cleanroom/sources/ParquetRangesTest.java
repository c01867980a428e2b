package io.cleanroom.sources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Type;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;

/** Footers written with the Parquet format's own classes, laid out as a writer lays out a file. */
class ParquetRangesTest {
    /** Three columns, two row groups, each chunk 100 KB: a, b, c, a, b, c from offset 4. */
    private static final long CHUNK = 100_000;
    private static final List<String> COLUMNS = List.of("user_id", "Notes", "segment");

    private static FileMetaData metadata(Consumer<ColumnChunk> change) {
        List<RowGroup> groups = new ArrayList<>();
        long offset = 4;
        for (int g = 0; g < 2; g++) {
            List<ColumnChunk> chunks = new ArrayList<>();
            for (String column : COLUMNS) {
                ColumnMetaData meta = new ColumnMetaData(Type.BYTE_ARRAY, List.of(Encoding.PLAIN), List.of(column),
                        CompressionCodec.SNAPPY, 1000, CHUNK, CHUNK, offset);
                ColumnChunk chunk = new ColumnChunk(offset);
                chunk.setMeta_data(meta);
                change.accept(chunk);
                chunks.add(chunk);
                offset += CHUNK;
            }
            groups.add(new RowGroup(chunks, 3 * CHUNK, 1000));
        }
        return new FileMetaData(1, schema(), 2000, groups);
    }

    /** The root and one leaf per column, as a writer lays out a flat schema. */
    private static List<SchemaElement> schema() {
        List<SchemaElement> schema = new ArrayList<>();
        schema.add(new SchemaElement("schema").setNum_children(COLUMNS.size()));
        for (String column : COLUMNS) {
            schema.add(new SchemaElement(column).setType(Type.BYTE_ARRAY));
        }
        return schema;
    }

    /** The object's size when its footer follows the six chunks. */
    private static long size(byte[] tail) {
        return 4 + 6 * CHUNK + tail.length;
    }

    private static byte[] tail(FileMetaData metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Util.writeFileMetaData(metadata, out);
        int footer = out.size();
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer).array());
        out.write("PAR1".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The ranges fetched; nothing else is copied from the tail, and the footer, as it was, ends the file. */
    private static List<S3Storage.Range> needed(byte[] tail, Set<String> columns) {
        ParquetRanges.Plan plan = ParquetRanges.needed(tail, size(tail), columns).orElseThrow();
        assertThat(plan.fromTail()).isEmpty();
        assertThat(plan.footerAt()).isEqualTo(size(tail) - tail.length);
        assertThat(plan.footer()).isEqualTo(tail);
        return plan.fetch();
    }

    @Test
    void onlyTheChunksOfTheColumnsAskedForInEveryRowGroupAndTheLeadingMagic() throws IOException {
        byte[] tail = tail(metadata(c -> { }));
        assertThat(ParquetRanges.footerLength(tail)).isEqualTo(tail.length - 8);
        // user_id is the first chunk of each row group: the magic before it touches it
        assertThat(needed(tail, Set.of("USER_ID"))).containsExactly(new S3Storage.Range(0, 4 + CHUNK),
                new S3Storage.Range(4 + 3 * CHUNK, 4 + 4 * CHUNK));
        // segment is the last chunk of each group; the magic stands apart
        assertThat(needed(tail, Set.of("segment"))).containsExactly(new S3Storage.Range(0, 4),
                new S3Storage.Range(4 + 2 * CHUNK, 4 + 3 * CHUNK), new S3Storage.Range(4 + 5 * CHUNK, 4 + 6 * CHUNK));
        // neighbouring chunks are one range; a column the file lacks (a partition column) asks nothing
        assertThat(needed(tail, Set.of("user_id", "notes", "dt"))).containsExactly(
                new S3Storage.Range(0, 4 + 2 * CHUNK), new S3Storage.Range(4 + 3 * CHUNK, 4 + 5 * CHUNK));
        assertThat(needed(tail, Set.of("dt"))).containsExactly(new S3Storage.Range(0, 4));
    }

    @Test
    void pageIndexesAndBloomFiltersOfTheColumnsComeWithThem() throws IOException {
        long[] next = {4 + 6 * CHUNK};
        FileMetaData metadata = metadata(c -> {
            c.setColumn_index_offset(next[0]);
            c.setColumn_index_length(10);
            c.setOffset_index_offset(next[0] + 100_000);
            c.setOffset_index_length(20);
            c.getMeta_data().setBloom_filter_offset(next[0] + 200_000);
            c.getMeta_data().setBloom_filter_length(30);
            next[0] += 40_000;
        });
        byte[] tail = tail(metadata);
        long size = 4 + 6 * CHUNK + 400_000 + tail.length;
        List<S3Storage.Range> ranges = ParquetRanges.needed(tail, size, Set.of("notes")).orElseThrow().fetch();
        long indexes = 4 + 6 * CHUNK;
        assertThat(ranges).contains(new S3Storage.Range(indexes + 40_000, indexes + 40_010),
                new S3Storage.Range(indexes + 140_000, indexes + 140_020),
                new S3Storage.Range(indexes + 240_000, indexes + 240_030),
                new S3Storage.Range(indexes + 160_000, indexes + 160_010));
        assertThat(ranges).doesNotContain(new S3Storage.Range(indexes, indexes + 10));
    }

    @Test
    void whatTheTailHoldsIsCopiedFromItNotFetchedAgainAndTheRestOfItIsNotWritten() throws IOException {
        byte[] tail = tail(metadata(c -> { }));
        // a tail that reaches back into the last chunk (segment's) and holds the end of the one before (notes')
        int back = (int) CHUNK + 500;
        byte[] longer = new byte[tail.length + back];
        System.arraycopy(tail, 0, longer, back, tail.length);
        long size = size(tail);
        long tailStart = size - longer.length;
        ParquetRanges.Plan plan = ParquetRanges.needed(longer, size, Set.of("segment")).orElseThrow();
        assertThat(plan.fetch()).containsExactly(new S3Storage.Range(0, 4),
                new S3Storage.Range(4 + 2 * CHUNK, 4 + 3 * CHUNK));
        assertThat(plan.fromTail()).containsExactly(new S3Storage.Range(tailStart + 500, 4 + 6 * CHUNK));
        assertThat(plan.footerAt()).isEqualTo(size - tail.length);
        // notes' bytes in the tail are neither fetched nor written
        assertThat(plan.bytes()).isEqualTo(4 + 2 * CHUNK + tail.length);
        // a range that starts before the tail and ends in it is fetched up to the tail, copied from there
        ParquetRanges.Plan across = ParquetRanges.needed(longer, size, Set.of("notes", "segment")).orElseThrow();
        assertThat(across.fetch()).contains(new S3Storage.Range(4 + 4 * CHUNK, tailStart));
        assertThat(across.fromTail()).contains(new S3Storage.Range(tailStart, 4 + 6 * CHUNK));
    }

    @Test
    void whatCannotBeReadForCertainAsksForTheWholeObject() throws IOException {
        byte[] plain = tail(metadata(c -> { }));
        // an encrypted footer
        byte[] encrypted = plain.clone();
        encrypted[encrypted.length - 1] = 'E';
        assertThat(ParquetRanges.footerLength(encrypted)).isEqualTo(-1);
        assertThat(ParquetRanges.needed(encrypted, size(plain), Set.of("notes"))).isEmpty();
        // a footer longer than the tail holds, or than the object
        assertThat(ParquetRanges.needed(java.util.Arrays.copyOfRange(plain, 10, plain.length), size(plain),
                Set.of("notes"))).isEmpty();
        assertThat(ParquetRanges.needed(plain, plain.length, Set.of("notes"))).isEmpty();
        // bytes that are not a footer
        byte[] garbage = plain.clone();
        for (int i = 0; i < garbage.length - 8; i++) {
            garbage[i] = (byte) (i * 31 + 7);
        }
        assertThat(ParquetRanges.needed(garbage, size(plain), Set.of("notes"))).isEmpty();
        // a chunk in another file, offsets outside the object, a bloom filter of unknown length
        assertThat(ParquetRanges.needed(tail(metadata(c -> c.setFile_path("other.parquet"))), size(plain),
                Set.of("notes"))).isEmpty();
        byte[] outside = tail(metadata(c -> c.getMeta_data().setData_page_offset(10 * CHUNK)));
        assertThat(ParquetRanges.needed(outside, size(outside), Set.of("notes"))).isEmpty();
        byte[] bloom = tail(metadata(c -> c.getMeta_data().setBloom_filter_offset(8)));
        assertThat(ParquetRanges.needed(bloom, size(bloom), Set.of("notes"))).isEmpty();
        assertThat(ParquetRanges.footerLength(new byte[] {1, 2, 3})).isEqualTo(-1);
    }

    @Test
    void aDictionaryPageBeforeTheDataPagesStartsTheChunk() throws IOException {
        byte[] tail = tail(metadata(c -> {
            ColumnMetaData m = c.getMeta_data();
            m.setDictionary_page_offset(m.getData_page_offset());
            m.setData_page_offset(m.getData_page_offset() + 1000);
            m.setTotal_compressed_size(CHUNK);
        }));
        assertThat(needed(tail, Set.of("segment"))).containsExactly(new S3Storage.Range(0, 4),
                new S3Storage.Range(4 + 2 * CHUNK, 4 + 3 * CHUNK), new S3Storage.Range(4 + 5 * CHUNK, 4 + 6 * CHUNK));
    }

    /** A tail whose footer is exactly these bytes. */
    private static byte[] rawTail(byte[] footer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(footer);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.length).array());
        out.write("PAR1".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    @Test
    void aFooterOfAFewBytesClaimingBillionsOfRowGroupsOrAHugeStringExhaustsNothing() throws IOException {
        // the format's own reader allocates what a list's header claims: 2^31 row groups from 7 bytes
        // was an OutOfMemoryError that escaped the query, 10^8 a 400 MB allocation
        for (int claimed : new int[] {0x7FFFFFF0, 100_000_000, 1000}) {
            ByteArrayOutputStream footer = new ByteArrayOutputStream();
            footer.write(0x49); // field 4 (row_groups), a list
            footer.write(0xFC); // of structs, its size follows
            varint(footer, claimed);
            assertThat(ParquetRanges.needed(rawTail(footer.toByteArray()), 1_000_000, Set.of("notes"))).isEmpty();
        }
        ByteArrayOutputStream string = new ByteArrayOutputStream();
        string.write(0x68); // field 6 (created_by), a string
        varint(string, 0x7FFFFFF0);
        assertThat(ParquetRanges.needed(rawTail(string.toByteArray()), 1_000_000, Set.of("notes"))).isEmpty();
    }

    @Test
    void aFooterOfStructuresNestedThousandsDeepDoesNotExhaustTheStack() throws IOException {
        // unknown fields are skipped recursively: 16 KB of struct headers was a StackOverflowError
        for (int depth : new int[] {16_000, 1_000_000}) {
            byte[] footer = new byte[depth];
            java.util.Arrays.fill(footer, (byte) 0x1C); // field +1, a struct
            assertThat(ParquetRanges.needed(rawTail(footer), 10_000_000, Set.of("notes"))).isEmpty();
        }
        // lists of lists, too
        ByteArrayOutputStream lists = new ByteArrayOutputStream();
        lists.write(0x49);
        for (int i = 0; i < 20_000; i++) {
            lists.write(0x19); // a list of one element, a list
        }
        assertThat(ParquetRanges.needed(rawTail(lists.toByteArray()), 10_000_000, Set.of("notes"))).isEmpty();
    }

    @Test
    void negativeHugeOrOverflowingOffsetsAndLengthsAskForTheWholeObject() throws IOException {
        List<Consumer<ColumnChunk>> hostile = List.of(
                c -> c.getMeta_data().setData_page_offset(-CHUNK),
                c -> c.getMeta_data().setTotal_compressed_size(Long.MAX_VALUE),
                c -> c.getMeta_data().setTotal_compressed_size(-1),
                c -> c.getMeta_data().setData_page_offset(Long.MAX_VALUE - 10),
                c -> {
                    c.setColumn_index_offset(-5);
                    c.setColumn_index_length(10);
                },
                c -> {
                    c.setOffset_index_offset(8);
                    c.setOffset_index_length(Integer.MAX_VALUE);
                },
                c -> {
                    c.getMeta_data().setBloom_filter_offset(8);
                    c.getMeta_data().setBloom_filter_length(-3);
                });
        for (Consumer<ColumnChunk> change : hostile) {
            byte[] tail = tail(metadata(change));
            assertThat(ParquetRanges.needed(tail, size(tail), Set.of("notes"))).isEmpty();
        }
    }

    @Test
    void aChunkIsPlacedByItsPositionInTheSchemaAndOneThatSaysOtherwiseAsksForTheWholeObject() throws IOException {
        // an engine reads the i-th chunk of a row group as the schema's i-th leaf: a footer whose chunks
        // name other columns (Notes' chunk labelled user_id) would have the plan fetch bytes the engine
        // takes for another column, and leave a hole where the allowed one lies
        byte[] swapped = tail(metadata(c -> {
            List<String> path = c.getMeta_data().getPath_in_schema();
            if (path.equals(List.of("user_id"))) {
                c.getMeta_data().setPath_in_schema(List.of("Notes"));
            } else if (path.equals(List.of("Notes"))) {
                c.getMeta_data().setPath_in_schema(List.of("user_id"));
            }
        }));
        assertThat(ParquetRanges.needed(swapped, size(swapped), Set.of("user_id"))).isEmpty();
        // a chunk naming a column the schema lacks, a row group with a chunk fewer than leaves
        byte[] unknown = tail(metadata(c -> {
            if (c.getMeta_data().getPath_in_schema().equals(List.of("segment"))) {
                c.getMeta_data().setPath_in_schema(List.of("user_id"));
            }
        }));
        assertThat(ParquetRanges.needed(unknown, size(unknown), Set.of("user_id"))).isEmpty();
        FileMetaData fewer = metadata(c -> { });
        fewer.getRow_groups().get(1).getColumns().remove(2);
        byte[] shortGroup = tail(fewer);
        assertThat(ParquetRanges.needed(shortGroup, size(shortGroup), Set.of("user_id"))).isEmpty();
        // a schema whose groups claim more children than it has elements, or fewer
        FileMetaData more = metadata(c -> { });
        more.getSchema().get(0).setNum_children(4);
        byte[] tooMany = tail(more);
        assertThat(ParquetRanges.needed(tooMany, size(tooMany), Set.of("user_id"))).isEmpty();
        FileMetaData less = metadata(c -> { });
        less.getSchema().get(0).setNum_children(2);
        byte[] tooFew = tail(less);
        assertThat(ParquetRanges.needed(tooFew, size(tooFew), Set.of("user_id"))).isEmpty();
    }

    @Test
    void aNestedColumnIsFetchedWithAllItsLeavesUnderItsTopLevelNameOnly() throws IOException {
        // user_id, then a struct address {city, zip}: three chunks per row group
        List<SchemaElement> schema = List.of(new SchemaElement("schema").setNum_children(2),
                new SchemaElement("user_id").setType(Type.INT64),
                new SchemaElement("address").setNum_children(2),
                new SchemaElement("city").setType(Type.BYTE_ARRAY),
                new SchemaElement("zip").setType(Type.BYTE_ARRAY));
        List<List<String>> paths = List.of(List.of("user_id"), List.of("address", "city"), List.of("address", "zip"));
        List<ColumnChunk> chunks = new ArrayList<>();
        long offset = 4;
        for (List<String> path : paths) {
            ColumnMetaData meta = new ColumnMetaData(Type.BYTE_ARRAY, List.of(Encoding.PLAIN), path,
                    CompressionCodec.SNAPPY, 1000, CHUNK, CHUNK, offset);
            ColumnChunk chunk = new ColumnChunk(offset);
            chunk.setMeta_data(meta);
            chunks.add(chunk);
            offset += CHUNK;
        }
        FileMetaData metadata = new FileMetaData(1, schema, 1000, List.of(new RowGroup(chunks, 3 * CHUNK, 1000)));
        byte[] tail = tail(metadata);
        long size = 4 + 3 * CHUNK + tail.length;
        assertThat(ParquetRanges.needed(tail, size, Set.of("ADDRESS")).orElseThrow().fetch()).containsExactly(
                new S3Storage.Range(0, 4), new S3Storage.Range(4 + CHUNK, 4 + 3 * CHUNK));
        assertThat(ParquetRanges.needed(tail, size, Set.of("user_id")).orElseThrow().fetch()).containsExactly(
                new S3Storage.Range(0, 4 + CHUNK));
        // a leaf's own name is no top-level column
        assertThat(ParquetRanges.needed(tail, size, Set.of("city")).orElseThrow().fetch()).containsExactly(
                new S3Storage.Range(0, 4));
    }

    @Test
    void twoColumnsOfOneNameInDifferentCaseAskForTheWholeObject() throws IOException {
        // a writer other than DuckDB may write "Notes" and "notes"; DuckDB reads the second as "notes_1", so
        // which chunks "notes" or "notes_1" reads is not the footer's to say (matching "notes" without
        // case fetched both, "notes_1" none)
        FileMetaData metadata = metadata(c -> {
            if (c.getMeta_data().getPath_in_schema().equals(List.of("segment"))) {
                c.getMeta_data().setPath_in_schema(List.of("notes"));
            }
        });
        metadata.getSchema().get(3).setName("notes");
        byte[] tail = tail(metadata);
        assertThat(ParquetRanges.needed(tail, size(tail), Set.of("notes"))).isEmpty();
        assertThat(ParquetRanges.needed(tail, size(tail), Set.of("notes_1"))).isEmpty();
        assertThat(ParquetRanges.needed(tail, size(tail), Set.of("user_id"))).isEmpty();
    }

    @Test
    void aSmallChunkOfAnotherColumnBetweenTwoNeededOnesIsFetchedWithThemButNeverWritten() throws IOException {
        // user_id 100 KB, Notes 1 KB (a column the rule does not allow), segment 100 KB: one request spans
        // all three, but Notes' bytes are dropped as they come, never written to the staging file
        long[] offset = {4};
        FileMetaData metadata = metadata(c -> {
            ColumnMetaData m = c.getMeta_data();
            long length = m.getPath_in_schema().equals(List.of("Notes")) ? 1000 : CHUNK;
            m.setData_page_offset(offset[0]);
            m.setTotal_compressed_size(length);
            c.setFile_offset(offset[0]);
            offset[0] += length;
        });
        byte[] tail = tail(metadata);
        long data = offset[0];
        long size = data + tail.length;
        ParquetRanges.Plan plan = ParquetRanges.needed(tail, size, Set.of("user_id", "segment")).orElseThrow();
        long group = 2 * CHUNK + 1000;
        assertThat(plan.fetch()).containsExactly(new S3Storage.Range(0, data));
        assertThat(plan.write()).containsExactly(new S3Storage.Range(0, 4 + CHUNK),
                new S3Storage.Range(4 + CHUNK + 1000, 4 + group + CHUNK),
                new S3Storage.Range(4 + group + CHUNK + 1000, data));
        // and what the tail holds of a gap is not copied either
        byte[] longer = new byte[tail.length + (int) (CHUNK + 1000 + 10)];
        System.arraycopy(tail, 0, longer, longer.length - tail.length, tail.length);
        ParquetRanges.Plan inTail = ParquetRanges.needed(longer, size, Set.of("user_id", "segment")).orElseThrow();
        long tailStart = size - longer.length;
        assertThat(inTail.fromTail()).containsExactly(new S3Storage.Range(tailStart, 4 + group + CHUNK),
                new S3Storage.Range(4 + group + CHUNK + 1000, data));
    }

    @Test
    void theFooterWrittenSaysNothingOfTheValuesOfColumnsNotRead() throws IOException {
        // the minimum and maximum of a column are two of its values; its bloom filter and page indexes
        // tell of the others; its key-value metadata may hold anything
        FileMetaData metadata = metadata(c -> {
            String column = c.getMeta_data().getPath_in_schema().get(0);
            c.getMeta_data().setStatistics(new org.apache.parquet.format.Statistics()
                    .setMin_value(("min of " + column).getBytes(StandardCharsets.UTF_8))
                    .setMax_value(("max of " + column).getBytes(StandardCharsets.UTF_8)));
            c.getMeta_data().setKey_value_metadata(List.of(new org.apache.parquet.format.KeyValue("note")
                    .setValue("kv of " + column)));
            c.setColumn_index_offset(c.getMeta_data().getData_page_offset() + 10);
            c.setColumn_index_length(5);
        });
        byte[] tail = tail(metadata);
        ParquetRanges.Plan plan = ParquetRanges.needed(tail, size(tail), Set.of("segment")).orElseThrow();
        assertThat(plan.footerAt()).isEqualTo(size(tail) - tail.length);
        byte[] footer = plan.footer();
        String text = new String(footer, StandardCharsets.ISO_8859_1);
        assertThat(text).contains("min of segment", "max of segment", "kv of segment")
                .doesNotContain("of user_id").doesNotContain("of Notes");
        assertThat(footer.length).isLessThan(tail.length);
        // the same file for what an engine reads of segment: its chunks and indexes are where they were
        assertThat(ParquetRanges.footerLength(footer)).isEqualTo(footer.length - 8);
        FileMetaData written = org.apache.parquet.format.Util.readFileMetaData(
                new java.io.ByteArrayInputStream(footer, 0, footer.length - 8));
        for (int g = 0; g < 2; g++) {
            ColumnChunk read = written.getRow_groups().get(g).getColumns().get(2);
            assertThat(read).isEqualTo(metadata.getRow_groups().get(g).getColumns().get(2));
            assertThat(written.getRow_groups().get(g).getColumns().get(0).getMeta_data().isSetStatistics()).isFalse();
            assertThat(written.getRow_groups().get(g).getColumns().get(1).isSetColumn_index_offset()).isFalse();
        }
        assertThat(written.getSchema()).isEqualTo(metadata.getSchema());
        // a footer that would not be written back as it was read (here: a field these classes do not know,
        // 99, a string) is kept as it is: dropping what is not understood could change what an engine reads
        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        byte[] body = java.util.Arrays.copyOfRange(tail, 0, tail.length - 8);
        unknown.write(body, 0, body.length - 1); // without the struct's stop
        unknown.write(new byte[] {0x08, (byte) 0xC6, 0x01, 0x01, 'x', 0x00});
        byte[] odd = rawTail(unknown.toByteArray());
        long oddSize = 4 + 6 * CHUNK + odd.length;
        ParquetRanges.Plan kept = ParquetRanges.needed(odd, oddSize, Set.of("segment")).orElseThrow();
        assertThat(kept.footer()).isEqualTo(odd);
    }

    @Test
    void whateverAFooterClaimsNoByteIsWrittenOutsideTheExtentsItDeclaresForTheColumnsRead() throws IOException {
        // random footers: overlapping chunks, chunks of other columns claimed inside those read, dictionary
        // offsets before or after the data, indexes and bloom filters anywhere. Whatever the plan, the bytes
        // written (fetched and kept, copied from the tail) lie in the magic, the footer, or an extent the
        // footer declares for a chunk of a column read: so an engine reading the file never finds bytes the
        // footer places in a column not read, and never more than the whole object
        java.util.Random random = new java.util.Random(20261130);
        long body = 4 + 6 * CHUNK;
        int planned = 0;
        for (int round = 0; round < 500; round++) {
            List<long[]> allowed = new ArrayList<>();
            FileMetaData metadata = metadata(c -> {
                ColumnMetaData m = c.getMeta_data();
                m.setData_page_offset(random.nextInt((int) body));
                m.setTotal_compressed_size(1 + random.nextInt((int) CHUNK));
                if (random.nextBoolean()) {
                    m.setDictionary_page_offset(random.nextInt((int) body));
                }
                if (random.nextBoolean()) {
                    c.setColumn_index_offset(random.nextInt((int) body));
                    c.setColumn_index_length(1 + random.nextInt(5000));
                }
                if (random.nextInt(4) == 0) {
                    m.setBloom_filter_offset(random.nextInt((int) body));
                    m.setBloom_filter_length(1 + random.nextInt(5000));
                }
                if (m.getPath_in_schema().equals(List.of("segment"))) {
                    long start = m.getData_page_offset();
                    if (m.isSetDictionary_page_offset() && m.getDictionary_page_offset() > 0
                            && m.getDictionary_page_offset() < start) {
                        start = m.getDictionary_page_offset();
                    }
                    allowed.add(new long[] {start, start + m.getTotal_compressed_size()});
                    if (c.isSetColumn_index_offset()) {
                        allowed.add(new long[] {c.getColumn_index_offset(),
                                c.getColumn_index_offset() + c.getColumn_index_length()});
                    }
                    if (m.isSetBloom_filter_offset()) {
                        allowed.add(new long[] {m.getBloom_filter_offset(),
                                m.getBloom_filter_offset() + m.getBloom_filter_length()});
                    }
                }
            });
            byte[] footer = tail(metadata);
            // a tail that reaches back into the data, sometimes
            byte[] tail = new byte[footer.length + random.nextInt(3) * 20_000];
            System.arraycopy(footer, 0, tail, tail.length - footer.length, footer.length);
            long size = body + footer.length;
            java.util.Optional<ParquetRanges.Plan> plan = ParquetRanges.needed(tail, size, Set.of("segment"));
            if (plan.isEmpty()) {
                continue;
            }
            planned++;
            allowed.add(new long[] {0, 4});
            List<S3Storage.Range> written = new ArrayList<>(plan.get().write());
            written.addAll(plan.get().fromTail());
            for (S3Storage.Range r : written) {
                // every byte of r lies in the union of the allowed extents
                long at = r.start();
                while (at < r.end()) {
                    long reach = -1;
                    for (long[] a : allowed) {
                        if (a[0] <= at && at < a[1]) {
                            reach = Math.max(reach, a[1]);
                        }
                    }
                    assertThat(reach).as("round %d: byte %d of %s", round, at, r).isGreaterThan(at);
                    at = reach;
                }
            }
            // the requests cover what is written, within the object
            for (S3Storage.Range w : plan.get().write()) {
                assertThat(plan.get().fetch()).anyMatch(f -> f.start() <= w.start() && w.end() <= f.end());
            }
            assertThat(plan.get().fetch()).allMatch(f -> f.end() <= size);
            assertThat(plan.get().footerAt()).isEqualTo(size - footer.length);
        }
        assertThat(planned).as("footers planned").isGreaterThan(50);
    }
}
