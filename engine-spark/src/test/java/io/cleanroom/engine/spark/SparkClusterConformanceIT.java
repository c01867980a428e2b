package io.cleanroom.engine.spark;

import java.util.Map;

/**
 * The engine conformance suite on a real Spark standalone cluster: a master and two workers, each
 * a JVM of its own on 127.0.0.1, whose executors (more JVMs) read each query's staged copies of its
 * pinned files. Started before the suite, stopped after it.
 */
class SparkClusterConformanceIT extends SparkConformance {
    private StandaloneCluster cluster;

    @Override
    Map<String, String> settings() throws Exception {
        cluster = StandaloneCluster.start(2);
        // wait for both executors (one core each) before the driver says it is ready
        return Map.of("master", cluster.masterUrl(), "executor-memory", "768m", "spark.cores.max", "2");
    }

    @Override
    void afterSpark() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
