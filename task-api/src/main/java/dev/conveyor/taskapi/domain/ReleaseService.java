package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.Release;
import dev.conveyor.taskapi.store.LeaseStore;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * The worker's hand-back without penalty ({@code POST /v1/worker/tasks/{id}/release}): a task it cannot or will not run
 * (shutting down, no handler) goes back to {@code queued} at once, the attempt its claim counted given back, so a
 * rolling deploy never uses up a task's attempts. The held credits stay held. {@code task.requeued} goes into the
 * outbox in the same transaction; the status change NOTIFYs {@code conveyor_task_queued}, so a waiting claim takes it.
 */
@ApplicationScoped
public class ReleaseService {
    private final Pool pool;
    private final TaskStore tasks;
    private final LeaseStore leaseRows;
    private final OutboxStore outbox;

    public ReleaseService(Pool pool, TaskStore tasks, LeaseStore leaseRows, OutboxStore outbox) {
        this.pool = pool;
        this.tasks = tasks;
        this.leaseRows = leaseRows;
        this.outbox = outbox;
    }

    /**
     * Fenced by the lease token and the worker that holds it (409 lease_lost otherwise). A repeat with the same token
     * and worker while the task is still queued answers the stored task and changes nothing, like complete and fail.
     */
    public Uni<Task> release(UUID taskId, Release req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        String worker = Leases.workerId(req.workerId());
        UUID token = Leases.token(req.leaseToken());
        return pool.withTransaction(c -> leaseRows
                .release(c, taskId, token, worker)
                .chain(released -> {
                    if (released != null) {
                        return outbox.insert(c, List.of(Events.task(EventTypes.TASK_REQUEUED, released)))
                                .replaceWith(released);
                    }
                    return tasks.find(c, taskId).map(current -> {
                        if (current == null) {
                            throw ProblemException.notFound("task " + taskId);
                        }
                        if (TaskStatus.QUEUED.equals(current.status()) && Leases.holds(current, token, worker)) {
                            return current; // a repeat: already handed back (or put back by the reaper), nothing
                            // changes
                        }
                        throw TaskProblems.leaseLost(Leases.leaseLostDetail(current, token, worker));
                    });
                }));
    }
}
