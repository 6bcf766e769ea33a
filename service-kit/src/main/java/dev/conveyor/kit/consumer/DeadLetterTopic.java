package dev.conveyor.kit.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * A service's dead-letter topic: a poison record goes there with its original key, value and headers plus
 * {@code dlq.*} headers saying where it came from and why ({@code dlq.reason}, {@code dlq.exception}, {@code dlq.topic},
 * {@code dlq.partition}, {@code dlq.offset}, {@code dlq.group}); counted in
 * {@code conveyor_consumer_dead_letters_total{topic,group}}.
 */
public class DeadLetterTopic {
    private static final Logger LOG = Logger.getLogger(DeadLetterTopic.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final MeterRegistry metrics;

    public DeadLetterTopic(Producer<byte[], byte[]> producer, String topic, MeterRegistry metrics) {
        this.producer = producer;
        this.topic = topic;
        this.metrics = metrics;
    }

    public MeterRegistry metrics() {
        return metrics;
    }

    /** Completes once the broker acknowledged the dead letter (so the offset may then be committed). */
    public Uni<Void> send(ConsumerRecord<byte[], byte[]> record, String group, Throwable reason) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topic, null, record.key(), record.value());
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
        return Uni.createFrom()
                .<Void>emitter(emitter -> producer.send(letter, (metadata, error) -> {
                    if (error != null) {
                        emitter.fail(error);
                    } else {
                        emitter.complete(null);
                    }
                }))
                .invoke(() -> {
                    metrics.counter("conveyor.consumer.dead.letters", "topic", record.topic(), "group", group)
                            .increment();
                    LOG.warnf(
                            "dead-lettered %s-%d@%d to %s: %s",
                            record.topic(), record.partition(), record.offset(), topic, message);
                });
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
