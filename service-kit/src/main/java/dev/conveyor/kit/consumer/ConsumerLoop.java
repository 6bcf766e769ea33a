package dev.conveyor.kit.consumer;

import dev.conveyor.kit.loop.BackgroundLoop;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.jboss.logging.Logger;

/**
 * A plain {@link KafkaConsumer} on a {@link BackgroundLoop} (its own thread, never the event loop), at least once with an exactly-once effect:
 * the records of each partition of a poll are handed to the handler together, in order (the handler commits them in
 * its own database transaction, deduplicated by event id), and the offsets are committed only after those
 * transactions. The partitions of one poll are handled concurrently.
 * <ul>
 *     <li>When the handler fails with a poison error ({@link PoisonEventException}, or PostgreSQL rejecting data with
 *     SQL state class 22/23), the records are handled again one by one: the poison one goes to the dead-letter
 *     topic and its partition keeps flowing.</li>
 *     <li>Any other failure (database or broker unreachable) stops that partition at the failed record, which is
 *     retried after a back-off (counted in {@code conveyor_consumer_retries_total{topic,group}}); nothing after it is
 *     committed, so the record is applied once the fault ends.</li>
 * </ul>
 * Offsets are committed at most once per commit interval ({@link #COMMIT_INTERVAL} by default; each commit is a write the broker's group
 * coordinator replicates, and a busy consumer polls hundreds of times a second), always after the work they cover, and
 * at once when partitions are revoked and when the loop closes: a crash in between only replays records the handler
 * already deduplicates. task-api and generation-service consume with it alike.
 */
