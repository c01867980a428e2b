package io.cleanroom.engine.spark;

import static java.util.Objects.requireNonNull;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The small protocol between the engine in the server and the Spark driver process, over a Unix
 * domain socket in a directory only the server's user can enter. One connection per query: the
 * engine sends a {@link Request}; the driver answers the result's columns, its rows one by one, and
 * an end or an error category (never a message of Spark's, which could quote data); meanwhile the
 * engine may send {@link #CANCEL} or close the connection, which cancels the query's job group.
 * Uses nothing but the JDK, as both processes load it.
 */
final class Wire {
    static final int MAGIC = 0x43525331;
    /** Instead of a query: how many Spark jobs are running (the driver answers one int and closes). */
    static final int STATUS = 0x43525353;

    static final byte COLUMNS = 1;
    static final byte ROW = 2;
    static final byte END = 3;
    static final byte ERROR = 4;
    static final byte CANCEL = 9;

    /** Why a query failed, as the driver reports it: a category, never Spark's text. */
    enum Failure {
        CANCELLED, OUT_OF_MEMORY, REFUSED, TOO_MANY_ROWS, FILES, FAILED
    }

    /** A column of a bound table: its name and its type (a ColumnType kind, with precision and scale). */
    record Column(String name, String kind, int precision, int scale) {
        Column {
            requireNonNull(name, "name is null");
            requireNonNull(kind, "kind is null");
        }
    }

    /**
     * A bound table: its name in the query, its data format, its (staged) files and its allowed
     * columns; for a partitioned table, its partition columns and, per file, their values as text
     * (null for none).
     */
    record Table(String name, String format, List<String> files, List<Column> columns, List<String> partitionColumns,
            List<List<String>> partitionValues) {
        Table {
            requireNonNull(name, "name is null");
            requireNonNull(format, "format is null");
            files = List.copyOf(files);
            columns = List.copyOf(columns);
            partitionColumns = List.copyOf(partitionColumns);
            List<List<String>> values = new ArrayList<>();
            for (List<String> v : partitionValues) {
                values.add(java.util.Collections.unmodifiableList(new ArrayList<>(v)));
            }
            partitionValues = List.copyOf(values);
        }

        Table(String name, String format, List<String> files, List<Column> columns) {
            this(name, format, files, columns, List.of(), List.of());
        }
    }

    /** A query: its job group, SQL, tables and the most rows its result may have. */
    record Request(String group, String sql, List<Table> tables, long maxRows) {
        Request {
            requireNonNull(group, "group is null");
            requireNonNull(sql, "sql is null");
            tables = List.copyOf(tables);
        }
    }

    private Wire() {
    }

    static void writeRequest(DataOutputStream out, Request r) throws IOException {
        out.writeInt(MAGIC);
        writeString(out, r.group());
        writeString(out, r.sql());
        out.writeLong(r.maxRows());
        out.writeInt(r.tables().size());
        for (Table t : r.tables()) {
            writeString(out, t.name());
            writeString(out, t.format());
            out.writeInt(t.files().size());
            for (String f : t.files()) {
                writeString(out, f);
            }
            out.writeInt(t.columns().size());
            for (Column c : t.columns()) {
                writeString(out, c.name());
                writeString(out, c.kind());
                out.writeInt(c.precision());
                out.writeInt(c.scale());
            }
            out.writeInt(t.partitionColumns().size());
            for (String p : t.partitionColumns()) {
                writeString(out, p);
            }
            out.writeInt(t.partitionValues().size());
            for (List<String> values : t.partitionValues()) {
                for (String v : values) {
                    out.writeBoolean(v != null);
                    if (v != null) {
                        writeString(out, v);
                    }
                }
            }
        }
        out.flush();
    }

    static Request readRequest(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Cleanroom engine request");
        }
        return readRequestBody(in);
    }

    /** A request whose first int, {@link #MAGIC}, was read already. */
    static Request readRequestBody(DataInputStream in) throws IOException {
        String group = readString(in);
        String sql = readString(in);
        long maxRows = in.readLong();
        int tables = in.readInt();
        List<Table> out = new ArrayList<>();
        for (int i = 0; i < tables; i++) {
            String name = readString(in);
            String format = readString(in);
            int n = in.readInt();
            List<String> files = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                files.add(readString(in));
            }
            int m = in.readInt();
            List<Column> columns = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                columns.add(new Column(readString(in), readString(in), in.readInt(), in.readInt()));
            }
            int p = in.readInt();
            List<String> partitionColumns = new ArrayList<>();
            for (int j = 0; j < p; j++) {
                partitionColumns.add(readString(in));
            }
            int rows = in.readInt();
            List<List<String>> partitionValues = new ArrayList<>();
            for (int j = 0; j < rows; j++) {
                List<String> values = new ArrayList<>();
                for (int k = 0; k < p; k++) {
                    values.add(in.readBoolean() ? readString(in) : null);
                }
                partitionValues.add(values);
            }
            out.add(new Table(name, format, files, columns, partitionColumns, partitionValues));
        }
        return new Request(group, sql, out, maxRows);
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative length");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /**
     * Writes one value of a result row. Dates travel as days, timestamps (without time zone) as
     * seconds and nanoseconds, decimals as unscaled bytes and scale.
     */
    static void writeValue(DataOutputStream out, Object v) throws IOException {
        if (v == null) {
            out.writeByte(0);
        } else if (v instanceof Long l) {
            out.writeByte(1);
            out.writeLong(l);
        } else if (v instanceof Integer i) {
            out.writeByte(2);
            out.writeInt(i);
        } else if (v instanceof Short s) {
            out.writeByte(3);
            out.writeShort(s);
        } else if (v instanceof Byte b) {
            out.writeByte(4);
            out.writeByte(b);
        } else if (v instanceof Double d) {
            out.writeByte(5);
            out.writeDouble(d);
        } else if (v instanceof Float f) {
            out.writeByte(6);
            out.writeFloat(f);
        } else if (v instanceof Boolean b) {
            out.writeByte(7);
            out.writeBoolean(b);
        } else if (v instanceof BigDecimal d) {
            out.writeByte(9);
            byte[] unscaled = d.unscaledValue().toByteArray();
            out.writeInt(d.scale());
            out.writeInt(unscaled.length);
            out.write(unscaled);
        } else if (v instanceof LocalDate d) {
            out.writeByte(10);
            out.writeLong(d.toEpochDay());
        } else if (v instanceof LocalDateTime t) {
            out.writeByte(11);
            out.writeLong(t.toEpochSecond(ZoneOffset.UTC));
            out.writeInt(t.getNano());
        } else if (v instanceof byte[] bytes) {
            out.writeByte(12);
            out.writeInt(bytes.length);
            out.write(bytes);
        } else {
            out.writeByte(8);
            writeString(out, String.valueOf(v));
        }
    }

    /**
     * Reads one value as the engine hands it to its sink, of the Java types DuckDB's JDBC driver
     * gives (timestamps as {@link java.sql.Timestamp}), so that results read the same on either engine.
     */
    static Object readValue(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case 0 -> null;
            case 1 -> in.readLong();
            case 2 -> in.readInt();
            case 3 -> in.readShort();
            case 4 -> in.readByte();
            case 5 -> in.readDouble();
            case 6 -> in.readFloat();
            case 7 -> in.readBoolean();
            case 8 -> readString(in);
            case 9 -> {
                int scale = in.readInt();
                int n = in.readInt();
                yield new BigDecimal(new BigInteger(in.readNBytes(n)), scale);
            }
            case 10 -> LocalDate.ofEpochDay(in.readLong());
            case 11 -> {
                long seconds = in.readLong();
                int nanos = in.readInt();
                yield java.sql.Timestamp.valueOf(LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC));
            }
            case 12 -> in.readNBytes(in.readInt());
            default -> throw new IOException("unknown value tag " + tag);
        };
    }

    /**
     * Streams over a socket channel that a reader and a writer thread use at once. (The JDK's
     * Channels.newInputStream/newOutputStream hold the channel's blocking lock while they wait, so
     * a pending read would stop every write.)
     */
    static InputStream input(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    static OutputStream output(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        };
    }

    /** Reads a byte, or -1 at the end of the stream. */
    static int readByteOrEnd(DataInputStream in) throws IOException {
        try {
            return in.readUnsignedByte();
        } catch (EOFException e) {
            return -1;
        }
    }
}
