/**
 * The Apache Spark engine. Two halves in two processes: {@link io.cleanroom.engine.spark.SparkEngine}
 * (in the server; JDK and engine SPI only) stages each query's pinned files and talks over a Unix
 * socket ({@code Wire}) to {@code SparkDriver} (a JVM of its own with Spark on its class path),
 * which checks the SQL once more with Spark's parser ({@code SqlGate}), binds the query's tables as
 * typed views in a fresh session and streams the result back.
 */
package io.cleanroom.engine.spark;
