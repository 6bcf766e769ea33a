package dev.conveyor.worker.sdk;

/** Thrown (or failed with) by a handler when retrying cannot help, e.g. invalid params: the task fails for good. */
public class PermanentTaskException extends RuntimeException {
    public PermanentTaskException(String message) {
        super(message);
    }

    public PermanentTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
