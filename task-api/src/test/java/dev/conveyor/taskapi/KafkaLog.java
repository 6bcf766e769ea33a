package dev.conveyor.taskapi;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.devstack.DevstackResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A plain Kafka consumer over whole topics, from their current end: what a real consumer of our events sees. */
final class KafkaLog implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

    KafkaLog(String... topics) {
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        DevstackResource.devstack().kafka().bootstrapServers(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new StringDeserializer(),
                new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    /** Polls until {@code until} holds for the records seen so far (10 s at most); answers them. */
    List<ConsumerRecord<String, String>> await(Predicate<List<ConsumerRecord<String, String>>> until) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                    return until.test(seen);
                });
        return List.copyOf(seen);
    }

    /** Envelopes seen whose subject is {@code subject}, in order. */
    List<EventEnvelope> about(String subject) {
        return seen.stream()
                .filter(r -> r.value() != null)
                .map(r -> EventEnvelope.fromJson(r.value()))
                .filter(e -> subject.equals(e.subject()))
                .toList();
    }

    List<EventEnvelope> awaitTypes(String subject, String... types) {
        await(records ->
                about(subject).stream().map(EventEnvelope::type).toList().containsAll(List.of(types)));
        return about(subject);
    }

    static void send(String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                Map.of("bootstrap.servers", DevstackResource.devstack().kafka().bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            p.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
