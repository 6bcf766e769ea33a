package dev.conveyor.kit.outbox;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * One relay pass, in one transaction: take the advisory lock (one relay per database), read a batch of the committed,
 * unpublished rows in id order, send them (the row's headers as the record's headers), and wait for each
 * acknowledgement in order:
 * <ul>
 *   <li>acknowledged: marked published (deleted at once when the retention is zero);</li>
 *   <li>refused for good ({@link PublishFailures#isPermanent}): moved to {@code outbox_dead_letters} with the reason,
 *   and the rows after it go on;</li>
 *   <li>failed for a passing reason: the pass stops there; the rows before it are still marked published (they were
 *   acknowledged: sending them again would duplicate them), the failed row and the rest are sent again next pass.</li>
 * </ul>
 * The marks and moves commit together, then a passing failure is rethrown so the relay backs off.
 * <p>
 * Why id order is commit order where it matters: every event about a row (a task, an account) is written by a
 * transaction that changed that row, after the change and so under its row lock, and ids are drawn when the outbox row
 * is inserted. Of two transactions that change the same row, the second can only insert its outbox rows once the
 * first has committed, so its ids are higher, and a reader that sees the second's rows sees the first's. Rows of
 * transactions that share no row may be published in either order; nothing orders them anyway. (Ordering by
 * transaction id instead, as this pass once did, is the order transactions first wrote, not the order they committed:
 * a transaction that took its id early, then waited for a row another one changed and committed, was published first.)
 * <p>
 * Order on a partition: a row must never reach Kafka while an earlier row of its partition did not. The relay's
 * producer ({@code KafkaSettings.relayProducer}) never expires a batch and keeps one request in flight, so while Kafka
 * is away the pass simply waits. Should a send still fail for a passing reason, its callback closes the producer at
 * once ({@link ProducerFence}): the partition's later batches are then aborted instead of sent, and the relay builds a
 * new producer for the next pass, which sends the failed row and everything after it again, in order. A send that
 * fails before it is queued (no metadata, buffer full) ends the sending of the pass the same way.
 */
final class OutboxPass {
    /** How often a pass still waiting for Kafka says so in the log; it keeps waiting (nothing expires). */
    private static final long ACK_WAIT_LOG_SECONDS = 30;

    private static final Logger LOG = Logger.getLogger(OutboxPass.class);

    /** What a pass did. {@code failure} is the passing fault that stopped it, or null. */
    record Result(int published, int deadLettered, Exception failure) {
        static final Result LOCKED_ELSEWHERE = new Result(0, 0, null);
    }

    private record Row(long id, String topic, String key, String payload, String headers) {}

    private OutboxPass() {}

    /**
     * {@code deleteAcknowledged}: acknowledged rows are deleted in the pass's transaction (one {@code DELETE} for the
     * pass) instead of marked published and deleted after a retention: each event then costs the outbox one insert
     * and one delete, not an insert, an update (a new row version and index entry) and a later delete.
     */
    static Result run(Connection c, ProducerFence fence, int batchSize, boolean deleteAcknowledged)
            throws SQLException {
        c.setAutoCommit(false);
        try {
            List<Row> rows = lockAndRead(c, batchSize);
            if (rows == null) {
                c.rollback();
                return Result.LOCKED_ELSEWHERE;
            }
            List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
            for (Row row : rows) {
                Future<RecordMetadata> ack = send(fence, row);
                acks.add(ack);
                if (fence.isBroken()) {
                    break; // nothing after a passing failure may be queued behind it
                }
            }
            if (!acks.isEmpty()) {
                // the relay producer lingers while a pass is appended; flush sends the pass now, in as few requests
                // as its partitions allow (a failed flush shows in the acknowledgements below)
                flush(fence.producer());
            }
            List<Long> published = new ArrayList<>();
            int deadLettered = 0;
            Exception failure = null;
            for (int i = 0; i < acks.size() && failure == null; i++) {
                try {
                    awaitAck(acks.get(i), rows.get(i));
                    published.add(rows.get(i).id());
                } catch (ExecutionException e) {
                    if (PublishFailures.isPermanent(e)) {
                        OutboxDeadLetters.move(c, rows.get(i).id(), PublishFailures.reason(e));
                        deadLettered++;
                    } else {
                        failure = e;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = e;
                }
            }
            if (deleteAcknowledged) {
                deletePublished(c, published);
            } else {
                markPublished(c, published);
            }
            c.commit();
            return new Result(published.size(), deadLettered, failure);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    /**
     * Sends a row through the fence; a send that fails at once (record too large, serialization, no metadata in time)
     * answers a failed future like a broker refusal, and one that fails for a passing reason breaks the fence.
     */
    private static Future<RecordMetadata> send(ProducerFence fence, Row row) {
        try {
            return fence.send(new ProducerRecord<>(
                    row.topic(), null, row.key(), row.payload(), OutboxHeaders.toRecord(row.headers())));
        } catch (RuntimeException e) {
            if (!PublishFailures.isPermanent(e)) {
                fence.breakOff(e);
            }
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits for Kafka as long as it takes (the relay's close interrupts it), saying so every half minute. */
    private static void awaitAck(Future<RecordMetadata> ack, Row row) throws ExecutionException, InterruptedException {
        while (true) {
            try {
                ack.get(ACK_WAIT_LOG_SECONDS, TimeUnit.SECONDS);
                return;
            } catch (TimeoutException e) {
                LOG.warnf(
                        "outbox relay: still waiting for Kafka to acknowledge outbox row %d (%s)",
                        row.id(), row.topic());
            }
        }
    }

    private static void flush(Producer<String, String> producer) {
        try {
            producer.flush();
        } catch (RuntimeException e) {
            // InterruptException or a closed producer: each row's future says what became of it
        }
    }

    /**
     * Takes the pass's advisory lock and reads the batch in one statement (one round trip; the lock is taken before the
     * rows are read, as the lateral subquery depends on it): null when another relay holds the lock, else the
     * committed, unpublished rows in id order.
     */
    private static List<Row> lockAndRead(Connection c, int batchSize) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement q =
                c.prepareStatement("SELECT l.locked, o.id, o.topic, o.key, o.payload, o.headers::text "
                        + "FROM (SELECT pg_try_advisory_xact_lock(?) AS locked) l LEFT JOIN LATERAL ("
                        + "SELECT id, topic, key, payload, headers FROM outbox WHERE l.locked AND published_at IS NULL "
                        + "ORDER BY id LIMIT ?) o ON true")) {
            q.setLong(1, OutboxSettings.LOCK_KEY);
            q.setInt(2, batchSize);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getBoolean(1)) {
                        return null;
                    }
                    long id = rs.getLong(2);
                    if (!rs.wasNull()) {
                        rows.add(new Row(id, rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)));
                    }
                }
            }
        }
        return rows;
    }

    private static void deletePublished(Connection c, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM outbox WHERE id = ANY(?)")) {
            delete.setArray(1, c.createArrayOf("bigint", ids.toArray(Long[]::new)));
            delete.executeUpdate();
        }
    }

    private static void markPublished(Connection c, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement mark = c.prepareStatement("UPDATE outbox SET published_at = now() WHERE id = ANY(?)")) {
            Array array = c.createArrayOf("bigint", ids.toArray(Long[]::new));
            mark.setArray(1, array);
            mark.executeUpdate();
        }
    }
}
