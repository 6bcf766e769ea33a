package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.kit.sql.Pipelined;
import dev.conveyor.kit.sql.PipelinedTransaction;
import dev.conveyor.kit.sql.PipelinedTransaction.Ending;
import dev.conveyor.taskapi.api.model.CreateTask;
import dev.conveyor.taskapi.api.model.StatusCounts;
import dev.conveyor.taskapi.api.model.TaskPage;
import dev.conveyor.taskapi.domain.TaskInput.Validated;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.PipelineStore;
import dev.conveyor.taskapi.store.ProjectStore;
import dev.conveyor.taskapi.store.TaskStore;
import dev.conveyor.taskapi.store.TaskStore.Dependency;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Client-side task rules: create (hold + insert + events in one transaction), estimate, read (cancel, retry: TaskControlService). */
@ApplicationScoped
public class TaskService {
    private final Pool pool;
    private final TaskStore tasks;
    private final PipelineStore pipelines;
    private final ProjectStore projects;
    private final OutboxStore outbox;
    private final Credits credits;
    private final TaskInput input;

    public TaskService(
            Pool pool,
            TaskStore tasks,
            PipelineStore pipelines,
            ProjectStore projects,
            OutboxStore outbox,
            Credits credits,
            TaskInput input) {
        this.pool = pool;
        this.tasks = tasks;
        this.pipelines = pipelines;
        this.projects = projects;
        this.outbox = outbox;
        this.credits = credits;
        this.input = input;
    }

    /** A created task, and whether it was a replay of an earlier create with the same idempotency key. */
    public record Created(Task task, boolean replayed) {}

    /** A task just inserted and the events its create writes to the outbox (task.created first). */
    record Inserted(Task task, List<Record> events) {}

    /**
     * Inserts a validated task in {@code projectId} for {@code userId} inside the caller's transaction: checks dependencies
     * and parent, inserts the row, holds the cost (a pipeline's whole cost, its spawn budget included) or, {@code
     * fromParent}, draws it from the parent's spawn budget. Answers the task and its events (task.created, then the
     * credit event), which the caller writes to the outbox in the same transaction (a single create: together with
     * COMMIT).
     */
    Uni<Inserted> insert(
            SqlClient c,
            UUID userId,
            UUID projectId,
            Validated v,
            UUID parentTaskId,
            String idempotencyKey,
            String childKey,
            boolean fromParent) {
        UUID taskId = UUID.randomUUID();
        long cost = v.checked().cost();
        return dependenciesStatus(c, userId, projectId, v.deps(), parentTaskId).chain(status -> {
            List<Record> events = new ArrayList<>();
            Uni<Task> row = tasks.insert(
                    c,
                    newTask(taskId, userId, projectId, v, status, parentTaskId, idempotencyKey, childKey, fromParent));
            // Sent right behind the row (Pipelined). Last, because it locks the account row (or the
            // parent's budget), which the user's other creates and every completion of the user's tasks wait for:
            // locked from here to the COMMIT that follows.
            Uni<Void> paid =
                    fromParent ? drawFromParent(c, parentTaskId, cost) : credits.hold(c, userId, cost, taskId, events);
            return Pipelined.answerFirst(row, paid).map(task -> {
                events.add(0, Events.created(task, v.paramsJson()));
                return new Inserted(task, events);
            });
        });
    }

    /** The row of a validated create. */
    static TaskStore.NewTask newTask(
            UUID taskId,
            UUID userId,
            UUID projectId,
            Validated v,
            String status,
            UUID parentTaskId,
            String idempotencyKey,
            String childKey,
            boolean fromParent) {
        return new TaskStore.NewTask(
                taskId,
                projectId,
                userId,
                v.type().name(),
                v.paramsJson(),
                status,
                v.priority(),
                v.checked().cost(),
                v.type().maxAttempts(),
                v.type().lease(),
                v.type().generation(),
                v.checked().shotId(),
                v.deps().toArray(UUID[]::new),
                parentTaskId,
                idempotencyKey,
                childKey,
                v.checked().spawnBudget(),
                fromParent);
    }

