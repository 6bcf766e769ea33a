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

/**
 * One relay pass, in one transaction: take the advisory lock (one relay per database), read a batch of unpublished rows
 * of transactions older than every running one ({@code tx_id} below the snapshot's xmin, so no earlier commit can still
 * appear behind them) in commit then id order, send them (the row's headers as the record's headers), and wait for each acknowledgement in order:
 * <ul>
 *   <li>acknowledged: marked published;</li>
 *   <li>refused for good ({@link PublishFailures#isPermanent}): moved to {@code outbox_dead_letters} with the reason,
 *   and the rows after it go on;</li>
 *   <li>failed for a passing reason: the pass stops there; the rows before it are still marked published (they were
 *   acknowledged: sending them again would duplicate them), the failed row and the rest are sent again next pass.</li>
 * </ul>
 * The marks and moves commit together, then a passing failure is rethrown so the relay backs off.
 */
final class OutboxPass {
    private static final long ACK_TIMEOUT_SECONDS = 30;

    /** What a pass did. {@code failure} is the passing fault that stopped it, or null. */
    record Result(int published, int deadLettered, Exception failure) {
        static final Result LOCKED_ELSEWHERE = new Result(0, 0, null);
    }

    private record Row(long id, String topic, String key, String payload, String headers) {}

    private OutboxPass() {}

    static Result run(Connection c, Producer<String, String> producer, int batchSize) throws SQLException {
        c.setAutoCommit(false);
        try {
            if (!tryLock(c)) {
                c.rollback();
                return Result.LOCKED_ELSEWHERE;
            }
            List<Row> rows = unpublished(c, batchSize);
            List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
            for (Row row : rows) {
                acks.add(send(producer, row));
            }
            if (!rows.isEmpty()) {
                // the relay producer lingers while a pass is appended; flush sends the pass now, in as few requests
                // as its partitions allow (a failed flush shows in the acknowledgements below)
                flush(producer);
            }
            List<Long> published = new ArrayList<>();
            int deadLettered = 0;
            Exception failure = null;
            for (int i = 0; i < rows.size() && failure == null; i++) {
                try {
                    acks.get(i).get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    published.add(rows.get(i).id());
                } catch (ExecutionException e) {
                    if (PublishFailures.isPermanent(e)) {
                        OutboxDeadLetters.move(c, rows.get(i).id(), PublishFailures.reason(e));
                        deadLettered++;
                    } else {
                        failure = e;
                    }
                } catch (TimeoutException e) {
                    failure = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = e;
                }
            }
            markPublished(c, published);
            c.commit();
            return new Result(published.size(), deadLettered, failure);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }

    /** A send that fails at once (record too large, serialization) answers a failed future like a broker refusal. */
    private static Future<RecordMetadata> send(Producer<String, String> producer, Row row) {
        try {
            return producer.send(new ProducerRecord<>(
                    row.topic(), null, row.key(), row.payload(), OutboxHeaders.toRecord(row.headers())));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void flush(Producer<String, String> producer) {
        try {
            producer.flush();
        } catch (RuntimeException e) {
            // InterruptException or a closed producer: each row's future says what became of it
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, OutboxSettings.LOCK_KEY);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static List<Row> unpublished(Connection c, int batchSize) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(
                "SELECT id, topic, key, payload, headers::text FROM outbox WHERE published_at IS NULL "
                        + "AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id, id LIMIT ?")) {
            q.setInt(1, batchSize);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(
                            new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
        return rows;
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
