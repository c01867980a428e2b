package io.cleanroom.core.store;

import java.util.function.Function;

/**
 * Durable metadata. {@link #inTransaction} runs work atomically and durably: when it returns, the
 * change survives a crash; when work throws, nothing of it is kept.
 */
public interface Store extends AutoCloseable {
    <T> T inTransaction(Function<Tx, T> work);

    @Override
    void close();
}
