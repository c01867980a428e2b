package io.cleanroom.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link RawSpark} in a JVM of its own, on Spark's jars. */
final class RawSparkProcess implements AutoCloseable {
    private final Process process;
    private final java.io.BufferedWriter in;
    private final java.io.BufferedReader out;

    private RawSparkProcess(Process process) {
        this.process = process;
        this.in = new java.io.BufferedWriter(new java.io.OutputStreamWriter(process.getOutputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        this.out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    static RawSparkProcess start(Path dir, String master, String partitions, String memory) throws Exception {
        // RawSpark's class, out of this jar, beside Spark's jars (the ones engine-spark's build recorded)
        Path classes = dir.resolve("classes");
        Path file = classes.resolve(RawSpark.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(file.getParent());
        try (java.io.InputStream bytes = QueryBench.class.getClassLoader().getResourceAsStream(
                RawSpark.class.getName().replace('.', '/') + ".class")) {
            Files.copy(bytes, file);
        }
        java.util.Properties recorded = new java.util.Properties();
        try (java.io.InputStream p = QueryBench.class.getClassLoader().getResourceAsStream(
                "io/cleanroom/engine/spark/driver.properties")) {
            recorded.load(p);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + memory));
        for (String pkg : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
                "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
                "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
            String module = pkg.startsWith("java.") || pkg.startsWith("jdk.") || pkg.startsWith("sun.")
                    ? "java.base" : pkg;
            command.add("--add-opens=" + module + "/" + pkg + "=ALL-UNNAMED");
        }
        command.addAll(List.of("-Djdk.reflect.useDirectMethodHandle=false", "-cp", classes
                + java.io.File.pathSeparator + recorded.getProperty("classpath"), RawSpark.class.getName(),
                master, partitions));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve("raw-spark.log").toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        RawSparkProcess raw = new RawSparkProcess(builder.start());
        String ready = raw.out.readLine();
        if (!"READY".equals(ready)) {
            raw.close();
            throw new IllegalStateException("RawSpark did not start; see " + dir.resolve("raw-spark.log"));
        }
        return raw;
    }

    /** Runs the SQL over the files as views in a fresh session; milliseconds. */
    double run(Map<String, Path> views, String sql) throws Exception {
        for (Map.Entry<String, Path> view : views.entrySet()) {
            in.write("VIEW " + view.getKey() + " " + view.getValue() + "\n");
        }
        in.write("RUN " + sql + "\n");
        in.flush();
        String answer = out.readLine();
        if (answer == null || !answer.startsWith("MS ")) {
            throw new IllegalStateException("RawSpark answered " + answer);
        }
        return Double.parseDouble(answer.split(" ")[1]);
    }

    @Override
    public void close() throws Exception {
        in.close();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
