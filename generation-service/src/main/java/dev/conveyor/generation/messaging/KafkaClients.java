package dev.conveyor.generation.messaging;

import dev.conveyor.kit.kafka.KafkaSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Plain kafka-clients for the outbox relay, the dead-letter writer and the consumers, configured by {@link KafkaSettings}. */
@ApplicationScoped
public class KafkaClients {
    private final String bootstrapServers;
    private volatile KafkaProducer<byte[], byte[]> deadLetterProducer;

    public KafkaClients(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Consumer settings for a group: manual offset commits, read from the start when the group is new. */
    public Map<String, Object> consumerConfig(String groupId, int maxPollRecords) {
        return KafkaSettings.consumer(bootstrapServers, groupId, maxPollRecords);
    }

    /** A new producer for the outbox relay, which owns it (and replaces it after a passing failure). */
    public KafkaProducer<String, String> newEventProducer() {
        return new KafkaProducer<>(
                KafkaSettings.relayProducer(bootstrapServers, "generation-service-outbox"),
                new StringSerializer(),
                new StringSerializer());
    }

    public synchronized KafkaProducer<byte[], byte[]> deadLetterProducer() {
        if (deadLetterProducer == null) {
            deadLetterProducer = new KafkaProducer<>(
                    KafkaSettings.producer(bootstrapServers, "generation-service-dlq"),
                    new ByteArraySerializer(),
                    new ByteArraySerializer());
        }
        return deadLetterProducer;
    }

    @PreDestroy
    synchronized void close() {
        if (deadLetterProducer != null) {
            deadLetterProducer.close(Duration.ofSeconds(5));
        }
    }
}
