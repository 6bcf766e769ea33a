package dev.conveyor.worker.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.Topics;
import dev.conveyor.kit.kafka.KafkaSettings;
import dev.conveyor.kit.loop.BackgroundLoop;
import dev.conveyor.worker.config.WorkerConfig;
import dev.conveyor.worker.runtime.WorkerRuntime;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

/**
 * Wake-ups from {@code task-events}: every worker reads every partition from the end (no consumer group, no
 * commits: the records are only a signal, the claim is the source of truth). A record of a task type this worker
 * runs that is now claimable (created/queued/requeued with status queued) wakes the claim loop at once, or at its
 * {@code runAfter}. Healthy while the consumer holds a broker connection; otherwise the runtime long-polls.
 *
 * <p>The decision comes from the record's headers ({@link WakeupHeaders}): most task events are not wake-ups, and none
 * is parsed; values stay the undecoded buffers Kafka read. Only a record without those headers (an older producer) is
 * parsed and decided on its envelope ({@link #wakes(EventEnvelope, Predicate)}).
 *
 * <p>While the claim loop cannot use a wake-up (it works through a backlog, or every slot is busy: {@link
 * dev.conveyor.worker.runtime.WakeupDemand}) the consumer fetches nothing; then it goes on from the end and wakes the
 * loop once ({@link #skipWhileUnneeded}).
 *
 * <p>The consumer runs on a {@link BackgroundLoop} ({@code task-events-wakeups}): each step is one consumer session;
 * a session that fails (no broker at start, say) is logged and a new one opens {@value #RETRY_SECONDS} s later.
 */
@ApplicationScoped
public class TaskEventWakeups {
    private static final Logger LOG = Logger.getLogger(TaskEventWakeups.class);
    private static final int RETRY_SECONDS = 1;
    private static final String LOOP = "task-events-wakeups";
    /** How often a paused consumer checks for shutdown (a change of demand ends its wait at once). */
    private static final long PAUSE_CHECK_MILLIS = 500;

    private final WorkerConfig config;
    private final WorkerRuntime runtime;
    private final String bootstrapServers;
    private volatile boolean healthy;
    private volatile BackgroundLoop loop;
    private volatile KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
    private volatile boolean stopping;
    private volatile boolean paused;
    private final AtomicLong pauses = new AtomicLong();
    /** Counted down when a session ended because of {@link #onStop}, its consumer closed. */
    private final CountDownLatch sessionClosed = new CountDownLatch(1);

    public TaskEventWakeups(
            WorkerConfig config,
            WorkerRuntime runtime,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.runtime = runtime;
        this.bootstrapServers = bootstrapServers;
    }

