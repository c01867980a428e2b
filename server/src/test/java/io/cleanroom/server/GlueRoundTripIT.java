package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.InvalidInputException;
import software.amazon.awssdk.services.glue.model.Order;
import software.amazon.awssdk.services.glue.model.SchemaId;
import software.amazon.awssdk.services.glue.model.SchemaReference;
import software.amazon.awssdk.services.glue.model.SerDeInfo;
import software.amazon.awssdk.services.glue.model.SkewedInfo;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;

/**
 * Glue round trips, through the SDK's Glue client against a running server: for random valid
 * TableInputs (every member of the model Cleanroom serves, nested SerDe info, parameter maps,
 * partition keys, skew, sort and schema references), GetTable and GetTables answer exactly what
 * CreateTable and then UpdateTable sent, plus only what Glue adds (DatabaseName, CreateTime,
 * UpdateTime, CatalogId, IsRegisteredWithLakeFormation), and the name folded to lower case.
 */
class GlueRoundTripIT {
    private static TestCluster cluster;
    private static GlueClient glue;
    private static String account;
    private static Path data;
    private static final AtomicInteger SERIAL = new AtomicInteger();

    @BeforeContainer
    static void start() throws Exception {
        cluster = TestCluster.start(TestCluster.StoreKind.SQLITE);
        TestCluster.Keys keys = Fixtures.account(cluster, "catalog");
        account = keys.accountId();
        data = cluster.csv(keys, "data.csv", List.of("id,name", "1,a", "2,b"));
        glue = cluster.glue(keys);
        glue.createDatabase(r -> r.databaseInput(d -> d.name("db")));
    }

