package io.cleanroom.engine.duckdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchGzIT {
    @TempDir
    Path dir;

    @Test
    void gz() throws Exception {
        Path file = dir.resolve("t.csv.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("k,v\na,1\nb,2\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Path plain = dir.resolve("7");
        Files.copy(file, plain);
        try (var ch = java.nio.channels.FileChannel.open(file); Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement()) {
            Path fd = null;
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path p : fds.toList()) {
                    try {
                        if (Files.readSymbolicLink(p).equals(file)) { fd = p; }
                    } catch (Exception e) { }
                }
            }
            for (Path p : new Path[] {plain, fd}) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM read_csv('" + p + "', header = true, all_varchar = true)")) {
                    while (rs.next()) {
                        System.out.println(p + " ROW " + rs.getString(1) + " | " + rs.getMetaData().getColumnName(1));
                    }
                } catch (Exception e) {
                    System.out.println(p + " ERR " + e.getMessage());
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT * FROM read_csv('" + plain + "', header = true, all_varchar = true, compression = 'gzip')")) {
                while (rs.next()) System.out.println("explicit ROW " + rs.getString(1));
            }
        }
    }
}
