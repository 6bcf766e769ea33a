package dev.conveyor.kit.outbox;

import dev.conveyor.kit.loop.BackgroundLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * The outbox relay of every service: publishes {@code outbox} rows to Kafka in id order, the commit order of each row's
 * events ({@link OutboxPass}), on its own thread (blocking JDBC and producer calls never touch an event loop). A row
 * Kafka refuses for good goes to {@code outbox_dead_letters} and the rows after it flow on; a passing fault is retried
 * with a back-off (≤ 5 s).
 * <p>
 * Every second, on a second {@link BackgroundLoop} (a pass blocked on Kafka must not freeze the numbers), it measures the outbox ({@code conveyor_outbox_depth},
 * {@code conveyor_outbox_lag_seconds}, {@code conveyor_outbox_dead_letters_waiting}) and deletes published rows past
 * their retention (with a zero retention the pass deletes what Kafka acknowledged, in its own transaction); {@code conveyor_outbox_last_success_seconds} is the Unix time of the last pass that did not fail.
 */
public final class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final Duration MEASURE_EVERY = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private final Supplier<Producer<String, String>> producers;
    private ProducerFence fence;
    private final OutboxSettings settings;
    private final Semaphore nudge = new Semaphore(0);
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong waitingDeadLetters = new AtomicLong();
    private final AtomicLong lastSuccessMillis = new AtomicLong(System.currentTimeMillis());
    /** The last pass, for {@link RelayPacing}: read and written only by the relay's own thread ({@link #step}). */
    private int lastPassRows;

    private long lastPassEnded;
    private final Counter deadLettered;
    private BackgroundLoop loop;
    private BackgroundLoop measurer;

    /**
     * {@code producers} makes the relay's producer ({@code KafkaSettings.relayProducer}); the relay owns what it makes,
     * replaces a producer a passing failure closed ({@link ProducerFence}) and closes the last one in {@link #close()}.
     */
    public OutboxRelay(
            DataSource dataSource,
            Supplier<Producer<String, String>> producers,
            OutboxSettings settings,
            MeterRegistry registry) {
        this.dataSource = dataSource;
        this.producers = producers;
        this.settings = settings;
        String service = settings.service();
        Gauge.builder("conveyor.outbox.depth", depth, AtomicLong::get)
                .tag("service", service)
                .description("unpublished outbox rows")
                .register(registry);
        Gauge.builder("conveyor.outbox.lag.seconds", lagMillis, v -> v.get() / 1000.0)
                .tag("service", service)
                .description("age of the oldest unpublished outbox row")
                .register(registry);
        Gauge.builder("conveyor.outbox.published", published, AtomicLong::get)
                .tag("service", service)
                .description("rows published by this replica")
                .register(registry);
        Gauge.builder("conveyor.outbox.last.success.seconds", lastSuccessMillis, v -> v.get() / 1000.0)
                .tag("service", service)
                .description("Unix time of this replica's last relay pass that did not fail")
                .register(registry);
        Gauge.builder("conveyor.outbox.dead.letters.waiting", waitingDeadLetters, AtomicLong::get)
                .tag("service", service)
                .description("rows in outbox_dead_letters (to inspect and re-drive)")
                .register(registry);
        deadLettered = Counter.builder("conveyor.outbox.dead.letters")
                .tag("service", service)
                .description("outbox rows Kafka refused for good, moved to outbox_dead_letters")
                .register(registry);
    }

    public synchronized void start() {
        if (loop != null) {
            return;
        }
        loop = new BackgroundLoop(
                        settings.service() + "-outbox-relay", this::step, Duration.ofMillis(100), Duration.ofSeconds(5))
                .start();
        measurer = BackgroundLoop.builder(settings.service() + "-outbox-measure")
                .every(MEASURE_EVERY, this::measure)
                .build()
                .start();
    }

    /** Stops the thread (waits up to 10 s), then closes the producer (up to 5 s for what it still sends). */
    @Override
    public synchronized void close() {
        if (measurer != null) {
            measurer.close();
            measurer = null;
        }
        if (loop != null) {
            loop.close();
            loop = null;
        }
        closeProducer();
    }

    private void closeProducer() {
        ProducerFence current;
        synchronized (producers) {
            current = fence;
            fence = null;
        }
        if (current != null) {
            current.close(Duration.ofSeconds(5));
        }
    }

    /** The producer for the next pass: a new one when there is none yet or a passing failure closed the last. */
    private ProducerFence fence() {
        synchronized (producers) {
            if (fence == null || fence.isBroken()) {
                if (fence != null) {
                    LOG.warnf(
                            "outbox relay of %s: a send failed for a passing reason; the producer was closed so nothing "
                                    + "after it reaches Kafka out of order, a new one takes over",
                            settings.service());
                }
                fence = new ProducerFence(producers.get());
            }
            return fence;
        }
    }

    /** Wakes the relay now (after a commit that wrote outbox rows). */
    public void nudge() {
        if (nudge.availablePermits() == 0) {
            nudge.release();
        }
    }

    /** Age of the oldest unpublished row, as last measured (at most about a second old). */
    public Duration lag() {
        return Duration.ofMillis(lagMillis.get());
    }

    /** Unpublished rows, as last measured. */
    public long depth() {
        return depth.get();
    }

    public OutboxSettings settings() {
        return settings;
    }

    /**
     * One pass (under load no sooner than the linger after the last, after a quiet spell the idle linger after the
     * nudge: {@link RelayPacing}), then a wait for a nudge when
     * the outbox had less than a batch; a pass that could not publish throws so the {@link BackgroundLoop} backs off
     * (100 ms doubling to 5 s) and tries again.
     */
    private void step() throws Exception {
        long wait = RelayPacing.waitNanos(
                lastPassRows,
                settings.batchSize(),
                lastPassEnded,
                System.nanoTime(),
                settings.linger().toNanos(),
                settings.idleLinger().toNanos());
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        OutboxPass.Result result = relayOnce();
        lastPassRows = result.published() + result.deadLettered();
        lastPassEnded = System.nanoTime();
        if (result.failure() != null) {
            throw new IllegalStateException(
                    "outbox relay of " + settings.service() + ": publishing failed, " + result.published()
                            + " rows published before it",
                    result.failure());
        }
        if (result.published() + result.deadLettered() < settings.batchSize()) {
            nudge.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            nudge.drainPermits();
        }
    }

    /** The relay's readiness, named {@code <service>-outbox-relay}: down while its passes fail or when it is stopped. */
    public boolean isHealthy() {
        BackgroundLoop current = loop;
        return current != null && current.isHealthy();
    }

    /** One pass (see {@link OutboxPass}); a passing failure is in the result, after the acknowledged rows committed. */
    public OutboxPass.Result relayOnce() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            OutboxPass.Result result = OutboxPass.run(c, fence(), settings.batchSize(), settings.deletesOnPublish());
            published.addAndGet(result.published());
            if (result.deadLettered() > 0) {
                deadLettered.increment(result.deadLettered());
                LOG.errorf(
                        "outbox relay of %s: %d rows refused by Kafka for good, moved to outbox_dead_letters",
                        settings.service(), result.deadLettered());
            }
            if (result.failure() == null) {
                lastSuccessMillis.set(System.currentTimeMillis());
            }
            return result;
        }
    }

    /** Measures the outbox and deletes old published rows; its own failures only log. */
    private void measure() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement q = c.prepareStatement(
                            "SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(created_at)) * 1000, 0) "
                                    + "FROM outbox WHERE published_at IS NULL");
                    ResultSet rs = q.executeQuery()) {
                rs.next();
                depth.set(rs.getLong(1));
                lagMillis.set(rs.getLong(2));
            }
            waitingDeadLetters.set(OutboxDeadLetters.count(c));
            if (!settings.deletesOnPublish()) {
                try (PreparedStatement d = c.prepareStatement("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox "
                        + "WHERE published_at < now() - ? * interval '1 millisecond' LIMIT 5000)")) {
                    d.setLong(1, settings.retention().toMillis());
                    d.executeUpdate();
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("outbox relay of %s: measuring the outbox failed: %s", settings.service(), e.toString());
        }
    }
}
