package dev.conveyor.generation.messaging;

import dev.conveyor.contracts.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * Sends poison records to {@link Topics#GENERATION_DEAD_LETTERS} with the original key, value and headers plus
 * {@code dlq.*} headers saying where it came from and why; counts them in {@code generation_dead_letters_total}.
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final KafkaClients kafka;
    private final MeterRegistry metrics;

    public DeadLetters(KafkaClients kafka, MeterRegistry metrics) {
        this.kafka = kafka;
        this.metrics = metrics;
    }

    /** Completes once the broker acknowledged the dead letter (so the offset may then be committed). */
    public Uni<Void> send(ConsumerRecord<byte[], byte[]> record, String group, Throwable reason) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(Topics.GENERATION_DEAD_LETTERS, null, record.key(), record.value());
        for (Header header : record.headers()) {
            letter.headers().add(header);
        }
        String message = String.valueOf(reason.getMessage());
        letter.headers().add("dlq.reason", utf8(message.length() > 1000 ? message.substring(0, 1000) : message));
        letter.headers().add("dlq.exception", utf8(reason.getClass().getName()));
        letter.headers().add("dlq.topic", utf8(record.topic()));
        letter.headers().add("dlq.partition", utf8(Integer.toString(record.partition())));
        letter.headers().add("dlq.offset", utf8(Long.toString(record.offset())));
        letter.headers().add("dlq.group", utf8(group));
        return Uni.createFrom().<Void>emitter(emitter -> kafka.deadLetterProducer().send(letter, (metadata, error) -> {
            if (error != null) {
                emitter.fail(error);
            } else {
                emitter.complete(null);
            }
        })).invoke(() -> {
            metrics.counter("generation.dead.letters", "topic", record.topic()).increment();
            LOG.warnf("dead-lettered %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), message);
        });
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
