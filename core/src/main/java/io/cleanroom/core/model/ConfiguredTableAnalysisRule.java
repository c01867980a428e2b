package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** The one analysis rule of a configured table. */
public record ConfiguredTableAnalysisRule(
        ConfiguredTableId configuredTableId,
        AnalysisRulePolicy policy,
        Instant createTime,
        Instant updateTime) {
    public ConfiguredTableAnalysisRule {
        requireNonNull(configuredTableId, "configuredTableId is null");
        requireNonNull(policy, "policy is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(updateTime, "updateTime is null");
    }

    public AnalysisRuleType type() {
        return policy.type();
    }
}
