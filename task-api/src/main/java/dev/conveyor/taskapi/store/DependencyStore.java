package dev.conveyor.taskapi.store;

import dev.conveyor.taskapi.domain.Task;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * SQL on the waiting tasks that depend on others ({@code depends_on}, GIN-indexed over waiting rows): what a completion
 * locks and promotes, what a final failure or cancel fails. A create's lookup of its dependencies stays with the create
 * in {@link TaskStore}. Every method runs on the connection (and transaction) it is given.
 */
@ApplicationScoped
public class DependencyStore {

    /**
     * Locks, in id order, the waiting tasks that depend on any of these tasks. A completion takes this lock before it
     * promotes, so two completions that share a dependent promote one after the other and the second, a later statement,
     * sees the first's task complete.
     */
    public Uni<Void> lockWaitingDependents(SqlClient c, UUID[] ids) {
        return c.preparedQuery("SELECT id FROM tasks WHERE status = 'waiting' AND depends_on && $1::uuid[] "
                        + "ORDER BY id FOR UPDATE")
                .execute(Sql.args((Object) ids))
                .replaceWithVoid();
    }

    /** Waiting tasks that depend on any of these (just completed) tasks and all of whose dependencies are complete become queued. */
    public Uni<List<Task>> promoteWaiting(SqlClient c, UUID[] completedIds) {
        return c.preparedQuery("UPDATE tasks t SET status = 'queued', run_after = now(), updated_at = now() "
                        + "WHERE t.status = 'waiting' AND t.depends_on && $1::uuid[] AND NOT EXISTS "
                        + "(SELECT 1 FROM tasks d WHERE d.id = ANY(t.depends_on) AND d.status <> 'complete') RETURNING "
                        + TaskRows.T_COLS)
                .execute(Sql.args((Object) completedIds))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }

    /** Waiting tasks that depend on any of these (failed or cancelled) tasks fail. */
    public Uni<List<Task>> failDependents(SqlClient c, UUID[] ids) {
        return c.preparedQuery("UPDATE tasks SET status = 'failed', error_message = 'dependency ' || ("
                        + "SELECT d FROM unnest(depends_on) d WHERE d = ANY($1) LIMIT 1) || ' did not complete', "
                        + "completed_at = now(), updated_at = now() WHERE status = 'waiting' AND depends_on && $1 RETURNING "
                        + TaskRows.COLS)
                .execute(Sql.args((Object) ids))
                .map(rows -> Sql.map(rows, TaskRows::task));
    }
}
