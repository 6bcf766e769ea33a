package dev.conveyor.gateway.api;

/** The connection's event loop: every write and every timer of a session runs on it, so frames keep their order. */
public interface Loop {
    void execute(Runnable task);

    void schedule(long delayMillis, Runnable task);
}
