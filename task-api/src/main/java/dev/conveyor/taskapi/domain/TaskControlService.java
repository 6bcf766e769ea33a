package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.PipelineStore;
import dev.conveyor.taskapi.store.TaskStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** A user's cancel and retry of a task, which act on its whole pipeline (the task and the children below it). */
@ApplicationScoped
public class TaskControlService {
    private final Pool pool;
    private final TaskStore tasks;
    private final PipelineStore pipelines;
    private final OutboxStore outbox;
    private final Credits credits;
    private final TaskService taskService;

    public TaskControlService(
            Pool pool,
            TaskStore tasks,
            PipelineStore pipelines,
            OutboxStore outbox,
            Credits credits,
            TaskService taskService) {
        this.pool = pool;
        this.tasks = tasks;
        this.pipelines = pipelines;
        this.outbox = outbox;
        this.credits = credits;
        this.taskService = taskService;
    }

    /**
     * waiting/queued/in_progress -> cancelled, hold released, waiting dependents failed, unfinished descendants cancelled
     * (releasing theirs). A finished task whose descendants still run (a completed orchestrator) stays as it is and its
     * unfinished descendants are cancelled. 409 task_final when neither the task nor anything below it is unfinished.
     */
    public Uni<Task> cancel(UUID userId, UUID taskId) {
        return pool.withTransaction(c -> tasks.findOwned(c, taskId, userId).chain(found -> {
            if (found == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            return tasks.cancel(c, taskId).chain(cancelled -> {
                List<Record> events = new ArrayList<>();
                if (cancelled != null) {
                    events.add(Events.task(EventTypes.TASK_CANCELLED, cancelled));
                    return credits.ended(c, List.of(cancelled), events)
                            .chain(() -> outbox.insert(c, events))
                            .replaceWith(cancelled);
                }
                return credits.cancelPipeline(c, taskId, events).chain(count -> {
                    if (count == 0) {
                        throw ProblemException.conflict(
                                "task_final", "task " + taskId + " and every task below it are already finished");
                    }
                    return outbox.insert(c, events).replaceWith(found);
                });
            });
        }));
    }

    /**
     * failed/cancelled -> queued (or waiting on unfinished dependencies), attempts from 0. It holds its cost again plus,
     * for a pipeline, the cost of every child below it that did not complete (cancelled by the cascade, or failed): that
     * goes back into its spawn budget, and the children it re-creates by their keys are revived from there. A child
     * retried on its own holds its cost on the account and is no longer drawn from its parent.
     */
    public Uni<Task> retry(UUID userId, UUID taskId) {
        return pool.withTransaction(c -> tasks.findOwned(c, taskId, userId).chain(found -> {
            if (found == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            if (!TaskStatus.FAILED.equals(found.status()) && !TaskStatus.CANCELLED.equals(found.status())) {
                throw ProblemException.conflict(
                        "task_not_retryable",
                        "only failed or cancelled tasks can be retried; this one is " + found.status());
            }
            return taskService
                    .dependenciesStatus(c, userId, found.projectId(), new LinkedHashSet<>(found.dependsOn()), null)
                    .chain(status -> pipelines
                            .share(c, taskId)
                            .chain(share -> pipelines
                                    .unpaidDescendants(c, taskId)
                                    .chain(unpaid -> {
                                        long cost = Math.addExact(share.cost(), unpaid);
                                        List<Record> events = new ArrayList<>();
                                        return credits.hold(c, userId, cost, taskId, events)
                                                .chain(() -> tasks.retry(
                                                        c, taskId, status, cost, share.spawnBudget() + unpaid, false))
                                                .chain(task -> {
                                                    if (task == null) {
                                                        throw ProblemException.conflict(
                                                                "task_not_retryable",
                                                                "task " + taskId + " changed meanwhile");
                                                    }
                                                    events.add(0, Events.task(EventTypes.TASK_REQUEUED, task));
                                                    return outbox.insert(c, events)
                                                            .replaceWith(task);
                                                });
                                    })));
        }));
    }
}
