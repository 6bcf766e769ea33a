package dev.conveyor.taskapi.store;

import dev.conveyor.taskapi.domain.Task;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/**
 * Stalled tasks: queued and due for at least {@code after} ($1, ms) while no worker seen within {@code after} can
 * claim their type (the {@code workers} registry, written on every claim).
 */
@ApplicationScoped
public class StalledStore {
    private static final String STALLED = "t.status = 'queued' AND t.run_after < now() - $1 * interval '1 millisecond' "
            + "AND NOT EXISTS (SELECT 1 FROM workers w WHERE t.task_type = ANY(w.task_types) "
            + "AND w.last_seen_at > now() - $1 * interval '1 millisecond')";

    /** One task type's stalled tasks: how many, and the oldest one's creation time. */
    public record TypeCount(String taskType, long count, Instant oldestCreatedAt) {}

    public Uni<List<TypeCount>> countByType(SqlClient c, long afterMs) {
        return c.preparedQuery("SELECT t.task_type, count(*) AS n, min(t.created_at) AS oldest FROM tasks t WHERE "
                        + STALLED + " GROUP BY t.task_type ORDER BY t.task_type")
                .execute(Sql.args(afterMs))
                .map(rows -> Sql.map(
                        rows, r -> new TypeCount(r.getString("task_type"), r.getLong("n"), Sql.instant(r, "oldest"))));
    }

    /** A page of stalled tasks, oldest first; {@code taskType} null = every type. */
    public Uni<List<Task>> page(SqlClient c, long afterMs, String taskType, int limit, int offset) {
        return c.preparedQuery("SELECT " + TaskRows.T_COLS + " FROM tasks t WHERE " + STALLED
                        + " AND ($2::text IS NULL OR t.task_type = $2) ORDER BY t.created_at, t.id LIMIT $3 OFFSET $4")
                .execute(Sql.args(afterMs, taskType, limit, offset))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    /**
     * Fails up to {@code batch} stalled tasks that have been due for {@code expireMs}, with an error message naming
     * why; rows another transaction holds are skipped. Answers the failed tasks.
     */
    public Uni<List<Task>> expire(
            SqlClient c, long afterMs, long expireMs, int batch, String afterText, String expireText) {
        return c.preparedQuery("WITH picked AS (SELECT t.id FROM tasks t WHERE " + STALLED
                        + " AND t.run_after < now() - $2 * interval '1 millisecond' ORDER BY t.run_after LIMIT $3 FOR UPDATE OF t SKIP LOCKED) "
                        + "UPDATE tasks t SET status = 'failed', completed_at = now(), updated_at = now(), lease_expires_at = NULL, "
                        + "error_message = 'no_worker: no worker that can run task type ' || t.task_type || ' was seen for ' || $4 "
                        + "|| '; expired after ' || $5 || ' queued' FROM picked WHERE t.id = picked.id RETURNING "
                        + TaskRows.T_COLS)
                .execute(Sql.args(afterMs, expireMs, batch, afterText, expireText))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }
}
