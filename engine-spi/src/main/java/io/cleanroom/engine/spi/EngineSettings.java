package io.cleanroom.engine.spi;

import java.util.Map;
import java.util.Optional;

/**
 * An engine's settings, as the operator gave them (server options and environment), by name:
 * for example {@code memory}, {@code threads}, {@code master}. Each engine documents its own.
 */
public record EngineSettings(Map<String, String> values) {
    public EngineSettings {
        values = Map.copyOf(values);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int getInt(String name, int fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("engine setting " + name + " must be a whole number, not " + value);
        }
    }
}
