package dev.conveyor.taskapi.messaging;

import dev.conveyor.taskapi.config.ConveyorConfig;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes outbox rows to Kafka. Runs on its own thread (blocking JDBC and producer calls never touch the event loop).
 * Each pass, in one transaction: take the advisory lock (only one replica relays at a time), read up to a batch of
 * unpublished rows of transactions older than every running one (so no earlier commit can appear behind it) in
 * transaction then id order, send them with an idempotent producer (acks=all), wait for every ack, mark them
 * published, commit. A failure leaves them unpublished: the next pass sends them again (at least once).
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** pg advisory lock key: "OUTBOX" in ASCII. */
    static final long LOCK_KEY = 0x4F5554424F58L;

    private final AgroalDataSource dataSource;
    private final ConveyorConfig config;
    private final PgSignals signals;
    private final String bootstrap;
    private final Semaphore nudge = new Semaphore(0);
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private volatile boolean running;
    private Thread thread;
    private KafkaProducer<String, String> producer;

    public OutboxRelay(AgroalDataSource dataSource, ConveyorConfig config, PgSignals signals, MeterRegistry registry,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.dataSource = dataSource;
        this.config = config;
        this.signals = signals;
        this.bootstrap = bootstrap;
        Gauge.builder("conveyor.outbox.depth", depth, AtomicLong::get).description("unpublished outbox rows").register(registry);
        Gauge.builder("conveyor.outbox.lag.seconds", lagMillis, v -> v.get() / 1000.0)
                .description("age of the oldest unpublished outbox row").register(registry);
        Gauge.builder("conveyor.outbox.published", published, AtomicLong::get).description("rows published by this replica")
                .register(registry);
    }

    void start(@Observes StartupEvent ev) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "task-api-outbox");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        signals.onOutbox(nudge::release);
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Wakes the relay now (also done by the outbox NOTIFY). */
    public void nudge() {
        nudge.release();
    }

    private void loop() {
        long lastHousekeeping = 0;
        long failures = 0;
        while (running) {
            try {
                int sent = relayOnce();
                failures = 0;
                long now = System.currentTimeMillis();
                if (now - lastHousekeeping > 1000) {
                    housekeeping();
                    lastHousekeeping = now;
                }
                if (sent < config.relay().batchSize()) {
                    nudge.tryAcquire(config.relay().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    nudge.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failures++;
                LOG.warnf("outbox relay pass failed (%d in a row), retrying: %s", failures, e.toString());
                try {
                    Thread.sleep(Math.min(5000, 100L * failures));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private record Row(long id, String topic, String key, String payload) {
    }

    /** One pass; answers how many rows it published. */
    public int relayOnce() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                    lock.setLong(1, LOCK_KEY);
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            c.rollback();
                            return 0;
                        }
                    }
                }
                List<Row> rows = new ArrayList<>();
                try (PreparedStatement q = c.prepareStatement("SELECT id, topic, key, payload FROM outbox WHERE published_at IS NULL "
                        + "AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id, id LIMIT ?")) {
                    q.setInt(1, config.relay().batchSize());
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                        }
                    }
                }
                if (rows.isEmpty()) {
                    c.rollback();
                    return 0;
                }
                List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
                for (Row r : rows) {
                    acks.add(producer.send(new ProducerRecord<>(r.topic(), r.key(), r.payload())));
                }
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(30, TimeUnit.SECONDS);
                }
                Long[] ids = rows.stream().map(Row::id).toArray(Long[]::new);
                try (PreparedStatement mark = c.prepareStatement("UPDATE outbox SET published_at = now() WHERE id = ANY(?)")) {
                    Array array = c.createArrayOf("bigint", ids);
                    mark.setArray(1, array);
                    mark.executeUpdate();
                }
                c.commit();
                published.addAndGet(rows.size());
                return rows.size();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void housekeeping() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement q = c.prepareStatement("SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0) "
                    + "FROM outbox WHERE published_at IS NULL"); ResultSet rs = q.executeQuery()) {
                rs.next();
                depth.set(rs.getLong(1));
                lagMillis.set(rs.getLong(2));
            }
            try (PreparedStatement d = c.prepareStatement("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox "
                    + "WHERE published_at < now() - ? * interval '1 millisecond' LIMIT 5000)")) {
                d.setLong(1, config.relay().retention().toMillis());
                d.executeUpdate();
            }
        }
    }
}
