package dev.conveyor.gateway.messaging;

import dev.conveyor.contracts.Topics;
import dev.conveyor.gateway.domain.Position.TopicPart;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * The consumer thread: one plain {@link KafkaConsumer} with {@code assign()} (no group, no committed offsets, so every
 * replica reads everything and offsets are positions valid on every replica). It seeks the change topics to
 * {@code now - lookback} and projects to the beginning, hands every record to the {@link Handler}, and keeps the
 * numbers readiness is made of. A failed consumer is replaced after 1 s and continues where it was, so the history
 * stays complete.
 */
final class KafkaReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaReader.class);
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
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running = true;
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
        this.thread = new Thread(this::run, "changelog-" + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
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

    private void run() {
        while (running) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig())) {
                consumer = c;
                assignAndRebuild(c);
                while (running) {
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
            } catch (WakeupException e) {
                if (running) {
                    LOG.warn("change log consumer woken up unexpectedly; restarting it");
                }
            } catch (RuntimeException e) {
                lastError = e.toString();
                if (running) {
                    LOG.errorf(e, "change log consumer failed; restarting it in 1 s");
                    sleepQuietly(1000);
                }
            }
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, thread.getName() + "-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
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

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
