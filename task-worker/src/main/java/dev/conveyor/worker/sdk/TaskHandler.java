package dev.conveyor.worker.sdk;

import io.smallrye.mutiny.Uni;

/**
 * Runs one task type. Implement it as a CDI bean ({@code @ApplicationScoped}); the worker finds every handler bean,
 * claims the task types they name and calls {@link #handle} on a worker thread (blocking code is allowed there).
 * <p>
 * The returned {@code Uni} completes the task with its {@link TaskResult}. A failure fails the attempt as retryable,
 * unless it is a {@link PermanentTaskException}. When the task is cancelled (or the lease is lost), the worker sets
 * {@link TaskContext#isCancelled()}, cancels the subscription and discards any result.
 */
public interface TaskHandler {

    /** The task type this handler runs, e.g. {@code single_image}. */
    String taskType();

    /** The worker capability task-api requires for this task type; null when the type needs none. */
    default String capability() {
        return null;
    }

    Uni<TaskResult> handle(TaskContext context);

    /**
     * Whether {@link #handle} may block: true (the default) runs every attempt's {@code handle} on a thread of the
     * worker pool. A handler whose {@code handle} returns at once — it holds the result already, or assembles a
     * {@code Uni} that completes elsewhere (a reactive client, a timer) — answers false, and the worker calls it on the
     * thread that starts the attempt (its dispatcher), saving a thread hand-over (a wake-up and two context switches)
     * per task. What follows task-api's answers still runs on the worker pool. A handler that answers false and then
     * blocks holds up the claiming of every task of the worker for as long.
     */
    default boolean blocking() {
        return true;
    }
}
