package io.cleanroom.core.store;

import java.util.function.Function;

/**
 * Durable metadata. {@link #inTransaction} runs work atomically and durably: when it returns, the
 * change survives a crash; when work throws, nothing of it is kept.
 */
public interface Store extends AutoCloseable {
    <T> T inTransaction(Function<Tx, T> work);

    /**
     * Runs work that only reads, on a consistent view of committed (hence durable) data. A store may
     * run it beside writers instead of in turn with them; a write through its Tx is then refused
     * with IllegalStateException. Called inside {@link #inTransaction} work, it reads that
     * transaction's own view.
     */
    default <T> T read(Function<Tx, T> work) {
        return inTransaction(work);
    }

    @Override
    void close();
}
