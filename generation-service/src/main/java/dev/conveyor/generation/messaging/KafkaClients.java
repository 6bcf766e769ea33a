package dev.conveyor.generation.messaging;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Plain kafka-clients for the outbox relay, the dead-letter writer and the consumers. Producers are idempotent
 * ({@code enable.idempotence=true}, {@code acks=all}); consumers never auto-commit.
 */
@ApplicationScoped
public class KafkaClients {
    private final String bootstrapServers;
    private volatile KafkaProducer<String, String> eventProducer;
    private volatile KafkaProducer<byte[], byte[]> deadLetterProducer;

    public KafkaClients(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Consumer settings for a group: manual offset commits, read from the start when the group is new. */
    public Map<String, Object> consumerConfig(String groupId, int maxPollRecords) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + ProcessHandle.current().pid());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return config;
    }

    public synchronized KafkaProducer<String, String> eventProducer() {
        if (eventProducer == null) {
            eventProducer = new KafkaProducer<>(producerConfig("generation-service-outbox"), new StringSerializer(), new StringSerializer());
        }
        return eventProducer;
    }

    public synchronized KafkaProducer<byte[], byte[]> deadLetterProducer() {
        if (deadLetterProducer == null) {
            deadLetterProducer = new KafkaProducer<>(producerConfig("generation-service-dlq"), new ByteArraySerializer(), new ByteArraySerializer());
        }
        return deadLetterProducer;
    }

    private Map<String, Object> producerConfig(String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-" + ProcessHandle.current().pid());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return config;
    }

    @PreDestroy
    synchronized void close() {
        if (eventProducer != null) {
            eventProducer.close(Duration.ofSeconds(5));
        }
        if (deadLetterProducer != null) {
            deadLetterProducer.close(Duration.ofSeconds(5));
        }
    }
}
