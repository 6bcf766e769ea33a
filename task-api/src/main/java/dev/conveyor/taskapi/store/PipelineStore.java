package dev.conveyor.taskapi.store;

import dev.conveyor.taskapi.domain.Task;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * SQL of pipelines (Flyway V4): a task's spawn budget, the draws of the children it creates, the cost still unpaid
 * below it, and the cascade that cancels a pipeline's unfinished descendants. Every method runs on the connection (and
 * transaction) it is given.
 */
@ApplicationScoped
public class PipelineStore {

    /** A task's pipeline accounting: its spawn budget, and whether its cost was drawn from its parent. */
    public record Share(long cost, long spawnBudget, boolean fromParent) {
        /** The task's own part of its cost. */
        public long own() {
            return cost - spawnBudget;
        }
    }

    public Uni<Share> share(SqlClient c, UUID id) {
        return c.preparedQuery("SELECT cost, spawn_budget, from_parent FROM tasks WHERE id = $1")
                .execute(Sql.args(id))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return null;
                    }
                    Row r = it.next();
                    return new Share(r.getLong("cost"), r.getLong("spawn_budget"), r.getBoolean("from_parent"));
                });
    }

    /**
     * Moves {@code amount} of the parent's spawn budget to a child being created: the parent's cost and spawn budget go
     * down by it. Answers false (nothing changed) when the budget has less left.
     */
    public Uni<Boolean> drawBudget(SqlClient c, UUID parentId, long amount) {
        return c.preparedQuery(
                        "UPDATE tasks SET cost = cost - $2, spawn_budget = spawn_budget - $2, updated_at = now() "
                                + "WHERE id = $1 AND spawn_budget >= $2 RETURNING id")
                .execute(Sql.args(parentId, amount))
                .map(rows -> rows.size() == 1);
    }

    /**
     * The cost not paid yet of the pipeline below a task: the sum of the costs of its descendants drawn from their parent
     * (following only such links) that are not complete. A retried parent holds it again for the children it re-creates.
     */
    public Uni<Long> unpaidDescendants(SqlClient c, UUID id) {
        return c.preparedQuery(
                        "WITH RECURSIVE d AS (SELECT id, cost, status FROM tasks WHERE parent_task_id = $1 AND from_parent "
                                + "UNION ALL SELECT t.id, t.cost, t.status FROM tasks t JOIN d ON t.parent_task_id = d.id WHERE t.from_parent) "
                                + "SELECT coalesce(sum(cost) FILTER (WHERE status <> 'complete'), 0) AS unpaid FROM d")
                .execute(Sql.args(id))
                .map(rows -> rows.iterator().next().getLong("unpaid"));
    }

    /**
     * Cancels every unfinished descendant of these tasks (children, their children, …; waiting, queued or in progress).
     * A running one keeps its lease token, so its worker's next heartbeat answers cancelled=true.
     */
    public Uni<List<Task>> cancelDescendants(SqlClient c, UUID[] ids) {
        return c.preparedQuery("WITH RECURSIVE d AS (SELECT id FROM tasks WHERE parent_task_id = ANY($1) "
                        + "UNION SELECT t.id FROM tasks t JOIN d ON t.parent_task_id = d.id) "
                        + "UPDATE tasks t SET status = 'cancelled', completed_at = now(), updated_at = now(), lease_expires_at = NULL, "
                        + "error_message = 'cancelled with its pipeline: parent task ' || t.parent_task_id || ' ended' "
                        + "FROM d WHERE t.id = d.id AND t.status IN ('waiting', 'queued', 'in_progress') RETURNING "
                        + TaskRows.T_COLS)
                .execute(Sql.args((Object) ids))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    /**
     * A completing pipeline's spawn budget no child drew: set to zero (the task's cost goes down by it) on the tasks of
     * this transaction that have one; answers the amount per task id, to release.
     */
    public Uni<Map<UUID, Long>> takeUnspent(SqlClient c, UUID[] ids) {
        return c.preparedQuery(
                        "UPDATE tasks t SET cost = t.cost - o.unspent, spawn_budget = 0 FROM (SELECT id, spawn_budget AS unspent "
                                + "FROM tasks WHERE id = ANY($1) AND spawn_budget > 0) o WHERE t.id = o.id RETURNING t.id, o.unspent")
                .execute(Sql.args((Object) ids))
                .map(rows -> {
                    Map<UUID, Long> unspent = new HashMap<>();
                    rows.forEach(r -> unspent.put(r.getUUID("id"), r.getLong("unspent")));
                    return unspent;
                });
    }
}
