package io.cleanroom.engine.spi;

/** Lets the caller stop a running query (a cancellation or its deadline). */
public interface Cancellation {
    /** Registers what to do to stop the query; called at most once per query. */
    void onCancel(Runnable stop);

    boolean cancelled();

    /** A query nobody cancels. */
    Cancellation NEVER = new Cancellation() {
        @Override
        public void onCancel(Runnable stop) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };
}
