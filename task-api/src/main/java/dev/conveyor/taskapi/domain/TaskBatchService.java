package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.kit.sql.PipelinedTransaction;
import dev.conveyor.kit.sql.PipelinedTransaction.Ending;
import dev.conveyor.taskapi.api.model.CreateTask;
import dev.conveyor.taskapi.api.model.CreateTasks;
import dev.conveyor.taskapi.api.model.CreatedTasks;
import dev.conveyor.taskapi.domain.TaskInput.Validated;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.ProjectStore;
import dev.conveyor.taskapi.store.TaskStore;
import dev.conveyor.taskapi.store.TaskStore.Dependency;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Batch create: up to {@value #MAX_BATCH} tasks of one user in one request and one transaction, all or none. Each item
 * gets exactly the checks and writes of a single create (validation, project, dependencies, credit hold, task.created in
 * the outbox) and the same answer; a failing item rolls the whole batch back and the problem names it ({@code tasks[i]:
 * ...}), the first failing item in request order, as if the items were created one after the other. An item whose
 * idempotencyKey was used before answers the earlier task (replayed) and holds nothing again.
 *
 * <p>Set-based: whatever the batch's size, it runs a constant number of statements: the keyed items' lookup (when any
 * is keyed), one project check for the distinct projects, one dependency read for the union of the items'
 * dependencies and parents (when any has one), one credit hold for the total with its ledger rows, one multi-row task
 * insert and one outbox insert. The per-item rules are applied in memory to what those statements read.
 */
@ApplicationScoped
public class TaskBatchService {
    public static final int MAX_BATCH = 100;

    private final Pool pool;
    private final TaskInput input;
    private final TaskStore tasks;
    private final ProjectStore projects;
    private final OutboxStore outbox;
    private final Credits credits;

    public TaskBatchService(
            Pool pool, TaskInput input, TaskStore tasks, ProjectStore projects, OutboxStore outbox, Credits credits) {
        this.pool = pool;
        this.input = input;
        this.tasks = tasks;
        this.projects = projects;
        this.outbox = outbox;
        this.credits = credits;
    }

    public Uni<CreatedTasks> create(UUID userId, CreateTasks req) {
        if (req == null
                || req.tasks() == null
                || req.tasks().isEmpty()
                || req.tasks().size() > MAX_BATCH) {
            throw ProblemException.validation("tasks must hold 1 to " + MAX_BATCH + " items");
        }
        List<CreateTask> items = req.tasks();
        List<Validated> validated = new ArrayList<>(items.size());
        Set<String> keys = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            CreateTask t = items.get(i);
            String at = at(i);
            if (t == null) {
                throw ProblemException.validation(at + " is required");
            }
            if (t.projectId() == null) {
                throw ProblemException.validation(at + ".projectId is required");
            }
            Validated v;
            try {
                v = input.validate(t.taskType(), t.params(), t.priority(), t.dependsOn(), t.idempotencyKey());
            } catch (ProblemException e) {
                throw e.at(at);
            }
            if (v.key() != null && !keys.add(v.key())) {
                throw ProblemException.validation(at + ".idempotencyKey appears more than once in the batch");
            }
            validated.add(v);
        }
        Uni<CreatedTasks> attempt = inTransaction(userId, items, validated, keys);
        if (keys.isEmpty()) {
            return attempt;
        }
        // A concurrent create won the race for one of the keys: run the batch again, that key now answers its task.
        return attempt.onFailure(TaskService::uniqueViolation)
                .recoverWithUni(() -> inTransaction(userId, items, validated, keys));
    }

    private static String at(int i) {
        return "tasks[" + i + "]";
    }

    private Uni<CreatedTasks> inTransaction(
            UUID userId, List<CreateTask> items, List<Validated> validated, Set<String> keys) {
        // BEGIN travels with the first statement, the outbox INSERT with COMMIT (PipelinedTransaction).
        return PipelinedTransaction.runEnding(
                        pool,
                        c -> replays(c, userId, keys)
                                .chain(replayed -> createNew(c, userId, items, validated, replayed)))
                .map(CreatedTasks::new);
    }

    /** The earlier tasks of the batch's idempotency keys, by key (one lookup; none without keys). */
    private Uni<Map<String, Task>> replays(SqlClient c, UUID userId, Set<String> keys) {
        return keys.isEmpty()
                ? Uni.createFrom().item(Map.of())
                : tasks.findByIdempotencyKeys(c, userId, keys.toArray(String[]::new));
    }

    /** The items not replayed: checked against one read each of their projects and dependencies, held, inserted. */
    private Uni<Ending<List<TaskService.Created>>> createNew(
            SqlClient c, UUID userId, List<CreateTask> items, List<Validated> validated, Map<String, Task> replayed) {
        List<Integer> fresh = new ArrayList<>();
        Set<UUID> projectIds = new LinkedHashSet<>();
        Set<UUID> wanted = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Validated v = validated.get(i);
            if (v.key() != null && replayed.containsKey(v.key())) {
                continue;
            }
            fresh.add(i);
            projectIds.add(items.get(i).projectId());
            wanted.addAll(v.deps());
            if (items.get(i).parentTaskId() != null) {
                wanted.add(items.get(i).parentTaskId());
            }
        }
        if (fresh.isEmpty()) {
            return Uni.createFrom().item(Ending.of(answers(items, validated, replayed, Map.of())));
        }
        Uni<Map<UUID, Dependency>> dependencies = wanted.isEmpty()
                ? Uni.createFrom().item(Map.of())
                : tasks.dependencies(c, userId, wanted.toArray(UUID[]::new)).map(found -> {
                    Map<UUID, Dependency> byId = new HashMap<>();
                    found.forEach(d -> byId.put(d.id(), d));
                    return byId;
                });
        return projects.ownedForShare(c, projectIds.toArray(UUID[]::new), userId)
                .chain(owned -> dependencies.chain(found -> {
                    // Each item's project and dependencies, in request order, up to the first that fails.
                    List<TaskStore.NewTask> rows = new ArrayList<>(fresh.size());
                    ProblemException refused = null;
                    int refusedAt = -1;
                    for (int i : fresh) {
                        CreateTask item = items.get(i);
                        Validated v = validated.get(i);
                        try {
                            if (!owned.contains(item.projectId())) {
                                throw ProblemException.notFound("project " + item.projectId());
                            }
                            String status =
                                    TaskService.statusOf(found, item.projectId(), v.deps(), item.parentTaskId());
                            rows.add(TaskService.newTask(
                                    UUID.randomUUID(),
                                    userId,
                                    item.projectId(),
                                    v,
                                    status,
                                    item.parentTaskId(),
                                    v.key(),
                                    null,
                                    false));
                        } catch (ProblemException e) {
                            refused = e.at(at(i));
                            refusedAt = i;
                            break;
                        }
                    }
                    // The items before a refused one are held first: one of them short of credits fails before it.
                    ProblemException firstRefusal = refused;
                    int refusedIndex = refusedAt;
                    return credits.holdAll(
                                    c,
                                    userId,
                                    rows.stream().map(TaskStore.NewTask::id).toList(),
                                    rows.stream().map(TaskStore.NewTask::cost).toList())
                            .chain(hold -> {
                                if (hold.shortage() != null) {
                                    throw hold.shortage().at(at(fresh.get(hold.shortAt())));
                                }
                                if (firstRefusal != null) {
                                    throw firstRefusal;
                                }
                                return tasks.insertAll(c, rows).map(created -> {
                                    List<Record> events = new ArrayList<>(created.size() + 1);
                                    Map<Integer, Task> byItem = new HashMap<>();
                                    for (int k = 0; k < created.size(); k++) {
                                        Task task = created.get(k);
                                        int i = fresh.get(k);
                                        byItem.put(i, task);
                                        events.add(Events.created(
                                                task, validated.get(i).paramsJson()));
                                    }
                                    // One credits.changed for the batch's holds, after the tasks it holds for.
                                    if (hold.event() != null) {
                                        events.add(hold.event());
                                    }
                                    return Ending.then(
                                            answers(items, validated, replayed, byItem),
                                            last -> outbox.insert(last, events));
                                });
                            });
                }));
    }

    /** Every item's answer in request order: its earlier task (replayed) or the one just created. */
    private static List<TaskService.Created> answers(
            List<CreateTask> items, List<Validated> validated, Map<String, Task> replayed, Map<Integer, Task> created) {
        List<TaskService.Created> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Task task = created.get(i);
            out.add(
                    task != null
                            ? new TaskService.Created(task, false)
                            : new TaskService.Created(
                                    replayed.get(validated.get(i).key()), true));
        }
        return out;
    }
}
