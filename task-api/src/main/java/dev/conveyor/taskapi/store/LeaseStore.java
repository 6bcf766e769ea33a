package dev.conveyor.taskapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.taskapi.domain.Task;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The worker protocol's statements on tasks: claim (and the worker's row), heartbeat, complete, requeue, fail, release
 * and the reaper's pass over expired leases. Each is fenced by the lease (token, worker, {@code in_progress}) or picks
 * rows with SKIP LOCKED; rows map through {@link TaskRows#task}. Every method runs on the connection (and transaction)
 * it is given.
 */
@ApplicationScoped
public class LeaseStore {

    /** A worker's row is rewritten when it was last seen longer ago than this (or its capabilities changed). */
    public static final Duration WORKER_ROW_REFRESH = Duration.ofSeconds(5);

    /** Batch claim: queued, due, of a runnable type; highest priority first, then oldest; locked rows skipped. */
    public Uni<List<Task>> claim(SqlClient c, String[] types, int max, String workerId) {
        return c.preparedQuery("WITH picked AS (SELECT id FROM tasks WHERE status = 'queued' AND run_after <= now() "
                        + "AND task_type = ANY($1) ORDER BY priority DESC, created_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
                        + "UPDATE tasks t SET status = 'in_progress', lease_token = gen_random_uuid(), "
                        + "lease_expires_at = now() + t.lease_ms * interval '1 millisecond', attempts = t.attempts + 1, worker_id = $3, "
                        + "claimed_at = now(), updated_at = now(), progress = NULL, progress_message = NULL "
                        + "FROM picked WHERE t.id = picked.id RETURNING " + TaskRows.T_COLS)
                .execute(Sql.args(types, max, workerId))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    /**
     * Records the worker as seen, with the task types it can claim (what the stalled-task check looks for). A worker claims many times a second under load (and every woken worker claims on each
     * task event), so the row is rewritten only when its capabilities changed or it was last seen over
     * {@link #WORKER_ROW_REFRESH} ago: most
     * claims leave no new row version (and no WAL) behind.
     */
    public Uni<Void> touchWorker(SqlClient c, String workerId, String[] capabilities, String[] taskTypes) {
        return c.preparedQuery(
                        "INSERT INTO workers (worker_id, capabilities, task_types, last_seen_at) VALUES ($1, $2, $3, now()) "
                                + "ON CONFLICT (worker_id) DO UPDATE SET capabilities = excluded.capabilities, "
                                + "task_types = excluded.task_types, last_seen_at = now() "
                                + "WHERE workers.last_seen_at < now() - interval '" + WORKER_ROW_REFRESH.toSeconds()
                                + " seconds' "
                                + "OR workers.capabilities IS DISTINCT FROM excluded.capabilities "
                                + "OR workers.task_types IS DISTINCT FROM excluded.task_types")
                .execute(Sql.args(workerId, capabilities, taskTypes))
                .replaceWithVoid();
    }

    public Uni<Task> heartbeat(SqlClient c, UUID id, UUID token, String workerId, Integer progress, String message) {
        return c.preparedQuery("UPDATE tasks SET lease_expires_at = now() + lease_ms * interval '1 millisecond', "
                        + "progress = coalesce($3, progress), progress_message = coalesce($4, progress_message), updated_at = now() "
                        + "WHERE id = $1 AND lease_token = $2 AND worker_id = $5 AND status = 'in_progress' RETURNING "
                        + TaskRows.COLS)
                .execute(Sql.args(id, token, progress, message, workerId))
                .map(TaskRows::first);
    }

    /**
     * The batch complete's statement. {@code (status = 'in_progress') IS TRUE} filters exactly as {@code status =
     * 'in_progress'} does in a WHERE, but does not let the planner match {@code tasks_leases}' predicate: with it, the
     * planner (the unnest guessed at 10 rows, the statistics seeing few tasks in progress) walked {@code tasks_leases},
     * whose entries of every task completed since the last vacuum are still there, so each complete grew slower through
     * a drain (0.9 ms to find nothing at the end of a 20,000-task drain). Now each item is one primary-key lookup,
     * however long the queue ({@code CompletePlanTest}).
     */
    public static final String COMPLETE_ALL =
            "UPDATE tasks t SET status = 'complete', output_location = b.output_location, "
                    + "metadata = b.metadata::jsonb, progress = 100, completed_at = now(), updated_at = now(), lease_expires_at = NULL "
                    + "FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS b(id, token, output_location, metadata) "
                    + "WHERE t.id = b.id AND t.lease_token = b.token AND t.worker_id = $5 "
                    + "AND (t.status = 'in_progress') IS TRUE "
                    + "RETURNING " + TaskRows.T_COLS;

    /**
     * Completes, in one statement, every item whose lease token is its task's live lease ({@code in_progress}) held by
     * this worker; answers the completed tasks (items whose token is stale or another worker's, or whose task is
     * unknown, are simply not among them).
     */
    public Uni<List<Task>> completeAll(
            SqlClient c, String workerId, UUID[] ids, UUID[] tokens, String[] outputLocations, JsonNode[] metadata) {
        String[] metadataJson = Arrays.stream(metadata).map(Sql::text).toArray(String[]::new);
        return c.preparedQuery(COMPLETE_ALL)
                .execute(Sql.args(ids, tokens, outputLocations, metadataJson, workerId))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    /** A failed attempt that may retry: back to queued, due after the backoff. */
    public Uni<Task> requeue(SqlClient c, UUID id, UUID token, Duration backoff, String error) {
        return c.preparedQuery("UPDATE tasks SET status = 'queued', run_after = now() + $3 * interval '1 millisecond', "
                        + "error_message = $4, lease_expires_at = NULL, updated_at = now() "
                        + "WHERE id = $1 AND lease_token = $2 AND status = 'in_progress' RETURNING " + TaskRows.COLS)
                .execute(Sql.args(id, token, backoff.toMillis(), error))
                .map(TaskRows::first);
    }

    /**
     * A hand-back without penalty: back to queued, due now, the attempt the claim counted given back, the lease ended
     * (the token stays stored, so a repeat with it is recognised). Fenced by token and worker.
     */
    public Uni<Task> release(SqlClient c, UUID id, UUID token, String workerId) {
        return c.preparedQuery(
                        "UPDATE tasks SET status = 'queued', run_after = now(), attempts = greatest(attempts - 1, 0), "
                                + "lease_expires_at = NULL, progress = NULL, progress_message = NULL, updated_at = now() "
                                + "WHERE id = $1 AND lease_token = $2 AND worker_id = $3 AND status = 'in_progress' RETURNING "
                                + TaskRows.COLS)
                .execute(Sql.args(id, token, workerId))
                .map(TaskRows::first);
    }

    public Uni<Task> failFinal(SqlClient c, UUID id, UUID token, String error) {
        return c.preparedQuery(
                        "UPDATE tasks SET status = 'failed', error_message = $3, completed_at = now(), updated_at = now(), "
                                + "lease_expires_at = NULL WHERE id = $1 AND lease_token = $2 AND status = 'in_progress' RETURNING "
                                + TaskRows.COLS)
                .execute(Sql.args(id, token, error))
                .map(TaskRows::first);
    }

    /** Expired leases: back to queued, or failed when attempts are spent. Skips rows another replica holds. */
    public Uni<List<Task>> reap(SqlClient c, int batch) {
        return c.preparedQuery(
                        "WITH expired AS (SELECT id FROM tasks WHERE status = 'in_progress' AND lease_expires_at < now() "
                                + "ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
                                + "UPDATE tasks t SET status = CASE WHEN t.attempts >= t.max_attempts THEN 'failed' ELSE 'queued' END, "
                                + "completed_at = CASE WHEN t.attempts >= t.max_attempts THEN now() END, run_after = now(), "
                                + "error_message = 'lease expired (worker ' || coalesce(t.worker_id, '?') || ')', lease_expires_at = NULL, "
                                + "updated_at = now() FROM expired WHERE t.id = expired.id RETURNING "
                                + TaskRows.T_COLS)
                .execute(Sql.args(batch))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }
}
