package dev.conveyor.gateway.kafka;

import dev.conveyor.contracts.Topics;
import dev.conveyor.gateway.domain.Position.TopicPart;
import dev.conveyor.gateway.fanout.ReadPositions;
import dev.conveyor.kit.kafka.KafkaSettings;
import dev.conveyor.kit.loop.BackgroundLoop;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The consumer thread: one plain {@link KafkaConsumer} with {@code assign()} (no group, no committed offsets, so every
 * replica reads everything and offsets are positions valid on every replica). It seeks the change topics to
 * {@code now - lookback} and projects to the beginning, hands every record to the {@link Handler}, and keeps the
 * numbers readiness is made of. It runs on service-kit's {@link BackgroundLoop}, one poll per step: a step that fails
 * closes the consumer, and the next step (after 1 s, doubling while it keeps failing, at most {@link #MAX_BACKOFF})
 * builds a new one that continues where the old one was, so the history stays complete.
 */
final class KafkaReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaReader.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final List<String> TOPICS =
            List.of(Topics.TASK_EVENTS, Topics.GENERATION_EVENTS, Topics.ACCOUNT_EVENTS, Topics.PROJECTS);

    /** What the reader feeds; every method runs on the consumer thread. */
    interface Handler {
        void handle(ConsumerRecord<byte[], byte[]> record);

        /** After each poll's records (housekeeping that must not race with {@link #handle}). */
        void afterPoll();

        /** Once, when every partition was read up to its end at start. */
        void caughtUp();
    }

    private final ChangeLogSettings settings;
    private final ReadPositions positions;
    private final Handler handler;
    private final Map<TopicPart, Long> catchUpTarget = new ConcurrentHashMap<>();
    private final String name;
    private final BackgroundLoop loop;
    /** Created by the loop's step and used only on its thread; volatile for {@link #close()}'s wakeup. */
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    private volatile boolean closing;
    private volatile boolean caughtUp;
    private volatile boolean ownersLoaded;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long lag;
    private volatile String lastError;

    KafkaReader(ChangeLogSettings settings, String name, ReadPositions positions, Handler handler) {
        this.settings = settings;
        this.positions = positions;
        this.handler = handler;
        this.name = "changelog-" + name;
        // close() wakes the consumer rather than interrupting the loop's thread: an interrupt would land in the
        // consumer's own close and fail it.
        this.loop = BackgroundLoop.builder(this.name)
                .step(this::step)
                .retryWithBackoff(FIRST_BACKOFF, MAX_BACKOFF)
                .wakeWith(this::wakeConsumer)
                .build();
    }

    void start() {
        loop.start();
    }

    /** True once the history was rebuilt (every partition read up to its end at start) and ownership is loaded. */
    boolean caughtUp() {
        return caughtUp;
    }

    boolean ownersLoaded() {
        return ownersLoaded;
    }

    /** True when the poll loop has not returned, or made no progress while behind, for longer than stuckAfter. */
    boolean stuck() {
        long now = System.nanoTime();
        long limit = settings.stuckAfter().toNanos();
        return now - lastPollNanos > limit || (lag > 0 && now - lastProgressNanos > limit);
    }

    long lag() {
        return lag;
    }

    String lastError() {
        return lastError;
    }

    /** Consumer restarts after a failure since start (each after a backoff, continuing where it was). */
    long restarts() {
        return loop.failures();
    }

    /**
     * One step of the loop: a consumer (a new one after a failure, seeking where the last one was), then one poll. A
     * failure closes the consumer and throws, so the loop backs off and the next step replaces it.
     */
    private void step() throws InterruptedException {
        if (closing) {
            throw new InterruptedException("change log closed");
        }
        try {
            KafkaConsumer<byte[], byte[]> c = consumer;
            if (c == null) {
                c = new KafkaConsumer<>(consumerConfig());
                consumer = c;
                assignAndRebuild(c);
            }
            poll(c);
        } catch (WakeupException | InterruptException e) {
            closeConsumer();
            if (closing) {
                throw new InterruptedException("change log closed");
            }
            LOG.warn("change log consumer woken up unexpectedly; restarting it");
        } catch (RuntimeException e) {
            lastError = e.toString();
            closeConsumer();
            LOG.errorf(e, "change log consumer failed; restarting it");
            throw e;
        }
    }

    private void poll(KafkaConsumer<byte[], byte[]> c) {
        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
        lastPollNanos = System.nanoTime();
        if (!records.isEmpty()) {
            lastProgressNanos = lastPollNanos;
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
            handler.handle(record);
        }
        afterPoll(c);
    }

    private void closeConsumer() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        consumer = null;
        if (c != null) {
            try {
                c.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("closing the change log consumer: %s", e.toString());
            }
        }
    }

    /**
     * service-kit's group-less reader: {@code assign()} and explicit seeks, no committed offsets. A client id of its own
     * per consumer (two change logs can share a process: a second replica in tests).
     */
    private Map<String, Object> consumerConfig() {
        return KafkaSettings.groupless(settings.bootstrapServers(), name + "-" + UUID.randomUUID(), 2000);
    }

    private void assignAndRebuild(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> all = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (String topic : TOPICS) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            counts.put(topic, infos.size());
            infos.forEach(info -> all.add(new TopicPartition(topic, info.partition())));
        }
        c.assign(all);
        boolean restart = positions.assigned();
        Map<TopicPartition, Long> since = new HashMap<>();
        long from = Instant.now().minus(settings.lookback()).toEpochMilli();
        for (TopicPartition tp : all) {
            if (!tp.topic().equals(Topics.PROJECTS)) {
                since.put(tp, from);
            }
        }
        Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(since, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = c.endOffsets(all, Duration.ofSeconds(30));
        Map<TopicPartition, Long> beginnings = c.beginningOffsets(all, Duration.ofSeconds(30));
        for (TopicPartition tp : all) {
            TopicPart part = new TopicPart(tp.topic(), tp.partition());
            long offset;
            Long reached = positions.next(part);
            if (restart && reached != null) {
                offset = reached; // a consumer restart continues where it was: history stays complete
            } else if (tp.topic().equals(Topics.PROJECTS)) {
                offset = beginnings.get(tp);
            } else {
                OffsetAndTimestamp at = found.get(tp);
                offset = at != null ? at.offset() : ends.get(tp);
                positions.historyStart(part, offset);
            }
            c.seek(tp, offset);
            positions.seek(part, offset);
            catchUpTarget.put(part, ends.get(tp));
        }
        positions.partitionCounts(counts);
        LOG.infof("change log assigned %d partitions, rebuilding %s of history", all.size(), settings.lookback());
        checkCaughtUp();
    }

    private void afterPoll(KafkaConsumer<byte[], byte[]> c) {
        long total = 0;
        for (TopicPartition tp : c.assignment()) {
            var current = c.currentLag(tp);
            if (current.isPresent()) {
                total += current.getAsLong();
            }
        }
        lag = total;
        if (!caughtUp) {
            checkCaughtUp();
        }
        handler.afterPoll();
    }

    private void checkCaughtUp() {
        boolean owned = true;
        boolean all = true;
        for (Map.Entry<TopicPart, Long> target : catchUpTarget.entrySet()) {
            boolean reached = positions.nextOrZero(target.getKey()) >= target.getValue();
            all &= reached;
            if (target.getKey().topic().equals(Topics.PROJECTS)) {
                owned &= reached;
            }
        }
        ownersLoaded = owned;
        if (all && !caughtUp) {
            caughtUp = true;
            handler.caughtUp();
        }
    }

    /** Stops the loop: wakes the consumer out of its poll, then waits for the step to return (it closes the consumer). */
    @Override
    public void close() {
        closing = true;
        loop.close();
        closeConsumer();
    }

    private void wakeConsumer() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
