package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

/** A typed parameter of an analysis template; defaultValue may be null. */
public record AnalysisParameter(String name, ParameterType type, String defaultValue) {
    public AnalysisParameter {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }
}
