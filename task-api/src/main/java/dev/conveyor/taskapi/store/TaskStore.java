package dev.conveyor.taskapi.store;

import dev.conveyor.taskapi.domain.Task;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * SQL on tasks for reads, creates and the client-side state changes; the worker protocol's lease statements (claim,
 * heartbeat, complete, fail, release, reap) are in {@link LeaseStore}. Every method runs on the connection (and
 * transaction) it is given.
 */
@ApplicationScoped
public class TaskStore {
    /** A dependency as create sees it. */
    public record Dependency(UUID id, UUID projectId, String status) {}

    public Uni<Task> find(SqlClient c, UUID id) {
        return c.preparedQuery("SELECT " + TaskRows.COLS + " FROM tasks WHERE id = $1")
                .execute(Sql.args(id))
                .map(TaskRows::first);
    }

    public Uni<Task> findOwned(SqlClient c, UUID id, UUID userId) {
        return c.preparedQuery("SELECT " + TaskRows.COLS + " FROM tasks WHERE id = $1 AND user_id = $2")
                .execute(Sql.args(id, userId))
                .map(TaskRows::first);
    }

    public Uni<Task> findByIdempotencyKey(SqlClient c, UUID userId, String key) {
        return c.preparedQuery("SELECT " + TaskRows.COLS + " FROM tasks WHERE user_id = $1 AND idempotency_key = $2")
                .execute(Sql.args(userId, key))
                .map(TaskRows::first);
    }

    /** The user's tasks created with any of these idempotency keys, by key (a batch's keyed items, one lookup). */
    public Uni<Map<String, Task>> findByIdempotencyKeys(SqlClient c, UUID userId, String[] keys) {
        return c.preparedQuery("SELECT " + TaskRows.COLS
                        + ", idempotency_key FROM tasks WHERE user_id = $1 AND idempotency_key = ANY($2)")
                .execute(Sql.args(userId, keys))
                .map(rows -> {
                    Map<String, Task> byKey = new HashMap<>();
                    rows.forEach(r -> byKey.put(r.getString(TaskRows.COLUMNS), TaskRows.task(r)));
                    return byKey;
                });
    }

    public Uni<List<Dependency>> dependencies(SqlClient c, UUID userId, UUID[] ids) {
        return c.preparedQuery("SELECT id, project_id, status FROM tasks WHERE user_id = $1 AND id = ANY($2) FOR SHARE")
                .execute(Sql.args(userId, ids))
                .map(rows -> Sql.map(
                        rows, r -> new Dependency(r.getUUID("id"), r.getUUID("project_id"), r.getString("status"))));
    }

    /** A child's key is scoped to its parent ({@code child_key}); a client's to its user ({@code idempotency_key}). */
    public Uni<Task> findChildByKey(SqlClient c, UUID parentId, String childKey) {
        return c.preparedQuery("SELECT " + TaskRows.COLS + " FROM tasks WHERE parent_task_id = $1 AND child_key = $2")
                .execute(Sql.args(parentId, childKey))
                .map(TaskRows::first);
    }

    /**
     * The parent, locked (so no complete/fail/reap slips in before the children's transaction commits, and the children's
     * draws on its spawn budget update a row this transaction already holds), when this worker holds its live lease;
     * null otherwise.
     */
    public Uni<Task> findLeased(SqlClient c, UUID id, String workerId, UUID token) {
        return c.preparedQuery("SELECT " + TaskRows.COLS
                        + " FROM tasks WHERE id = $1 AND status = 'in_progress' AND lease_token = $2 "
                        + "AND worker_id = $3 AND lease_expires_at > now() FOR UPDATE")
                .execute(Sql.args(id, token, workerId))
                .map(TaskRows::first);
    }

    /**
     * A task to insert. {@code paramsJson}: the params as JSON text, serialised once by the create's checks;
     * {@code spawnBudget}: the part of {@code cost} held for the children a pipeline will create;
     * {@code fromParent}: a child whose cost was drawn from its parent's spawn budget (not held on the account).
     */
    public record NewTask(
            UUID id,
            UUID projectId,
            UUID userId,
            String taskType,
            String paramsJson,
            String status,
            int priority,
            long cost,
            int maxAttempts,
            Duration lease,
            String generationType,
            UUID shotId,
            UUID[] dependsOn,
            UUID parentTaskId,
            String idempotencyKey,
            String childKey,
            long spawnBudget,
            boolean fromParent) {}

