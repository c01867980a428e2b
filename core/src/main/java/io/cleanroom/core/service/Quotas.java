package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import java.util.EnumMap;
import java.util.Map;

/** The value of every {@link Quota}: AWS's defaults unless the operator set others. */
public final class Quotas {
    private final Map<Quota, Integer> values;

    private Quotas(Map<Quota, Integer> values) {
        this.values = values;
    }

    /** AWS's defaults in us-east-1. */
    public static final Quotas DEFAULTS = defaults("us-east-1");

    /** AWS's defaults in the given region. */
    public static Quotas defaults(String region) {
        requireNonNull(region, "region is null");
        Map<Quota, Integer> values = new EnumMap<>(Quota.class);
        for (Quota quota : Quota.values()) {
            values.put(quota, quota.defaultValue(region));
        }
        return new Quotas(values);
    }

    /** These quotas with one set to value (zero or more). */
    public Quotas with(Quota quota, int value) {
        requireNonNull(quota, "quota is null");
        if (value < 0) {
            throw new IllegalArgumentException(quota.option() + " must be zero or more, got " + value);
        }
        Map<Quota, Integer> copy = new EnumMap<>(values);
        copy.put(quota, value);
        return new Quotas(copy);
    }

    public int get(Quota quota) {
        return values.get(quota);
    }

    /**
     * Refuses, with ServiceQuotaExceededException naming the quota and its value, when amount (the
     * count a change would reach, or a size) is over the quota.
     */
    public void require(Quota quota, long amount) {
        int limit = get(quota);
        if (amount > limit) {
            throw CleanroomException.quota(quota.awsName(), limit);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quotas other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "Quotas" + values;
    }
}
