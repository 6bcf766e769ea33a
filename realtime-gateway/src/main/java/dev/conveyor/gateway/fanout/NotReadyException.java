package dev.conveyor.gateway.fanout;

/** Thrown while the replica has not yet read the topics' metadata (no channel has partitions yet). */
public final class NotReadyException extends RuntimeException {
    NotReadyException() {
        super("the gateway has not connected to Kafka yet");
    }
}