    /** Whether a parsed task-events record (one without headers) should wake a worker that runs {@code taskTypes}; pure. */
    public static boolean wakes(EventEnvelope event, Predicate<String> runsType) {
        if (!WakeupHeaders.WAKING.contains(event.type()) || event.data() == null) {
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
        runtime.wakeupSource(() -> healthy);
        Duration retry = Duration.ofSeconds(RETRY_SECONDS);
        loop = new BackgroundLoop(LOOP, this::session, retry, retry).start();
    }

    /**
     * Wakes the consumer, so the session closes it and ends the loop, then closes the loop. The loop's own stop
     * interrupts its thread, and a Kafka consumer interrupted while it closes logs an error: that comes last.
     */
    void onStop(@Observes ShutdownEvent event) {
        BackgroundLoop running = loop;
        if (running == null) {
            return;
        }
        stopping = true;
        LOG.infof(
                "task-events wake-ups: stopped reading %d times while the claim loop could not use them", pauses.get());
        KafkaConsumer<ByteBuffer, ByteBuffer> c = consumer;
        if (c != null) {
            c.wakeup();
            try {
                sessionClosed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running.close();
    }

    public boolean healthy() {
        return healthy;
    }

    /** The consumer loop's health; up and marked off when this worker takes no wake-ups (disabled, or long-poll only). */
    HealthCheckResponse loopHealth() {
        BackgroundLoop running = loop;
        if (running == null) {
            return HealthCheckResponse.named(LOOP).up().withData("off", true).build();
        }
        if (healthy) {
            // A session is one long step: the loop counts a failed earlier session (no broker metadata at start, under
            // load) until this one ends, which it does not while it works. A connected session is up.
            return HealthCheckResponse.named(LOOP)
                    .up()
                    .withData("connected", true)
                    .withData("paused", paused)
                    .withData("pauses", pauses.get())
                    .withData("failuresInARow", 0)
                    .withData("failures", running.failures())
                    .build();
        }
        return running.health();
    }

    private void setHealthy(boolean now) {
        if (healthy != now) {
            healthy = now;
            LOG.infof("task-events wake-ups %s", now ? "up" : "down: claiming by long-poll");
            runtime.wakeupSourceChanged();
        }
    }

    /**
     * One consumer session, from the end of every partition, until {@link #onStop} wakes it: then it closes its consumer
     * and ends the loop (InterruptedException). A failure ends the session (thrown): the loop opens another.
     */
    private void session() throws InterruptedException {
        if (stopping) {
            throw new InterruptedException("wake-ups stopped");
        }
        try (KafkaConsumer<ByteBuffer, ByteBuffer> c = new KafkaConsumer<>(consumerConfig())) {
            consumer = c;
            List<TopicPartition> tps = c.partitionsFor(Topics.TASK_EVENTS, Duration.ofSeconds(5)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            c.assign(tps);
            c.seekToEnd(tps);
            tps.forEach(c::position);
            LOG.infof("wake-ups from %s (%d partitions)", Topics.TASK_EVENTS, tps.size());
            while (!Thread.currentThread().isInterrupted()) {
                if (!runtime.wakeupDemand().needed()) {
                    skipWhileUnneeded(c, tps);
                    continue;
                }
                for (ConsumerRecord<ByteBuffer, ByteBuffer> r : c.poll(Duration.ofMillis(500))) {
                    onRecord(r.headers(), r.value());
                }
                setHealthy(connected(c.metrics()));
            }
        } catch (WakeupException e) {
            // onStop woke the consumer; try-with-resources closed it before this clause
            sessionClosed.countDown();
            throw new InterruptedException("wake-ups stopped");
        } catch (InterruptException stopped) {
            throw stopped; // the loop is closing (shutdown): not a failure
        } catch (RuntimeException e) {
            setHealthy(false);
            throw e;
        } finally {
            consumer = null;
        }
    }

    /**
     * The claim loop claims without wake-ups for now (a backlog, or no free slot): nothing is fetched until it can use
     * them again, then the consumer goes on from the end of every partition and wakes the loop once. A task queued
     * while nothing was read is covered by that claim: its event is before the new end, so its transaction committed
     * before the claim begins. A requeued task whose back-off ends later is found by the worker's next claim (at the
     * latest its poll interval, or the idle long-poll) instead of its own timed wake-up.
     */
    private void skipWhileUnneeded(KafkaConsumer<ByteBuffer, ByteBuffer> c, List<TopicPartition> tps)
            throws InterruptedException {
        pauses.incrementAndGet();
        paused = true;
        try {
            while (!stopping && !runtime.wakeupDemand().awaitNeeded(PAUSE_CHECK_MILLIS)) {
                // still claiming without wake-ups; re-checks stopping
            }
        } finally {
            paused = false;
        }
        // After onStop's wakeup() this throws WakeupException, which ends the session as a poll would.
        c.seekToEnd(tps);
        tps.forEach(c::position);
        runtime.wake();
    }

    /** How often this consumer stopped reading because the claim loop could not use wake-ups (for tests and health). */
    public long pauses() {
        return pauses.get();
    }

    /** service-kit's group-less reader (every worker reads every partition), with quicker reconnects. */
    private Map<String, Object> consumerConfig() {
        Map<String, Object> config =
                KafkaSettings.groupless(bootstrapServers, "task-worker-wakeups-" + runtime.workerId(), 500);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        config.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        // Buffers over what the fetch read, not copies: the key is never used and the value only without headers.
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        return config;
    }

    private void onRecord(Headers headers, ByteBuffer value) {
        switch (WakeupHeaders.wakes(headers, runtime::runs)) {
            case WAKE -> wake(WakeupHeaders.runAfter(headers));
            case SKIP -> {}
            case PARSE -> onUnlabelledRecord(value);
        }
    }

    private void wake(Instant runAfter) {
        if (runAfter == null) {
            runtime.wake();
        } else {
            runtime.wakeAt(runAfter);
        }
    }

    /** A record without the wake-up headers: parsed, as every record was before they existed. */
    private void onUnlabelledRecord(ByteBuffer value) {
        if (value == null) {
            return;
        }
        byte[] json = new byte[value.remaining()];
        value.duplicate().get(json);
        EventEnvelope event;
        try {
            event = EventEnvelope.fromJson(json);
        } catch (IllegalArgumentException poison) {
            return; // not an envelope: not a wake-up, nothing else to do with it here
        }
        if (!wakes(event, runtime::runs)) {
            return;
        }
        wake(parseInstant(event.data().path("runAfter").asText(null)));
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
}