    /** Moves {@code cost} of the parent's spawn budget to a child; 402 pipeline_budget_exceeded when less is left. */
    Uni<Void> drawFromParent(SqlClient c, UUID parentId, long cost) {
        if (cost == 0) {
            return Uni.createFrom().voidItem();
        }
        return pipelines
                .drawBudget(c, parentId, cost)
                .chain(drawn -> drawn
                        ? Uni.createFrom().voidItem()
                        : pipelines.share(c, parentId).onItem().<Void>transform(share -> {
                            throw TaskProblems.budgetExceeded(parentId, cost, share == null ? 0 : share.spawnBudget());
                        }));
    }

    static boolean uniqueViolation(Throwable e) {
        return e instanceof PgException pg && "23505".equals(pg.getSqlState());
    }

    public Uni<Created> create(UUID userId, CreateTask req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        if (req.projectId() == null) {
            throw ProblemException.validation("projectId is required");
        }
        Validated v =
                input.validate(req.taskType(), req.params(), req.priority(), req.dependsOn(), req.idempotencyKey());
        String key = v.key();
        // BEGIN travels with the first statements (the project check, the insert and the hold: createIn), the outbox
        // INSERT with COMMIT (PipelinedTransaction): a create without dependencies or idempotency key is two round
        // trips.
        Uni<Created> attempt = PipelinedTransaction.runEnding(pool, c -> createIn(c, userId, req, v));
        if (key == null) {
            return attempt;
        }
        // Two concurrent creates with one key: the loser hits the unique constraint and answers with the winner's task.
        return attempt.onFailure(TaskService::uniqueViolation)
                .recoverWithUni(() -> pool.withConnection(c -> tasks.findByIdempotencyKey(c, userId, key))
                        .map(found -> new Created(found, true)));
    }

    /**
     * A client create inside the caller's transaction (the single create; a batch applies the same rules set-wise, see
     * {@link TaskBatchService}): the earlier task when the idempotency key was used before, else the project check and
     * {@link #insert}.
     */
    Uni<Ending<Created>> createIn(SqlClient c, UUID userId, CreateTask req, Validated v) {
        Uni<Task> existing =
                v.key() == null ? Uni.createFrom().nullItem() : tasks.findByIdempotencyKey(c, userId, v.key());
        return existing.chain(found -> {
            if (found != null) {
                return Uni.createFrom().item(Ending.of(new Created(found, true)));
            }
            // The project check travels with the insert and the hold (Pipelined.checkFirst: one round trip for the
            // three instead of two): a project that is not the user's answers 404 whatever the statements behind it did
            // (a foreign key error for a project that does not exist, a 402 of the user's own credits), and the
            // transaction rolls them back. The check still locks the row first, so a concurrent delete waits for this
            // create, or this create finds the project gone.
            return Pipelined.checkFirst(
                            projects.findOwnedForShare(c, req.projectId(), userId),
                            project -> {
                                if (project == null) {
                                    throw ProblemException.notFound("project " + req.projectId());
                                }
                            },
                            insert(c, userId, req.projectId(), v, req.parentTaskId(), v.key(), null, false))
                    .map(inserted -> Ending.then(
                            new Created(inserted.task(), false), last -> outbox.insert(last, inserted.events())));
        });
    }

    /** Checks dependencies and parent (same user, same project) and answers the new task's status. */
    Uni<String> dependenciesStatus(SqlClient c, UUID userId, UUID projectId, Set<UUID> deps, UUID parentTaskId) {
        Set<UUID> wanted = new LinkedHashSet<>(deps);
        if (parentTaskId != null) {
            wanted.add(parentTaskId);
        }
        if (wanted.isEmpty()) {
            return Uni.createFrom().item(TaskStatus.QUEUED);
        }
        return tasks.dependencies(c, userId, wanted.toArray(UUID[]::new)).map(found -> {
            Map<UUID, Dependency> byId = new HashMap<>();
            found.forEach(d -> byId.put(d.id(), d));
            return statusOf(byId, projectId, deps, parentTaskId);
        });
    }

