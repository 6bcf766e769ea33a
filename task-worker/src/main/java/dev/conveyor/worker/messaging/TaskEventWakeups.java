package dev.conveyor.worker.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Topics;
import dev.conveyor.worker.config.WorkerConfig;
import dev.conveyor.worker.runtime.WorkerRuntime;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wake-ups from {@code task-events}: every worker reads every partition from the end (no consumer group, no
 * commits: the records are only a signal, the claim is the source of truth). A record of a task type this worker
 * runs that is now claimable (created/queued/requeued with status queued) wakes the claim loop at once, or at its
 * {@code runAfter}. Healthy while the consumer holds a broker connection; otherwise the runtime long-polls.
 */
@ApplicationScoped
public class TaskEventWakeups {
    private static final Logger LOG = Logger.getLogger(TaskEventWakeups.class);
    private static final Set<String> WAKING =
            Set.of(EventTypes.TASK_CREATED, EventTypes.TASK_QUEUED, EventTypes.TASK_REQUEUED);

    private final WorkerConfig config;
    private final WorkerRuntime runtime;
    private final String bootstrapServers;
    private volatile boolean running;
    private volatile boolean healthy;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private ScheduledExecutorService delayed;

    public TaskEventWakeups(
            WorkerConfig config,
            WorkerRuntime runtime,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.runtime = runtime;
        this.bootstrapServers = bootstrapServers;
    }

    /** Whether a task-events record should wake a worker that runs {@code taskTypes}; pure, for tests. */
    public static boolean wakes(EventEnvelope event, java.util.function.Predicate<String> runsType) {
        if (!WAKING.contains(event.type()) || event.data() == null) {
            return false;
        }
        JsonNode data = event.data();
        return runsType.test(data.path("taskType").asText(null))
                && "queued".equals(data.path("status").asText(null));
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled() || !config.kafkaWakeups()) {
            return;
        }
        running = true;
        delayed = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wakeup-timer");
            t.setDaemon(true);
            return t;
        });
        runtime.wakeupSource(() -> healthy);
        thread = new Thread(this::loop, "task-events-wakeups");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (delayed != null) {
            delayed.shutdownNow();
        }
    }

    private void setHealthy(boolean now) {
        if (healthy != now) {
            healthy = now;
            LOG.infof("task-events wake-ups %s", now ? "up" : "down: claiming by long-poll");
            runtime.wakeupSourceChanged();
        }
    }

    public boolean healthy() {
        return healthy;
    }

    private void loop() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "task-worker-wakeups-" + runtime.workerId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        while (running) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
                consumer = c;
                List<PartitionInfo> partitions = c.partitionsFor(Topics.TASK_EVENTS, Duration.ofSeconds(5));
                List<TopicPartition> tps = partitions.stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
                c.assign(tps);
                c.seekToEnd(tps);
                tps.forEach(c::position);
                LOG.infof("wake-ups from %s (%d partitions)", Topics.TASK_EVENTS, tps.size());
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        onRecord(r.value());
                    }
                    setHealthy(connected(c.metrics()));
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                setHealthy(false);
                LOG.debugf("task-events consumer: %s; retrying", e.toString());
                pause();
            }
        }
    }

    private void onRecord(byte[] value) {
        if (value == null) {
            return;
        }
        EventEnvelope event;
        try {
            event = EventEnvelope.fromJson(value);
        } catch (IllegalArgumentException poison) {
            return; // not an envelope: not a wake-up, nothing else to do with it here
        }
        if (!wakes(event, runtime::runs)) {
            return;
        }
        Instant runAfter = parseInstant(event.data().path("runAfter").asText(null));
        long delay =
                runAfter == null ? 0 : Duration.between(Instant.now(), runAfter).toMillis();
        if (delay <= 5) {
            runtime.wake();
        } else {
            delayed.schedule(runtime::wake, delay, TimeUnit.MILLISECONDS);
        }
    }

    private static Instant parseInstant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The consumer holds at least one live broker connection. */
    static boolean connected(Map<MetricName, ? extends Metric> metrics) {
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if ("connection-count".equals(e.getKey().name())
                    && "consumer-metrics".equals(e.getKey().group())) {
                Object v = e.getValue().metricValue();
                return v instanceof Number n && n.doubleValue() > 0;
            }
        }
        return false;
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
