package io.cleanroom.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.ProtectedQueryId;
import io.cleanroom.core.service.SecretSealer;
import io.cleanroom.engine.spi.ResultSink;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Query results at rest: each result is encrypted with AES-256-GCM under its own random key, and
 * that key is stored sealed by the server's master key. A result appears under its final name
 * only once complete (written aside, then moved), so a crash never leaves a partial result readable.
 */
public final class ResultStore {
    private static final int NONCE_BYTES = 12;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path directory;
    private final SecretSealer sealer;
    private final SecureRandom random = new SecureRandom();

    public ResultStore(Path directory, SecretSealer sealer) {
        this.directory = requireNonNull(directory, "directory is null");
        this.sealer = requireNonNull(sealer, "sealer is null");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw CleanroomException.internal("cannot create the results directory", e);
        }
    }

    /** Collects a result in memory as the engine produces it, up to a number of rows. */
    static final class Collector implements ResultSink {
        final List<ResultSink.Column> columns = new ArrayList<>();
        final ArrayNode rows = MAPPER.createArrayNode();
        private final long maxRows;

        Collector(long maxRows) {
            this.maxRows = maxRows;
        }

        @Override
        public void columns(List<ResultSink.Column> c) {
            columns.addAll(c);
        }

        @Override
        public void row(List<Object> values) {
            if (rows.size() >= maxRows) {
                throw CleanroomException.of(io.cleanroom.core.ErrorCode.QUERY_FAILED, "The result has more than "
                        + maxRows + " rows; narrow the query (the server's limit is --max-result-rows)");
            }
            ArrayNode row = rows.addArray();
            for (Object v : values) {
                if (v == null) {
                    row.addNull();
                } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                    row.add(((Number) v).longValue());
                } else if (v instanceof BigDecimal d) {
                    row.add(d);
                } else if (v instanceof java.math.BigInteger b) {
                    row.add(new BigDecimal(b));
                } else if (v instanceof Double || v instanceof Float) {
                    row.add(((Number) v).doubleValue());
                } else if (v instanceof Boolean b) {
                    row.add(b);
                } else {
                    row.add(String.valueOf(v));
                }
            }
        }

        ObjectNode toJson() {
            ObjectNode out = MAPPER.createObjectNode();
            ArrayNode cols = out.putArray("columns");
            columns.forEach(c -> cols.addObject().put("name", c.name()).put("type", c.type()));
            out.set("rows", rows);
            return out;
        }
    }

    private Path file(ProtectedQueryId id) {
        return directory.resolve(id.value() + ".result");
    }

    void write(ProtectedQueryId id, ObjectNode result) {
        Path tmp = directory.resolve(id.value() + ".partial");
        try {
            byte[] key = new byte[32];
            random.nextBytes(key);
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(id.value().getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(MAPPER.writeValueAsBytes(result));
            byte[] wrapped = sealer.seal(Base64.getEncoder().encodeToString(key)).getBytes(StandardCharsets.UTF_8);
            try (OutputStream raw = Files.newOutputStream(tmp); DataOutputStream out = new DataOutputStream(raw)) {
                out.writeInt(wrapped.length);
                out.write(wrapped);
                out.write(nonce);
                out.write(sealed);
            }
            restrict(tmp);
            Files.move(tmp, file(id), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | GeneralSecurityException e) {
            throw CleanroomException.internal("cannot store the result of query " + id, e);
        }
    }

    JsonNode read(ProtectedQueryId id) {
        Path file = file(id);
        if (!Files.exists(file)) {
            throw CleanroomException.internal("the result of query " + id + " is missing", null);
        }
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] wrapped = new byte[in.readInt()];
            in.readFully(wrapped);
            byte[] nonce = new byte[NONCE_BYTES];
            in.readFully(nonce);
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            in.transferTo(rest);
            byte[] key = Base64.getDecoder().decode(sealer.open(new String(wrapped, StandardCharsets.UTF_8)));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(id.value().getBytes(StandardCharsets.UTF_8));
            return MAPPER.readTree(cipher.doFinal(rest.toByteArray()));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw CleanroomException.internal("cannot read the result of query " + id, e);
        }
    }

    /** Only the server's own user may read a result file. */
    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more to do
        }
    }

    /** Removes results that were being written when the server stopped. */
    void removePartials() {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw CleanroomException.internal("cannot clean the results directory", e);
        }
    }
}