    /**
     * The status rule of a create: every dependency and the parent must be a task of {@code projectId} (among {@code
     * found}: the user's tasks, locked FOR SHARE); a failed or cancelled dependency refuses the create (422
     * dependency_failed); the task waits until every dependency is complete. A batch looks its items' dependencies up at
     * once and applies this per item.
     */
    static String statusOf(Map<UUID, Dependency> found, UUID projectId, Set<UUID> deps, UUID parentTaskId) {
        Set<UUID> wanted = new LinkedHashSet<>(deps);
        if (parentTaskId != null) {
            wanted.add(parentTaskId);
        }
        for (UUID id : wanted) {
            Dependency d = found.get(id);
            if (d == null || !d.projectId().equals(projectId)) {
                throw ProblemException.validation("task " + id + " is not a task of project " + projectId);
            }
        }
        boolean waiting = false;
        for (UUID id : deps) {
            String s = found.get(id).status();
            if (TaskStatus.FAILED.equals(s) || TaskStatus.CANCELLED.equals(s)) {
                throw new ProblemException(
                        422, "dependency_failed", "Dependency failed", "dependency " + id + " is " + s);
            }
            waiting |= !TaskStatus.COMPLETE.equals(s);
        }
        return waiting ? TaskStatus.WAITING : TaskStatus.QUEUED;
    }

    public Uni<Task> get(UUID userId, UUID taskId) {
        return pool.withConnection(c -> tasks.findOwned(c, taskId, userId)).map(t -> {
            if (t == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            return t;
        });
    }

    /** Any task of the platform, whoever owns it (a worker reads, for example, the tasks its task depends on). */
    public Uni<Task> getAny(UUID taskId) {
        return pool.withConnection(c -> tasks.find(c, taskId)).map(t -> {
            if (t == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            return t;
        });
    }

    public Uni<List<Task>> children(UUID userId, UUID taskId) {
        return pool.withConnection(c -> tasks.findOwned(c, taskId, userId).chain(parent -> {
            if (parent == null) {
                throw ProblemException.notFound("task " + taskId);
            }
            return tasks.children(c, taskId);
        }));
    }

    public Uni<TaskPage> list(UUID userId, UUID projectId, String status, String taskType, int page, int limit) {
        if (status != null && !TaskStatus.ALL.contains(status)) {
            throw ProblemException.validation("status must be one of " + TaskStatus.ALL);
        }
        if (page < 1 || page > 100_000) {
            throw ProblemException.validation("page must be from 1 to 100000");
        }
        if (limit < 1 || limit > 100) {
            throw ProblemException.validation("limit must be from 1 to 100");
        }
        return pool.withConnection(c -> projects.findOwned(c, projectId, userId).chain(project -> {
            if (project == null) {
                throw ProblemException.notFound("project " + projectId);
            }
            return tasks.list(c, projectId, status, taskType, limit, (page - 1) * limit)
                    .chain(items -> tasks.count(c, projectId, status, taskType)
                            .map(total -> new TaskPage(items, page, limit, total)));
        }));
    }

    public Uni<StatusCounts> statusCounts(UUID userId, UUID projectId) {
        return pool.withConnection(c -> projects.findOwned(c, projectId, userId).chain(project -> {
                    if (project == null) {
                        throw ProblemException.notFound("project " + projectId);
                    }
                    return tasks.statusCounts(c, projectId);
                }))
                .map(m -> new StatusCounts(
                        m.getOrDefault(TaskStatus.WAITING, 0L),
                        m.getOrDefault(TaskStatus.QUEUED, 0L),
                        m.getOrDefault(TaskStatus.IN_PROGRESS, 0L),
                        m.getOrDefault(TaskStatus.COMPLETE, 0L),
                        m.getOrDefault(TaskStatus.FAILED, 0L),
                        m.getOrDefault(TaskStatus.CANCELLED, 0L)));
    }
}