    /**
     * created_at is the insert's own time (not the transaction's), so the tasks of one batch keep their order (children
     * listed oldest first, claims first in first out).
     */
    public Uni<Task> insert(SqlClient c, NewTask t) {
        return c.preparedQuery(
                        "INSERT INTO tasks (id, project_id, user_id, task_type, params, status, priority, cost, max_attempts, "
                                + "lease_ms, generation_type, shot_id, depends_on, parent_task_id, idempotency_key, child_key, spawn_budget, "
                                + "from_parent, created_at, updated_at) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $8, $9, $10, $11, $12, "
                                + "$13, $14, $15, $16, $17, $18, clock_timestamp(), clock_timestamp()) RETURNING "
                                + TaskRows.COLS)
                .execute(Sql.args(
                        t.id(),
                        t.projectId(),
                        t.userId(),
                        t.taskType(),
                        t.paramsJson(),
                        t.status(),
                        t.priority(),
                        t.cost(),
                        t.maxAttempts(),
                        t.lease().toMillis(),
                        t.generationType(),
                        t.shotId(),
                        t.dependsOn(),
                        t.parentTaskId(),
                        t.idempotencyKey(),
                        t.childKey(),
                        t.spawnBudget(),
                        t.fromParent()))
                .map(TaskRows::first);
    }

    /**
     * Inserts several tasks in one statement and answers them in the order given. created_at: one clock_timestamp() for
     * the statement plus one microsecond per row, so the rows keep the given order strictly (a single insert per task
     * gets a later clock each time; rows of one statement could otherwise share a microsecond and tie).
     * {@code depends_on} travels as one array literal per row (a ragged uuid[][] cannot be unnested).
     */
    public Uni<List<Task>> insertAll(SqlClient c, List<NewTask> all) {
        int n = all.size();
        UUID[] ids = new UUID[n];
        UUID[] projectIds = new UUID[n];
        UUID[] userIds = new UUID[n];
        String[] types = new String[n];
        String[] params = new String[n];
        String[] statuses = new String[n];
        Integer[] priorities = new Integer[n];
        Long[] costs = new Long[n];
        Integer[] maxAttempts = new Integer[n];
        Long[] leaseMs = new Long[n];
        String[] generationTypes = new String[n];
        UUID[] shotIds = new UUID[n];
        String[] dependsOn = new String[n];
        UUID[] parentIds = new UUID[n];
        String[] keys = new String[n];
        String[] childKeys = new String[n];
        Long[] spawnBudgets = new Long[n];
        Boolean[] fromParent = new Boolean[n];
        for (int i = 0; i < n; i++) {
            NewTask t = all.get(i);
            ids[i] = t.id();
            projectIds[i] = t.projectId();
            userIds[i] = t.userId();
            types[i] = t.taskType();
            params[i] = t.paramsJson();
            statuses[i] = t.status();
            priorities[i] = t.priority();
            costs[i] = t.cost();
            maxAttempts[i] = t.maxAttempts();
            leaseMs[i] = t.lease().toMillis();
            generationTypes[i] = t.generationType();
            shotIds[i] = t.shotId();
            dependsOn[i] = uuidArrayLiteral(t.dependsOn());
            parentIds[i] = t.parentTaskId();
            keys[i] = t.idempotencyKey();
            childKeys[i] = t.childKey();
            spawnBudgets[i] = t.spawnBudget();
            fromParent[i] = t.fromParent();
        }
        return c.preparedQuery(
                        "INSERT INTO tasks (id, project_id, user_id, task_type, params, status, priority, cost, max_attempts, "
                                + "lease_ms, generation_type, shot_id, depends_on, parent_task_id, idempotency_key, child_key, spawn_budget, "
                                + "from_parent, created_at, updated_at) "
                                + "SELECT r.id, r.project_id, r.user_id, r.task_type, r.params::jsonb, r.status, r.priority, r.cost, "
                                + "r.max_attempts, r.lease_ms, r.generation_type, r.shot_id, r.depends_on::uuid[], r.parent_task_id, "
                                + "r.idempotency_key, r.child_key, r.spawn_budget, r.from_parent, "
                                + "s.t + (r.n - 1) * interval '1 microsecond', s.t + (r.n - 1) * interval '1 microsecond' "
                                + "FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::int[], "
                                + "$8::bigint[], $9::int[], $10::bigint[], $11::text[], $12::uuid[], $13::text[], $14::uuid[], "
                                + "$15::text[], $16::text[], $17::bigint[], $18::boolean[]) WITH ORDINALITY AS r(id, project_id, "
                                + "user_id, task_type, params, status, priority, cost, max_attempts, lease_ms, generation_type, "
                                + "shot_id, depends_on, parent_task_id, idempotency_key, child_key, spawn_budget, from_parent, n), "
                                + "(SELECT clock_timestamp() AS t) s ORDER BY r.n RETURNING "
                                + TaskRows.COLS)
                .execute(Sql.args(
                        ids,
                        projectIds,
                        userIds,
                        types,
                        params,
                        statuses,
                        priorities,
                        costs,
                        maxAttempts,
                        leaseMs,
                        generationTypes,
                        shotIds,
                        dependsOn,
                        parentIds,
                        keys,
                        childKeys,
                        spawnBudgets,
                        fromParent))
                .map(rows -> {
                    // RETURNING's order is not promised: answer the rows in the order given, by id.
                    Map<UUID, Task> byId = new HashMap<>();
                    rows.forEach(r -> byId.put(r.getUUID(TaskRows.ID), TaskRows.task(r)));
                    List<Task> inOrder = new ArrayList<>(n);
                    for (UUID id : ids) {
                        inOrder.add(byId.get(id));
                    }
                    return inOrder;
                });
    }

