package dev.conveyor.kit.outbox;

import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownServerException;

/**
 * Tells a row that Kafka will never take (dead-letter it) from a fault that passes (retry it). Only faults of the
 * record itself count as permanent: too large, not serializable, an invalid topic name, a record the broker rejects as
 * invalid. Everything else (broker down, timeouts, authorization, unknown partitions) stops the pass and is retried:
 * it would hit every row alike.
 */
public final class PublishFailures {
    private static final List<Class<? extends Throwable>> PERMANENT = List.of(
            RecordTooLargeException.class,
            RecordBatchTooLargeException.class,
            SerializationException.class,
            InvalidTopicException.class,
            InvalidRecordException.class);

    private PublishFailures() {}

    public static boolean isPermanent(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof UnknownServerException) {
            return false;
        }
        return PERMANENT.stream().anyMatch(type -> type.isInstance(cause));
    }

    /** The cause a send failed with, without the future's wrapper. */
    public static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof ExecutionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A short reason for the dead-letter row: exception type and message. */
    public static String reason(Throwable error) {
        Throwable cause = unwrap(error);
        String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return text.length() > 2000 ? text.substring(0, 2000) : text;
    }
}
