package dev.conveyor.generation.messaging;

import dev.conveyor.generation.config.GenerationConfig;
import dev.conveyor.generation.store.OutboxStore;
import dev.conveyor.generation.store.OutboxStore.Pending;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the outbox to Kafka in id order, on its own thread (it blocks on broker acknowledgements, never on the event
 * loop). Each batch runs in one transaction holding {@code pg_try_advisory_xact_lock}: across replicas only one relay
 * publishes at a time, and rows are marked published only after every record of the batch was acknowledged
 * ({@code acks=all}, idempotent producer). A failure rolls the batch back; it is published again (at least once,
 * consumers deduplicate on the event id).
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final Duration CLEANUP_EVERY = Duration.ofMinutes(1);

    private final Pool pool;
    private final OutboxStore outbox;
    private final OutboxSignal signal;
    private final KafkaClients kafka;
    private final GenerationConfig.Relay config;
    private final Counter published;
    private volatile boolean running;
    private Thread thread;
    private long lastCleanup;

    public OutboxRelay(Pool pool, OutboxStore outbox, OutboxSignal signal, KafkaClients kafka, GenerationConfig config,
                       MeterRegistry metrics) {
        this.pool = pool;
        this.outbox = outbox;
        this.signal = signal;
        this.kafka = kafka;
        this.config = config.relay();
        this.published = metrics.counter("generation.outbox.published");
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void stop() {
        running = false;
        if (thread != null) {
            signal.wake();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    private void run() {
        while (running) {
            try {
                int sent = relayBatch();
                cleanupOccasionally();
                if (sent < config.batchSize()) {
                    signal.await(config.pollInterval());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("outbox relay batch failed, retrying: %s", e.toString());
                try {
                    signal.await(Duration.ofSeconds(1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Publishes one batch; answers how many rows were published (0 when another relay holds the lock). */
    int relayBatch() {
        SqlConnection conn = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            Transaction tx = conn.begin().await().indefinitely();
            try {
                if (!outbox.tryRelayLock(conn, config.lockKey()).await().indefinitely()) {
                    tx.rollback().await().indefinitely();
                    return 0;
                }
                List<Pending> rows = outbox.unpublished(conn, config.batchSize()).await().indefinitely();
                if (!rows.isEmpty()) {
                    publish(rows);
                    List<Long> ids = new ArrayList<>(rows.size());
                    for (Pending row : rows) {
                        ids.add(row.id());
                    }
                    outbox.markPublished(conn, ids).await().indefinitely();
                }
                tx.commit().await().indefinitely();
                published.increment(rows.size());
                return rows.size();
            } catch (RuntimeException e) {
                tx.rollback().onFailure().recoverWithNull().await().indefinitely();
                throw e;
            }
        } finally {
            conn.close().await().indefinitely();
        }
    }

    private void publish(List<Pending> rows) {
        KafkaProducer<String, String> producer = kafka.eventProducer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
        for (Pending row : rows) {
            acks.add(producer.send(new ProducerRecord<>(row.topic(), row.key(), row.payload())));
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for broker acknowledgements", e);
            } catch (Exception e) {
                throw new IllegalStateException("outbox record not acknowledged: " + e.getMessage(), e);
            }
        }
    }

    private void cleanupOccasionally() {
        long now = System.nanoTime();
        if (now - lastCleanup < CLEANUP_EVERY.toNanos()) {
            return;
        }
        lastCleanup = now;
        Integer deleted = pool.withTransaction(conn -> outbox.deletePublishedBefore(conn, config.retention()))
                .await().atMost(Duration.ofSeconds(30));
        if (deleted > 0) {
            LOG.debugf("deleted %d published outbox rows", deleted);
        }
    }
}
