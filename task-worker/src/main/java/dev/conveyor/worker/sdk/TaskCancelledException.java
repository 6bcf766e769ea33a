package dev.conveyor.worker.sdk;

/** Thrown by {@link TaskContext#checkCancelled()} once the task was cancelled; the worker discards the attempt. */
public class TaskCancelledException extends RuntimeException {
    public TaskCancelledException(String message) {
        super(message);
    }
}
