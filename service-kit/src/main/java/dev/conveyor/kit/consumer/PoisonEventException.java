package dev.conveyor.kit.consumer;

/** A record that can never be processed (not JSON, not an envelope, invalid data): it goes to the dead-letter topic. */
public class PoisonEventException extends RuntimeException {
    public PoisonEventException(String message, Throwable cause) {
        super(message, cause);
    }

    public PoisonEventException(String message) {
        super(message);
    }
}
