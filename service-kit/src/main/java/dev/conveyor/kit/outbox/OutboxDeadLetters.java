package dev.conveyor.kit.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code outbox_dead_letters} table: outbox rows that Kafka refused for good (headers included), with the reason. The relay moves a
 * row here in the transaction of its pass; an operator lists them and re-drives one (back into the outbox, as a new
 * row at the end of the order) once its cause is fixed. Blocking JDBC: call it from a worker thread.
 */
public final class OutboxDeadLetters {
    /** How many dead letters one listing answers at most (oldest first). */
    public static final int PAGE = 100;

    private static final int PREVIEW_CHARS = 1000;

    /** One dead letter, its payload cut to a preview. */
    public record DeadLetter(
            long id,
            long outboxId,
            String topic,
            String key,
            int payloadChars,
            String payloadPreview,
            String reason,
            Instant createdAt,
            Instant failedAt) {}

    /** A re-driven dead letter: the outbox row that now carries it. */
    public record Redriven(long id, long outboxId) {}

    private final DataSource dataSource;

    public OutboxDeadLetters(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Moves outbox row {@code outboxId} here, inside the caller's transaction. */
    static void move(Connection c, long outboxId, String reason) throws SQLException {
        try (PreparedStatement move = c.prepareStatement(
                "WITH gone AS (DELETE FROM outbox WHERE id = ? RETURNING id, topic, key, payload, headers, created_at) "
                        + "INSERT INTO outbox_dead_letters (outbox_id, topic, key, payload, headers, created_at, reason) "
                        + "SELECT id, topic, key, payload, headers, created_at, ? FROM gone")) {
            move.setLong(1, outboxId);
            move.setString(2, reason);
            move.executeUpdate();
        }
    }

    static long count(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM outbox_dead_letters");
                ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The oldest {@link #PAGE} dead letters with an id above {@code after}. */
    public List<DeadLetter> list(long after) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "SELECT id, outbox_id, topic, key, coalesce(length(payload), 0), left(payload, ?), reason, "
                                + "created_at, failed_at FROM outbox_dead_letters WHERE id > ? ORDER BY id LIMIT ?")) {
            q.setInt(1, PREVIEW_CHARS);
            q.setLong(2, after);
            q.setInt(3, PAGE);
            List<DeadLetter> list = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    list.add(new DeadLetter(
                            rs.getLong(1),
                            rs.getLong(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getInt(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getTimestamp(8).toInstant(),
                            rs.getTimestamp(9).toInstant()));
                }
            }
            return list;
        }
    }

    /** Puts dead letter {@code id} back into the outbox (one transaction); empty when there is no such dead letter. */
    public Optional<Redriven> redrive(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement q = c.prepareStatement(
                    "WITH gone AS (DELETE FROM outbox_dead_letters WHERE id = ? RETURNING topic, key, payload, headers) "
                            + "INSERT INTO outbox (topic, key, payload, headers) "
                            + "SELECT topic, key, payload, headers FROM gone RETURNING id")) {
                q.setLong(1, id);
                Optional<Redriven> result;
                try (ResultSet rs = q.executeQuery()) {
                    result = rs.next() ? Optional.of(new Redriven(id, rs.getLong(1))) : Optional.empty();
                }
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
