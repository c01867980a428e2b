package io.cleanroom.engine.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTest {
    @Test
    void requestsRoundTrip() throws Exception {
        Wire.Request request = new Wire.Request("g-1", "SELECT `k` FROM `t`", List.of(new Wire.Table("t", "CSV",
                List.of("/s/q/t0/part-0.csv"), List.of(new Wire.Column("k", "DECIMAL", 10, 2)))), 42);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Wire.writeRequest(new DataOutputStream(bytes), request);
        assertThat(Wire.readRequest(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                .isEqualTo(request);
    }

    @Test
    void valuesArriveAsTheTypesDuckDbsDriverGives() throws Exception {
        List<Object> values = Arrays.asList(null, 5L, 7, (short) 3, (byte) 2, 2.5, 1.25f, true, "text",
                new BigDecimal("-12345678901234567890.125"), LocalDate.of(2024, 3, 1),
                LocalDateTime.of(1999, 12, 31, 23, 59, 59, 123_000_000));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (Object v : values) {
            Wire.writeValue(out, v);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
        List<Object> read = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            read.add(Wire.readValue(in));
        }
        assertThat(read.subList(0, 11)).isEqualTo(values.subList(0, 11));
        // timestamps as java.sql.Timestamp, as DuckDB's JDBC driver gives them
        assertThat(read.get(11)).isEqualTo(java.sql.Timestamp.valueOf(LocalDateTime.of(1999, 12, 31, 23, 59, 59,
                123_000_000)));
        assertThat(in.available()).isZero();
    }
}
