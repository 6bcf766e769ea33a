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
}