    @AfterContainer
    static void stop() {
        if (glue != null) {
            glue.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---- generators: valid inputs for the Glue model and for Cleanroom (a location in the data root) ----

    /** Text of one line: printable ASCII, letters beyond it, tabs, and characters beyond the BMP. */
    private static Arbitrary<String> line(int min, int max) {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('é', 'ß', '中', '\t', '\u00a0')
                .ofMinLength(min).ofMaxLength(max)
                .map(GlueRoundTripIT::astral);
    }

    /** Text over several lines. */
    private static Arbitrary<String> text(int max) {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('é', '中', '\n', '\r', '\t')
                .ofMaxLength(max)
                .map(GlueRoundTripIT::astral);
    }

    /** Two CJK characters in a row become one emoji (a surrogate pair): the same length in chars. */
    private static String astral(String s) {
        return s.replace("中中", "\uD83D\uDE00");
    }

    private static <T> Arbitrary<T> maybe(Arbitrary<T> a) {
        return a.injectNull(0.3);
    }

    private static Arbitrary<Map<String, String>> parameters() {
        return Arbitraries.maps(line(1, 20), text(40)).ofMaxSize(5);
    }

    private static Arbitrary<Instant> time() {
        return Arbitraries.longs().between(946_684_800_000L, 4_102_444_800_000L).map(Instant::ofEpochMilli);
    }

    /** A column as Glue allows it: any one-line name, optional type, comment and parameters. */
    private static Arbitrary<Column> glueColumn() {
        return Combinators.combine(line(1, 30), maybe(line(0, 30)), maybe(line(0, 40)), maybe(parameters()))
                .as((name, type, comment, parameters) -> Column.builder().name(name).type(type).comment(comment)
                        .parameters(parameters).build());
    }

    /** Columns Cleanroom reads: names of its column pattern, distinct. */
    private static Arbitrary<List<Column>> tableColumns() {
        Arbitrary<String> name = Arbitraries.strings().withCharRange('a', 'z').withChars('_').ofMinLength(1)
                .ofMaxLength(12);
        Arbitrary<String> type = Arbitraries.of("string", "bigint", "double", "date", "boolean", "varchar(10)",
                "STRING", "decimal(10,2)");
        return Combinators.combine(name, maybe(type), maybe(line(0, 40)), maybe(parameters()))
                .as((n, t, comment, parameters) -> Column.builder().name(n).type(t).comment(comment)
                        .parameters(parameters).build())
                .list().ofMinSize(1).ofMaxSize(6).uniqueElements(Column::name);
    }

    private static Arbitrary<SerDeInfo> serDe() {
        return Combinators.combine(maybe(line(1, 40)), maybe(line(1, 60)), maybe(parameters()))
                .as((name, library, parameters) -> SerDeInfo.builder().name(name).serializationLibrary(library)
                        .parameters(parameters).build());
    }

    private static Arbitrary<SkewedInfo> skew() {
        return Combinators.combine(maybe(line(1, 20).list().ofMaxSize(3)), maybe(text(20).list().ofMaxSize(3)),
                maybe(Arbitraries.maps(text(20), text(40)).ofMaxSize(3)))
                .as((names, values, maps) -> SkewedInfo.builder().skewedColumnNames(names).skewedColumnValues(values)
                        .skewedColumnValueLocationMaps(maps).build());
    }

    private static Arbitrary<SchemaReference> schemaReference() {
        Arbitrary<SchemaId> id = Combinators.combine(maybe(line(1, 80)), maybe(line(1, 40)), maybe(line(1, 40)))
                .as((arn, name, registry) -> SchemaId.builder().schemaArn(arn).schemaName(name).registryName(registry)
                        .build());
        return Combinators.combine(maybe(id), maybe(Arbitraries.create(() -> UUID.randomUUID().toString())),
                maybe(Arbitraries.longs().between(1, 100_000)))
                .as((schema, version, number) -> SchemaReference.builder().schemaId(schema).schemaVersionId(version)
                        .schemaVersionNumber(number).build());
    }

    private static Arbitrary<StorageDescriptor> storage() {
        Arbitrary<Order> order = Combinators.combine(line(1, 20), Arbitraries.integers().between(0, 1))
                .as((column, sort) -> Order.builder().column(column).sortOrder(sort).build());
        Arbitrary<StorageDescriptor.Builder> first = Combinators.combine(maybe(tableColumns()),
                maybe(text(60).list().ofMaxSize(3)), maybe(line(0, 128)), maybe(line(0, 128)),
                maybe(Arbitraries.of(true, false)), maybe(Arbitraries.integers().between(-1, 1000)),
                maybe(serDe()), maybe(line(1, 20).list().ofMaxSize(3)))
                .as((columns, additional, input, output, compressed, buckets, serde, bucketColumns) ->
                        StorageDescriptor.builder().columns(columns).location(data.toString())
                                .additionalLocations(additional).inputFormat(input).outputFormat(output)
                                .compressed(compressed).numberOfBuckets(buckets).serdeInfo(serde)
                                .bucketColumns(bucketColumns));
        return Combinators.combine(first, maybe(order.list().ofMaxSize(3)), maybe(parameters()), maybe(skew()),
                maybe(Arbitraries.of(true, false)), maybe(schemaReference()))
                .as((builder, sort, parameters, skewed, subDirectories, schema) -> builder.sortColumns(sort)
                        .parameters(parameters).skewedInfo(skewed).storedAsSubDirectories(subDirectories)
                        .schemaReference(schema).build());
    }

    @Provide
    Arbitrary<TableInput> tableInputs() {
        Arbitrary<String> suffix = Arbitraries.strings().withCharRange('a', 'z').withChars('0', '9', '_', '-')
                .ofMaxLength(20);
        Arbitrary<TableInput.Builder> first = Combinators.combine(suffix, maybe(text(200)), maybe(line(1, 40)),
                maybe(time()), maybe(time()), maybe(Arbitraries.integers().between(0, 1_000_000)), storage(),
                maybe(glueColumn().list().ofMaxSize(3)))
                .as((name, description, owner, accessed, analyzed, retention, storage, partitionKeys) ->
                        TableInput.builder().name("t" + name).description(description).owner(owner)
                                .lastAccessTime(accessed).lastAnalyzedTime(analyzed).retention(retention)
                                .storageDescriptor(storage).partitionKeys(partitionKeys));
        Arbitrary<String> classification = Arbitraries.of("csv", "CSV", "parquet", "json");
        return Combinators.combine(first, maybe(text(200)), maybe(text(200)),
                maybe(Arbitraries.of("EXTERNAL_TABLE", "VIRTUAL_VIEW", "GOVERNED", "")), maybe(parameters()),
                classification)
                .as((builder, original, expanded, type, parameters, format) -> {
                    TableInput partial = builder.viewOriginalText(original).viewExpandedText(expanded).tableType(type)
                            .build();
                    // without columns Cleanroom infers them from the data, a CSV file
                    boolean inferred = !partial.storageDescriptor().hasColumns();
                    Map<String, String> withFormat = new LinkedHashMap<>(parameters == null ? Map.of() : parameters);
                    withFormat.put("classification", inferred ? "csv" : format);
                    return partial.toBuilder().parameters(withFormat).build();
                });
    }

    // ---- the property ----

    /** The table as Glue answers it for this input: what was sent, plus only what Glue adds. */
    private static void assertAnswersAsSent(Table table, TableInput sent, String name) {
        assertThat(table.name()).isEqualTo(name);
        assertThat(table.description()).isEqualTo(sent.description());
        assertThat(table.owner()).isEqualTo(sent.owner());
        assertThat(table.lastAccessTime()).isEqualTo(sent.lastAccessTime());
        assertThat(table.lastAnalyzedTime()).isEqualTo(sent.lastAnalyzedTime());
        assertThat(table.retention()).isEqualTo(sent.retention());
        assertThat(table.storageDescriptor()).isEqualTo(sent.storageDescriptor());
        assertThat(table.partitionKeys()).isEqualTo(sent.partitionKeys());
        assertThat(table.hasPartitionKeys()).isEqualTo(sent.hasPartitionKeys());
        assertThat(table.storageDescriptor().hasColumns()).isEqualTo(sent.storageDescriptor().hasColumns());
        assertThat(table.viewOriginalText()).isEqualTo(sent.viewOriginalText());
        assertThat(table.viewExpandedText()).isEqualTo(sent.viewExpandedText());
        assertThat(table.tableType()).isEqualTo(sent.tableType());
        assertThat(table.parameters()).isEqualTo(sent.parameters());
        // what Glue adds
        assertThat(table.databaseName()).isEqualTo("db");
        assertThat(table.catalogId()).isEqualTo(account);
        assertThat(table.isRegisteredWithLakeFormation()).isFalse();
        assertThat(table.createTime()).isNotNull();
        assertThat(table.updateTime()).isNotNull();
        // and nothing else
        Table expected = Table.builder().name(name).description(sent.description()).owner(sent.owner())
                .lastAccessTime(sent.lastAccessTime()).lastAnalyzedTime(sent.lastAnalyzedTime())
                .retention(sent.retention()).storageDescriptor(sent.storageDescriptor())
                .partitionKeys(sent.partitionKeys()).viewOriginalText(sent.viewOriginalText())
                .viewExpandedText(sent.viewExpandedText()).tableType(sent.tableType()).parameters(sent.parameters())
                .databaseName("db").catalogId(account).isRegisteredWithLakeFormation(false)
                .createTime(table.createTime()).updateTime(table.updateTime()).build();
        assertThat(table).isEqualTo(expected);
    }

    @Property(tries = 150)
    void getTableAnswersWhatCreateAndUpdateTableSent(@ForAll("tableInputs") TableInput created,
            @ForAll("tableInputs") TableInput updated) {
        String name = created.name() + "_" + SERIAL.incrementAndGet();
        TableInput create = created.toBuilder().name(name).build();
        glue.createTable(r -> r.databaseName("db").tableInput(create));
        Table first = glue.getTable(r -> r.databaseName("db").name(name)).table();
        assertAnswersAsSent(first, create, name);
        Table listed = glue.getTables(r -> r.databaseName("db").expression(java.util.regex.Pattern.quote(name)))
                .tableList().get(0);
        assertThat(listed).isEqualTo(first);

        TableInput update = updated.toBuilder().name(name).build();
        glue.updateTable(r -> r.databaseName("db").tableInput(update));
        Table second = glue.getTable(r -> r.databaseName("db").name(name)).table();
        assertAnswersAsSent(second, update, name);
        assertThat(second.createTime()).isEqualTo(first.createTime());
        glue.deleteTable(r -> r.databaseName("db").name(name));
    }

    @Example
    void theNameIsFoldedToLowerCaseAsGlueStoresIt() {
        TableInput input = TableInput.builder().name("MixedCase_" + SERIAL.incrementAndGet())
                .parameters(Map.of("classification", "csv"))
                .storageDescriptor(sd -> sd.location(data.toString())).build();
        glue.createTable(r -> r.databaseName("db").tableInput(input));
        String name = input.name().toLowerCase(java.util.Locale.ROOT);
        Table table = glue.getTable(r -> r.databaseName("db").name(input.name())).table();
        assertThat(table.name()).isEqualTo(name);
        assertThat(table.parameters()).isEqualTo(Map.of("classification", "csv"));
        assertThat(table.storageDescriptor().hasColumns()).isFalse();
        glue.deleteTable(r -> r.databaseName("db").name(name));
    }

    @Example
    void membersCleanroomDoesNotServeAreRefusedNotDropped() {
        for (TableInput refused : List.of(
                TableInput.builder().name("link").targetTable(t -> t.catalogId("111111111111").databaseName("d")
                        .name("t")).storageDescriptor(sd -> sd.location(data.toString()))
                        .parameters(Map.of("classification", "csv")).build(),
                TableInput.builder().name("view").viewDefinition(v -> v.definer("arn:aws:iam::1:role/r"))
                        .storageDescriptor(sd -> sd.location(data.toString()))
                        .parameters(Map.of("classification", "csv")).build())) {
            InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                    () -> glue.createTable(r -> r.databaseName("db").tableInput(refused)));
            assertThat(e).as(refused.name()).isNotNull();
            assertThat(e.getMessage()).contains("is not supported");
        }
        InvalidInputException noLocation = catchThrowableOfType(InvalidInputException.class,
                () -> glue.createTable(r -> r.databaseName("db").tableInput(t -> t.name("nowhere")
                        .parameters(Map.of("classification", "csv")))));
        assertThat(noLocation.getMessage()).contains("StorageDescriptor.Location");
    }
}
