package dev.conveyor.worker.client;

/** task-api answered 409 {@code lease_lost}: another attempt owns the task now; this attempt must stop. */
public class LeaseLostException extends RuntimeException {
    public LeaseLostException(String message) {
        super(message);
    }
}
