package io.cleanroom.engine.spark;

import java.util.Map;

/** The engine conformance suite on Spark in local mode (local[2]: the driver process runs the tasks). */
class SparkLocalConformanceIT extends SparkConformance {
    @Override
    Map<String, String> settings() {
        return Map.of("master", "local[2]");
    }
}
