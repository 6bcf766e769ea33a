package dev.conveyor.kit.outbox;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The relay's producer, closed the moment one of its sends fails for a passing reason. An idempotent producer keeps a
 * partition's order only while nothing fails: after a failed batch it renumbers the partition's later batches and
 * sends them, so a later row would reach the topic without the earlier one and the retry would put the earlier one
 * behind it. Closing with no grace period from the failed send's callback (Kafka runs it on the producer's I/O thread,
 * before the next request) aborts those batches instead; the relay then builds a new producer for its next pass.
 * Rows Kafka refuses for good (too large, invalid) do not break the fence: they are dead-lettered, by design skipped.
 */
final class ProducerFence implements AutoCloseable {
    private final Producer<String, String> producer;
    private final AtomicReference<Throwable> breach = new AtomicReference<>();

    ProducerFence(Producer<String, String> producer) {
        this.producer = producer;
    }

    Future<RecordMetadata> send(ProducerRecord<String, String> record) {
        return producer.send(record, (metadata, error) -> {
            if (error != null && !PublishFailures.isPermanent(error)) {
                breakOff(error);
            }
        });
    }

    /** Stops this producer for good: nothing still queued in it is sent. The first cause is kept. */
    void breakOff(Throwable cause) {
        if (breach.compareAndSet(null, cause)) {
            producer.close(Duration.ZERO);
        }
    }

    boolean isBroken() {
        return breach.get() != null;
    }

    Producer<String, String> producer() {
        return producer;
    }

    /** Closes a healthy producer, giving queued sends up to {@code grace} to finish. */
    void close(Duration grace) {
        if (breach.get() == null) {
            producer.close(grace);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
