package io.cleanroom.core.store;

/** One transaction: everything read and written through it commits together or not at all. */
public interface Tx {
    <V> Records<V> of(Kind<V> kind);
}
