package dev.conveyor.worker.runtime;

import java.util.concurrent.Executor;

/**
 * Runs what follows a task-api answer on the worker pool (never on the HTTP client's threads), handing it over only
 * when it is not already there: a continuation started by a continuation of this executor runs inline. A batch
 * complete's answer reaches the pool once and is delivered to every task of the batch on that thread, instead of one
 * hand-over per task (a parked pool thread woken per task: a futex call and two context switches each, a quarter of
 * the worker's samples in a drain of no-op tasks).
 */
final class Continuations implements Executor {
    private final Executor pool;
    private final ThreadLocal<Boolean> running = new ThreadLocal<>();

    Continuations(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable command) {
        if (running.get() != null) {
            command.run();
            return;
        }
        pool.execute(() -> {
            running.set(Boolean.TRUE);
            try {
                command.run();
            } finally {
                running.remove();
            }
        });
    }
}
