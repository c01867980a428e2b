package io.cleanroom.engine.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.engine.spi.EngineSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkSettingsTest {
    @Test
    void defaultsRunEmbeddedSparkInLocalMode() {
        SparkSettings settings = SparkSettings.from(new EngineSettings(Map.of()));
        assertThat(settings.master()).isEqualTo("local[2]");
        assertThat(settings.local()).isTrue();
        assertThat(settings.classpath()).as("the build records Spark's jars").contains("spark-sql_2.13");
        assertThat(settings.classpath()).as("none of Cleanroom's own modules").doesNotContain("cleanroom-");
    }

    @Test
    void theOperatorChoosesTheClusterButNotTheSettingsQueriesRelyOn() {
        Map<String, String> conf = SparkSettings.from(new EngineSettings(Map.of("master", "spark://10.0.0.5:7077",
                "executor-memory", "4g", "executor-cores", "3", "spark.kubernetes.namespace", "cleanroom",
                "spark.sql.ansi.enabled", "true", "spark.sql.runSQLOnFiles", "true", "spark.ui.enabled", "true",
                "spark.sql.variable.substitute", "true",
                "spark.locality.wait", "3s"))).sparkConf(Path.of("/tmp/x"));
        assertThat(conf).containsEntry("spark.master", "spark://10.0.0.5:7077")
                .containsEntry("spark.executor.memory", "4g").containsEntry("spark.executor.cores", "3")
                .containsEntry("spark.kubernetes.namespace", "cleanroom").containsEntry("spark.locality.wait", "3s");
        // no error oracle, no files as tables, no UI, no variables substituted in a query's text
        assertThat(conf).containsEntry("spark.sql.ansi.enabled", "false")
                .containsEntry("spark.sql.runSQLOnFiles", "false").containsEntry("spark.ui.enabled", "false")
                .containsEntry("spark.sql.variable.substitute", "false");
    }

    @Test
    void wholeNumbersAreRequiredWhereTheyAreExpected() {
        assertThatThrownBy(() -> SparkSettings.from(new EngineSettings(Map.of("executor-cores", "two"))))
                .hasMessageContaining("executor-cores");
        assertThatThrownBy(() -> SparkSettings.from(new EngineSettings(Map.of("executor-cores", "0"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
