package io.cleanroom.engine.spi;

import java.time.Duration;

/**
 * What one query may use: memory and worker threads in the engine, wall time (the caller also
 * cancels at the deadline), and rows of result (the engine stops with a safe error past it; the
 * rows counted are the released rows, after every output constraint).
 */
public record Limits(long memoryBytes, int threads, Duration timeout, long maxRows) {
    public Limits {
        if (memoryBytes < 1 << 20) {
            throw new IllegalArgumentException("memory limit must be at least 1 MiB");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1");
        }
    }
}