    /** {@code {a,b}} for uuid[] (UUIDs need no quoting). */
    private static String uuidArrayLiteral(UUID[] ids) {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                s.append(',');
            }
            s.append(ids[i]);
        }
        return s.append('}').toString();
    }

    public Uni<List<Task>> list(SqlClient c, UUID projectId, String status, String taskType, int limit, int offset) {
        return c.preparedQuery(
                        "SELECT " + TaskRows.COLS
                                + " FROM tasks WHERE project_id = $1 AND ($2::text IS NULL OR status = $2) "
                                + "AND ($3::text IS NULL OR task_type = $3) ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5")
                .execute(Sql.args(projectId, status, taskType, limit, offset))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    public Uni<Long> count(SqlClient c, UUID projectId, String status, String taskType) {
        return c.preparedQuery(
                        "SELECT count(*) AS n FROM tasks WHERE project_id = $1 AND ($2::text IS NULL OR status = $2) "
                                + "AND ($3::text IS NULL OR task_type = $3)")
                .execute(Sql.args(projectId, status, taskType))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /** The user's tasks across their projects, newest first; {@code statuses} null = every status. */
    public Uni<List<Task>> listByUser(SqlClient c, UUID userId, String[] statuses, int limit, int offset) {
        return c.preparedQuery("SELECT " + TaskRows.COLS
                        + " FROM tasks WHERE user_id = $1 AND ($2::text[] IS NULL OR status = ANY($2)) "
                        + "ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4")
                .execute(Sql.args(userId, statuses, limit, offset))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    public Uni<Long> countByUser(SqlClient c, UUID userId, String[] statuses) {
        return c.preparedQuery(
                        "SELECT count(*) AS n FROM tasks WHERE user_id = $1 AND ($2::text[] IS NULL OR status = ANY($2))")
                .execute(Sql.args(userId, statuses))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    public Uni<List<Task>> children(SqlClient c, UUID parentId) {
        return c.preparedQuery(
                        "SELECT " + TaskRows.COLS + " FROM tasks WHERE parent_task_id = $1 ORDER BY created_at, id")
                .execute(Sql.args(parentId))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    public Uni<Map<String, Long>> statusCounts(SqlClient c, UUID projectId) {
        return c.preparedQuery("SELECT status, count(*) AS n FROM tasks WHERE project_id = $1 GROUP BY status")
                .execute(Sql.args(projectId))
                .map(rows -> {
                    Map<String, Long> counts = new HashMap<>();
                    rows.forEach(r -> counts.put(r.getString("status"), r.getLong("n")));
                    return counts;
                });
    }

    public Uni<List<Task>> findAll(SqlClient c, UUID[] ids) {
        return c.preparedQuery("SELECT " + TaskRows.COLS + " FROM tasks WHERE id = ANY($1)")
                .execute(Sql.args((Object) ids))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    public Uni<Task> cancel(SqlClient c, UUID id) {
        return c.preparedQuery(
                        "UPDATE tasks SET status = 'cancelled', completed_at = now(), updated_at = now(), lease_expires_at = NULL "
                                + "WHERE id = $1 AND status IN ('waiting', 'queued', 'in_progress') RETURNING "
                                + TaskRows.COLS)
                .execute(Sql.args(id))
                .map(TaskRows::first);
    }

    /**
     * failed/cancelled -> queued (or waiting), attempts from zero, holding {@code cost} of which {@code spawnBudget} is for
     * the children it will (re)create; {@code fromParent} whether that cost was drawn from the parent's spawn budget.
     */
    public Uni<Task> retry(SqlClient c, UUID id, String status, long cost, long spawnBudget, boolean fromParent) {
        return c.preparedQuery(
                        "UPDATE tasks SET status = $2, attempts = 0, run_after = now(), error_message = NULL, progress = NULL, "
                                + "progress_message = NULL, worker_id = NULL, lease_token = NULL, lease_expires_at = NULL, completed_at = NULL, "
                                + "output_location = NULL, cost = $3, spawn_budget = $4, from_parent = $5, updated_at = now() "
                                + "WHERE id = $1 AND status IN ('failed', 'cancelled') RETURNING " + TaskRows.COLS)
                .execute(Sql.args(id, status, cost, spawnBudget, fromParent))
                .map(TaskRows::first);
    }

    /** Sets the generation id where it differs (so a redelivered event changes nothing). */
    public Uni<List<Task>> setGeneration(SqlClient c, UUID[] taskIds, UUID generationId) {
        return c.preparedQuery("UPDATE tasks SET generation_id = $2, updated_at = now() WHERE id = ANY($1) "
                        + "AND generation_id IS DISTINCT FROM $2 RETURNING " + TaskRows.COLS)
                .execute(Sql.args(taskIds, generationId))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }
}