public class ConsumerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);
    /** How often at most the offsets of handled records are committed (a revoke or close commits at once). */
    public static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

    private final String topic;
    private final Map<String, Object> config;
    private final Function<List<ConsumerRecord<byte[], byte[]>>, Uni<?>> handler;
    private final DeadLetterTopic deadLetters;
    private final Counter retries;
    private final Duration retryBackoff;
    private final String group;
    private final Duration commitInterval;
    private volatile BackgroundLoop loop;
    /** Created, used and closed on the loop's thread; volatile for {@link #wakeUp()} from the closing thread. */
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    /** Offsets of handled records not yet committed; the loop's thread only. */
    private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    /** When offsets were last committed (System.nanoTime), if ever: the first handled batch commits at once. */
    private long lastCommit;

    private boolean committedBefore;

    public ConsumerLoop(
            String topic,
            Map<String, Object> config,
            Function<List<ConsumerRecord<byte[], byte[]>>, Uni<?>> handler,
            DeadLetterTopic deadLetters,
            Duration retryBackoff) {
        this(topic, config, handler, deadLetters, retryBackoff, COMMIT_INTERVAL);
    }

    /** As above, committing offsets at most once per {@code commitInterval} (tests use a long one). */
    public ConsumerLoop(
            String topic,
            Map<String, Object> config,
            Function<List<ConsumerRecord<byte[], byte[]>>, Uni<?>> handler,
            DeadLetterTopic deadLetters,
            Duration retryBackoff,
            Duration commitInterval) {
        this.commitInterval = commitInterval;
        this.topic = topic;
        this.config = config;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.retryBackoff = retryBackoff;
        this.group = String.valueOf(config.get("group.id"));
        this.retries = Counter.builder("conveyor.consumer.retries")
                .tag("topic", topic)
                .tag("group", group)
                .description("records that failed for a passing reason and are retried")
                .register(deadLetters.metrics());
    }

    /** Starts the loop; its thread (never an event loop) creates the consumer, subscribes and polls. */
    public synchronized ConsumerLoop start() {
        if (loop != null) {
            return this;
        }
        // A failure other than a record's (the broker or a commit in an unknown state) ends the loop and readiness goes
        // down: the consumer leaves its group, and its partitions move on from their last committed offsets.
        loop = BackgroundLoop.builder("consumer-" + topic + "-" + group)
                .pacedStep(this::pollOnce)
                .stopOnFailure()
                .wakeWith(this::wakeUp)
                .whenDone(this::closeConsumer)
                .stopTimeout(Duration.ofSeconds(15))
                .build()
                .start();
        return this;
    }

    /** Makes a blocked poll or commit return (KafkaConsumer's one thread-safe call). */
    private void wakeUp() {
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    /** On the loop's thread when it ends: what was handled is committed, then the consumer leaves its group. */
    private void closeConsumer() {
        KafkaConsumer<byte[], byte[]> current = consumer;
        consumer = null;
        if (current != null) {
            try {
                commitPending(current);
            } catch (RuntimeException e) {
                LOG.infof(
                        "offsets of %s (%s) not committed at close (replayed by the next owner): %s", topic, group, e);
            }
            current.close();
        }
    }

    /** True from start while the consumer polls (false once it stopped on a failure or was closed). */
    public boolean isRunning() {
        BackgroundLoop current = loop;
        return current != null && current.isHealthy();
    }

    /** One poll and its records; answers the back-off to wait when a partition failed for a passing reason. */
    private Duration pollOnce() {
        KafkaConsumer<byte[], byte[]> kafka = consumer;
        if (kafka == null) {
            kafka = new KafkaConsumer<>(config);
            kafka.subscribe(List.of(topic), new CommitOnRevoke(kafka));
            consumer = kafka;
        }
        ConsumerRecords<byte[], byte[]> records = kafka.poll(Duration.ofMillis(500));
        boolean failed = !records.isEmpty() && handleBatch(kafka, records);
        if (!committedBefore || System.nanoTime() - lastCommit >= commitInterval.toNanos()) {
            commitPending(kafka);
        }
        if (!failed) {
            return Duration.ZERO;
        }
        retries.increment();
        return retryBackoff;
    }

    /** Handles one poll's records; true when a partition failed and was rewound to its failed record. */
    private boolean handleBatch(KafkaConsumer<byte[], byte[]> kafka, ConsumerRecords<byte[], byte[]> records) {
        List<TopicPartition> partitions = new ArrayList<>(records.partitions());
        List<Uni<PartitionResult>> work = new ArrayList<>(partitions.size());
        for (TopicPartition partition : partitions) {
            work.add(handlePartition(partition, records.records(partition)));
        }
        List<PartitionResult> results =
                Uni.join().all(work).andFailFast().await().indefinitely();
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        boolean failed = false;
        for (PartitionResult result : results) {
            if (result.nextOffset() >= 0) {
                done.put(result.partition(), new OffsetAndMetadata(result.nextOffset()));
            }
            if (result.failedAt() >= 0) {
                failed = true;
                kafka.seek(result.partition(), result.failedAt());
            }
        }
        pending.putAll(done);
        return failed;
    }

    /** Commits the offsets of everything handled so far (nothing when there is nothing new). */
    private void commitPending(KafkaConsumer<byte[], byte[]> kafka) {
        if (pending.isEmpty()) {
            return;
        }
        lastCommit = System.nanoTime();
        committedBefore = true;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(pending);
        pending.clear();
        try {
            commit(kafka, offsets);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The partitions moved; their new owner re-reads from the last commit and the event log drops repeats.
            LOG.infof("offset commit of %s (%s) skipped by a rebalance: %s", topic, group, e.getMessage());
        }
    }

    /** Partitions leaving this consumer take their handled offsets along first (called inside poll, on the loop's thread). */
    private final class CommitOnRevoke implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> kafka;

        CommitOnRevoke(KafkaConsumer<byte[], byte[]> kafka) {
            this.kafka = kafka;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition p : partitions) {
                OffsetAndMetadata o = pending.remove(p);
                if (o != null) {
                    offsets.put(p, o);
                }
            }
            if (offsets.isEmpty()) {
                return;
            }
            try {
                commit(kafka, offsets);
            } catch (CommitFailedException | RebalanceInProgressException e) {
                LOG.infof("offset commit of %s (%s) at a revoke refused: %s", topic, group, e.getMessage());
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another member owns them already: its commits count, ours would be refused.
            partitions.forEach(pending::remove);
        }
    }

    /** Commits offsets after the records' transactions committed. Overridable to simulate a crash in between. */
    protected void commit(KafkaConsumer<byte[], byte[]> kafka, Map<TopicPartition, OffsetAndMetadata> offsets) {
        kafka.commitSync(offsets);
    }

    private record PartitionResult(TopicPartition partition, long nextOffset, long failedAt) {}

    private Uni<PartitionResult> handlePartition(
            TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
        long next = records.get(records.size() - 1).offset() + 1;
        return Uni.createFrom()
                .deferred(() -> handler.apply(records))
                .replaceWith(new PartitionResult(partition, next, -1))
                .onFailure(ConsumerLoop::isPoison)
                .recoverWithUni(error -> oneByOne(partition, records))
                .onFailure()
                .recoverWithItem(error -> {
                    LOG.warnf(
                            "%s-%d@%d failed, will retry: %s",
                            partition.topic(),
                            partition.partition(),
                            records.get(0).offset(),
                            error.toString());
                    return new PartitionResult(partition, -1, records.get(0).offset());
                });
    }

    /** Isolates the poison record(s) of a batch: each record alone, poison ones to the dead-letter topic. */
    private Uni<PartitionResult> oneByOne(TopicPartition partition, List<ConsumerRecord<byte[], byte[]>> records) {
        AtomicLong next = new AtomicLong(-1);
        return Multi.createFrom()
                .iterable(records)
                .onItem()
                .transformToUniAndConcatenate(record -> handleOne(record).invoke(() -> next.set(record.offset() + 1)))
                .collect()
                .last()
                .map(ignored -> new PartitionResult(partition, next.get(), -1))
                .onFailure()
                .recoverWithItem(error -> {
                    long failedAt =
                            next.get() >= 0 ? next.get() : records.get(0).offset();
                    LOG.warnf(
                            "%s-%d@%d failed, will retry: %s",
                            partition.topic(), partition.partition(), failedAt, error.toString());
                    return new PartitionResult(partition, next.get(), failedAt);
                });
    }

    private Uni<Void> handleOne(ConsumerRecord<byte[], byte[]> record) {
        return Uni.createFrom()
                .deferred(() -> handler.apply(List.of(record)))
                .replaceWithVoid()
                .onFailure(ConsumerLoop::isPoison)
                .recoverWithUni(error -> deadLetters.send(record, group, error));
    }

    /** Failures that a retry cannot fix. */
    public static boolean isPoison(Throwable error) {
        if (error instanceof PoisonEventException) {
            return true;
        }
        if (error instanceof PgException pg && pg.getSqlState() != null) {
            return isDataError(pg.getSqlState());
        }
        if (error instanceof SQLException sql && sql.getSQLState() != null) {
            return isDataError(sql.getSQLState());
        }
        return false;
    }

    /** SQL state classes 22 (data exception) and 23 (integrity constraint violation): the data is wrong, not the database. */
    private static boolean isDataError(String sqlState) {
        return sqlState.startsWith("22") || sqlState.startsWith("23");
    }

    /** Stops polling and waits up to 15 s for the loop to end (the consumer leaves its group). */
    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.close();
        }
    }
}
