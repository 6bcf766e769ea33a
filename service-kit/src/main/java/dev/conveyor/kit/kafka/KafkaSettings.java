package dev.conveyor.kit.kafka;

import dev.conveyor.contracts.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka client settings, from one place. Producers are idempotent ({@code acks=all}) and send at most
 * {@link Topics#MAX_MESSAGE_BYTES} per request, the topics' {@code max.message.bytes}: a larger record fails in the
 * producer with {@code RecordTooLargeException}. Consumers never auto-commit and start from the earliest offset when
 * their group is new.
 */
public final class KafkaSettings {
    private KafkaSettings() {}

    public static Map<String, Object> producer(String bootstrapServers, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(
                ProducerConfig.CLIENT_ID_CONFIG,
                clientId + "-" + ProcessHandle.current().pid());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // send() waits at most this long for a topic's metadata (a missing topic): the relay's pass then fails and
        // retries.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return config;
    }

    /**
     * The outbox relay's producer: {@link #producer} that lingers up to {@link #RELAY_LINGER_MS} and batches up to
     * {@link #RELAY_BATCH_BYTES} per partition. The relay sends a whole pass and then {@code flush()}es, which sends at
     * once whatever is batched: a pass of one row never waits for the linger, and a full pass goes out in one request
     * per broker instead of being cut into small requests while it is still being appended (the linger only ever
     * applies while a pass is being sent, i.e. under load).
     */
    public static Map<String, Object> relayProducer(String bootstrapServers, String clientId) {
        Map<String, Object> config = producer(bootstrapServers, clientId);
        config.put(ProducerConfig.LINGER_MS_CONFIG, RELAY_LINGER_MS);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, RELAY_BATCH_BYTES);
        // Order on a partition over any outage: a batch that expired would be skipped and the partition's later
        // batches sent without it. So nothing expires (the pass waits for Kafka; readiness shows the outbox's lag)
        // and one request is in flight, so a batch that still fails is the last one sent: the relay's ProducerFence
        // closes the producer from its callback before the next request (the relay sends a pass in one request
        // anyway, so this costs no throughput).
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return config;
    }

    /** The relay producer's linger: long enough that appending a pass never triggers a send; flush() ends it. */
    public static final int RELAY_LINGER_MS = 20;
    /** The relay producer's batch per partition (a pass of 100–500 rows of a few hundred bytes each fits). */
    public static final int RELAY_BATCH_BYTES = 256 * 1024;

    public static Map<String, Object> consumer(String bootstrapServers, String groupId, int maxPollRecords) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(
                ConsumerConfig.CLIENT_ID_CONFIG,
                groupId + "-" + ProcessHandle.current().pid());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return config;
    }

    /**
     * A reader of every partition without a consumer group ({@code assign()} and its own seeks, nothing committed): the
     * gateway's change log and the worker's wake-ups, where every replica must see every event. A partition it has no
     * position for starts at its end; a fetch answers within 100 ms when records are few.
     */
    public static Map<String, Object> groupless(String bootstrapServers, String clientId, int maxPollRecords) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return config;
    }
}
