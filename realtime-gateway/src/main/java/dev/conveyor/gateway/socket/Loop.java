package dev.conveyor.gateway.socket;

import java.util.concurrent.Executor;

/**
 * The connection's event loop: every write and every timer of a session runs on it, so frames keep their order.
 * Connections on the same event loop share one Loop instance, so the change log hands each event once to each loop
 * (tasks run in submission order).
 */
public interface Loop extends Executor {
    @Override
    void execute(Runnable task);

    void schedule(long delayMillis, Runnable task);

    /** True when the calling thread is this loop's thread (work can be done at once instead of queued). */
    default boolean inLoop() {
        return false;
    }
}
